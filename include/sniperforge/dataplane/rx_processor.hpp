// What an RX lcore does with each received frame, without DPDK: classify (feed line A or B / other), validate
// the MoldUDP64 + ITCH packet (feed::validate_mold_itch), merge the lines and track the sequence
// (LineArbiter: with one line, exactly SeqTracker's rules), and route each message as a 64-byte Event to the
// executor owning its shard (trade::route(): system, directory and trading-action messages go to every
// executor). Events are staged per executor and handed to a Sink in bursts; the DPDK RX lcore's sink enqueues
// them into the per-(RX, executor) rings. Unit-tested with a fake sink.
//
// Sink: `unsigned enqueue(uint16_t executor, const Event* ev, unsigned n)` -> how many it took
// (a ring takes all-or-none per call here: bursts are enqueued whole or counted as dropped).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "sniperforge/dataplane/event.hpp"
#include "sniperforge/dataplane/feed_guard.hpp"
#include "sniperforge/dataplane/feed_recovery.hpp"
#include "sniperforge/dataplane/line_arbiter.hpp"
#include "sniperforge/dataplane/snapshot_handoff.hpp"
#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/feed.hpp"
#include "sniperforge/telemetry/lcore_stats.hpp"
#include "sniperforge/telemetry/log_ring.hpp"
#include "sniperforge/trade/routing.hpp"

namespace sf::dataplane {

struct RxSettings {
  uint16_t feed_udp_port = feed::kDefaultPort;
  std::optional<uint32_t> feed_group;  // host-order IPv4; unset = any destination
  // Line B of the same MoldUDP64 stream ([feed.line_b]); unset = one line.
  std::optional<uint16_t> line_b_udp_port;
  std::optional<uint32_t> line_b_group;
  // Line B arrives on a port of its own (on_line_b_port_frame); the feed port then carries line A only.
  bool line_b_own_port = false;
  uint64_t arbitration_ticks = 0;  // [feed] arbitration_us in the caller's time unit (TSC ticks)
  FeedGuardSettings guard;         // [feed] session, sources, max_seq_jump (#16)
  // [feed.rewind]: gaps are recovered by MoldUDP64 re-request (needs a FrameSink for the requests).
  std::optional<FeedRecoverySettings> rewind;
  uint32_t shards = 1;
  uint16_t executors = 1;
};

template <class Sink>
class RxProcessor {
 public:
  static constexpr unsigned kStage = 128;  // events staged per executor before a forced flush

  // `tx`: where re-requests and ARP leave on the feed port (needed with `s.rewind`).
  RxProcessor(const RxSettings& s, telemetry::RxLcoreStats& stats, Sink& sink, net::FrameSink* tx = nullptr)
      : s_(s),
        stats_(stats),
        sink_(sink),
        stages_(s.executors),
        arb_(s.line_b_udp_port ? s.arbitration_ticks : 0,
             s.line_b_udp_port ? LineArbiter::kDefaultHeldPackets : 0),
        guard_(s.guard) {
    for (int l = 0; l < kLines; ++l) arb_.attach(l, &stats_.lines[l]);
    exec_of_shard_.resize(s.shards ? s.shards : 1);
    for (uint32_t i = 0; i < exec_of_shard_.size(); ++i)
      exec_of_shard_[i] = static_cast<uint16_t>(i % (s.executors ? s.executors : 1));
    if (s.rewind && tx) recovery_ = std::make_unique<FeedRecovery>(*s.rewind, *tx, stats_.recovery);
  }

  // Before the first poll, on the RX lcore: announce our address, resolve the re-request server.
  void start(uint64_t tsc) noexcept {
    if (recovery_) recovery_->start(tsc);
  }
  [[nodiscard]] const FeedRecovery* recovery() const noexcept { return recovery_.get(); }
  [[nodiscard]] FeedRecovery* recovery() noexcept { return recovery_.get(); }
  // Before the first poll ([feed.snapshot] with [feed.rewind]): a failed recovery falls back to a GLIMPSE
  // snapshot taken through `h` (snapshot_handoff.hpp). False without [feed.rewind].
  bool enable_snapshot_fallback(SnapshotHandoff& h) noexcept {
    if (!recovery_) return false;
    handoff_ = &h;
    recovery_->enable_snapshot_fallback();
    return true;
  }

