#include "sniperforge/trade/engine_totals.hpp"

namespace sf::trade {

EngineTotals sum_engines(std::span<const Engine* const> engines) {
  EngineTotals t;
  for (const Engine* e : engines) {
    t.live_orders += e->books().live_orders();
    t.accepted += e->risk().accepted();
    t.fills += e->orders().fills();
    t.capacity_stale += e->books().capacity_stale_books();
    t.venue_inconsistent_shards += e->venue_inconsistent() ? 1 : 0;
    t.orders_adopted += e->stats().orders_adopted.load();
    for (std::size_t i = 0; i < t.rejects.size(); ++i)
      t.rejects[i] += e->risk().rejects(static_cast<Reject>(i));
    for (std::size_t d = 0; d < t.book_drops.size(); ++d)
      t.book_drops[d] += e->books().drops(static_cast<book::Drop>(d));
    for (std::size_t c = 1; c < t.venue_refused.size(); ++c)
      t.venue_refused[c] += e->orders().failures(static_cast<VenueCheck>(c));
    for (uint32_t locate = 1; locate <= 0xFFFF; ++locate) {
      const Position& p = e->orders().position(static_cast<uint16_t>(locate));
      t.filled_shares_bought += p.bought;
      t.filled_shares_sold += p.sold;
    }
  }
  return t;
}

}  // namespace sf::trade
