#include "sniperforge/dataplane/trade_adapter.hpp"

#include <algorithm>
#include <string>

#include "sniperforge/trade/engine.hpp"

namespace sf::dataplane {

using telemetry::EngineStats;
using telemetry::InstrumentStats;

namespace {
// Share of a limit in use (a zero limit is fully used as soon as anything is).
double usage(uint64_t used, uint64_t limit) {
  if (limit == 0) return used == 0 ? 0.0 : 1.0;
  return static_cast<double>(used) / static_cast<double>(limit);
}
}  // namespace

void read_engine_stats(const std::vector<const trade::Engine*>& engines, std::vector<EngineStats>& out) {
  out.clear();
  out.reserve(engines.size());
  for (const trade::Engine* e : engines) {
    if (e == nullptr) continue;
    // Only Counters and Engine::published(): the engine's lcore may be running.
    const trade::EnginePublished& pub = e->published();
    EngineStats s;
    s.shard = e->shard_index();
    s.orders = e->stats().orders_sent.load();
    s.fills = e->orders().fills();
    s.open_orders = pub.open_orders.get();
    s.kill_switch = pub.kill_switch.get();
    s.trading_state = pub.trading_state.get();
    s.gross_notional_usage = usage(pub.gross_notional.get(), pub.max_gross_notional.get());
    // Capacity-stale books: a Counter of the engine's BookSet (see BookSet::capacity_stale_books()).
    s.stale_books = pub.stale.get() ? pub.books.get() : e->books().capacity_stale_books();
    for (std::size_t d = 0; d < static_cast<std::size_t>(book::Drop::kCount); ++d) {
      const auto reason = static_cast<book::Drop>(d);
      s.book_drops.emplace_back(std::string{book::to_string(reason)}, e->books().drops(reason));
    }
    for (std::size_t r = 1; r < static_cast<std::size_t>(trade::Reject::kCount); ++r) {
      const auto reason = static_cast<trade::Reject>(r);
      s.rejects.emplace_back(std::string{trade::to_string(reason)}, e->risk().rejects(reason));
    }
    s.venue_inconsistent = pub.venue_inconsistent.get();
    for (std::size_t c = 1; c < static_cast<std::size_t>(trade::VenueCheck::kCount); ++c) {
      const auto check = static_cast<trade::VenueCheck>(c);
      s.venue_check_failures.emplace_back(std::string{trade::to_string(check)}, e->orders().failures(check));
    }
    for (std::size_t i = 0; i < e->strategy_count(); ++i) {
      const std::string& symbol = e->strategy(i).config().symbol;  // config: immutable
      bool seen = false;
      for (const auto& in : s.instruments) seen = seen || in.symbol == symbol;
      if (seen) continue;
      const trade::EnginePublished::Instrument& p = pub.instruments[i];
      InstrumentStats in;
      in.symbol = symbol;
      if (p.locate.get() != 0) {
        in.position = p.position.get();
        const int64_t pos = in.position;
        in.position_usage = usage(pos < 0 ? 0 - static_cast<uint64_t>(pos) : static_cast<uint64_t>(pos),
                                  static_cast<uint64_t>(std::max<int64_t>(pub.max_position.get(), 0)));
        // Money is raw 1/10000 dollar.
        // Summed as doubles: each is an int64 near its range only for absurd fills, their sum may not be.
        in.pnl_dollars =
            (static_cast<double>(p.realized.get()) + static_cast<double>(p.unrealized.get())) / 10000.0;
        in.realized_pnl_dollars = static_cast<double>(p.realized.get()) / 10000.0;
        s.filled_shares += p.filled.get();
      }
      s.instruments.push_back(std::move(in));
    }
    out.push_back(std::move(s));
  }
}

}  // namespace sf::dataplane