  // One received frame; `tsc` is the RX burst's timestamp.
  void on_frame(const uint8_t* frame, std::size_t len, uint64_t tsc) noexcept {
    stats_.packets.add();
    stats_.bytes.add(len);
    if (len > feed::kMaxFrameBytes) [[unlikely]]
      return drop(feed::Error::kFrameTooLong);  // sf-backtest's decode_frame() drops it too
    net::UdpDatagram udp;
    const net::Error ne = net::parse_udp(frame, len, udp);
    if (ne != net::Error::kOk) [[unlikely]] {
      if (recovery_ && recovery_->on_neighbour_frame(frame, len, tsc)) return;  // ARP for our address
      return drop(feed::from_net(ne));
    }
    if (recovery_ && recovery_->is_server(udp)) [[unlikely]] {
      now_ = tsc;
      recovery_->set_session(guard_.session());
      Recover out{*this};
      recovery_->on_answer(udp.payload, udp.payload_length, tsc, out);
      return;
    }
    int line = kLineA;
    if (udp.dst_port != s_.feed_udp_port || (s_.feed_group && udp.dst_ip != *s_.feed_group)) [[unlikely]] {
      if (!s_.line_b_own_port && is_line_b(udp))
        line = kLineB;
      else
        return drop(feed::Error::kWrongPort);
    }
    feed_datagram(line, udp, tsc);
  }

  // One frame received on line B's own port ([feed.line_b].port another [[port]]): line B's datagrams
  // (its udp_port and group) feed the same arbiter as line A's; anything else is a counted wrong_port drop.
  void on_line_b_port_frame(const uint8_t* frame, std::size_t len, uint64_t tsc) noexcept {
    stats_.packets.add();
    stats_.bytes.add(len);
    if (len > feed::kMaxFrameBytes) [[unlikely]]
      return drop(feed::Error::kFrameTooLong);
    net::UdpDatagram udp;
    const net::Error ne = net::parse_udp(frame, len, udp);
    if (ne != net::Error::kOk) [[unlikely]]
      return drop(feed::from_net(ne));
    if (is_line_b(udp)) [[likely]]
      return feed_datagram(kLineB, udp, tsc);
    drop(feed::Error::kWrongPort);
  }

  // Once per RX burst (also an empty one): a hole older than the arbitration window becomes a gap and the
  // packets held behind it are applied. True if that produced events (flush them).
  bool tick(uint64_t tsc) noexcept {
    if (recovery_) [[unlikely]] {
      now_ = tsc;
      Recover out{*this};
      recovery_->poll(tsc, out);
      if (handoff_) poll_snapshot(tsc);
    }
    if (!s_.line_b_udp_port || arb_.next() >= arb_.horizon()) [[likely]]
      return recovery_ != nullptr;
    now_ = tsc;
    Merge out{*this};
    arb_.poll(tsc, out);
    stats_.next_expected_seq.set(arb_.next());
    return true;
  }

  // End of input (replay): every remaining hole is a gap, every held packet is applied. Flush afterwards.
  void finish() noexcept {
    Merge out{*this};
    arb_.flush(out);
    stats_.next_expected_seq.set(arb_.next());
  }

  // Before the first packet: the books already hold every message below `next_sequence` (a GLIMPSE
  // snapshot), so earlier packets are dropped as duplicates and the feed is applied from there.
  void start_at(uint64_t next_sequence) noexcept {
    snapshot_next_ = next_sequence;
    arb_.start_at(next_sequence);
    stats_.next_expected_seq.set(next_sequence);
  }

