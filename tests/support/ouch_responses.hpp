// Venue responses the tests feed into engines and executors: an OUCH 5.0 Order Accepted for one of our
// orders on SF0000 (order reference 1000 + UserRefNum), as the venue would send it.
#pragma once

#include <cstdint>
#include <vector>

#include "sniperforge/proto/ouch.hpp"

namespace sf::testing {

inline std::vector<uint8_t> order_accepted(uint32_t urn, uint32_t shares, int64_t price, char tif) {
  ouch::outbound::msg::OrderAccepted m;
  m.user_ref_num = urn;
  m.side = 'B';
  m.quantity = shares;
  m.symbol.c = {'S', 'F', '0', '0', '0', '0', ' ', ' '};
  m.price = static_cast<decltype(m.price)>(price);
  m.time_in_force = tif;
  m.order_reference_number = 1000 + urn;
  m.order_state = 'L';
  std::vector<uint8_t> out(ouch::outbound::msg::OrderAccepted::kFixedLength);
  out.resize(m.encode(out.data()));
  return out;
}

}  // namespace sf::testing
