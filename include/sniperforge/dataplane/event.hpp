// The 64-byte event an RX lcore enqueues for an executor (one cache line, one ring element).
//
// Layout:  seq u64 @0 · rx TSC low 48 bits @8 · payload[50] @14.
// - ITCH: payload is the raw message, type byte first; its length is implied by the type, and
//   the longest ITCH 5.0 message (NOII 'I') is exactly 50 bytes, so every type fits unchanged and
//   nothing is decoded twice. The TSC is cut to 48 bits to make room: tick-to-trade is taken as
//   (now - tsc48) mod 2^48, exact for any latency below 2^48 ticks (~1 day at 3 GHz).
// - Control events (EventKind) use payload[0] values below 0x20 (never an ITCH type letter). Venue
//   messages never travel as events: each order transport hands them to its executor itself.
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
  kBooksStale = 0x01,  // payload[1] = StaleReason: a gap or a full ring; books may be wrong
  // 0x02 and 0x03 were the retired UDP order session's venue messages (#11): unused.
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

}  // namespace sf::dataplane