  // Hands every staged event to the sink (end of an RX burst).
  void flush() noexcept {
    for (uint16_t e = 0; e < stages_.size(); ++e) flush_one(e);
    staged_ = false;
  }
  // Whether events were staged since the last flush(): a duplicate copy or a drop stages none, and the
  // RX lcore then neither flushes nor runs the executors for it.
  [[nodiscard]] bool staged() const noexcept { return staged_; }

  // Two lines: a prefetch hint from the frame's first cache line alone (Ethernet, IPv4 without options,
  // UDP, MoldUDP64 header: bytes 0..61) — true if it looks like a data packet whose messages are all
  // applied (typically the other line's copy), whose body the RX loop then does not fetch. Not a verdict:
  // on_frame() judges the packet; a wrong hint costs one prefetch, never a message. False with one line.
  [[nodiscard]] bool looks_applied(const uint8_t* frame, std::size_t len) const noexcept {
    constexpr std::size_t kMold = 14 + 20 + 8;  // Ethernet + IPv4 (IHL 5) + UDP
    if (!s_.line_b_udp_port || len < kMold + mold::kHeaderLength || !arb_.started()) return false;
    if (proto::load_be16(frame + 12) != 0x0800 || frame[14] != 0x45) return false;
    const uint64_t seq = proto::load_be64(frame + kMold + 10);
    const uint16_t count = proto::load_be16(frame + kMold + 18);
    return count != 0 && count != 0xffff && seq + count <= arb_.next();
  }
  // Optional per-lcore log ring (telemetry::LogRing): gaps, late/duplicate packets and full rings, never
  // text.
  void set_log(telemetry::LogRing* log) noexcept { log_ = log; }

 private:
  // A feed datagram of `line`: validated, judged by the feed guard, merged by the arbiter.
  [[gnu::always_inline]] void feed_datagram(int line, const net::UdpDatagram& udp, uint64_t tsc) noexcept {
    if (s_.line_b_udp_port && applied_copy(line, udp, tsc)) return;  // typically the other line's copy
    mold::PacketView mold;
    const feed::Error fe = feed::validate_mold_itch(udp.payload, udp.payload_length, mold);
    if (fe != feed::Error::kOk) [[unlikely]]
      return drop(fe);
    now_ = tsc;
    if (!admit(udp.src_ip, mold)) [[unlikely]]
      return;
    stats_.feed_packets.add();
    stats_.last_feed_tsc.set(tsc);
    Merge out{*this};
    if (mold.kind() != mold::Kind::kData) {
      stats_.heartbeats.add();
      arb_.on_next(line, mold.sequence(), tsc, out);
    } else {
      arb_.on_data(line, udp.payload, udp.payload_length, mold.sequence(), mold.message_count(), tsc, out);
    }
    stats_.next_expected_seq.set(arb_.next());
    if (s_.line_b_udp_port) [[unlikely]] {
      stats_.arbitration_held.set(arb_.counts().held);
      stats_.arbitration_hold_overflow.set(arb_.counts().hold_overflow);
    }
  }

  struct Stage {
    std::array<Event, kStage> ev;
    unsigned n = 0;
    bool stale_pending = false;  // a stale marker must precede the next events
  };

  void drop(feed::Error e) noexcept { stats_.count_drop(telemetry::drop_reason(e)); }

  // Two lines (#12): every packet arrives twice. Once the guard locked the stream, a data packet of it
  // whose MoldUDP64 header alone shows every message applied (seq + count <= next) is its line's
  // duplicate, counted as after full validation: one sequence compare per packet, its ITCH blocks never
  // walked (nor read: only the header's cache lines are touched). Anything else (heartbeats, packets not
  // yet applied, another session or source, implausible sequences) takes the full path.
  bool applied_copy(int line, const net::UdpDatagram& udp, uint64_t tsc) noexcept {
    if (udp.payload_length < mold::kHeaderLength) [[unlikely]]
      return false;
    const mold::PacketView mold(udp.payload, udp.payload_length);
    const uint64_t seq = mold.sequence(), count = mold.message_count();
    if (count == 0 || seq + count > arb_.next() || !arb_.started()) return false;
    const FeedPacket p{udp.src_ip, mold.session_bytes(), seq, seq + count, true};
    if (!guard_.accept_locked(p, {true, arb_.next(), arb_.horizon()})) [[unlikely]]
      return false;
    now_ = tsc;
    stats_.feed_packets.add();
    stats_.last_feed_tsc.set(tsc);
    arb_.on_applied_copy(line, seq, count, tsc);
    stats_.duplicate_packets.add();  // Merge::duplicate's count; its log entry is one line's only
    return true;
  }

