// A/B line arbitration for one MoldUDP64 session (pure, DPDK-free, no clock of its own).
//
// NASDAQ sends the same MoldUDP64 stream on two lines. The arbiter merges them by sequence number:
// the first copy of a message wins, later copies are discarded. A hole (a sequence not yet seen on
// either line while a later one has been) is not a gap at once: packets after it are held (copied
// into preallocated slots, never applied out of order) for `window` time units, waiting for the other
// line. Only when the window expires (time passed in by the caller: feed time or TSC), the hold slots
// are full, or the caller flushes, is the hole a gap: then the held packets are applied in order.
// With a window of 0 (one line) every hole is a gap immediately and nothing is copied: the result is
// exactly that of SeqTracker.
//
// Out (the caller's sink):
//   void deliver(int line, const uint8_t* mold, std::size_t len, uint64_t skip);  // apply, skipping
//        `skip` messages at the front already applied (a late / overlapping packet)
//   void gap(uint64_t first_missing, uint64_t missing);   // before the packets after the hole
//   void duplicate(int line, uint64_t seq, uint64_t count);  // every message already seen: dropped
//
// Feed anti-spoofing (#16) judges each packet before it gets here (dataplane/feed_guard.hpp: implausible
// jumps, a jump on one line only while the other disagrees, session changes); `restart()` forgets the
// stream when the guard adopts another one.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sniperforge/telemetry/feed_line_stats.hpp"

namespace sf::dataplane {

inline constexpr int kLineA = 0;
inline constexpr int kLineB = 1;
inline constexpr int kLines = 2;

using telemetry::FeedLineStats;

class LineArbiter {
 public:
  static constexpr std::size_t kMaxHeldPacket = 2048;  // a single-segment mbuf's MoldUDP64 payload fits
  static constexpr std::size_t kDefaultHeldPackets = 256;

  struct Counts {
    uint64_t held = 0;           // packets copied aside behind a hole
    uint64_t hold_overflow = 0;  // holes declared gaps early because every slot was taken (or too big)
  };

  // `window`: time (caller's unit) a hole waits for the other line; 0 = every hole is a gap at once.
  explicit LineArbiter(uint64_t window = 0, std::size_t held_packets = kDefaultHeldPackets)
      : window_(window), slots_(window ? held_packets : 0) {}

  // One valid data packet (seq, count >= 1; `mold` is the whole MoldUDP64 packet) from `line` at `now`.
  template <class Out>
  void on_data(int line, const uint8_t* mold, std::size_t len, uint64_t seq, uint64_t count, uint64_t now,
               Out& out) noexcept {
    see_line(line, seq, seq + count, now);
    if (!admit(line, seq, count)) return;
    if (!started_) start(seq);
    if (seq + count <= next_) {
      stats(line).duplicates.add();
      out.duplicate(line, seq, count);
      return;
    }
    horizon_ = std::max(horizon_, seq + count);
    if (seq > next_) {
      const Held h = open_hole(now) ? hold(line, mold, len, seq, count) : Held::kNoRoom;
      if (h == Held::kDuplicate) return out.duplicate(line, seq, count);
      if (h == Held::kNoRoom) {
        // No window, or no slot: the hole is a gap now and this packet is applied as it is.
        if (window_) counts_.hold_overflow++;
        declare_gap(std::min(seq, min_held_seq()), out);
        drain(out);
        if (seq + count <= next_) return out.duplicate(line, seq, count);
        if (seq > next_) declare_gap(seq, out);
      } else {
        return poll(now, out);
      }
    }
    apply(line, mold, len, seq, count, out);
    drain(out);
  }

  // A data packet whose every message is already applied (seq + count <= next(), the caller checked
  // from its MoldUDP64 header alone): counted exactly as on_data() counts it, nothing else changes.
  void on_applied_copy(int line, uint64_t seq, uint64_t count, uint64_t now) noexcept {
    see_line(line, seq, seq + count, now);
    stats(line).duplicates.add();
  }

  // Heartbeat / end of session on `line`: `next` is the sender's next sequence.
  template <class Out>
  void on_next(int line, uint64_t next, uint64_t now, Out& out) noexcept {
    see_line(line, next, next, now);
    if (!started_) start(next);
    if (next <= horizon_) return poll(now, out);
    horizon_ = next;
    if (open_hole(now)) return poll(now, out);
    declare_gap(horizon_, out);
  }

  // Declares a hole older than the window a gap (call once per RX burst, also when idle).
  template <class Out>
  void poll(uint64_t now, Out& out) noexcept {
    while (next_ < horizon_ && now >= hole_since_ && now - hole_since_ >= window_) {
      declare_gap(min_held_seq(), out);
      drain(out);
      hole_since_ = now;
    }
  }

  // End of input: every remaining hole is a gap, every held packet is applied.
  template <class Out>
  void flush(Out& out) noexcept {
    while (next_ < horizon_) {
      declare_gap(min_held_seq(), out);
      drain(out);
    }
  }

  // Forgets the stream (the feed guard adopted another session or sequence range, feed_guard.hpp): the
  // next packet starts it again; packets still held belong to the old stream and are discarded.
  void restart() noexcept {
    for (Slot& s : slots_) s.used = false;
    held_ = 0;
    next_ = horizon_ = hole_since_ = 0;
    started_ = hole_open_ = false;
    line_next_ = {};
    line_started_ = {};
  }

