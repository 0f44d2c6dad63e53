// OUCH 5.0 outbound layouts (offsets from the type byte; timestamp u64 @1 in every message):
//   A Accepted 64+: urn @9, side @13, qty @14, symbol @18, price u64 @26, tif @34, display @35, order ref @36
//   U Replaced 68+: orig urn @9, urn @13, side @17, qty @18, symbol @22, price @30, tif @38, display @39,
//                   order ref @40
//   E Executed 36+: urn @9, qty @13, price @17, liquidity @25, match @26
//   C Canceled 18:  urn @9, decrement qty @13, reason @17
//   J Rejected 29:  urn @9, reason u16 @13
//   B Broken 36:    urn @9, match @13, reason @21
// TODO: switch to the shared views once proto/ouch.hpp lands.
#include "sniperforge/trade/venue_event.hpp"

#include "sniperforge/proto/endian.hpp"

namespace sf::trade {

using proto::load_be32;
using proto::load_be64;

VenueParse parse_ouch_outbound(const uint8_t* p, std::size_t len, VenueEvent& e) noexcept {
  if (len == 0) return VenueParse::kBadLength;
  auto need = [len](std::size_t n) { return len >= n; };
  e = VenueEvent{};
  if (len >= 9) e.timestamp = load_be64(p + 1);
  switch (static_cast<char>(p[0])) {
    case 'A':
      if (!need(64)) return VenueParse::kBadLength;
      e.type = VenueEventType::kAccepted;
      e.user_ref_num = load_be32(p + 9);
      e.side = static_cast<char>(p[13]);
      e.shares = load_be32(p + 14);
      e.price = load_be64(p + 26);
      e.order_ref = load_be64(p + 36);
      return VenueParse::kOk;
    case 'U':
      if (!need(68)) return VenueParse::kBadLength;
      e.type = VenueEventType::kReplaced;
      e.orig_user_ref_num = load_be32(p + 9);
      e.user_ref_num = load_be32(p + 13);
      e.side = static_cast<char>(p[17]);
      e.shares = load_be32(p + 18);
      e.price = load_be64(p + 30);
      e.order_ref = load_be64(p + 40);
      return VenueParse::kOk;
    case 'E':
      if (!need(36)) return VenueParse::kBadLength;
      e.type = VenueEventType::kExecuted;
      e.user_ref_num = load_be32(p + 9);
      e.shares = load_be32(p + 13);
      e.price = load_be64(p + 17);
      e.match_number = load_be64(p + 26);
      return VenueParse::kOk;
    case 'C':
      if (len != 18) return VenueParse::kBadLength;
      e.type = VenueEventType::kCanceled;
      e.user_ref_num = load_be32(p + 9);
      e.shares = load_be32(p + 13);
      e.reason = static_cast<char>(p[17]);
      return VenueParse::kOk;
    case 'J':
      if (len != 29) return VenueParse::kBadLength;
      e.type = VenueEventType::kRejected;
      e.user_ref_num = load_be32(p + 9);
      e.reject_reason = proto::load_be16(p + 13);
      return VenueParse::kOk;
    case 'B':
      if (len != 36) return VenueParse::kBadLength;
      e.type = VenueEventType::kBrokenTrade;
      e.user_ref_num = load_be32(p + 9);
      e.match_number = load_be64(p + 13);
      e.reason = static_cast<char>(p[21]);
      return VenueParse::kOk;
    case 'S':
    case 'D':
    case 'P':
    case 'I':
    case 'T':
    case 'M':
    case 'R':
      return VenueParse::kIgnored;
    default:
      return VenueParse::kUnknownType;
  }
}

}  // namespace sf::trade