  // The feed guard's verdict (feed_guard.hpp): false = dropped (counted). A confirmed change of the
  // stream marks every book stale and restarts the arbiter before this packet is applied.
  bool admit(uint32_t src_ip, const mold::PacketView& mold) noexcept {
    const bool data = mold.kind() == mold::Kind::kData;
    const FeedPacket p{src_ip, mold.session_bytes(), mold.sequence(),
                       data ? mold.sequence() + mold.message_count() : mold.sequence(), data};
    const FeedVerdict v = guard_.judge(p, {arb_.started(), arb_.next(), arb_.horizon()});
    if (v == FeedVerdict::kAccept) [[likely]]
      return true;
    if (is_drop(v)) {
      stats_.count_drop(guard_drop_reason(v));
      return false;
    }
    if (v != FeedVerdict::kRelearn) {
      (v == FeedVerdict::kSessionChange ? stats_.session_changes : stats_.seq_restarts).add();
      if (log_) log_->push(now_, telemetry::LogCode::kSeqGap, arb_.next(), mold.sequence(), 0);
      mark_all_stale(StaleReason::kGap, now_, mold.sequence());
      if (recovery_) {  // its sequences (a gap, a snapshot's) are another stream's now
        Recover r{*this};
        recovery_->abandon(r);
      }
      snapshot_next_ = 0;  // another stream: the snapshot's sequence means nothing in it
    }
    arb_.restart();
    if (snapshot_next_) arb_.start_at(snapshot_next_);  // learning the session keeps a snapshot start
    return true;
  }

  [[nodiscard]] bool is_line_b(const net::UdpDatagram& udp) const noexcept {
    return s_.line_b_udp_port && udp.dst_port == *s_.line_b_udp_port &&
           (!s_.line_b_group || udp.dst_ip == *s_.line_b_group);
  }

  // The arbiter's sink: packets to apply in order, gaps, duplicates.
  struct Merge {
    RxProcessor& rx;
    void deliver(int /*line*/, const uint8_t* p, std::size_t len, uint64_t skip) noexcept {
      const mold::PacketView mold(p, len);  // validated when it arrived
      if (skip) {
        rx.stats_.late_packets.add();
        if (rx.log_)
          rx.log_->push(rx.now_, telemetry::LogCode::kSeqLate, mold.sequence(), mold.message_count(),
                        mold.sequence() + skip);
      }
      Recover out{rx};
      for (const mold::Block b : mold) {
        if (skip) {
          --skip;
          continue;
        }
        if (rx.recovery_ && rx.recovery_->hold(b.sequence, b.data, b.length, out)) [[unlikely]]
          continue;  // a gap is being recovered: live messages wait behind it
        rx.route(b, rx.now_);
      }
    }
    void gap(uint64_t first, uint64_t missing) noexcept {
      rx.stats_.gaps.add();
      rx.stats_.gap_messages.add(missing);
      if (rx.log_) rx.log_->push(rx.now_, telemetry::LogCode::kSeqGap, first, first + missing, missing);
      Recover out{rx};
      if (rx.recovery_) rx.recovery_->set_session(rx.guard_.session());  // what requests name
      if (rx.recovery_ && rx.recovery_->on_gap(first, missing, rx.now_, out)) return;
      rx.mark_all_stale(StaleReason::kGap, rx.now_, first + missing);
    }
    void duplicate(int /*line*/, uint64_t seq, uint64_t count) noexcept {
      rx.stats_.duplicate_packets.add();
      // With two lines every packet has a duplicate: the log ring keeps only one line's oddities.
      if (rx.log_ && !rx.s_.line_b_udp_port)
        rx.log_->push(rx.now_, telemetry::LogCode::kSeqDuplicate, seq, count, rx.arb_.next());
    }
  };

