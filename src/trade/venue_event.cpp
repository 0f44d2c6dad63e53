// Maps OUCH 5.0 outbound messages (validated with the shared proto/ouch.hpp views) to VenueEvents.
#include "sniperforge/trade/venue_event.hpp"

#include "sniperforge/proto/ouch.hpp"

namespace sf::trade {

namespace out = ouch::outbound;

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
    case 'A': {
      const out::views::OrderAccepted v{p, len};
      e.type = VenueEventType::kAccepted;
      e.timestamp = v.timestamp();
      e.user_ref_num = v.user_ref_num();
      e.side = v.side();
      e.shares = v.quantity();
      e.price = v.price();
      e.order_ref = v.order_reference_number();
      return VenueParse::kOk;
    }
    case 'U': {
      const out::views::OrderReplaced v{p, len};
      e.type = VenueEventType::kReplaced;
      e.timestamp = v.timestamp();
      e.orig_user_ref_num = v.orig_user_ref_num();
      e.user_ref_num = v.user_ref_num();
      e.side = v.side();
      e.shares = v.quantity();
      e.price = v.price();
      e.order_ref = v.order_reference_number();
      return VenueParse::kOk;
    }
    case 'E': {
      const out::views::OrderExecuted v{p, len};
      e.type = VenueEventType::kExecuted;
      e.timestamp = v.timestamp();
      e.user_ref_num = v.user_ref_num();
      e.shares = v.quantity();
      e.price = v.price();
      e.match_number = v.match_number();
      return VenueParse::kOk;
    }
    case 'C': {
      const out::views::OrderCanceled v{p, len};
      e.type = VenueEventType::kCanceled;
      e.timestamp = v.timestamp();
      e.user_ref_num = v.user_ref_num();
      e.shares = v.quantity();
      e.reason = v.reason();
      return VenueParse::kOk;
    }
    case 'D': {  // AIQ cancel: a cancel of `decrement_shares`
      const out::views::AiqCanceled v{p, len};
      e.type = VenueEventType::kCanceled;
      e.timestamp = v.timestamp();
      e.user_ref_num = v.user_ref_num();
      e.shares = v.decrement_shares();
      e.reason = v.reason();
      return VenueParse::kOk;
    }
    case 'J': {
      const out::views::Rejected v{p, len};
      e.type = VenueEventType::kRejected;
      e.timestamp = v.timestamp();
      e.user_ref_num = v.user_ref_num();
      e.reject_reason = v.reason();
      return VenueParse::kOk;
    }
    case 'B': {
      const out::views::BrokenTrade v{p, len};
      e.type = VenueEventType::kBrokenTrade;
      e.timestamp = v.timestamp();
      e.user_ref_num = v.user_ref_num();
      e.match_number = v.match_number();
      e.reason = v.reason();
      return VenueParse::kOk;
    }
    default:
      return VenueParse::kIgnored;  // S, P, I, T, M, R: no state change we track
  }
}

}  // namespace sf::trade
