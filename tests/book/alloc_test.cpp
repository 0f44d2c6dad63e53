// Proves the hot path allocation-free: global operator new/delete are replaced with counting versions, a long
// feed (the deterministic feed generator) is replayed through a whole Engine (books, sniper strategies
// that fire, risk gate, order tracking), and after warm-up not a single heap allocation may happen.
#include <gtest/gtest.h>

#include <array>

#include "counting_new.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/trade/engine.hpp"

namespace {
using sf::testing::g_counting;
using sf::testing::g_news;
}  // namespace

namespace {

struct Feed {
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> offsets;
};

Feed generate(const sf::feedgen::Config& cfg) {
  Feed f;
  f.bytes.reserve(cfg.messages * 36);
  f.offsets.reserve(cfg.messages);
  sf::feedgen::MessageGenerator gen(cfg);
  uint8_t buf[64];
  while (std::size_t n = gen.next(buf)) {
    f.offsets.push_back(static_cast<uint32_t>(f.bytes.size()));
    f.bytes.insert(f.bytes.end(), buf, buf + n);
  }
  return f;
}

sf::trade::TradingConfig engine_config() {
  sf::trade::TradingConfig cfg;
  cfg.book.max_orders = 1 << 18;
  cfg.book.max_instruments = 1024;
  cfg.book.max_levels_total = 1 << 20;
  cfg.risk.max_orders_per_second = 1'000'000;
  cfg.risk.throttle_burst = 1'000'000;
  cfg.risk.max_position = 1'000'000'000;
  cfg.risk.max_gross_notional = ~uint64_t{0} / 2;
  cfg.max_tracked_orders = 1024;  // small ring: wraps during the run (eviction must not allocate either)
  for (uint32_t i = 0; i < 20; ++i) {
    sf::trade::StrategyConfig s;
    s.symbol = sf::feedgen::symbol(i);
    s.side = i % 2 ? sf::book::Side::kSell : sf::book::Side::kBuy;
    const uint32_t mid = 200'000 + 10'000 * i;
    s.limit_price = i % 2 ? mid - mid / 200 : mid + mid / 200;  // 0.5 % through the start mid
    s.shares = 100;
    s.max_position = 1'000'000'000;
    s.cooldown_ns = 1'000;
    cfg.strategies.push_back(s);
  }
  return cfg;
}

uint64_t replay_counting(const Feed& f, std::size_t warmup, sf::trade::Engine& engine, uint64_t& orders) {
  std::array<sf::trade::OrderRequest, 64> storage{};
  sf::trade::OrderSink sink(storage);
  orders = 0;
  for (std::size_t i = 0; i < f.offsets.size(); ++i) {
    if (i == warmup) g_counting.store(true);
    sink.clear();
    engine.on_itch(sf::itch::MessageView{f.bytes.data() + f.offsets[i]}, i + 1, 0, sink);
    orders += sink.size();
  }
  g_counting.store(false);
  return g_news.exchange(0);
}

}  // namespace

TEST(BookAlloc, CounterSeesAllocations) {
  g_news = 0;
  g_counting = true;
  auto* p = new int(3);
  g_counting = false;
  delete p;
  EXPECT_EQ(g_news.exchange(0), 1u);  // the test can fail: the counting operator new is really in use
}

TEST(BookAlloc, NoHeapAllocationAfterWarmupWorkloadA) {
  sf::feedgen::Config fc;
  fc.instruments = 200;
  fc.live_orders = 2'000;
  fc.messages = 2'000'000;
  const Feed f = generate(fc);
  sf::trade::Engine engine(engine_config());
  uint64_t orders = 0;
  const uint64_t news = replay_counting(f, 100'000, engine, orders);
  EXPECT_EQ(news, 0u) << "heap allocations on the hot path after warm-up";
  EXPECT_GT(orders, 0u) << "strategies should have fired (the path under test includes order sending)";
  EXPECT_EQ(engine.books().total_drops(), 0u);
  EXPECT_GT(engine.books().live_orders(), 1'000u);
}

TEST(BookAlloc, NoHeapAllocationAfterWarmupFarLevels) {
  sf::feedgen::Config fc;
  fc.seed = 7;
  fc.instruments = 50;
  fc.live_orders = 50'000;
  fc.far_fraction = 0.05;
  fc.messages = 1'500'000;
  const Feed f = generate(fc);
  sf::trade::Engine engine(engine_config());
  uint64_t orders = 0;
  const uint64_t news = replay_counting(f, 600'000, engine, orders);
  EXPECT_EQ(news, 0u) << "heap allocations on the hot path after warm-up";
  EXPECT_EQ(engine.books().total_drops(), 0u);
  std::size_t max_depth = 0;
  for (std::size_t i = 0; i < engine.books().book_count(); ++i)
    max_depth = std::max<std::size_t>(
        max_depth, engine.books().book(static_cast<uint16_t>(i)).depth(sf::book::Side::kBuy));
  EXPECT_GT(max_depth, 100u) << "far adds should have created deep books";
}
