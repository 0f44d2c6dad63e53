// End to end with `[order_session] transport = "kernel"`: the real sniperforge replays an sf-feedgen
// feed (net_pcap, --hold), each order the risk gate passes goes through the shard's KernelSession
// over loopback TCP to a real `sf-venue-sim --soupbintcp`, and the Accepted / Executed / Canceled
// messages come back into the engine. What the appliance believes (positions per symbol in /metrics,
// filled shares and venue messages in --stats-file) must equal the simulator's own JSON totals; with
// `--drop-after` the simulator cuts the connection mid-session and the appliance must reconnect and
// re-log in at the next sequence number, losing and repeating nothing. /ready fails once the venue
// is gone.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sf_test_process.hpp"
#include "venue_sim_process.hpp"

namespace fs = std::filesystem;
using sf::testing::env;
using sf::testing::read_file;
using sf::testing::read_stats;
using sf::testing::run;
using sf::testing::start_logged;
using sf::testing::wait_for;

namespace {

// Sum of the samples of one metric family whose labels contain `filter`.
double metric_sum(const std::string& text, const std::string& name, const std::string& filter = "") {
  std::istringstream in(text);
  std::string line;
  double sum = 0;
  while (std::getline(in, line)) {
    if (line.rfind(name + "{", 0) != 0 || line.find(filter) == std::string::npos) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

class KernelVenueE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_REPLAY_CONFIG", "SF_VENUE_SIM"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    dir_ = fs::temp_directory_path() / ("sf-kvenue-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    sim_ = std::make_unique<sf::testing::VenueSimProcess>(dir_, "SNIPE0 pw123\n");
    std::ofstream(dir_ / "pw") << "pw123\n";
    chmod((dir_ / "pw").c_str(), 0600);
    port_ = sim_->port();
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 30000 -o " +
                  (dir_ / "feed.pcap").string()),
              0);
    std::ofstream(dir_ / "kernel.toml") << sf::testing::kernel_replay_config(port_, dir_ / "pw");
  }
  void TearDown() override {
    if (app_ > 0) {
      kill(app_, SIGKILL);
      waitpid(app_, nullptr, 0);
    }
    sim_.reset();
    if (!HasFailure() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir_);
  }
  void start_sim(const std::vector<std::string>& extra, const std::string& log = "sim.log") {
    ASSERT_TRUE(sim_->start(extra, log));
  }
  std::string curl(const std::string& path) {
    const fs::path out = dir_ / "curl.txt";
    run("curl -s -w '\\n%{http_code}' http://127.0.0.1:" + metrics_port_ + path + " > " + out.string());
    return read_file(out);
  }
  // Starts the appliance (replay, --hold, metrics on a free port) and waits until the venue traffic
  // has settled (settle()).
  void run_appliance(bool venue = true) {
    launch_appliance();
    settle(venue);
  }
  void launch_appliance() {
    const fs::path log = dir_ / "app.log";
    app_ =
        start_logged(env("SNIPERFORGE"),
                     {"--config", (dir_ / "kernel.toml").string(), "--rx-pcap", (dir_ / "feed.pcap").string(),
                      "--tx-pcap", (dir_ / "tx.pcap").string(), "--stats-file", (dir_ / "app.stats").string(),
                      "--metrics-addr", "127.0.0.1:0", "--hold", "--quiet"},
                     log);
    ASSERT_GT(app_, 0);
    const std::string key = "/ready on port ";
    ASSERT_TRUE(wait_for([&] { return read_file(log).find(key) != std::string::npos; }, 30))
        << read_file(log);
    const std::string text = read_file(log);
    const auto at = text.find(key) + key.size();
    metrics_port_ = text.substr(at, text.find(' ', at) - at);
  }
  // Waits until the scrape's count of `family` (the venue's messages; `venue` false: the feed's packets)
  // is non-zero and unchanged over a second after the feed ran out.
  void settle(bool venue = true) {
    double last = -1;
    int same = 0;
    ASSERT_TRUE(wait_for(
        [&] {
          const std::string m = curl("/metrics");
          const double v =
              metric_sum(m, venue ? "sniperforge_venue_messages_total" : "sniperforge_feed_packets_total");
          const bool fed = metric_sum(m, "sniperforge_feed_packets_total") > 0;
          same = v == last && v > 0 && fed ? same + 1 : 0;
          last = v;
          std::this_thread::sleep_for(std::chrono::milliseconds(250));
          return same >= 4;
        },
        40))
        << read_file(dir_ / "app.log");
    metrics_ = curl("/metrics");
  }
  std::string stop_sim() { return sim_->stop(); }
  std::map<std::string, uint64_t> stop_appliance() {
    kill(app_, SIGTERM);
    int status = 0;
    EXPECT_TRUE(wait_for([&] { return waitpid(app_, &status, WNOHANG) == app_; }, 15))
        << "no exit after SIGTERM";
    app_ = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(dir_ / "app.log");
    return read_stats(dir_ / "app.stats");
  }
  // The simulator's totals against what the appliance believes; returns the fills seen.
  uint64_t expect_same_as_venue(const std::string& totals, const std::map<std::string, uint64_t>& stats) {
    using sf::testing::totals_number;
    // Every sequenced message the venue sent reached the engine once (a repeat or a loss would also
    // trip the engine's own venue checks, counted below).
    EXPECT_EQ(stats.at("venue_messages"), totals_number(totals, "messages"));
    EXPECT_EQ(stats.at("venue_inconsistent_shards"), 0u);
    EXPECT_EQ(stats.at("venue_bad_messages"), 0u);
    // Orders handed to the session, less those it refused when it went down after the risk check,
    // are the orders the venue answered, unless a dropped connection lost some in flight (SoupBinTCP
    // does not resend unsequenced data: those stay open in the engine, never filled).
    const uint64_t handed =
        stats.at("orders_buy") + stats.at("orders_sell") - stats.at("session_orders_refused");
    if (stats.at("session_reconnects") == 0)
      EXPECT_EQ(handed, totals_number(totals, "orders"));
    else
      EXPECT_GE(handed, totals_number(totals, "orders"));
    EXPECT_EQ(stats.at("session_ring_full"), 0u);
    const auto [bought, sold] = expect_positions_as_venue(totals);
    EXPECT_EQ(stats.at("filled_shares_bought"), bought);
    EXPECT_EQ(stats.at("filled_shares_sold"), sold);
    return totals_number(totals, "fills");
  }
  // Positions by symbol and the realized P&L the venue's fills make (average cost, raw 1/10000 $) in the
  // last scrape equal the simulator's totals; the shares bought and sold.
  std::pair<uint64_t, uint64_t> expect_positions_as_venue(const std::string& totals) {
    using sf::testing::totals_number;
    uint64_t bought = 0, sold = 0;
    for (const auto& [symbol, sides] : sf::testing::totals_by_symbol_side(totals, "shares")) {
      const uint64_t nb = sides.count('B') ? sides.at('B') : 0, ns = sides.count('S') ? sides.at('S') : 0;
      bought += nb;
      sold += ns;
      EXPECT_EQ(metric_sum(metrics_, "sniperforge_trade_position_shares", "symbol=\"" + symbol + "\""),
                static_cast<double>(nb) - static_cast<double>(ns))
          << symbol;
    }
    const auto realized = sf::testing::totals_realized_pnl(totals);
    EXPECT_EQ(realized.size(), sf::testing::totals_by_symbol_side(totals, "notional").size()) << totals;
    for (const auto& [symbol, raw] : realized)
      EXPECT_NEAR(metric_sum(metrics_, "sniperforge_trade_realized_pnl_dollars", "symbol=\"" + symbol + "\""),
                  static_cast<double>(raw) / 10000.0, 1e-6)
          << symbol;
    EXPECT_EQ(bought + sold, totals_number(totals, "filled_shares"));
    return {bought, sold};
  }

  fs::path dir_;
  uint16_t port_ = 0;
  std::unique_ptr<sf::testing::VenueSimProcess> sim_;
  pid_t app_ = -1;
  std::string metrics_port_, metrics_;
};

}  // namespace

