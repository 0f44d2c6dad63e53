// MoldUDP64 re-request scheduling for one gap (pure, DPDK-free, no clock of its own): which request
// packets to send and when (#12, slice 2; not wired into the RX path yet).
//
// A gap [first, first + count) is split into requests of at most `max_per_request` messages (what one
// response packet can carry). At most one request is outstanding; it is re-sent after `timeout` (the
// caller's time unit) up to `retries` times, and requests never leave closer than `min_interval` apart
// (rate limit). Messages arriving (from the retransmission or late on the feed) move `next` forward;
// the gap is filled when next reaches the end; after the last retry times out it has failed (the caller
// falls back: snapshot, or stale books).
#pragma once

#include <algorithm>
#include <cstdint>

namespace sf::dataplane {

struct RewindRequest {
  uint64_t first_seq = 0;
  uint16_t count = 0;
};

class RewindRequester {
 public:
  enum class State : uint8_t { kIdle, kWaiting, kFilled, kFailed };
  struct Settings {
    uint16_t max_per_request = 64;
    uint64_t timeout = 20;
    uint32_t retries = 5;
    uint64_t min_interval = 1;
  };
  struct Counts {
    uint64_t requests = 0;  // request packets sent (first tries and retries)
    uint64_t retries = 0;   // of those, re-sent after a timeout
    uint64_t timeouts = 0;
    uint64_t rate_limited = 0;  // polls that had a request due but waited for the rate limit
  };

  explicit RewindRequester(const Settings& s) : s_(s) {
    s_.max_per_request = std::max<uint16_t>(s_.max_per_request, 1);
  }

  // Starts recovering [first, first + count).
  void start(uint64_t first, uint64_t count) noexcept {
    next_ = first;
    end_ = first + count;
    state_ = count ? State::kWaiting : State::kFilled;
    outstanding_ = false;
    tries_ = 0;
  }

  // Messages [seq, seq + n) were applied (retransmitted or late from the feed).
  void on_messages(uint64_t seq, uint64_t n) noexcept {
    if (state_ != State::kWaiting || seq > next_) return;
    if (seq + n > next_) {
      next_ = seq + n;
      tries_ = 0;  // progress: the next chunk gets its own retries
      outstanding_ = false;
    }
    if (next_ >= end_) state_ = State::kFilled;
  }

  // The request to send now, if any (count 0 = nothing to send now).
  RewindRequest poll(uint64_t now) noexcept {
    if (state_ != State::kWaiting) return {};
    if (outstanding_) {
      if (now - sent_at_ < s_.timeout) return {};
      counts_.timeouts++;
      if (tries_ > s_.retries) {
        state_ = State::kFailed;
        return {};
      }
    }
    if (counts_.requests && now - last_send_ < s_.min_interval) {
      counts_.rate_limited++;
      return {};
    }
    const uint16_t n = static_cast<uint16_t>(std::min<uint64_t>(end_ - next_, s_.max_per_request));
    if (outstanding_) counts_.retries++;
    ++tries_;
    counts_.requests++;
    outstanding_ = true;
    sent_at_ = last_send_ = now;
    return {next_, n};
  }

  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] uint64_t next() const noexcept { return next_; }
  [[nodiscard]] const Counts& counts() const noexcept { return counts_; }

 private:
  Settings s_;
  State state_ = State::kIdle;
  uint64_t next_ = 0, end_ = 0, sent_at_ = 0, last_send_ = 0;
  uint32_t tries_ = 0;
  bool outstanding_ = false;
  Counts counts_;
};

}  // namespace sf::dataplane
