// The checks a venue response must pass before the order tracker applies it (venue_check.hpp). Each case
// follows the OUCH 5.0 order state machine as docs/protocols.md describes it; the first failing check is
// the verdict, and nothing is changed here.
#include "sniperforge/trade/orders.hpp"

namespace sf::trade {

namespace {
bool is_open(OrderState s) noexcept {
  return s == OrderState::kLive || s == OrderState::kPartiallyFilled;
}

// Accepted / Replaced must describe the order we sent: side, symbol, and (Accepted) price and quantity.
bool describes(const VenueEvent& e, const OrderRecord& o, bool price_and_quantity) noexcept {
  return e.side == o.side && e.symbol == o.symbol &&
         (!price_and_quantity || (e.price == o.price && e.shares == o.quantity));
}

// Buys may execute at or below their limit, sells at or above.
bool worse_than_limit(const OrderRecord& o, uint64_t price) noexcept {
  return o.side == 'B' ? price > o.price : price < o.price;
}
}  // namespace

VenueVerdict OrderTracker::judge(const VenueEvent& e) noexcept {
  const bool replace = e.type == VenueEventType::kReplaced;
  const uint32_t urn = replace ? e.orig_user_ref_num : e.user_ref_num;
  const auto fail = [urn](VenueCheck c, uint64_t value = 0) { return VenueVerdict{c, urn, value}; };
  const OrderRecord* o = find_mut(urn);
  if (o == nullptr) return fail(VenueCheck::kUnknownUserRefNum);
  const bool final_state = is_terminal(o->state);
  switch (e.type) {
    case VenueEventType::kAccepted:
      if (final_state) return fail(VenueCheck::kOrderFinal);
      if (o->state != OrderState::kPendingNew) return fail(VenueCheck::kOutOfOrder);
      if (!describes(e, *o, true)) return fail(VenueCheck::kAcceptedMismatch, e.shares);
      break;
    case VenueEventType::kRejected:
      // OUCH 5.0: Rejected answers an Enter Order (or a Replace Order, under the new UserRefNum) that was
      // not accepted; it cannot end an order the venue has accepted.
      if (final_state) return fail(VenueCheck::kOrderFinal);
      if (o->state != OrderState::kPendingNew) return fail(VenueCheck::kRejectedAfterAccepted);
      break;
    case VenueEventType::kExecuted:
      if (fill_memory_.find(e.match_number) != nullptr)
        return fail(VenueCheck::kDuplicateMatch, e.match_number);
      if (final_state) return fail(VenueCheck::kOrderFinal, e.shares);
      if (!is_open(o->state)) return fail(VenueCheck::kOutOfOrder, e.shares);  // before Accepted
      if (e.shares > o->leaves) return fail(VenueCheck::kOverfill, e.shares);
      if (worse_than_limit(*o, e.price)) return fail(VenueCheck::kPriceWorseThanLimit, e.price);
      break;
    case VenueEventType::kCanceled:
      if (final_state) return fail(VenueCheck::kOrderFinal, e.shares);
      if (!is_open(o->state)) return fail(VenueCheck::kOutOfOrder, e.shares);  // before Accepted
      if (e.shares > o->leaves) return fail(VenueCheck::kCancelExceedsOpen, e.shares);
      break;
    case VenueEventType::kReplaced:
      if (final_state) return fail(VenueCheck::kOrderFinal);
      if (!is_open(o->state)) return fail(VenueCheck::kOutOfOrder);
      // The replacement's UserRefNum must be new and above every one we hold (the lookup relies on it).
      if (size_ != 0 && ring_[(head_ + size_ - 1) % cap_].user_ref_num >= e.user_ref_num)
        return fail(VenueCheck::kOutOfOrder, e.user_ref_num);
      if (!describes(e, *o, false)) return fail(VenueCheck::kAcceptedMismatch, e.shares);
      break;
    case VenueEventType::kBrokenTrade: {
      // Allowed in any state (a filled order's execution can be broken), for an execution of this order.
      const FillMemo* memo = fill_memory_.find(e.match_number);
      if (memo == nullptr || memo->broken || memo->user_ref_num != urn)
        return fail(VenueCheck::kUnknownMatch, e.match_number);
      break;
    }
  }
  return VenueVerdict{VenueCheck::kOk, urn, 0};
}

}  // namespace sf::trade
