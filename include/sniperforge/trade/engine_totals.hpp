// The engines' counters summed over shards, by reason: one reading for the appliance's --stats-file and
// summary (dataplane/report.cpp) and sf-backtest's summary, so the two count alike. Cold: read at exit
// (or on request), never on the hot path.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "sniperforge/trade/engine.hpp"

namespace sf::trade {

struct EngineTotals {
  uint64_t live_orders = 0;     // in the books at the time of reading
  uint64_t accepted = 0;        // orders the risk gate passed
  uint64_t fills = 0;           // executions the venue reported
  uint64_t capacity_stale = 0;  // books stale because they lost an order to a capacity limit
  uint64_t venue_inconsistent_shards = 0;
  uint64_t orders_adopted = 0;  // rebuilt from the venue's replay at a restart (Engine::adopt_accepted)
  uint64_t filled_shares_bought = 0;
  uint64_t filled_shares_sold = 0;
  std::array<uint64_t, static_cast<std::size_t>(Reject::kCount)> rejects{};
  std::array<uint64_t, static_cast<std::size_t>(book::Drop::kCount)> book_drops{};
  std::array<uint64_t, static_cast<std::size_t>(VenueCheck::kCount)> venue_refused{};

  [[nodiscard]] uint64_t book_drops_total() const noexcept {
    uint64_t t = 0;
    for (uint64_t v : book_drops) t += v;
    return t;
  }
};

[[nodiscard]] EngineTotals sum_engines(std::span<const Engine* const> engines);

}  // namespace sf::trade