  // The recovery plumbing (rx_processor_recovery.hpp, included at the end of this file): FeedRecovery's
  // sink, the GLIMPSE fallback's side of the RX lcore, and the recovery steps sent to the executors.
  struct Recover;
  void poll_snapshot(uint64_t tsc) noexcept;
  template <class Which>
  void push_recovery(RecoveryStep step, Which which) noexcept;

  void mark_all_stale(StaleReason why, uint64_t tsc, uint64_t next_seq) noexcept {
    stats_.books_marked_stale.add();
    for (uint16_t e = 0; e < stages_.size(); ++e) {
      Event ev;
      pack_stale(ev, next_seq, tsc, why);
      push(e, ev);
    }
  }

  // Per message: always inlined into the arbiter's deliver loop (a call here costs ~20 Ir/msg).
  [[gnu::always_inline]] void route(const mold::Block& b, uint64_t tsc) noexcept {
    const char type = static_cast<char>(b.data[0]);
    stats_.count_message(type);
    Event ev;
    pack_itch(ev, b.sequence, tsc, b.data, b.length);
    // The trading core's own routing rule, so the appliance and the backtester agree.
    const uint32_t shard = trade::route(itch::MessageView(b.data), s_.shards);
    if (shard == trade::kAllShards) {
      for (uint16_t e = 0; e < stages_.size(); ++e) push(e, ev);
    } else {
      push(exec_of_shard_[shard % exec_of_shard_.size()], ev);
    }
  }

  void push(uint16_t e, const Event& ev) noexcept {
    Stage& st = stages_[e];
    if (st.n == kStage) flush_one(e);
    st.ev[st.n++] = ev;
    staged_ = true;
  }

  void flush_one(uint16_t e) noexcept {
    Stage& st = stages_[e];
    if (st.stale_pending) {
      Event marker;
      pack_stale(marker, arb_.next(), 0, StaleReason::kRingFull);
      if (sink_.enqueue(e, &marker, 1) == 1) st.stale_pending = false;
    }
    if (st.n == 0) return;
    const unsigned took = sink_.enqueue(e, st.ev.data(), st.n);
    stats_.ring_enqueued[e].add(took);
    if (took < st.n) [[unlikely]] {
      // A full ring: the rest is lost; the executor's books are stale until recovery.
      stats_.ring_dropped_full[e].add(st.n - took);
      if (log_) log_->push(0, telemetry::LogCode::kRingFull, e, st.n - took);
      if (!st.stale_pending) stats_.books_marked_stale.add();
      st.stale_pending = true;
    }
    st.n = 0;
  }

  RxSettings s_;
  telemetry::RxLcoreStats& stats_;
  Sink& sink_;
  std::vector<Stage> stages_;
  std::vector<uint16_t> exec_of_shard_;
  LineArbiter arb_;
  uint64_t now_ = 0;     // the current packet's (or tick's) tsc, for events the arbiter releases
  bool staged_ = false;  // push() since the last flush()
  FeedGuard guard_;
  uint64_t snapshot_next_ = 0;  // start_at()'s sequence (a GLIMPSE start), 0 = none
  telemetry::LogRing* log_ = nullptr;
  std::unique_ptr<FeedRecovery> recovery_;  // [feed.rewind] only
  SnapshotHandoff* handoff_ = nullptr;      // [feed.snapshot] with [feed.rewind]: the GLIMPSE fallback
  std::array<uint64_t, telemetry::kMaxExecutors> ring_drops_at_start_{};
};

}  // namespace sf::dataplane

#include "sniperforge/dataplane/rx_processor_recovery.hpp"