  // Start mid-session (a GLIMPSE snapshot holds every message below `next`): from now on a packet below
  // `next` is a duplicate, one straddling it is applied from `next` on, one above it leaves a gap.
  void start_at(uint64_t next) noexcept { start(next); }

  LineArbiter(const LineArbiter&) = delete;
  LineArbiter& operator=(const LineArbiter&) = delete;

  // Where `line`'s counters go (the RX lcore's stats); unattached lines count into the arbiter itself.
  void attach(int line, FeedLineStats* s) noexcept { external_[line] = s; }
  [[nodiscard]] FeedLineStats& stats(int line) noexcept {
    return external_[line] ? *external_[line] : own_[line];
  }
  [[nodiscard]] uint64_t next() const noexcept { return next_; }        // sequence applied next
  [[nodiscard]] uint64_t horizon() const noexcept { return horizon_; }  // highest next seen (either line)
  [[nodiscard]] uint64_t line_next(int line) const noexcept { return line_next_[line]; }
  [[nodiscard]] bool started() const noexcept { return started_; }
  [[nodiscard]] std::size_t held() const noexcept { return held_; }
  [[nodiscard]] const Counts& counts() const noexcept { return counts_; }

 private:
  struct Slot {
    uint64_t seq = 0, count = 0;
    std::size_t len = 0;
    int line = 0;
    bool used = false;
    std::array<uint8_t, kMaxHeldPacket> bytes{};
  };

  // #16 hook: judge a packet against both lines' own sequences before it changes any state.
  bool admit(int /*line*/, uint64_t /*seq*/, uint64_t /*count*/) const noexcept { return true; }

  void start(uint64_t seq) noexcept {
    started_ = true;
    next_ = horizon_ = seq;
  }

  void see_line(int line, uint64_t first, uint64_t next, uint64_t now) noexcept {
    FeedLineStats& s = stats(line);
    s.packets.add();
    s.last_packet_tsc.set(now);
    if (line_started_[line] && first > line_next_[line]) s.gaps.add();
    if (!line_started_[line] || next > line_next_[line]) line_next_[line] = next;
    line_started_[line] = true;
  }

  // True if the hole may wait (a window is configured); starts its clock when it is new.
  bool open_hole(uint64_t now) noexcept {
    if (!window_) return false;
    if (held_ == 0 && !hole_open_) hole_since_ = now;
    hole_open_ = true;
    return true;
  }

  enum class Held : uint8_t { kHeld, kDuplicate, kNoRoom };
  Held hold(int line, const uint8_t* mold, std::size_t len, uint64_t seq, uint64_t count) noexcept {
    if (len > kMaxHeldPacket) return Held::kNoRoom;
    Slot* free = nullptr;
    for (Slot& s : slots_) {
      if (s.used && s.seq == seq && s.count >= count) {  // the other line's copy is already held
        stats(line).duplicates.add();
        return Held::kDuplicate;
      }
      if (!s.used && !free) free = &s;
    }
    if (!free) return Held::kNoRoom;
    free->seq = seq;
    free->count = count;
    free->len = len;
    free->line = line;
    free->used = true;
    std::memcpy(free->bytes.data(), mold, len);
    ++held_;
    counts_.held++;
    return Held::kHeld;
  }

  [[nodiscard]] uint64_t min_held_seq() const noexcept {
    uint64_t m = horizon_;
    if (held_)
      for (const Slot& s : slots_)
        if (s.used && s.seq < m) m = s.seq;
    return m;
  }

  template <class Out>
  void declare_gap(uint64_t to, Out& out) noexcept {
    if (to <= next_) return;
    out.gap(next_, to - next_);
    next_ = to;
  }

  template <class Out>
  void apply(int line, const uint8_t* mold, std::size_t len, uint64_t seq, uint64_t count,
             Out& out) noexcept {
    const uint64_t skip = next_ - seq;  // seq <= next_ < seq + count
    stats(line).first_messages.add(count - skip);
    next_ = seq + count;
    out.deliver(line, mold, len, skip);
  }

  // Applies held packets that now follow in order; closes the hole when none is left.
  template <class Out>
  void drain(Out& out) noexcept {
    while (held_) {
      Slot* best = nullptr;
      for (Slot& s : slots_)
        if (s.used && s.seq <= next_ && (!best || s.seq < best->seq)) best = &s;
      if (!best) break;
      best->used = false;
      --held_;
      if (best->seq + best->count <= next_) {
        stats(best->line).duplicates.add();
        out.duplicate(best->line, best->seq, best->count);
        continue;
      }
      apply(best->line, best->bytes.data(), best->len, best->seq, best->count, out);
    }
    if (next_ >= horizon_) hole_open_ = false;
  }

  uint64_t window_;
  std::vector<Slot> slots_;  // preallocated at construction; never resized
  std::size_t held_ = 0;
  uint64_t next_ = 0, horizon_ = 0, hole_since_ = 0;
  bool started_ = false, hole_open_ = false;
  std::array<uint64_t, kLines> line_next_{};
  std::array<bool, kLines> line_started_{};
  std::array<FeedLineStats, kLines> own_{};
  std::array<FeedLineStats*, kLines> external_{};
  Counts counts_;
};

}  // namespace sf::dataplane
