#include "shard_replay.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "sniperforge/common/cpu_time.hpp"
#include "sniperforge/trade/shard_driver.hpp"

namespace sf::backtest {

std::vector<ShardStream> split_by_shard(const Input& in, uint32_t shards) {
  std::vector<ShardStream> out(shards);
  std::size_t next_gap = 0;
  auto mark_gaps_before = [&](std::size_t k) {
    for (; next_gap < in.gaps.size() && in.gaps[next_gap] <= k; ++next_gap)
      for (auto& s : out) s.stale_at.push_back(s.size());
  };
  for (std::size_t k = 0; k < in.messages.size(); ++k) {
    mark_gaps_before(k);
    const Message& m = in.messages[k];
    const uint8_t* p = in.data(m);
    const uint32_t r = trade::route(itch::MessageView{p}, shards);
    if (r == trade::kAllShards) {
      for (auto& s : out) s.add(p, m.length, m.seq);
    } else {
      out[r].add(p, m.length, m.seq);
    }
  }
  mark_gaps_before(in.messages.size());
  return out;
}

ShardStream traded_only(const ShardStream& s, const std::vector<std::string>& symbols) {
  ShardStream out;
  std::unordered_set<uint16_t> traded;
  auto is_traded_symbol = [&](std::string_view stock8) {
    return std::find(symbols.begin(), symbols.end(), itch::trim_alpha(stock8)) != symbols.end();
  };
  std::size_t next_stale = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    for (; next_stale < s.stale_at.size() && s.stale_at[next_stale] <= i; ++next_stale)
      out.stale_at.push_back(out.size());
    const itch::MessageView m{s.msg(i)};
    const char t = m.type();
    const uint16_t locate = m.stock_locate();
    if (t == 'R' && is_traded_symbol(itch::StockDirectory{m.data()}.stock())) traded.insert(locate);
    if ((t == 'A' || t == 'F') && is_traded_symbol(itch::AddOrder{m.data()}.stock())) traded.insert(locate);
    if (locate == 0 || t == 'R' || t == 'H' || traded.count(locate))
      out.add(s.msg(i), itch::kLengthByType[static_cast<uint8_t>(t)], s.seqs[i]);
  }
  for (; next_stale < s.stale_at.size(); ++next_stale) out.stale_at.push_back(out.size());
  return out;
}

bool capacity_shared(const ShardStream& s, const trade::TradingConfig& cfg, uint32_t shard) {
  trade::TradingConfig books_only = cfg;
  books_only.strategies.clear();
  trade::Engine engine(books_only, shard);
  std::array<trade::OrderRequest, 1> storage{};
  trade::OrderSink sink(storage);
  for (std::size_t i = 0; i < s.size(); ++i) engine.on_itch(itch::MessageView{s.msg(i)}, s.seqs[i], 0, sink);
  const book::BookSet& b = engine.books();
  return b.drops(book::Drop::kOrderCapacity) + b.drops(book::Drop::kLevelOverflow) +
             b.drops(book::Drop::kInstrumentCapacity) !=
         0;
}

std::vector<ShardRun> make_runs(const trade::TradingConfig& cfg, const sim::VenueConfig* venue) {
  std::vector<std::string> symbols;
  for (const auto& s : cfg.strategies) symbols.push_back(s.symbol);
  std::vector<ShardRun> runs(cfg.shards);
  for (uint32_t s = 0; s < cfg.shards; ++s) {
    runs[s].engine = std::make_unique<trade::Engine>(cfg, s);
    if (venue != nullptr) runs[s].venue = std::make_unique<sim::SimVenue>(*venue, symbols, s);
  }
  return runs;
}

void replay_shard(const ShardStream& s, ShardRun& run, int prefetch, Counter* applied) {
  const double cpu0 = thread_cpu_seconds();
  std::array<trade::OrderRequest, 256> storage{};
  trade::OrderSink sink(storage);
  trade::Engine& engine = *run.engine;
  // The appliance's executor drives its engines the same way: route fan-out, stale marking, look-ahead.
  trade::ShardDriver driver(engine.shards());
  driver.host(&engine);
  const auto msg_at = [&s](std::size_t k) noexcept { return s.msg(k); };
  const std::size_t n = s.size();
  std::size_t next_stale = 0;
  driver.prefetch_first(msg_at, n, prefetch);
  for (std::size_t i = 0; i < n; ++i) {
    for (; next_stale < s.stale_at.size() && s.stale_at[next_stale] == i; ++next_stale)
      driver.mark_stale(trade::StaleReason::kGap);
    driver.prefetch_ahead(msg_at, i, n, prefetch);
    if (applied != nullptr && (i & 4095) == 0) applied->set(i);
    const itch::MessageView msg{s.msg(i)};
    sink.clear();
    driver.dispatch(msg, [&](trade::Engine& eng) {
      if (run.venue)
        run.venue->replay(eng, msg, s.seqs[i], sink);
      else
        eng.on_itch(msg, s.seqs[i], 0, sink);
    });
    for (const trade::OrderRequest& r : sink) run.orders.push_back(r);
  }
  for (; next_stale < s.stale_at.size(); ++next_stale) driver.mark_stale(trade::StaleReason::kGap);
  if (run.venue) run.venue->finish(engine);
  if (applied != nullptr) applied->set(n);
  run.cpu_seconds = thread_cpu_seconds() - cpu0;
}

}  // namespace sf::backtest
