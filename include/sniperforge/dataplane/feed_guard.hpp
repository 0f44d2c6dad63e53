// Feed anti-spoofing (#16): which valid MoldUDP64 packets may change what the appliance believes about
// the feed. Pure and DPDK-free; the RX lcore (RxProcessor) and sf-backtest ask it the same question for
// every packet, before the LineArbiter sees it, so both follow the same stream.
//
// - Source: with `[feed] sources` set, a packet from any other IPv4 source is dropped (forged_source).
// - Session: `[feed] session` set: any other session is dropped (mold_wrong_session), forever. Blank: the
//   session is learned from the first packet, but only a data packet locks it (a heartbeat alone changes
//   no book, so a first forged heartbeat is simply replaced by the real feed: kRelearn).
// - Sequence: a packet more than `[feed] max_seq_jump` messages ahead of the highest sequence seen, or as
//   far behind the next expected one, is dropped (seq_jump) and is not a new truth: a forged heartbeat
//   announcing 2^63 neither blinds the appliance nor counts 9.2e18 missing messages.
// - A genuine change is believed only when it is all the feed says: kConfirmPackets packets in a row that
//   agree with each other (same session, sequences within max_seq_jump of each other) with no packet of
//   the current stream between them. With two lines, the other line still on the old stream breaks the
//   run, so a jump on one line only while the other disagrees is never adopted. Adopting it is a visible
//   event (kSessionChange / kSeqRestart: counted, books stale, the arbiter restarted at this packet).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "sniperforge/proto/moldudp64.hpp"
#include "sniperforge/telemetry/feed_labels.hpp"

namespace sf::dataplane {

inline constexpr uint64_t kDefaultMaxSeqJump = 1'000'000;

struct FeedGuardSettings {
  std::optional<std::array<uint8_t, mold::kSessionLength>> session;  // space padded; unset = learn it
  std::vector<uint32_t> sources;  // allowed IPv4 sources (host order); empty = any
  uint64_t max_seq_jump = kDefaultMaxSeqJump;
};

enum class FeedVerdict : uint8_t {
  kAccept,         // hand it to the arbiter
  kForgedSource,   // drop: source address not in [feed] sources
  kWrongSession,   // drop: not the session followed
  kSeqJump,        // drop: implausible sequence for the stream followed
  kRelearn,        // nothing was applied yet: restart the arbiter on this packet's stream, silently
  kSessionChange,  // confirmed new session: books stale, restart the arbiter, apply this packet
  kSeqRestart,     // confirmed new sequence range of the same session: as kSessionChange
};

[[nodiscard]] constexpr bool is_drop(FeedVerdict v) noexcept {
  return v == FeedVerdict::kForgedSource || v == FeedVerdict::kWrongSession || v == FeedVerdict::kSeqJump;
}
[[nodiscard]] constexpr bool is_restart(FeedVerdict v) noexcept {
  return v == FeedVerdict::kRelearn || v == FeedVerdict::kSessionChange || v == FeedVerdict::kSeqRestart;
}

// The drop reason a dropping verdict is counted under (sniperforge_feed_drops_total{reason}).
[[nodiscard]] constexpr telemetry::FeedDropReason guard_drop_reason(FeedVerdict v) noexcept {
  switch (v) {
    case FeedVerdict::kForgedSource:
      return telemetry::FeedDropReason::kForgedSource;
    case FeedVerdict::kWrongSession:
      return telemetry::FeedDropReason::kMoldWrongSession;
    case FeedVerdict::kSeqJump:
      return telemetry::FeedDropReason::kSeqJump;
    default:
      return telemetry::FeedDropReason::kOther;
  }
}

// What the guard needs to know of one packet.
struct FeedPacket {
  uint32_t src_ip = 0;
  const uint8_t* session = nullptr;  // kSessionLength bytes
  uint64_t first = 0;                // data: first sequence; heartbeat / end: the next sequence
  uint64_t next = 0;                 // sequence after the packet (== first for a heartbeat)
  bool data = false;
};

// Where the stream followed stands (the arbiter's view): whether it started, the next sequence to
// apply and the highest next sequence seen on either line.
struct StreamPosition {
  bool started = false;
  uint64_t next = 0;
  uint64_t horizon = 0;
};

class FeedGuard {
 public:
  static constexpr unsigned kConfirmPackets = 4;

