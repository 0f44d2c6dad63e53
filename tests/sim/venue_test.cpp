// The simulated venue's fill model against hand-built books.
#include <gtest/gtest.h>

#include "sim_harness.hpp"
#include "sniperforge/sim/config.hpp"

using sf::book::Side;
using sf::sim::SimFill;
using sf::test::fixed_latency;
using sf::test::ItchBuilder;
using sf::test::SimHarness;
using sf::trade::kTifDay;
using sf::trade::kTifIoc;
using sf::trade::OrderState;

namespace {

// Asks 100 @ 20.01, 200 @ 20.02, 300 @ 20.03 and a bid 100 @ 19.99, all at t = 1000.
ItchBuilder three_ask_levels() {
  ItchBuilder b;
  b.directory(1, "SF0000")
      .add(1, 1, 'S', 100, 200100)
      .add(1, 2, 'S', 200, 200200)
      .add(1, 3, 'S', 300, 200300)
      .add(1, 4, 'B', 100, 199900);
  return b;
}

}  // namespace

TEST(SimVenue, IocWalksLevelsUpToItsLimitAndTheRestIsCanceled) {
  SimHarness h(fixed_latency(0, 0));
  h.feed(three_ask_levels());
  const uint32_t urn = h.send(Side::kBuy, 200200, 400, kTifIoc, 1000);
  h.venue.finish(h.engine);
  const auto& fills = h.venue.fills();
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].shares, 100u);
  EXPECT_EQ(fills[0].price, 200100u);
  EXPECT_EQ(fills[0].contra_ref, 1u);
  EXPECT_EQ(fills[1].shares, 200u);
  EXPECT_EQ(fills[1].price, 200200u);
  EXPECT_FALSE(fills[1].passive);
  // The engine saw Accepted, two Executed and a Canceled for the 100 beyond the limit.
  const auto& o = h.order(urn);
  EXPECT_EQ(o.state, OrderState::kCanceled);
  EXPECT_EQ(o.filled, 300u);
  EXPECT_EQ(h.venue.orders()[0].canceled, 100u);
  const auto& p = h.engine.orders().position(1);
  EXPECT_EQ(p.shares, 300);
  EXPECT_EQ(p.cost, 100 * 200100 + 200 * 200200);
  EXPECT_EQ(h.engine.risk().open_buys(1), 0);
  EXPECT_EQ(h.venue.stats().responses, 4u);
  EXPECT_EQ(h.issues(), 0u);
}

TEST(SimVenue, ASecondOrderDoesNotFillAgainstTheSameShares) {
  SimHarness h(fixed_latency(0, 0));
  h.feed(three_ask_levels());
  h.send(Side::kBuy, 200100, 60, kTifIoc, 1000);
  h.send(Side::kBuy, 200100, 60, kTifIoc, 1000);
  h.venue.finish(h.engine);
  const auto& f = h.venue.fills();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].shares, 60u);
  EXPECT_EQ(f[1].shares, 40u);  // only 40 of the 100 displayed were left
  EXPECT_EQ(h.venue.book().available(1, Side::kSell, 200100), 0u);
  EXPECT_EQ(h.venue.book().displayed(1, Side::kSell, 200100), 100u);  // the feed still shows them
  // The feed cancels 30 of ref 1: what we took goes first, nothing comes back.
  ItchBuilder c;
  c.ts = 2000;
  c.cancel(1, 1, 30);
  h.feed(c);
  EXPECT_EQ(h.venue.book().available(1, Side::kSell, 200100), 0u);
  h.send(Side::kBuy, 200100, 10, kTifIoc, 2000);
  h.venue.finish(h.engine);
  EXPECT_EQ(h.venue.fills().size(), 2u);
  EXPECT_EQ(h.engine.orders().position(1).shares, 100);
  EXPECT_EQ(h.issues(), 0u);
}

