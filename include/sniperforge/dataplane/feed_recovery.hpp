// MoldUDP64 re-request recovery of feed gaps (#12), DPDK-free, no clock of its own (the caller passes
// `now` in its time unit, TSC ticks on the RX lcore) and no I/O (frames go to a net::FrameSink).
//
// On a gap the arbiter declared (LineArbiter), live messages after it are held in a bounded window of
// preallocated slots (HeldMessages, `max_held_messages`), RewindRequester sends MoldUDP64 requests as UDP
// from our address to the re-request server (its MAC resolved by net::Neighbours, which also answers ARP for
// our address), the retransmitted messages are applied in order, then the held ones; when nothing is missing
// any more the gap is recovered. More gaps while recovering just leave more missing slots, requested in turn.
// Failure (retries exhausted, or more than `max_held_messages` between the first missing message and the
// newest one): every held message is applied as it is and the books stay stale; the failure is latched, later
// gaps are not recovered (books that missed messages must not be declared good again) until
// `reset_after_snapshot()`.
//
// GLIMPSE fallback (enable_snapshot_fallback(), with [feed.snapshot]): a failure (retries or buffer) asks
// for a snapshot instead (snapshot_wanted) and keeps holding live messages meanwhile; past
// `max_held_messages` the oldest are dropped (counted: the snapshot replaces them). on_snapshot(N):
// held and later live messages below N are skipped (the snapshot has them), the rest applied in order;
// holes left between N and the held messages are re-requested as an ordinary gap, then recovered.
// on_snapshot_failed(): as a failure without fallback.
//
// Out (the caller's sink, RxProcessor):
//   void apply(uint64_t seq, const uint8_t* msg, std::size_t len);  // route one message, in order
//   void recovery_started();                 // strategies must not fire from here on
//   void recovered(uint64_t ticks);          // books complete again: clear stale, trade
//   void recovery_failed(uint64_t next_seq); // books stale (a gap), strategies may not fire
//   void snapshot_wanted(uint64_t next_seq); // books stale, still recovering: take a GLIMPSE snapshot
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "sniperforge/dataplane/held_messages.hpp"
#include "sniperforge/dataplane/rewind_requester.hpp"
#include "sniperforge/net/neighbours.hpp"
#include "sniperforge/proto/feed.hpp"
#include "sniperforge/proto/moldudp64.hpp"
#include "sniperforge/proto/net.hpp"
#include "sniperforge/telemetry/feed_recovery_stats.hpp"

namespace sf::dataplane {

using telemetry::RecoveryFailure;

struct FeedRecoverySettings {
  uint32_t server_ip = 0;  // host order
  uint16_t server_port = 0;
  uint32_t local_ip = 0;
  uint16_t local_port = 0;  // our source port; answers come back to it
  net::Mac local_mac{};
  uint64_t timeout = 0;       // a request unanswered this long is retried (caller's unit)
  uint32_t retries = 5;       // then the recovery fails
  uint64_t min_interval = 0;  // requests never closer than this (rate limit)
  uint64_t arp_retry = 0;     // ARP request interval while the server is not resolved
  uint64_t max_held_messages = 1'000'000;
  // One response carries at most (1472 - 20) / (2 + 50) of the longest ITCH message: never ask for more.
  uint16_t max_per_request =
      (mold::kMaxPayloadForMtu1500 - mold::kHeaderLength) / (2 + itch::kMaxMessageLength);
};

class FeedRecovery final : private net::FrameSink {
 public:
  FeedRecovery(const FeedRecoverySettings& s, net::FrameSink& tx, telemetry::FeedRecoveryStats& stats)
      : s_(s),
        tx_(tx),
        stats_(stats),
        requester_({s.max_per_request, s.timeout, s.retries, s.min_interval}),
        neighbours_(neighbour_config(s), *this),
        held_(s.max_held_messages) {}

  FeedRecovery(const FeedRecovery&) = delete;
  FeedRecovery& operator=(const FeedRecovery&) = delete;

  // Gratuitous ARP and the first resolution of the server (before the first poll).
  void start(uint64_t now) noexcept { neighbours_.start(now); }

  // The MoldUDP64 session requests name (the feed's, once known).
  void set_session(std::span<const uint8_t, mold::kSessionLength> session) noexcept {
    std::memcpy(session_.data(), session.data(), session_.size());
  }

