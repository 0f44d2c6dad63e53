// Maps OUCH 5.0 outbound messages (validated with the shared proto/ouch.hpp views) to VenueEvents.
#include "sniperforge/trade/venue_event.hpp"

#include <algorithm>

#include "sniperforge/proto/ouch.hpp"

namespace sf::trade {

namespace out = ouch::outbound;

namespace {
// Fields every tracked response has: its type, the venue timestamp and our UserRefNum.
template <class View>
View head(const uint8_t* p, std::size_t len, VenueEventType type, VenueEvent& e) noexcept {
  const View v{p, len};
  e.type = type;
  e.timestamp = v.timestamp();
  e.user_ref_num = v.user_ref_num();
  return v;
}

// The order as the venue now holds it (Accepted and Replaced carry it whole).
template <class View>
VenueParse order_state(const View& v, VenueEvent& e) noexcept {
  e.side = v.side();
  e.tif = v.time_in_force();
  e.shares = v.quantity();
  e.price = v.price();
  e.order_ref = v.order_reference_number();
  e.order_state = v.order_state();
  const std::string_view sym = v.symbol();
  std::copy(sym.begin(), sym.end(), e.symbol.begin());
  return VenueParse::kOk;
}
}  // namespace

VenueParse parse_ouch_outbound(const uint8_t* p, std::size_t len, VenueEvent& e) noexcept {
  e = VenueEvent{};
  switch (out::validate(p, len)) {
    case ouch::Error::kOk:
      break;
    case ouch::Error::kEmpty:
    case ouch::Error::kUnknownType:
      return VenueParse::kUnknownType;
    default:
      return VenueParse::kBadLength;
  }
  switch (static_cast<char>(p[0])) {
    case 'A':
      return order_state(head<out::views::OrderAccepted>(p, len, VenueEventType::kAccepted, e), e);
    case 'U': {
      const auto v = head<out::views::OrderReplaced>(p, len, VenueEventType::kReplaced, e);
      e.orig_user_ref_num = v.orig_user_ref_num();
      return order_state(v, e);
    }
    case 'E': {
      const auto v = head<out::views::OrderExecuted>(p, len, VenueEventType::kExecuted, e);
      e.shares = v.quantity();
      e.price = v.price();
      e.match_number = v.match_number();
      return VenueParse::kOk;
    }
    case 'C': {
      const auto v = head<out::views::OrderCanceled>(p, len, VenueEventType::kCanceled, e);
      e.shares = v.quantity();
      e.reason = v.reason();
      return VenueParse::kOk;
    }
    case 'D': {  // AIQ cancel: a cancel of `decrement_shares`
      const auto v = head<out::views::AiqCanceled>(p, len, VenueEventType::kCanceled, e);
      e.shares = v.decrement_shares();
      e.reason = v.reason();
      return VenueParse::kOk;
    }
    case 'J':
      e.reject_reason = head<out::views::Rejected>(p, len, VenueEventType::kRejected, e).reason();
      return VenueParse::kOk;
    case 'B': {
      const auto v = head<out::views::BrokenTrade>(p, len, VenueEventType::kBrokenTrade, e);
      e.match_number = v.match_number();
      e.reason = v.reason();
      return VenueParse::kOk;
    }
    default:
      return VenueParse::kIgnored;  // S, P, I, T, M, R: no state change we track
  }
}

}  // namespace sf::trade
