// What a venue response must be to be believed: each OUCH 5.0 response is checked against the order it
// answers before the order tracker applies it. A response that fails a check changes nothing (no order
// state, no position, no exposure) and is counted under its reason; the Engine then stops its shard
// (risk reason `venue_inconsistent`) until an operator clears it. The accepted transitions are listed in
// docs/protocols.md, "OUCH 5.0 order state machine".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sf::trade {

enum class VenueCheck : uint8_t {
  kOk = 0,
  kUnknownUserRefNum,      // no order of ours has this UserRefNum (never sent, or evicted)
  kOrderFinal,             // the order is already filled, canceled, rejected or replaced
  kOutOfOrder,             // a transition the OUCH 5.0 order state machine does not allow
  kOverfill,               // executed shares > the order's open shares
  kPriceWorseThanLimit,    // a buy executed above its limit, a sell below
  kDuplicateMatch,         // an execution whose match number this session has already seen
  kAcceptedMismatch,       // Accepted/Replaced with a side, symbol, price or quantity other than ours
  kCancelExceedsOpen,      // Canceled / AIQ Canceled decrement > the order's open shares
  kRejectedAfterAccepted,  // Rejected for an order the venue had accepted
  kUnknownMatch,           // Broken Trade for an execution of this order we do not remember
  kArithmeticOverflow,     // applying it would overflow a position, cost basis or P&L (int64)
  kCount
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(VenueCheck::kCount)> kVenueCheckNames{
    "ok",
    "unknown_user_ref_num",
    "order_final",
    "out_of_order",
    "overfill",
    "price_worse_than_limit",
    "duplicate_match",
    "accepted_mismatch",
    "cancel_exceeds_open",
    "rejected_after_accepted",
    "unknown_match",
    "arithmetic_overflow"};

[[nodiscard]] constexpr std::string_view to_string(VenueCheck c) noexcept {
  return kVenueCheckNames[static_cast<std::size_t>(c) < kVenueCheckNames.size() ? static_cast<std::size_t>(c)
                                                                                : 0];
}

// The outcome of one response: which check failed (kOk: applied), the UserRefNum it named, and the value
// that failed (executed or canceled shares, execution price, match number; 0 when there is none).
struct VenueVerdict {
  VenueCheck check = VenueCheck::kOk;
  uint32_t user_ref_num = 0;
  uint64_t value = 0;
  [[nodiscard]] bool ok() const noexcept { return check == VenueCheck::kOk; }
};

}  // namespace sf::trade
