// What a simulated-venue backtest produced, merged over shards in an order that depends on the input and
// the config only, and what `--report DIR` and `--sweep` make of it: per-strategy and total metrics (see
// docs/backtest.md for every convention), CSVs and summary.json.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "shard_replay.hpp"
#include "sniperforge/sim/config.hpp"

namespace sf::backtest {

struct RunOutput {
  std::vector<sim::SimOrder> orders;  // by (sent_ts, trigger_seq, user_ref_num, locate)
  std::vector<sim::SimFill> fills;    // by (venue_ts, locate, user_ref_num, match_number)
  std::vector<sim::PnlSample> pnl;    // by (ts, locate)
  std::vector<std::string> symbols;   // by stock locate (empty where unknown)
};
RunOutput merge_runs(const std::vector<ShardRun>& runs);

struct Metrics {
  uint64_t orders = 0;
  uint64_t filled_orders = 0;  // orders with at least one fill
  uint64_t shares_ordered = 0;
  uint64_t shares_filled = 0;
  double fill_ratio = 0;         // shares_filled / shares_ordered
  double gross_pnl = 0;          // dollars: realized + unrealized at the closing mid
  double fees = 0;               // fee_per_share x shares_filled
  double net_pnl = 0;            // gross - fees
  std::optional<double> sharpe;  // none with fewer than two periods or no variation
  double max_drawdown = 0;       // dollars, largest fall of net P&L from a running peak
  double turnover = 0;           // dollars traded (price x shares)
  uint64_t periods = 0;          // P&L periods the Sharpe ratio used
};

// One point of a strategy's (or the total) net P&L curve.
struct EquityPoint {
  uint64_t ts;
  double net_pnl;
  int64_t position;
};

struct Summary {
  std::vector<Metrics> strategies;  // config order
  Metrics total;
  std::vector<EquityPoint> total_curve;
};

// Periods per year for a P&L period of `interval_ns`: 252 trading days of 6.5 hours.
[[nodiscard]] double periods_per_year(uint64_t interval_ns) noexcept;

Summary summarize(const RunOutput& out, const trade::TradingConfig& cfg, const sim::BacktestConfig& bt);

// fills.csv, orders.csv, pnl.csv, summary.json and (through the plotting script) report.html in `dir`.
bool write_report(const std::string& dir, const RunOutput& out, const Summary& sum,
                  const trade::TradingConfig& cfg, const sim::BacktestConfig& bt, std::string& error);

// The summary.json text (also what the report page shows).
std::string summary_json(const Summary& sum, const trade::TradingConfig& cfg, const sim::BacktestConfig& bt);

}  // namespace sf::backtest