TEST(SimVenue, LatencyMovesTheBookUnderTheOrder) {
  // Sent at 1000: after 400 ns it arrives before the delete at 1500 and fills; after 1000 ns it misses.
  for (uint64_t latency : {400u, 1000u}) {
    SimHarness h(fixed_latency(latency, 300));
    ItchBuilder b = three_ask_levels();
    h.feed(b);
    const uint32_t urn = h.send(Side::kBuy, 200100, 100, kTifIoc, 1000);
    ItchBuilder later;
    later.ts = 1500;
    later.del(1, 1);
    later.ts = 1600;
    later.add(1, 9, 'B', 100, 199800);
    later.ts = 5000;
    later.add(1, 10, 'B', 100, 199700);
    h.feed(later, 0);
    h.venue.finish(h.engine);
    const auto& o = h.venue.orders()[0];
    EXPECT_EQ(o.arrival_ts, 1000 + latency);
    if (latency == 400) {
      ASSERT_EQ(h.venue.fills().size(), 1u);
      EXPECT_EQ(h.venue.fills()[0].venue_ts, 1400u);
      EXPECT_EQ(h.venue.fills()[0].delivered_ts, 1700u);  // + response latency
      EXPECT_EQ(h.order(urn).state, OrderState::kFilled);
    } else {
      EXPECT_TRUE(h.venue.fills().empty());
      EXPECT_EQ(h.order(urn).state, OrderState::kCanceled);
    }
    EXPECT_EQ(h.issues(), 0u);
  }
}

TEST(SimVenue, ResponsesReachTheEngineAfterTheResponseLatency) {
  SimHarness h(fixed_latency(100, 1000));
  h.feed(three_ask_levels());
  const uint32_t urn = h.send(Side::kBuy, 200100, 50, kTifIoc, 1000);
  h.venue.advance_to(2100, h.engine);  // arrival 1100, responses due at 2100: not yet (strictly before)
  EXPECT_EQ(h.order(urn).state, OrderState::kPendingNew);
  EXPECT_EQ(h.engine.orders().position(1).shares, 0);
  h.venue.advance_to(2101, h.engine);
  EXPECT_EQ(h.order(urn).state, OrderState::kFilled);
  EXPECT_EQ(h.engine.orders().position(1).shares, 50);
}

TEST(SimVenue, RestingOrderQueuesBehindTheLevelAndMovesUpWithCancelsAndExecutionsAhead) {
  SimHarness h(fixed_latency(0, 0));
  ItchBuilder b;
  b.directory(1, "SF0000")
      .add(1, 1, 'B', 100, 200000)
      .add(1, 2, 'B', 200, 200000)
      .add(1, 3, 'S', 100, 200100);
  h.feed(b);
  const uint32_t urn = h.send(Side::kBuy, 200000, 50, kTifDay, 1000);
  h.venue.advance_to(1001, h.engine);
  EXPECT_EQ(h.venue.orders()[0].queue_ahead, 300u);
  ItchBuilder c;
  c.ts = 2000;
  c.cancel(1, 2, 200);            // ahead: 100 left
  c.exec(1, 1, 60, 7);            // ahead: 40
  c.add(1, 5, 'B', 100, 200000);  // behind us
  c.exec(1, 1, 40, 8);            // ref 1 gone: nothing ahead, still no fill
  h.feed(c);
  EXPECT_TRUE(h.venue.fills().empty());
  EXPECT_EQ(h.order(urn).state, OrderState::kLive);
  ItchBuilder d;
  d.ts = 3000;
  d.exec(1, 5, 30, 9);  // an order behind us executes: we were first
  h.feed(d);
  ASSERT_EQ(h.venue.fills().size(), 1u);
  EXPECT_EQ(h.venue.fills()[0].shares, 30u);
  EXPECT_TRUE(h.venue.fills()[0].passive);
  EXPECT_EQ(h.venue.fills()[0].price, 200000u);
  ItchBuilder e;
  e.ts = 4000;
  e.exec(1, 5, 30, 10);
  e.ts = 5000;
  e.add(1, 6, 'B', 1, 100);
  h.feed(e);
  ASSERT_EQ(h.venue.fills().size(), 2u);
  EXPECT_EQ(h.venue.fills()[1].shares, 20u);
  EXPECT_EQ(h.order(urn).state, OrderState::kFilled);
  EXPECT_EQ(h.engine.orders().position(1).shares, 50);
  EXPECT_EQ(h.issues(), 0u);
}

