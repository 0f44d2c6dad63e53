// sf-venue-sim: per-session totals (orders, fills, shares by symbol and side) computed from the
// sequenced messages the venue sent, so that they cover a session across simulator restarts.
#pragma once

#include <string>
#include <vector>

#include "store.hpp"

namespace sf::venue_sim {

struct NamedStore {
  std::string username;
  const MessageStore* store;
};

// {"session":"...","sessions":[{"username":..,"messages":..,"orders":..,"accepted":..,"rejected":..,
//  "canceled":..,"fills":..,"filled_shares":..,"shares":{"SYMBOL":{"B":n,"S":n}},
//  "notional":{"SYMBOL":{"B":n,"S":n}},"realized_pnl":{"SYMBOL":n}}]}
// notional: sum of execution price x shares; realized_pnl: the fills booked in sequence order with the
// appliance's own average-cost rule (trade::Position). Both raw: 1/10000 dollar.
std::string totals_json(const std::string& session_name, const std::vector<NamedStore>& stores);

}  // namespace sf::venue_sim
