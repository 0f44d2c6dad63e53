// The [backtest] table of the TOML config: the simulated venue's latencies and seed, and the fees the report
// charges. Example (every key optional):
//   [backtest]
//   seed = 1
//   tick_to_trade_ns = 1300                 # the appliance's own trigger-to-wire time
//   order_latency_ns = 20000                # order entry: fixed part
//   order_latency_histogram = { bounds_ns = [5000, 10000, 40000], counts = [70, 25, 5] }  # added to it
//   response_latency_ns = 20000
//   response_latency_histogram = { bounds_ns = [...], counts = [...] }
//   fee_per_share = 0.003                   # dollars per filled share (net P&L)
//   pnl_interval_ns = 60000000000           # P&L sampling and Sharpe period (default a minute)
//   fill_model = "book"                     # or "seeded" / "full": sf-venue-sim's rule (sim/rule_fill.hpp)
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "sniperforge/sim/venue.hpp"

namespace sf::sim {

struct BacktestConfig {
  VenueConfig venue;
  double fee_per_share = 0;  // dollars
};

// Reads root["backtest"] (absent: defaults). Problems are appended to `errors` ("backtest.key: why").
BacktestConfig parse_backtest_config(const toml::table& root, std::vector<std::string>& errors);

}  // namespace sf::sim
