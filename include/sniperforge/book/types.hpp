// Basic vocabulary of the order-book layer: sides, price levels, and the reasons a feed message is dropped.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "sniperforge/common/side.hpp"

namespace sf::book {

// ITCH Price(4): u32, 4 implied decimals (raw 1/10000 dollar).
using Price = uint32_t;

using sf::Side;  // common/side.hpp owns the vocabulary
using sf::to_char;

// Aggregate of all live orders at one price on one side. `key` orders levels so that the best one sorts last
// on both sides: key = price for bids, ~price for asks.
struct Level {
  uint32_t key;
  uint32_t orders;
  uint64_t shares;
};
static_assert(sizeof(Level) == 16);

[[nodiscard]] constexpr uint32_t key_of(Side s, Price p) noexcept {
  return s == Side::kBuy ? p : ~p;
}
[[nodiscard]] constexpr Price price_of(Side s, uint32_t key) noexcept {
  return s == Side::kBuy ? key : ~key;
}

// Why a book message could not be applied as-is. The message is counted and, where possible, applied in the
// safest way (e.g. an over-execution removes the order); no other order is ever touched.
enum class Drop : uint8_t {
  kUnknownRef,          // E/C/X/D/U for an order reference that is not live
  kDuplicateRef,        // A/F/U with an order reference that is already live
  kOverExecution,       // executed shares > remaining shares (order removed)
  kOverCancel,          // canceled shares > remaining shares (order removed)
  kZeroShares,          // add/replace with zero shares
  kBadSide,             // buy/sell indicator not 'B' or 'S'
  kBadRef,              // reserved order reference (all ones)
  kLocateMismatch,      // message stock locate differs from the order's
  kLevelOverflow,       // too many price levels on one side (or level arena exhausted)
  kOrderCapacity,       // max live orders reached
  kInstrumentCapacity,  // max instruments reached
  kZeroLocate,          // book message with stock locate 0
  kCount
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(Drop::kCount)> kDropNames{
    "unknown_ref",    "duplicate_ref",       "over_execution",
    "over_cancel",    "zero_shares",         "bad_side",
    "bad_ref",        "locate_mismatch",     "level_overflow",
    "order_capacity", "instrument_capacity", "zero_locate"};

[[nodiscard]] constexpr std::string_view to_string(Drop d) noexcept {
  return kDropNames[static_cast<std::size_t>(d)];
}

// Trading state from ITCH 'H' (and the initial state before any 'H').
enum class TradingState : char { kTrading = 'T', kHalted = 'H', kPaused = 'P', kQuotationOnly = 'Q' };

}  // namespace sf::book
