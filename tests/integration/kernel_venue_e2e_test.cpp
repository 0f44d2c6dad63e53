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

namespace fs = std::filesystem;
using sf::testing::env;
using sf::testing::read_file;
using sf::testing::read_stats;
using sf::testing::run;
using sf::testing::start_logged;
using sf::testing::wait_for;

namespace {

uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The shipped replay config with the SoupBinTCP keys added to [order_session] (the UDP keys stay:
// they are ignored once `transport` says kernel) and one login for its one shard.
std::string kernel_config(uint16_t venue_port, const fs::path& password_file) {
  std::istringstream in(read_file(env("SF_REPLAY_CONFIG")));
  std::string out, line;
  while (std::getline(in, line)) {
    if (line.rfind("transport = ", 0) == 0) continue;  // the shipped "none", replaced below
    out += line + "\n";
    if (line == "[order_session]")
      out += "transport = \"kernel\"\nvenue = \"127.0.0.1:" + std::to_string(venue_port) +
             "\"\nheartbeat_ms = 200\ntimeout_ms = 3000\n";
  }
  return out + "\n[[order_session.login]]\nusername = \"SNIPE0\"\npassword_file = \"" +
         password_file.string() + "\"\nsession = \"\"\n";
}

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
    std::ofstream(dir_ / "creds") << "SNIPE0 pw123\n";
    std::ofstream(dir_ / "pw") << "pw123\n";
    chmod((dir_ / "pw").c_str(), 0600);
    port_ = free_port();
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 30000 -o " +
                  (dir_ / "feed.pcap").string()),
              0);
    std::ofstream(dir_ / "kernel.toml") << kernel_config(port_, dir_ / "pw");
  }
  void TearDown() override {
    for (pid_t* p : {&app_, &sim_})
      if (*p > 0) {
        kill(*p, SIGKILL);
        waitpid(*p, nullptr, 0);
      }
    if (!HasFailure() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir_);
  }
  void start_sim(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"--soupbintcp",
                                  "--listen",
                                  "127.0.0.1:" + std::to_string(port_),
                                  "--credentials",
                                  (dir_ / "creds").string(),
                                  "--totals",
                                  (dir_ / "totals.json").string(),
                                  "--heartbeat-ms",
                                  "200",
                                  "--fill-rule",
                                  "seeded",
                                  "--seed",
                                  "7"};
    args.insert(args.end(), extra.begin(), extra.end());
    sim_ = start_logged(env("SF_VENUE_SIM"), args, dir_ / "sim.log");
    ASSERT_GT(sim_, 0);
  }
  std::string curl(const std::string& path) {
    const fs::path out = dir_ / "curl.txt";
    run("curl -s -w '\\n%{http_code}' http://127.0.0.1:" + metrics_port_ + path + " > " + out.string());
    return read_file(out);
  }
  // Starts the appliance (replay, --hold, metrics on a free port) and waits until the venue traffic
  // has settled: the scrape's venue message count unchanged over a second after the feed ran out
  // (`venue` false: no venue expected, only the feed).
  void run_appliance(bool venue = true) {
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
        << read_file(log);
    metrics_ = curl("/metrics");
  }
  std::string stop_sim() {
    kill(sim_, SIGTERM);
    int status = 0;
    waitpid(sim_, &status, 0);
    sim_ = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(dir_ / "sim.log");
    return read_file(dir_ / "totals.json");
  }
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
    auto number = [&](const std::string& key) -> uint64_t {
      std::smatch m;
      EXPECT_TRUE(std::regex_search(totals, m, std::regex("\"" + key + "\":([0-9]+)")))
          << key << ": " << totals;
      return m.empty() ? 0 : std::stoull(m[1]);
    };
    // Every sequenced message the venue sent reached the engine once (a repeat or a loss would also
    // trip the engine's own venue checks, counted below).
    EXPECT_EQ(stats.at("venue_messages"), number("messages"));
    EXPECT_EQ(stats.at("venue_inconsistent_shards"), 0u);
    EXPECT_EQ(stats.at("venue_bad_messages"), 0u);
    // Orders handed to the session, less those it refused when it went down after the risk check,
    // are the orders the venue answered, unless a dropped connection lost some in flight (SoupBinTCP
    // does not resend unsequenced data: those stay open in the engine, never filled).
    const uint64_t handed =
        stats.at("orders_buy") + stats.at("orders_sell") - stats.at("session_orders_refused");
    if (stats.at("session_reconnects") == 0)
      EXPECT_EQ(handed, number("orders"));
    else
      EXPECT_GE(handed, number("orders"));
    EXPECT_EQ(stats.at("session_ring_full"), 0u);
    uint64_t bought = 0, sold = 0;
    const std::regex sym("\"([A-Z0-9]+)\":\\{((\"[BS]\":[0-9]+,?)+)\\}");
    for (std::sregex_iterator it(totals.begin(), totals.end(), sym), end; it != end; ++it) {
      const std::string symbol = (*it)[1], sides = (*it)[2];
      std::smatch b, s;
      const uint64_t nb = std::regex_search(sides, b, std::regex("\"B\":([0-9]+)")) ? std::stoull(b[1]) : 0;
      const uint64_t ns = std::regex_search(sides, s, std::regex("\"S\":([0-9]+)")) ? std::stoull(s[1]) : 0;
      bought += nb;
      sold += ns;
      EXPECT_EQ(metric_sum(metrics_, "sniperforge_trade_position_shares", "symbol=\"" + symbol + "\""),
                static_cast<double>(nb) - static_cast<double>(ns))
          << symbol;
    }
    EXPECT_EQ(stats.at("filled_shares_bought"), bought);
    EXPECT_EQ(stats.at("filled_shares_sold"), sold);
    EXPECT_EQ(bought + sold, number("filled_shares"));
    return number("fills");
  }

  fs::path dir_;
  uint16_t port_ = 0;
  pid_t sim_ = -1, app_ = -1;
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
