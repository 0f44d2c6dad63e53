// trade::ShardDriver: the route fan-out, stale marking and look-ahead the executor and sf-backtest share.
#include "sniperforge/trade/shard_driver.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "../book/itch_builder.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "trading_config_fixture.hpp"

using namespace sf::trade;
using sf::test::ItchBuilder;

namespace {

TradingConfig config(uint32_t shards) {
  return sf::testing::parse_trading(
      sf::testing::with_two_snipers("[trading]\nshards = " + std::to_string(shards) +
                                    "\n[book]\nmax_orders = 1000\nmax_instruments = 16\n"));
}

struct Shards {
  explicit Shards(uint32_t n) : cfg(config(n)) {
    for (uint32_t s = 0; s < n; ++s) engines.push_back(std::make_unique<Engine>(cfg, s));
  }
  TradingConfig cfg;
  std::vector<std::unique_ptr<Engine>> engines;
};

TEST(ShardDriver, BroadcastsReachEveryHostedEngineOthersTheirOwner) {
  Shards sh(3);
  ShardDriver d(3);
  d.host(sh.engines[0].get());
  d.host(sh.engines[2].get());
  ItchBuilder b;
  b.directory(3, "SF0000").add(3, 1, 'B', 100, 200000).add(2, 2, 'B', 100, 200000).add(1, 3, 'B', 1, 1);
  std::vector<uint32_t> got;
  std::vector<bool> routed;
  for (std::size_t i = 0; i < b.size(); ++i)
    routed.push_back(d.dispatch(b[i], [&](Engine& e) { got.push_back(e.shard_index()); }));
  EXPECT_EQ(got, (std::vector<uint32_t>{0, 2, 0, 2}));              // R to both, locate 3 -> 0, locate 2 -> 2
  EXPECT_EQ(routed, (std::vector<bool>{true, true, true, false}));  // locate 1: shard 1, hosted elsewhere
  EXPECT_EQ(d.engine(1), nullptr);
  EXPECT_EQ(d.engine(2), sh.engines[2].get());
  EXPECT_EQ(d.engine(7), nullptr);
  EXPECT_EQ(d.engine_for(b.data(1)), sh.engines[0].get());
  EXPECT_EQ(d.engine_for(b.data(0)), nullptr);  // broadcast
}

TEST(ShardDriver, MarkStaleMarksEveryHostedEngineAndCountsTheirBooks) {
  Shards sh(2);
  ShardDriver d(2);
  for (auto& e : sh.engines) d.host(e.get());
  ItchBuilder b;
  b.directory(1, "SF0000").directory(2, "SF0001");
  std::array<OrderRequest, 4> storage{};
  OrderSink sink(storage);
  for (std::size_t i = 0; i < b.size(); ++i)
    d.dispatch(b[i], [&](Engine& e) { e.on_itch(b[i], i + 1, 0, sink); });
  EXPECT_EQ(d.mark_stale(StaleReason::kGap), 4u);  // each engine has both directory entries' books
  EXPECT_TRUE(sh.engines[0]->stale());
  EXPECT_TRUE(sh.engines[1]->stale());
}

TEST(ShardDriver, LookAheadVisitsTheMessagesAheadOnly) {
  Shards sh(1);
  ShardDriver d(1);
  d.host(sh.engines[0].get());
  std::vector<std::size_t> asked;
  ItchBuilder b;
  for (int k = 0; k < 40; ++k) b.add(1, static_cast<uint64_t>(k + 1), 'B', 100, 200000);
  const auto at = [&](std::size_t k) {
    asked.push_back(k);
    return b.data(k);
  };
  d.prefetch_first(at, b.size());
  EXPECT_EQ(asked.size(), ShardDriver::kSlotAhead);
  asked.clear();
  d.prefetch_ahead(at, 0, b.size());
  EXPECT_EQ(asked, (std::vector<std::size_t>{ShardDriver::kSlotAhead, ShardDriver::kLevelsAhead}));
  asked.clear();
  d.prefetch_ahead(at, 30, b.size());  // 46 is past the end, 34 is not
  EXPECT_EQ(asked, (std::vector<std::size_t>{34}));
  asked.clear();
  d.prefetch_ahead(at, 0, b.size(), 0);  // prefetch off
  EXPECT_TRUE(asked.empty());
}

}  // namespace