TEST(SimVenue, RestingOrderFillsWhenTheFeedTradesThroughOrCrossesIt) {
  SimHarness h(fixed_latency(0, 0));
  ItchBuilder b;
  b.directory(1, "SF0000").add(1, 1, 'B', 100, 199900).add(1, 3, 'S', 100, 200200);
  h.feed(b);
  h.send(Side::kBuy, 200000, 100, kTifDay, 1000);  // the best bid, alone at its price
  ItchBuilder c;
  c.ts = 2000;
  c.exec(1, 1, 10, 5);  // a seller hit 19.99: our better bid was hit first
  c.ts = 3000;
  c.add(1, 4, 'S', 50, 200000);  // a sell posted at our price would have traded with us
  h.feed(c);
  ASSERT_EQ(h.venue.fills().size(), 2u);
  EXPECT_EQ(h.venue.fills()[0].shares, 10u);
  EXPECT_EQ(h.venue.fills()[1].shares, 50u);
  EXPECT_EQ(h.venue.book().available(1, Side::kSell, 200000), 0u);  // that sell is ours now
  // A hidden buy trading at 20.00: our displayed bid there had priority.
  sf::itch::msg::Trade t;
  t.stock_locate = 1;
  t.buy_sell_indicator = 'B';
  t.shares = 100;
  t.stock = "SF0000";
  t.price = 200000;
  ItchBuilder d;
  d.ts = 4000;
  d.put(t);
  h.feed(d);
  h.venue.finish(h.engine);
  ASSERT_EQ(h.venue.fills().size(), 3u);
  EXPECT_EQ(h.venue.fills()[2].shares, 40u);
  EXPECT_EQ(h.engine.orders().position(1).shares, 100);
  EXPECT_EQ(h.issues(), 0u);
}

TEST(SimVenue, VenueQueuesAgreeWithTheEngineBook) {
  SimHarness h(fixed_latency(0, 0));
  ItchBuilder b = three_ask_levels();
  b.replace(1, 2, 20, 150, 200100).cancel(1, 3, 100).exec(1, 1, 30).del(1, 4);
  h.feed(b);
  const auto* book = h.engine.books().find(1);
  ASSERT_NE(book, nullptr);
  for (uint32_t i = 0; i < book->depth(Side::kSell); ++i) {
    const auto l = book->level(Side::kSell, i);
    EXPECT_EQ(h.venue.book().displayed(1, Side::kSell, l.price), l.shares) << l.price;
  }
  EXPECT_EQ(h.venue.book().best(1, Side::kSell), book->best_price(Side::kSell));
  EXPECT_EQ(h.venue.book().best(1, Side::kBuy), 0u);
}

TEST(SimLatency, HistogramDrawsAreSeededAndInsideTheBuckets) {
  sf::sim::LatencyModel m;
  m.fixed_ns = 1000;
  m.bounds_ns = {100, 200, 1000};
  m.counts = {1, 2, 1};
  EXPECT_EQ(m.invalid(), nullptr);
  EXPECT_DOUBLE_EQ(m.mean_ns(), 1000 + (50.5 * 1 + 150.5 * 2 + 600.5 * 1) / 4);
  sf::sim::Rng a(7), b(7), c(8);
  std::vector<uint64_t> da, db, dc;
  for (int i = 0; i < 1000; ++i) {
    da.push_back(m.draw(a));
    db.push_back(m.draw(b));
    dc.push_back(m.draw(c));
  }
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
  double sum = 0;
  for (uint64_t d : da) {
    EXPECT_GT(d, 1000u);
    EXPECT_LE(d, 2000u);
    sum += static_cast<double>(d);
  }
  EXPECT_NEAR(sum / 1000, m.mean_ns(), 40);
  m.bounds_ns = {200, 100};
  EXPECT_NE(m.invalid(), nullptr);
}

TEST(SimConfig, ParsesTheBacktestTableAndNamesBadKeys) {
  std::vector<std::string> errors;
  auto cfg = sf::sim::parse_backtest_config(toml::parse(R"(
[backtest]
seed = 42
tick_to_trade_ns = 1300
order_latency_ns = 20000
order_latency_histogram = { bounds_ns = [1000, 5000], counts = [3, 1] }
response_latency_ns = 15000
fee_per_share = 0.003
)"),
                                            errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(cfg.venue.seed, 42u);
  EXPECT_EQ(cfg.venue.tick_to_trade_ns, 1300u);
  EXPECT_EQ(cfg.venue.order_entry.fixed_ns, 20000u);
  EXPECT_EQ(cfg.venue.order_entry.counts.size(), 2u);
  EXPECT_EQ(cfg.venue.response.fixed_ns, 15000u);
  EXPECT_DOUBLE_EQ(cfg.fee_per_share, 0.003);
  errors.clear();
  sf::sim::parse_backtest_config(toml::parse(R"(
[backtest]
seed = -1
order_latency_ns = "fast"
order_latency_histogram = { bounds_ns = [5, 1], counts = [1, 1] }
fee_per_share = 3
latency = 1
)"),
                                 errors);
  EXPECT_EQ(errors.size(), 5u);
}