  [[nodiscard]] bool recovering() const noexcept { return recovering_; }
  // [feed.snapshot]: a failed recovery waits for a GLIMPSE snapshot (on_snapshot) instead of giving up.
  void enable_snapshot_fallback() noexcept { snapshot_fallback_ = true; }
  [[nodiscard]] bool awaiting_snapshot() const noexcept { return awaiting_snapshot_; }
  [[nodiscard]] RecoveryFailure failure() const noexcept { return failure_; }
  [[nodiscard]] bool is_server(const net::UdpDatagram& d) const noexcept {
    return d.src_ip == s_.server_ip && d.src_port == s_.server_port && d.dst_ip == s_.local_ip;
  }
  // ARP (and ICMP echo) for our address; true when the frame was the neighbour layer's.
  bool on_neighbour_frame(const uint8_t* frame, std::size_t len, uint64_t now) noexcept {
    return neighbours_.on_frame(frame, len, now) != net::Neighbours::Handled::kNotMine;
  }
  [[nodiscard]] const net::Neighbours& neighbours() const noexcept { return neighbours_; }

  // GLIMPSE hook (#12): the books were rebuilt from a snapshot; gaps are recovered again.
  void reset_after_snapshot() noexcept {
    failure_ = RecoveryFailure::kNone;
    stats_.failed.set(0);
  }

  // The arbiter declared [first, first + missing) a gap. False: not recovered (no recovery after a
  // failure): the caller marks the books stale as before.
  template <class Out>
  bool on_gap(uint64_t first, uint64_t missing, uint64_t now, Out& out) noexcept {
    now_ = now;
    if (first + missing <= skip_below_) return true;  // inside the last snapshot: nothing is missing
    if (first < skip_below_) {
      missing -= skip_below_ - first;
      first = skip_below_;
    }
    if (awaiting_snapshot_) {  // a hole among the live messages held for the snapshot
      end_ = std::max(end_, first + missing);
      slide_to(end_ - 1);
      return true;
    }
    if (failure_ != RecoveryFailure::kNone) return false;
    if (!recovering_) {
      recovering_ = true;
      next_ = end_ = first;
      since_ = now;
      stats_.started.add();
      stats_.recovering.set(1);
      out.recovery_started();
      start_hole(first, missing);
    }
    end_ = std::max(end_, first + missing);
    if (end_ - next_ > held_.capacity()) {
      fail(RecoveryFailure::kBuffer, out);
      if (awaiting_snapshot_) slide_to(end_ - 1);
    }
    return true;
  }

  // A live message from the arbiter, in order. False: not recovering, the caller applies it.
  template <class Out>
  bool hold(uint64_t seq, const uint8_t* msg, std::size_t len, Out& out) noexcept {
    if (seq < skip_below_) [[unlikely]] {  // already in the snapshot's books
      stats_.snapshot_skipped.add();
      return true;
    }
    if (awaiting_snapshot_) [[unlikely]] {
      if (seq < next_) return true;
      slide_to(seq);
    } else if (!recovering_) {
      return false;
    }
    if (seq < next_) return true;  // cannot happen after the arbiter; never applied twice
    if (seq - next_ >= held_.capacity()) {
      fail(RecoveryFailure::kBuffer, out);
      if (awaiting_snapshot_) return hold(seq, msg, len, out);  // held, in the window that slides
      out.apply(seq, msg, len);
      return true;
    }
    held_.put(seq, msg, len);
    end_ = std::max(end_, seq + 1);
    stats_.held.add();
    stats_.held_now.set(held_.count());
    return true;
  }

  // A UDP datagram from the re-request server (is_server()): its messages fill the holes.
  template <class Out>
  void on_answer(const uint8_t* payload, std::size_t len, uint64_t now, Out& out) noexcept {
    mold::PacketView v;
    if (feed::validate_mold_itch(payload, len, v) != feed::Error::kOk ||
        std::memcmp(v.session_bytes(), session_.data(), session_.size()) != 0) {
      stats_.bad_answers.add();
      return;
    }
    stats_.answers.add();
    if (!recovering_) return;  // late: the gap was filled meanwhile
    for (const mold::Block b : v)
      if (b.sequence >= next_ && b.sequence < end_ && !held_.has(b.sequence)) {
        held_.put(b.sequence, b.data, b.length);
        stats_.messages.add();
      }
    advance(now, out);
  }

