// Widened arithmetic for money and share counts. Venue responses carry u32 quantities and u64 prices, so
// a product or a running sum can leave int64 (signed overflow is undefined behaviour). Products and sums
// are computed in __int128 (a u32 x u64 product is below 2^96) and only narrowed back after a range check.
// Valid int64 results are kept within +-INT64_MAX so that negating one is always defined.
#pragma once

#include <cstdint>
#include <limits>

namespace sf::trade {

__extension__ typedef __int128 Int128;

inline constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

[[nodiscard]] constexpr bool fits_int64(Int128 v) noexcept {
  return v >= -Int128{kInt64Max} && v <= kInt64Max;
}

// Clamped to [-INT64_MAX, INT64_MAX] (for values only shown, e.g. a mark-to-market).
[[nodiscard]] constexpr int64_t clamp_int64(Int128 v) noexcept {
  return v > kInt64Max ? kInt64Max : v < -Int128{kInt64Max} ? -kInt64Max : static_cast<int64_t>(v);
}

// Clamped to [0, UINT64_MAX].
[[nodiscard]] constexpr uint64_t clamp_uint64(Int128 v) noexcept {
  constexpr Int128 kMax = std::numeric_limits<uint64_t>::max();
  return v <= 0 ? 0 : v > kMax ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(v);
}

}  // namespace sf::trade
