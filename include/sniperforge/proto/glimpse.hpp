// NASDAQ GLIMPSE 5.0: the book snapshot service. Over SoupBinTCP (login requesting sequence 1) it sends
// ordinary ITCH 5.0 messages as Sequenced Data (System Event, Stock Directory, Stock Trading Action, an Add
// Order for every live order, ...), then one message ITCH 5.0 does not define, the Snapshot message, then
// End of Session. Standard library only.
//
// Snapshot message (GLIMPSE 5.0 section "Snapshot Message"): type 'M' @0 · ITCH sequence number @1, 20 ASCII
// digits (numeric, right-justified, space padded). The number is where the live TotalView-ITCH feed takes
// over: the snapshot holds every message below it; live messages from it on are applied after the snapshot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "sniperforge/proto/soupbintcp.hpp"

namespace sf::glimpse {

inline constexpr char kSnapshotType = 'M';
inline constexpr std::size_t kSequenceDigits = 20;
inline constexpr std::size_t kSnapshotLength = 1 + kSequenceDigits;

// Writes the Snapshot message (kSnapshotLength bytes) into `out`.
inline std::size_t encode_snapshot(uint8_t* out, uint64_t itch_sequence) noexcept {
  out[0] = static_cast<uint8_t>(kSnapshotType);
  (void)soupbintcp::write_number(out + 1, kSequenceDigits, itch_sequence);  // 20 digits hold any u64
  return kSnapshotLength;
}

// True for a message whose type byte says Snapshot (whatever its length).
[[nodiscard]] constexpr bool is_snapshot(std::span<const uint8_t> m) noexcept {
  return !m.empty() && m[0] == static_cast<uint8_t>(kSnapshotType);
}

// Parses a Snapshot message: exactly kSnapshotLength bytes, digits only (blank = 0 is refused: a snapshot
// always names a sequence number >= 1). False on anything else.
[[nodiscard]] constexpr bool parse_snapshot(std::span<const uint8_t> m, uint64_t& itch_sequence) noexcept {
  if (m.size() != kSnapshotLength || !is_snapshot(m)) return false;
  return soupbintcp::parse_number(m.subspan(1), itch_sequence) && itch_sequence >= 1;
}

}  // namespace sf::glimpse
