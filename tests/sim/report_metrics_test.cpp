// The backtest report's metrics (src/tools/backtest/report.cpp) on a hand-made run whose every figure is
// worked out by hand below.
#include <gtest/gtest.h>

#include <cmath>

#include "report.hpp"

using sf::backtest::RunOutput;
using sf::backtest::summarize;

namespace {

constexpr uint64_t kSec = 1'000'000'000;

sf::sim::SimFill fill(uint16_t strategy, char side, uint32_t shares, uint64_t price, uint64_t ts,
                      uint32_t mid) {
  sf::sim::SimFill f;
  f.strategy = strategy;
  f.locate = 1;
  f.side = side;
  f.shares = shares;
  f.price = price;
  f.venue_ts = f.delivered_ts = ts;
  f.mid = mid;
  return f;
}

sf::sim::PnlSample sample(uint64_t ts, uint32_t mid) {
  sf::sim::PnlSample s;
  s.ts = ts;
  s.locate = 1;
  s.mid = mid;
  return s;
}

}  // namespace

TEST(BacktestReport, MetricsOfAHandMadeRun) {
  sf::trade::TradingConfig cfg;
  cfg.strategies.resize(2);
  sf::sim::BacktestConfig bt;
  bt.fee_per_share = 0.01;
  bt.venue.pnl_interval_ns = kSec;
  RunOutput out;
  sf::sim::SimOrder buy, sell;
  buy.strategy = 0;
  buy.shares = 100;
  buy.filled = 100;
  sell.strategy = 1;
  sell.shares = 200;
  sell.filled = 100;
  out.orders = {buy, sell};
  // Strategy 0 buys 100 at $20.00 (t = 1 s); strategy 1 sells 100 at $20.10 (t = 2.5 s).
  out.fills = {fill(0, 'B', 100, 200000, 1 * kSec, 200000), fill(1, 'S', 100, 201000, 5 * kSec / 2, 201000)};
  out.pnl = {sample(2 * kSec - 1, 200500), sample(3 * kSec - 1, 201000), sample(4 * kSec - 1, 201000)};
  const auto sum = summarize(out, cfg, bt);
  const auto& t = sum.total;
  // Net curve: -1 (buy, $1 fee), 4 (marked at 20.05), 8 (sold: +$10 realized, $2 fees), 8, 8.
  EXPECT_EQ(t.orders, 2u);
  EXPECT_EQ(t.filled_orders, 2u);
  EXPECT_EQ(t.shares_ordered, 300u);
  EXPECT_EQ(t.shares_filled, 200u);
  EXPECT_DOUBLE_EQ(t.fill_ratio, 200.0 / 300.0);
  EXPECT_DOUBLE_EQ(t.fees, 2.0);
  EXPECT_DOUBLE_EQ(t.net_pnl, 8.0);
  EXPECT_DOUBLE_EQ(t.gross_pnl, 10.0);
  EXPECT_DOUBLE_EQ(t.max_drawdown, 1.0);  // from the starting 0 down to -1
  EXPECT_DOUBLE_EQ(t.turnover, 2000.0 + 2010.0);
  // Per-second P&L: 4, 4, 0 -> mean 8/3, sample sd sqrt(48/9); x sqrt(252 x 6.5 h in seconds).
  ASSERT_TRUE(t.sharpe.has_value());
  EXPECT_EQ(t.periods, 3u);
  EXPECT_NEAR(*t.sharpe, (8.0 / 3) / std::sqrt(48.0 / 9) * std::sqrt(252 * 6.5 * 3600), 1e-9);
  // Per strategy, each marked on its own: the buyer holds 100 marked at $20.10 (+$10, $1 fee); the seller
  // is short 100 at $20.10 marked at $20.10 (0, $1 fee). Gross P&L adds up to the total.
  EXPECT_DOUBLE_EQ(sum.strategies[0].net_pnl, 9.0);
  EXPECT_DOUBLE_EQ(sum.strategies[1].net_pnl, -1.0);
  EXPECT_DOUBLE_EQ(sum.strategies[0].gross_pnl + sum.strategies[1].gross_pnl, t.gross_pnl);
  EXPECT_DOUBLE_EQ(sum.strategies[1].fill_ratio, 0.5);
}

TEST(BacktestReport, SharpeNeedsTwoPeriodsWithVariation) {
  sf::trade::TradingConfig cfg;
  cfg.strategies.resize(1);
  sf::sim::BacktestConfig bt;
  bt.venue.pnl_interval_ns = 60 * kSec;
  RunOutput out;
  out.fills = {fill(0, 'B', 10, 200000, kSec, 200000)};
  out.pnl = {sample(2 * kSec, 200100)};  // one minute only
  const auto sum = summarize(out, cfg, bt);
  EXPECT_FALSE(sum.total.sharpe.has_value());
  EXPECT_EQ(sum.total.periods, 1u);
  EXPECT_NEAR(sum.total.net_pnl, 0.10, 1e-12);  // 10 shares marked $0.01 up, no fees
  EXPECT_DOUBLE_EQ(sf::backtest::periods_per_year(60 * kSec), 252 * 390.0);
}