  // The feed's session or sequence range restarted (FeedGuard): the gap being recovered belongs to a stream
  // that is gone; the recovery fails (reason abandoned) and what it held is applied.
  template <class Out>
  void abandon(Out& out) noexcept {
    skip_below_ = 0;  // the snapshot's sequence means nothing in another stream
    if (awaiting_snapshot_) {
      awaiting_snapshot_ = false;
      stats_.snapshot_state.set(0);
      failure_ = RecoveryFailure::kAbandoned;
      stats_.failed.set(static_cast<uint64_t>(failure_));
      give_up(out);
    } else if (recovering_) {
      fail(RecoveryFailure::kAbandoned, out);
    }
  }

  // The books were replaced by a GLIMPSE snapshot's (the executors swap them before any event the caller
  // routes from here on); the live feed continues at `next_sequence`.
  template <class Out>
  void on_snapshot(uint64_t next_sequence, uint64_t now, Out& out) noexcept {
    if (!awaiting_snapshot_) return;
    now_ = now;
    awaiting_snapshot_ = false;
    failure_ = RecoveryFailure::kNone;
    stats_.failed.set(0);
    stats_.snapshot_state.set(0);
    stats_.snapshot_succeeded.add();
    stats_.snapshot_time.record(now - snapshot_since_);
    skip_below_ = next_sequence;
    if (next_sequence < next_ && end_ - next_sequence > held_.capacity()) {
      // Older than the messages held, with more between than the buffer bridges: these books are
      // stale too; a newer snapshot is asked for (the held window keeps sliding meanwhile).
      awaiting_snapshot_ = true;
      failure_ = RecoveryFailure::kBuffer;
      stats_.failed.set(static_cast<uint64_t>(failure_));
      stats_.snapshot_state.set(1);
      stats_.snapshot_taken.add();
      snapshot_since_ = now;
      return out.snapshot_wanted(next_);
    }
    next_ = std::min(next_, next_sequence);  // an older snapshot: [next_sequence, held) is re-requested
    for (const uint64_t upto = std::min(end_, next_sequence); next_ < upto; ++next_)
      if (held_.drop(next_)) stats_.snapshot_skipped.add();
    next_ = std::max(next_, next_sequence);
    end_ = std::max(end_, next_);
    drain(out);
    stats_.held_now.set(held_.count());
    if (next_ == end_) {
      stats_.recovering.set(0);
      return out.recovered(now - snapshot_since_);
    }
    recovering_ = true;  // a hole between the snapshot and the messages held: re-requested
    since_ = now;
    stats_.started.add();
    stats_.recovering.set(1);
    start_hole(next_, hole_end() - next_);
  }

  // No snapshot could be taken: what a failure without the fallback does (books stay stale).
  template <class Out>
  void on_snapshot_failed(Out& out) noexcept {
    if (!awaiting_snapshot_) return;
    awaiting_snapshot_ = false;
    stats_.snapshot_failed.add();
    stats_.snapshot_state.set(2);
    give_up(out);
  }

  // Once per RX burst while recovering: timeouts, retries, ARP retries.
  template <class Out>
  void poll(uint64_t now, Out& out) noexcept {
    now_ = now;
    neighbours_.poll(now);
    if (!recovering_) return;
    const RewindRequest r = requester_.poll(now);
    copy_requester_counts();
    if (requester_.state() == RewindRequester::State::kFailed) return fail(RecoveryFailure::kRetries, out);
    if (r.count) send_request(r);
  }

 private:
  static net::NeighbourConfig neighbour_config(const FeedRecoverySettings& s) noexcept {
    net::NeighbourConfig c;
    c.local_mac = s.local_mac;
    c.local_ip = s.local_ip;
    c.next_hop = s.server_ip;
    c.arp_retry_ns = s.arp_retry;  // the caller's unit, like every time here
    c.arp_max_requests = UINT32_MAX;
    return c;
  }

  void start_hole(uint64_t first, uint64_t count) noexcept { requester_.start(first, count); }

  // Applies every message that now follows in order; then the next hole, or the end of the recovery.
  template <class Out>
  void advance(uint64_t now, Out& out) noexcept {
    const uint64_t from = next_;
    drain(out);
    if (next_ > from) requester_.on_messages(from, next_ - from);
    stats_.held_now.set(held_.count());
    if (next_ == end_) return finish(now, out);
    if (requester_.state() != RewindRequester::State::kWaiting) start_hole(next_, hole_end() - next_);
  }

  // The hole at next_ runs to the first message held after it.
  [[nodiscard]] uint64_t hole_end() const noexcept {
    uint64_t e = next_ + 1;
    while (e < end_ && !held_.has(e)) ++e;
    return e;
  }

