// Issue #15, "same seed, same results ... and equal to the appliance replaying the pcap against sf-venue-sim
// configured with the same fill model": the real sniperforge replays an sf-feedgen feed with
// `transport = "kernel"` to a real `sf-venue-sim --fill-rule seeded --seed 7`, and sf-backtest --venue sim
// runs the same feed and config with `[backtest] fill_model = "seeded"`, seed 7 (the one rule both use,
// sim/rule_fill.hpp). The limits are set so that no risk check or sniper allowance binds (the orders then do
// not depend on when the venue answers): fills, shares by symbol and side, positions and realized P&L must be
// equal — the appliance's /metrics and stats, the simulator's totals and the backtest's report.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "sf_test_process.hpp"
#include "venue_sim_process.hpp"

namespace fs = std::filesystem;
using sf::testing::env;
using sf::testing::metric_sum;
using sf::testing::read_file;
using sf::testing::read_stats;
using sf::testing::run;
using sf::testing::wait_for;

namespace {

// The kernel-transport replay config with limits that never bind and the backtest's rule-based venue.
std::string rule_config(uint16_t venue_port, const fs::path& password_file) {
  std::istringstream in(sf::testing::kernel_replay_config(venue_port, password_file));
  std::string out, line, table;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') table = line.substr(0, line.rfind(']') + 1);
    auto key_is = [&](const char* k) { return line.rfind(std::string(k) + " ", 0) == 0; };
    if (key_is("max_position")) line = "max_position = 100000000";
    if (table == "[risk]" && key_is("max_gross_notional")) line = "max_gross_notional = 1000000000";
    if (table == "[risk]" && key_is("max_open_orders")) line = "max_open_orders = 100000";
    if (table == "[backtest]" && key_is("seed")) line = "seed = 7\nfill_model = \"seeded\"";
    out += line + "\n";
  }
  return out;
}

struct BacktestResult {
  uint64_t fills = 0;
  std::map<std::string, std::map<char, uint64_t>> shares;       // symbol -> side -> shares
  std::map<std::string, std::pair<int64_t, std::string>> last;  // symbol -> (position, realized $) at the end
};

BacktestResult read_report(const fs::path& dir) {
  BacktestResult r;
  std::istringstream fills(read_file(dir / "fills.csv"));
  std::string line;
  std::getline(fills, line);  // venue_ts,delivered_ts,strategy,symbol,side,shares,...
  while (std::getline(fills, line)) {
    std::vector<std::string> f;
    std::istringstream cells(line);
    for (std::string c; std::getline(cells, c, ',');) f.push_back(c);
    ++r.fills;
    r.shares[f.at(3)][f.at(4)[0]] += std::stoull(f.at(5));
  }
  std::istringstream pnl(read_file(dir / "pnl.csv"));
  std::getline(pnl, line);  // ts,symbol,position,realized,unrealized,mid
  while (std::getline(pnl, line)) {
    std::vector<std::string> f;
    std::istringstream cells(line);
    for (std::string c; std::getline(cells, c, ',');) f.push_back(c);
    r.last[f.at(1)] = {std::stoll(f.at(2)), f.at(3)};
  }
  return r;
}

}  // namespace

TEST(FillModelE2E, ApplianceAgainstSimulatorEqualsBacktestWithTheSameRuleAndSeed) {
  for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_REPLAY_CONFIG", "SF_VENUE_SIM", "SF_BACKTEST"})
    ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
  const fs::path dir = fs::temp_directory_path() / ("sf-fillmodel-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  sf::testing::VenueSimProcess sim(dir, "SNIPE0 pw123\n");
  std::ofstream(dir / "pw") << "pw123\n";
  chmod((dir / "pw").c_str(), 0600);
  const fs::path feed = dir / "feed.pcap", cfg = dir / "rule.toml";
  ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 30000 -o " + feed.string()), 0);
  std::ofstream(cfg) << rule_config(sim.port(), dir / "pw");

  // The backtest: the same feed, config and seed, the rule-based venue.
  ASSERT_EQ(
      run(env("SF_BACKTEST") + " --config " + cfg.string() + " --venue sim --quiet --report " +
          (dir / "report").string() + " " + feed.string() + " > " + (dir / "bt.txt").string() + " 2>&1"),
      0)
      << read_file(dir / "bt.txt");
  const BacktestResult bt = read_report(dir / "report");
  ASSERT_GT(bt.fills, 10u) << read_file(dir / "bt.txt");

  // The appliance against the simulator (seeded rule, seed 7: VenueSimProcess's defaults).
  ASSERT_TRUE(sim.start());
  const fs::path log = dir / "app.log";
  const pid_t app = sf::testing::start_logged(
      env("SNIPERFORGE"),
      {"--config", cfg.string(), "--rx-pcap", feed.string(), "--tx-pcap", (dir / "tx.pcap").string(),
       "--stats-file", (dir / "app.stats").string(), "--metrics-addr", "127.0.0.1:0", "--hold", "--quiet"},
      log);
  ASSERT_GT(app, 0);
  const std::string key = "/ready on port ";
  ASSERT_TRUE(wait_for([&] { return read_file(log).find(key) != std::string::npos; }, 30)) << read_file(log);
  const std::string text = read_file(log);
  const std::string port = text.substr(text.find(key) + key.size(), 5);
  auto scrape = [&] {
    run("curl -s http://127.0.0.1:" + port.substr(0, port.find_first_not_of("0123456789")) + "/metrics > " +
        (dir / "m.txt").string());
    return read_file(dir / "m.txt");
  };
  // Settled: every order answered (the fills the backtest made, and no order left open).
  std::string metrics;
  const bool settled = wait_for(
      [&] {
        metrics = scrape();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return metric_sum(metrics, "sniperforge_trade_fills_total", "") >= static_cast<double>(bt.fills) &&
               metric_sum(metrics, "sniperforge_trade_open_orders", "") == 0.0 &&
               metric_sum(metrics, "sniperforge_feed_packets_total", "") > 0;
      },
      30);
  kill(app, SIGTERM);
  int status = 0;
  waitpid(app, &status, 0);
  const std::string totals = sim.stop();
  ASSERT_TRUE(settled) << metrics.substr(0, 3000);
  const auto stats = read_stats(dir / "app.stats");

  EXPECT_EQ(stats.at("venue_inconsistent_shards"), 0u);
  EXPECT_EQ(static_cast<uint64_t>(metric_sum(metrics, "sniperforge_trade_fills_total", "")), bt.fills);
  EXPECT_EQ(sf::testing::totals_number(totals, "fills"), bt.fills);
  EXPECT_EQ(sf::testing::totals_by_symbol_side(totals, "shares"), bt.shares) << totals;
  for (const auto& [symbol, end] : bt.last) {
    const std::string label = "symbol=\"" + symbol + "\"";
    EXPECT_EQ(metric_sum(metrics, "sniperforge_trade_position_shares", label), static_cast<double>(end.first))
        << symbol;
    EXPECT_NEAR(metric_sum(metrics, "sniperforge_trade_realized_pnl_dollars", label), std::stod(end.second),
                1e-6)
        << symbol;
    const auto realized = sf::testing::totals_realized_pnl(totals);
    if (realized.count(symbol)) {
      EXPECT_NEAR(static_cast<double>(realized.at(symbol)) / 10000.0, std::stod(end.second), 1e-9) << symbol;
    }
  }
  if (!HasFailure() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir);
}