TEST_F(KernelVenueE2E, FillsComeBackAndPositionsEqualTheVenueTotalsReadyFailsWithoutVenue) {
  start_sim({});
  run_appliance();
  EXPECT_NE(curl("/ready").find("\n200"), std::string::npos) << curl("/ready");
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 1.0) << metrics_;
  EXPECT_GT(metric_sum(metrics_, "sniperforge_session_bytes_sent_total"), 0.0);
  const std::string totals = stop_sim();
  // The venue is gone: the session is down and /ready says so.
  ASSERT_TRUE(wait_for([&] { return curl("/ready").find("order session down") != std::string::npos; }, 10))
      << curl("/ready");
  const auto stats = stop_appliance();
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;
  EXPECT_GT(stats.at("orders_buy") + stats.at("orders_sell"), 0u);
}

TEST_F(KernelVenueE2E, DroppedConnectionReconnectsNothingLostOrAppliedTwice) {
  // Cut after the 24th sequenced message: the 24th is an Accepted whose Executed/Canceled the
  // simulator stores but has not sent, so only a re-login at sequence 25 brings it.
  start_sim({"--drop-after", "24"});
  run_appliance();
  // Reconnected and logged in again.
  ASSERT_TRUE(
      wait_for([&] { return metric_sum(curl("/metrics"), "sniperforge_sessions_logged_in") == 1.0; }, 10));
  metrics_ = curl("/metrics");
  EXPECT_GE(metric_sum(metrics_, "sniperforge_session_reconnects_total"), 1.0) << metrics_;
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;
  EXPECT_GT(stats.at("venue_messages"), 24u);  // more than the simulator sent before it dropped us
  EXPECT_GE(stats.at("session_reconnects"), 1u);
}

