// MoldUDP64 sequence tracking for one session (pure, DPDK-free).
//
// - in order:   seq == expected, every message is new.
// - gap:        seq > expected; the missing messages are counted and the books become stale
//               (recovery by re-request is a later issue); the packet itself is used.
// - duplicate:  seq + count <= expected, nothing new: the packet is dropped.
// - late:       seq < expected < seq + count, partly seen: only the new tail is used.
// Heartbeats and end-of-session carry the next expected sequence: a higher value is a gap.
// The first packet seen sets the expectation (no gap before it).
#pragma once

#include <cstdint>

namespace sf::dataplane {

enum class SeqVerdict : uint8_t { kFirst, kInOrder, kGap, kDuplicate, kLate };

struct SeqResult {
  SeqVerdict verdict;
  uint64_t skip;     // messages at the front of the packet already seen (late) or all of them (duplicate)
  uint64_t missing;  // messages lost before this packet (gap)
};

class SeqTracker {
 public:
  // A data packet: first sequence `seq`, `count` messages (>= 1).
  SeqResult on_data(uint64_t seq, uint64_t count) noexcept {
    if (!started_) {
      started_ = true;
      expected_ = seq + count;
      return {SeqVerdict::kFirst, 0, 0};
    }
    if (seq == expected_) {
      expected_ += count;
      return {SeqVerdict::kInOrder, 0, 0};
    }
    if (seq > expected_) {
      const uint64_t missing = seq - expected_;
      expected_ = seq + count;
      return {SeqVerdict::kGap, 0, missing};
    }
    if (seq + count <= expected_) return {SeqVerdict::kDuplicate, count, 0};
    const uint64_t skip = expected_ - seq;
    expected_ = seq + count;
    return {SeqVerdict::kLate, skip, 0};
  }
  // Heartbeat / end of session: `next` is the sender's next sequence number.
  SeqResult on_next(uint64_t next) noexcept {
    if (!started_) {
      started_ = true;
      expected_ = next;
      return {SeqVerdict::kFirst, 0, 0};
    }
    if (next > expected_) {
      const uint64_t missing = next - expected_;
      expected_ = next;
      return {SeqVerdict::kGap, 0, missing};
    }
    return {SeqVerdict::kInOrder, 0, 0};
  }
  [[nodiscard]] uint64_t expected() const noexcept { return expected_; }
  [[nodiscard]] bool started() const noexcept { return started_; }

 private:
  uint64_t expected_ = 0;
  bool started_ = false;
};

}  // namespace sf::dataplane