  // Awaiting a snapshot: keeps `seq` inside the window by dropping the oldest held messages (counted).
  void slide_to(uint64_t seq) noexcept {
    if (seq < next_ + held_.capacity()) return;
    const uint64_t to = seq - held_.capacity() + 1;
    if (to - next_ >= held_.capacity()) {
      stats_.snapshot_dropped.add(held_.drop_all());
    } else {
      for (uint64_t q = next_; q < to; ++q)
        if (held_.drop(q)) stats_.snapshot_dropped.add();
    }
    next_ = to;
    end_ = std::max(end_, next_);
    stats_.held_now.set(held_.count());
  }

  template <class Out>
  void drain(Out& out) noexcept {
    while (next_ < end_ && held_.apply(next_, out)) ++next_;
  }

  template <class Out>
  void finish(uint64_t now, Out& out) noexcept {
    recovering_ = false;
    stats_.recovered.add();
    stats_.recovering.set(0);
    stats_.recovery_time.record(now - since_);
    out.recovered(now - since_);
  }

  // Books stay stale; with the GLIMPSE fallback a snapshot is asked for and the messages stay held,
  // without it they are applied as they are (the missing ones are lost).
  template <class Out>
  void fail(RecoveryFailure why, Out& out) noexcept {
    failure_ = why;
    recovering_ = false;
    stats_.failures[static_cast<std::size_t>(why)].add();
    stats_.failed.set(static_cast<uint64_t>(why));
    stats_.recovering.set(0);
    if (snapshot_fallback_ && why != RecoveryFailure::kAbandoned) {
      awaiting_snapshot_ = true;
      snapshot_since_ = now_;
      stats_.snapshot_taken.add();
      stats_.snapshot_state.set(1);
      return out.snapshot_wanted(next_);
    }
    give_up(out);
  }

  template <class Out>
  void give_up(Out& out) noexcept {
    out.recovery_failed(next_);
    for (; next_ < end_; ++next_) held_.apply(next_, out);
    stats_.held_now.set(held_.count());
  }

  void send_request(const RewindRequest& r) noexcept {
    if (!neighbours_.resolved()) {
      stats_.unresolved.add();
      return;  // counted as sent by the requester: it times out and is retried
    }
    std::array<uint8_t, mold::kRequestLength> req;
    mold::encode_request(req.data(),
                         std::string_view(reinterpret_cast<const char*>(session_.data()), session_.size()),
                         r.first_seq, r.count);
    net::UdpFrameSpec spec;
    spec.dst_mac = neighbours_.next_hop_mac();
    spec.src_mac = s_.local_mac;
    spec.src_ip = s_.local_ip;
    spec.dst_ip = s_.server_ip;
    spec.src_port = s_.local_port;
    spec.dst_port = s_.server_port;
    spec.ip_id = ip_id_++;
    spec.udp_checksum = true;
    const std::size_t n = net::build_udp_frame(frame_.data(), frame_.size(), spec, req.data(), req.size());
    if (n) tx_.emit_frame({frame_.data(), n});
  }

  void copy_requester_counts() noexcept {
    const RewindRequester::Counts& c = requester_.counts();
    stats_.requests.set(c.requests);  // the requester's counts run over every gap
    stats_.retries.set(c.retries);
    stats_.timeouts.set(c.timeouts);
  }

  // Neighbour frames (ARP replies, requests, gratuitous ARP) leave through the same TX.
  void emit_frame(std::span<const uint8_t> frame) noexcept override { tx_.emit_frame(frame); }

  FeedRecoverySettings s_;
  net::FrameSink& tx_;
  telemetry::FeedRecoveryStats& stats_;
  RewindRequester requester_;
  net::Neighbours neighbours_;
  HeldMessages held_;                        // [feed.rewind] max_held_messages, preallocated
  uint64_t next_ = 0, end_ = 0, since_ = 0;  // next to apply; one past the newest known; gap time
  bool recovering_ = false;
  bool snapshot_fallback_ = false, awaiting_snapshot_ = false;
  uint64_t skip_below_ = 0;                // the last snapshot's sequence: messages below it are in the books
  uint64_t now_ = 0, snapshot_since_ = 0;  // the last time passed in; when the snapshot was asked for
  RecoveryFailure failure_ = RecoveryFailure::kNone;
  uint16_t ip_id_ = 0;
  std::array<uint8_t, mold::kSessionLength> session_{};
  std::array<uint8_t, 128> frame_{};
};

}  // namespace sf::dataplane