  explicit FeedGuard(FeedGuardSettings s = {}) : s_(std::move(s)) {
    if (s_.session) {
      session_ = *s_.session;
      have_session_ = true;
    }
  }

  [[nodiscard]] FeedVerdict judge(const FeedPacket& p, const StreamPosition& pos) noexcept {
    if (!source_allowed(p.src_ip)) return FeedVerdict::kForgedSource;
    if (p.next < p.first) return FeedVerdict::kSeqJump;  // the sequence wraps: never a real stream
    const bool same_session = have_session_ && std::memcmp(session_.data(), p.session, session_.size()) == 0;
    if (s_.session && !same_session) return FeedVerdict::kWrongSession;
    if (!have_session_) return adopt(p, FeedVerdict::kRelearn);
    if (same_session && plausible(p, pos)) {
      candidate_run_ = 0;  // the stream followed spoke: any run of another one is broken
      locked_ |= p.data;
      return FeedVerdict::kAccept;
    }
    if (!locked_) return adopt(p, FeedVerdict::kRelearn);  // no book depends on the stream followed yet
    extend_candidate(p);
    if (candidate_run_ < kConfirmPackets)
      return same_session ? FeedVerdict::kSeqJump : FeedVerdict::kWrongSession;
    return adopt(p, same_session ? FeedVerdict::kSeqRestart : FeedVerdict::kSessionChange);
  }

  // judge()'s kAccept for a data packet of the stream followed once a data packet locked it (the same
  // checks: source, session, plausible sequence; the same effect), else false and nothing changed (ask
  // judge()). The RX lcore asks this from the MoldUDP64 header alone to drop the other line's copy cheaply.
  [[nodiscard]] bool accept_locked(const FeedPacket& p, const StreamPosition& pos) noexcept {
    if (!locked_ || !source_allowed(p.src_ip) || p.next < p.first ||
        std::memcmp(session_.data(), p.session, session_.size()) != 0 || !plausible(p, pos))
      return false;
    candidate_run_ = 0;  // as judge(): the stream followed spoke
    return true;
  }

  [[nodiscard]] bool session_known() const noexcept { return have_session_; }
  [[nodiscard]] const std::array<uint8_t, mold::kSessionLength>& session() const noexcept { return session_; }
  [[nodiscard]] const FeedGuardSettings& settings() const noexcept { return s_; }

 private:
  [[nodiscard]] bool source_allowed(uint32_t ip) const noexcept {
    return s_.sources.empty() || std::find(s_.sources.begin(), s_.sources.end(), ip) != s_.sources.end();
  }

  [[nodiscard]] bool plausible(const FeedPacket& p, const StreamPosition& pos) const noexcept {
    if (!pos.started) return true;
    const uint64_t ahead = p.first > pos.horizon ? p.first - pos.horizon : 0;
    const uint64_t behind = pos.next > p.next ? pos.next - p.next : 0;
    return ahead <= s_.max_seq_jump && behind <= s_.max_seq_jump;
  }

  // Another stream's packet: it extends the run of the candidate stream if it agrees with it.
  void extend_candidate(const FeedPacket& p) noexcept {
    const bool agrees = candidate_run_ > 0 &&
                        std::memcmp(candidate_session_.data(), p.session, candidate_session_.size()) == 0 &&
                        (p.first > candidate_next_ ? p.first - candidate_next_ : candidate_next_ - p.first) <=
                            s_.max_seq_jump;
    if (!agrees) {
      candidate_run_ = 0;
      std::memcpy(candidate_session_.data(), p.session, candidate_session_.size());
      candidate_next_ = p.next;
    }
    ++candidate_run_;
    candidate_next_ = std::max(candidate_next_, p.next);
  }

  FeedVerdict adopt(const FeedPacket& p, FeedVerdict why) noexcept {
    std::memcpy(session_.data(), p.session, session_.size());
    have_session_ = true;
    locked_ = p.data;
    candidate_run_ = 0;
    return why;
  }

  FeedGuardSettings s_;
  std::array<uint8_t, mold::kSessionLength> session_{}, candidate_session_{};
  bool have_session_ = false;
  bool locked_ = false;  // a data packet of the stream followed was accepted: books depend on it
  unsigned candidate_run_ = 0;
  uint64_t candidate_next_ = 0;
};

}  // namespace sf::dataplane
