#include "sniperforge/telemetry/trade_adapter.hpp"

#include <string>

#include "sniperforge/trade/engine.hpp"

namespace sf::telemetry {

void read_engine_stats(const std::vector<const trade::Engine*>& engines, std::vector<EngineStats>& out) {
  out.clear();
  out.reserve(engines.size());
  for (const trade::Engine* e : engines) {
    if (e == nullptr) continue;
    EngineStats s;
    s.shard = e->shard_index();
    s.orders = e->stats().orders_sent.load();
    s.fills = e->orders().fills();
    s.open_orders = e->risk().open_orders();
    s.kill_switch = e->risk().kill_switch();
    s.stale_books = e->stale_books();
    for (std::size_t r = 1; r < static_cast<std::size_t>(trade::Reject::kCount); ++r) {
      const auto reason = static_cast<trade::Reject>(r);
      s.rejects.emplace_back(std::string{trade::to_string(reason)}, e->risk().rejects(reason));
    }
    for (std::size_t i = 0; i < e->strategy_count(); ++i) {
      const uint16_t locate = e->strategy_locate(i);
      const std::string& symbol = e->strategy(i).config().symbol;
      bool seen = false;
      for (const auto& in : s.instruments) seen = seen || in.symbol == symbol;
      if (seen) continue;
      InstrumentStats in;
      in.symbol = symbol;
      if (locate != 0) {
        const trade::Position& p = e->orders().position(locate);
        in.position = p.shares;
        // Money is raw 1/10000 dollar.
        in.pnl_dollars = static_cast<double>(p.realized + e->unrealized_pnl(locate)) / 10000.0;
        s.filled_shares += p.bought + p.sold;
      }
      s.instruments.push_back(std::move(in));
    }
    out.push_back(std::move(s));
  }
}

}  // namespace sf::telemetry
