// The rule-based fill model shared by sf-venue-sim and sf-backtest (sim/rule_fill.hpp): its draws, and
// SimVenue answering by the rule instead of the book (fill at the limit, IOC rest canceled, DAY rest open).
#include "sniperforge/sim/rule_fill.hpp"

#include <gtest/gtest.h>

#include "sim_harness.hpp"
#include "sniperforge/sim/config.hpp"

using sf::book::Side;
using sf::sim::FillModel;
using sf::sim::rule_fill_shares;
using sf::test::fixed_latency;
using sf::test::ItchBuilder;
using sf::test::SimHarness;
using sf::trade::OrderState;

TEST(RuleFill, SeededRuleIsSixtyTwentyTwentyAndDependsOnlyOnSeedAndUserRefNum) {
  int full = 0, partial = 0, none = 0;
  for (uint32_t urn = 1; urn <= 10000; ++urn) {
    const uint32_t q = rule_fill_shares(FillModel::kSeeded, 7, urn, 100);
    EXPECT_EQ(q, rule_fill_shares(FillModel::kSeeded, 7, urn, 100));
    EXPECT_LE(q, 100u);
    (q == 100 ? full : q == 0 ? none : partial)++;
  }
  EXPECT_NEAR(full, 6000, 300);
  EXPECT_NEAR(partial, 2000, 300);
  EXPECT_NEAR(none, 2000, 300);
  int differ = 0;
  for (uint32_t urn = 1; urn <= 100; ++urn)
    differ += rule_fill_shares(FillModel::kSeeded, 7, urn, 100) !=
              rule_fill_shares(FillModel::kSeeded, 8, urn, 100);
  EXPECT_GT(differ, 10) << "another seed, other fills";
  EXPECT_EQ(rule_fill_shares(FillModel::kFull, 7, 5, 300), 300u);
  EXPECT_EQ(rule_fill_shares(FillModel::kBook, 7, 5, 300), 0u);
  EXPECT_EQ(sf::sim::fill_model_from("seeded"), FillModel::kSeeded);
  EXPECT_FALSE(sf::sim::fill_model_from("random").has_value());
}

TEST(RuleFill, SimVenueAnswersByTheRuleNotTheBook) {
  sf::sim::VenueConfig v = fixed_latency(0, 0);
  v.fill_model = FillModel::kSeeded;
  v.seed = 7;
  SimHarness h(v);
  ItchBuilder b;
  // 10 shares offered and 10 bid: the rule ignores the book.
  b.directory(1, "SF0000").add(1, 1, 'S', 10, 200100).add(1, 2, 'B', 10, 199900);
  h.feed(b);
  std::vector<uint32_t> urns;
  for (int i = 0; i < 40; ++i) {
    urns.push_back(h.send(Side::kBuy, 200500, 100, sf::trade::kTifIoc, 1000 + i));
    ASSERT_NE(urns.back(), 0u) << "refused by the risk gate";
  }
  const uint32_t day = h.send(Side::kSell, 199000, 100, sf::trade::kTifDay, 2000);
  ASSERT_NE(day, 0u);
  h.venue.finish(h.engine);
  int64_t bought = 0;
  for (uint32_t urn : urns) {
    const uint32_t want = rule_fill_shares(FillModel::kSeeded, 7, urn, 100);
    const auto& o = h.order(urn);
    EXPECT_EQ(o.filled, want) << urn;
    EXPECT_EQ(o.state, want == 100 ? OrderState::kFilled : OrderState::kCanceled) << urn;
    bought += want;
  }
  const uint32_t day_fill = rule_fill_shares(FillModel::kSeeded, 7, day, 100);
  EXPECT_EQ(h.order(day).filled, day_fill);
  if (day_fill < 100) {
    EXPECT_EQ(h.order(day).leaves, 100 - day_fill) << "a DAY order's rest stays open";
  }
  EXPECT_EQ(h.engine.orders().position(1).shares, bought - day_fill);
  for (const auto& f : h.venue.fills()) {
    EXPECT_EQ(f.price, f.side == 'B' ? 200500u : 199000u) << "at the order's limit";
    EXPECT_FALSE(f.passive);
  }
  EXPECT_EQ(h.issues(), 0u);
}

TEST(RuleFill, BacktestConfigSelectsTheModel) {
  std::vector<std::string> errors;
  auto cfg =
      sf::sim::parse_backtest_config(toml::parse("[backtest]\nfill_model = \"seeded\"\nseed = 7\n"), errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(cfg.venue.fill_model, FillModel::kSeeded);
  cfg = sf::sim::parse_backtest_config(toml::parse("[backtest]\n"), errors);
  EXPECT_EQ(cfg.venue.fill_model, FillModel::kBook);
  (void)sf::sim::parse_backtest_config(toml::parse("[backtest]\nfill_model = \"lucky\"\n"), errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("backtest.fill_model"), std::string::npos);
}