// The simulator is killed (SIGKILL) mid-session, with answers to the appliance's orders on its disk but not
// yet sent (--stall-after 20: it stores everything, sends the first 20), and restarted from that store: the
// appliance reconnects, re-logs in at sequence 21, the first it has not processed, and gets the rest:
// nothing lost, nothing applied twice.
TEST_F(KernelVenueE2E, KilledSimulatorRestartedFromItsStoreNothingLostOrAppliedTwice) {
  fs::create_directories(dir_ / "store");
  start_sim({"--store", (dir_ / "store").string(), "--stall-after", "20"});
  run_appliance();  // settles at the 20 messages the stalled simulator sent
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_venue_messages_total"), 20.0);
  ASSERT_GT(metric_sum(metrics_, "sniperforge_orders_sent_total"), 10.0) << "more answers stored than sent";
  sim_->kill9();
  ASSERT_TRUE(
      wait_for([&] { return metric_sum(curl("/metrics"), "sniperforge_sessions_logged_in") == 0.0; }, 10));
  start_sim({"--store", (dir_ / "store").string()}, "sim2.log");
  settle();
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;
  EXPECT_GT(stats.at("venue_messages"), 20u) << "the restarted simulator sent the rest";
  EXPECT_GE(stats.at("session_reconnects"), 1u);
  EXPECT_NE(read_file(dir_ / "sim2.log").find("SNIPE0 logged in, sequence 21\n"), std::string::npos)
      << read_file(dir_ / "sim2.log");
}

// --check-config states the logins, and refuses a login count other than the shards before anything starts.
TEST_F(KernelVenueE2E, CheckConfigCountsLoginsAndRefusesOneShort) {
  const std::string check =
      env("SNIPERFORGE") + " --check-config --rx-pcap " + (dir_ / "feed.pcap").string() + " --config ";
  const fs::path out = dir_ / "check.txt";
  ASSERT_EQ(run(check + (dir_ / "kernel.toml").string() + " > " + out.string() + " 2>&1"), 0)
      << read_file(out);
  EXPECT_NE(read_file(out).find(", 1 login(s) for 1 shard(s): SNIPE0 (shard 0)"), std::string::npos)
      << read_file(out);
  std::string two = read_file(dir_ / "kernel.toml");
  two.replace(two.find("shards = 1"), 10, "shards = 2");
  std::ofstream(dir_ / "two.toml") << two;
  EXPECT_EQ(run(check + (dir_ / "two.toml").string() + " > " + out.string() + " 2>&1"), 2);
  EXPECT_NE(read_file(out).find("needs exactly one [[order_session.login]] per shard, in shard order: "
                                "[trading].shards = 2 but 1 login(s) are configured"),
            std::string::npos)
      << read_file(out);
  EXPECT_EQ(read_file(out).find("pw123"), std::string::npos);
}

