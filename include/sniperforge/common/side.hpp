// The side of an order or a price level: the one definition the book, the trading core and the
// telemetry counters share. Orders carry it on the wire as OUCH's/ITCH's character ('B' / 'S');
// to_char() and side_from_char() are the only conversions.
#pragma once

#include <cstdint>

namespace sf {

enum class Side : uint8_t { kBuy = 0, kSell = 1 };

[[nodiscard]] constexpr char to_char(Side s) noexcept {
  return s == Side::kBuy ? 'B' : 'S';
}
// 'S' is a sell; anything else reads as a buy (callers validate the character first where it matters).
[[nodiscard]] constexpr Side side_from_char(char c) noexcept {
  return c == 'S' ? Side::kSell : Side::kBuy;
}

}  // namespace sf
