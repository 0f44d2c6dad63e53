// The 64-byte event an RX lcore enqueues for an executor (one cache line, one ring element).
//
// Layout:  seq u64 @0 · rx TSC low 48 bits @8 · payload[50] @14.
// - ITCH: payload is the raw message, type byte first; its length is implied by the type, and
//   the longest ITCH 5.0 message (NOII 'I') is exactly 50 bytes, so every type fits unchanged and
//   nothing is decoded twice. The TSC is cut to 48 bits to make room: tick-to-trade is taken as
//   (now - tsc48) mod 2^48, exact for any latency below 2^48 ticks (~1 day at 3 GHz).
// - Control events use payload[0] values below 0x20 (never an ITCH type letter).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "sniperforge/proto/itch.hpp"
#include "sniperforge/trade/routing.hpp"

namespace sf::dataplane {

inline constexpr std::size_t kEventPayload = 50;
inline constexpr uint64_t kTsc48Mask = (uint64_t{1} << 48) - 1;

enum class EventKind : uint8_t {
  kBooksStale = 0x01,    // payload[1] = StaleReason: a gap or a full ring; books may be wrong
  kVenue = 0x02,         // an order-session message: payload[1..2] = total length (BE), bytes from payload[3]
  kVenueCont = 0x03,     // continuation of the previous kVenue event, bytes from payload[1]
  kRecovery = 0x04,      // payload[1] = RecoveryStep: a feed gap's re-request recovery (#12)
  kSnapshotSwap = 0x05,  // GLIMPSE fallback: swap in the snapshot's books (dataplane/snapshot_handoff.hpp)
};
// What a kRecovery event tells the executors (Engine::set_recovering / clear_stale).
enum class RecoveryStep : uint8_t {
  kStarted = 1,    // a gap is being recovered: strategies must not fire (reject reason recovering)
  kRecovered = 2,  // every missing message applied: clear stale, trade again
  kEnded = 3,      // recovery over without recovered books (failed, or this executor's ring overflowed)
};
using trade::StaleReason;  // trade/routing.hpp owns it

inline constexpr std::size_t kVenueFirstChunk = kEventPayload - 4;
inline constexpr std::size_t kVenueContChunk = kEventPayload - 1;
inline constexpr std::size_t kMaxVenueEvents = 4;
inline constexpr std::size_t kMaxVenueMessage = kVenueFirstChunk + (kMaxVenueEvents - 1) * kVenueContChunk;

struct alignas(64) Event {
  uint64_t seq;
  uint8_t tsc48[6];
  uint8_t payload[kEventPayload];

  [[nodiscard]] bool is_itch() const noexcept { return payload[0] >= 0x20; }
  [[nodiscard]] EventKind kind() const noexcept { return static_cast<EventKind>(payload[0]); }
  [[nodiscard]] uint64_t rx_tsc48() const noexcept {
    uint64_t v = 0;
    std::memcpy(&v, tsc48, 6);  // little-endian host: low 48 bits
    return v;
  }
  void set_tsc(uint64_t tsc) noexcept { std::memcpy(tsc48, &tsc, 6); }
  // Ticks from the RX stamp to `now` (both raw TSC values).
  // A stamp "from the future" (TSCs of two cpus a little apart, as on some VMs) reads as 0, never
  // as a 2^48 wrap.
  [[nodiscard]] uint64_t ticks_since_rx(uint64_t now) const noexcept {
    const uint64_t d = (now - rx_tsc48()) & kTsc48Mask;
    return d >= (kTsc48Mask >> 1) ? 0 : d;
  }
};
static_assert(sizeof(Event) == 64);
static_assert(offsetof(Event, payload) == 14);
static_assert(itch::kMaxMessageLength <= kEventPayload);

// Packs one validated ITCH message (len == its spec length, <= 50). Bytes after it are left as is.
inline void pack_itch(Event& e, uint64_t seq, uint64_t rx_tsc, const uint8_t* msg, std::size_t len) noexcept {
  e.seq = seq;
  e.set_tsc(rx_tsc);
  std::memcpy(e.payload, msg, len);
}

inline void pack_stale(Event& e, uint64_t seq, uint64_t rx_tsc, StaleReason r) noexcept {
  e.seq = seq;
  e.set_tsc(rx_tsc);
  e.payload[0] = static_cast<uint8_t>(EventKind::kBooksStale);
  e.payload[1] = static_cast<uint8_t>(r);
}

inline void pack_recovery(Event& e, uint64_t seq, uint64_t rx_tsc, RecoveryStep step) noexcept {
  e.seq = seq;
  e.set_tsc(rx_tsc);
  e.payload[0] = static_cast<uint8_t>(EventKind::kRecovery);
  e.payload[1] = static_cast<uint8_t>(step);
}

// Splits a venue message for `shard` over up to kMaxVenueEvents events; returns how many were
// written (0 when len is 0 or larger than kMaxVenueMessage).
inline std::size_t pack_venue(Event* out, uint64_t session_seq, uint64_t rx_tsc, uint8_t shard,
                              const uint8_t* msg, std::size_t len) noexcept {
  if (len == 0 || len > kMaxVenueMessage) return 0;
  std::size_t n = 0, off = 0;
  while (off < len) {
    Event& e = out[n];
    e.seq = session_seq;
    e.set_tsc(rx_tsc);
    if (n == 0) {
      e.payload[0] = static_cast<uint8_t>(EventKind::kVenue);
      e.payload[1] = static_cast<uint8_t>(len >> 8);
      e.payload[2] = static_cast<uint8_t>(len);
      e.payload[3] = shard;
      const std::size_t c = len < kVenueFirstChunk ? len : kVenueFirstChunk;
      std::memcpy(e.payload + 4, msg, c);
      off += c;
    } else {
      e.payload[0] = static_cast<uint8_t>(EventKind::kVenueCont);
      const std::size_t c = len - off < kVenueContChunk ? len - off : kVenueContChunk;
      std::memcpy(e.payload + 1, msg + off, c);
      off += c;
    }
    ++n;
  }
  return n;
}

// Events a venue message of `len` bytes takes.
[[nodiscard]] constexpr std::size_t venue_events_for(std::size_t len) noexcept {
  return len <= kVenueFirstChunk ? 1 : 1 + (len - kVenueFirstChunk + kVenueContChunk - 1) / kVenueContChunk;
}

// Reassembles a venue message from events[0..avail) into buf (kMaxVenueMessage bytes).
// Returns the message length, sets `used` to the events consumed and `shard`; 0 when
// incomplete/invalid.
inline std::size_t unpack_venue(const Event* ev, std::size_t avail, uint8_t* buf, std::size_t& used,
                                uint8_t& shard) noexcept {
  used = 0;
  if (avail == 0 || ev[0].kind() != EventKind::kVenue) return 0;
  const std::size_t len = (std::size_t{ev[0].payload[1]} << 8) | ev[0].payload[2];
  if (len == 0 || len > kMaxVenueMessage) return 0;
  shard = ev[0].payload[3];
  std::size_t off = len < kVenueFirstChunk ? len : kVenueFirstChunk;
  std::memcpy(buf, ev[0].payload + 4, off);
  std::size_t i = 1;
  while (off < len) {
    if (i >= avail || ev[i].kind() != EventKind::kVenueCont) return 0;
    const std::size_t c = len - off < kVenueContChunk ? len - off : kVenueContChunk;
    std::memcpy(buf + off, ev[i].payload + 1, c);
    off += c;
    ++i;
  }
  used = i;
  return len;
}

}  // namespace sf::dataplane