// No venue listening: the replay starts once the login wait (timeout_ms) has passed, the risk gate
// refuses every order as session_down (nothing reaches the session ring), and /ready says why.
TEST_F(KernelVenueE2E, NoVenueEveryOrderRefusedSessionDownAndNotReady) {
  run_appliance(false);
  const std::string ready = curl("/ready");
  EXPECT_NE(ready.find("order session down"), std::string::npos) << ready;
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 0.0);
  const auto stats = stop_appliance();
  EXPECT_GT(stats.at("reject_session_down"), 0u);
  EXPECT_EQ(stats.at("orders_buy") + stats.at("orders_sell"), 0u);
  EXPECT_EQ(stats.at("venue_messages"), 0u);
  EXPECT_GE(stats.at("session_reconnects"), 1u);  // it kept trying
}

// Issue #13: the appliance is killed (SIGKILL) while answers to its orders wait at the venue (--stall-after
// 20: the simulator sent 20 and stored the rest) and restarted on its journal, against the simulator
// restarted from its store. The journal gives back the orders and the 20 messages, the session logs in at
// sequence 21 (the one after the last the journal holds), the venue replays what came while the appliance
// was down, and positions and realized P&L equal the simulator's totals; no order is rejected (a reused
// UserRefNum would be) and the journal holds every venue sequence number exactly once, in order.
TEST_F(KernelVenueE2E, KilledApplianceRestartsFromItsJournalAtTheNextVenueSequence) {
  const fs::path journal = dir_ / "journal";
  std::ofstream(dir_ / "kernel.toml", std::ios::app)
      << "\n[journal]\npath = \"" << journal.string() << "\"\nsegment_mb = 1\n";
  fs::create_directories(dir_ / "store");
  start_sim({"--store", (dir_ / "store").string(), "--stall-after", "20"});
  run_appliance();
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_venue_messages_total"), 20.0);
  kill(app_, SIGKILL);
  waitpid(app_, nullptr, 0);
  app_ = -1;
  fs::rename(dir_ / "app.log", dir_ / "app1.log");  // the restart's log must not be read as this one
  sim_->kill9();
  start_sim({"--store", (dir_ / "store").string()}, "sim2.log");
  run_appliance();
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_NE(read_file(dir_ / "sim2.log").find("SNIPE0 logged in, sequence 21\n"), std::string::npos)
      << read_file(dir_ / "sim2.log");
  EXPECT_GT(sf::testing::totals_number(totals, "messages"), 20u);
  EXPECT_EQ(sf::testing::totals_number(totals, "rejected"), 0u) << totals;
  EXPECT_EQ(stats.at("venue_inconsistent_shards"), 0u);
  EXPECT_EQ(stats.at("venue_bad_messages"), 0u);
  expect_positions_as_venue(totals);
  const fs::path seqs = dir_ / "seqs.txt";
  ASSERT_EQ(run(env("SF_JOURNAL") + " dump " + journal.string() +
                " | jq -s -c '[.[] | select(.type == \"venue\") | .venue_seq]' > " + seqs.string()),
            0);
  std::string expected = "[";
  for (uint64_t q = 1; q <= sf::testing::totals_number(totals, "messages"); ++q) {
    if (q > 1) expected += ',';
    expected += std::to_string(q);
  }
  EXPECT_EQ(read_file(seqs), expected + "]\n");
  // The session records: the first run's login asked for 1, the restart's for 21; a logout at the end.
  ASSERT_EQ(
      run(env("SF_JOURNAL") + " dump " + journal.string() +
          " | jq -s -c '[.[] | select(.type == \"session\") | [.event, .next_seq]]' > " + seqs.string()),
      0);
  EXPECT_EQ(read_file(seqs), "[[\"login\",1],[\"login\",21],[\"logout\"," +
                                 std::to_string(sf::testing::totals_number(totals, "messages") + 1) + "]]\n");
  EXPECT_EQ(run(env("SF_JOURNAL") + " verify " + journal.string() + " > /dev/null"), 0);
}
