// End to end over SoupBinTCP, for both transports (the test parameter): the real sniperforge replays an
// sf-feedgen feed (net_pcap, --hold) and each order the risk gate passes goes to a real
// `sf-venue-sim --soupbintcp`, and the Accepted / Executed / Canceled messages come back into the engine.
//   kernel: through the shard's KernelSession over loopback TCP;
//   dpdk:   through our own TCP on the executor lcore, on a second port (net_af_packet on a veth pair,
//           venue_netns.hpp) to the simulator in a network namespace (kernel TCP there): ARP, login,
//           heartbeats and orders all leave as frames the appliance builds. What the appliance believes
//           (positions per symbol in /metrics,
// filled shares and venue messages in --stats-file) must equal the simulator's own JSON totals; with
// `--drop-after` the simulator cuts the connection mid-session and the appliance must reconnect and
// re-log in at the next sequence number, losing and repeating nothing. /ready fails once the venue
// is gone.
#pragma once

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
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sf_test_process.hpp"
#include "venue_netns.hpp"

namespace sf::testing::venue_e2e {
namespace fs = std::filesystem;
using sf::testing::env;
using sf::testing::read_file;
using sf::testing::read_stats;
using sf::testing::run;
using sf::testing::start_logged;
using sf::testing::wait_for;

inline uint16_t free_port() {
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
// they are ignored once `transport` is set) and one login for its one shard. dpdk: the order session
// moves to a second port, net_af_packet on the near end of `link`, our address local_ip.
inline std::string venue_config(const std::string& transport, const std::string& venue,
                                const fs::path& password_file, const fs::path& dir,
                                const sf::testing::VenueNetns* link) {
  std::istringstream in(read_file(env("SF_REPLAY_CONFIG")));
  std::string out, line, table;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') table = line;
    if (line.rfind("transport = ", 0) == 0) continue;  // the shipped one, replaced below
    if (link && table == "[order_session]" && line.rfind("port = ", 0) == 0) line = "port = \"venue\"";
    if (link && table == "[[port]]" && line.rfind("devargs = ", 0) == 0)  // the feed port's TX pcap: ours
      line = "devargs = \"net_pcap0,rx_pcap=feed.pcap,tx_pcap=" + (dir / "feed-tx.pcap").string() + "\"";
    out += line + "\n";
    if (line == "[order_session]")
      out += "transport = \"" + transport + "\"\nvenue = \"" + venue +
             "\"\nheartbeat_ms = 200\ntimeout_ms = 3000\n" +
             (link ? "local_ip = \"" + link->local_ip + "\"\n" : "");
  }
  out += "\n[[order_session.login]]\nusername = \"SNIPE0\"\npassword_file = \"" + password_file.string() +
         "\"\nsession = \"\"\n";
  if (link)
    out += "\n[[port]]\nname = \"venue\"\ndevargs = \"net_af_packet0,iface=" + link->near_if +
           ",qpairs=1\"\nrx_queues = 1\ntx_queues = 1\n";
  return out;
}

// Sum of the samples of one metric family whose labels contain `filter`.
inline double metric_sum(const std::string& text, const std::string& name, const std::string& filter = "") {
  std::istringstream in(text);
  std::string line;
  double sum = 0;
  while (std::getline(in, line)) {
    if (line.rfind(name + "{", 0) != 0 || line.find(filter) == std::string::npos) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

class VenueE2E : public ::testing::TestWithParam<std::string> {
 protected:
  bool dpdk() const { return GetParam() == "dpdk"; }
  void SetUp() override {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_REPLAY_CONFIG", "SF_VENUE_SIM"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name)
      if (c == '/') c = '_';
    dir_ = fs::temp_directory_path() / ("sf-venue-" + std::to_string(getpid()) + "-" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "creds") << "SNIPE0 pw123\n";
    std::ofstream(dir_ / "pw") << "pw123\n";
    chmod((dir_ / "pw").c_str(), 0600);
    port_ = free_port();
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 30000 -o " +
                  (dir_ / "feed.pcap").string()),
              0);
    if (dpdk()) {
      link_ = std::make_unique<sf::testing::VenueNetns>(std::to_string(++links_));
      if (!link_->up()) GTEST_SKIP() << "needs root and network namespaces (veth, net_af_packet)";
      venue_addr_ = link_->venue_ip + ":" + std::to_string(port_);
    } else {
      venue_addr_ = "127.0.0.1:" + std::to_string(port_);
    }
    std::ofstream(dir_ / "venue.toml")
        << venue_config(GetParam(), venue_addr_, dir_ / "pw", dir_, link_.get());
  }
  void TearDown() override {
    for (pid_t* p : {&app_, &sim_})
      if (*p > 0) {
        kill(*p, SIGKILL);
        waitpid(*p, nullptr, 0);
      }
    link_.reset();
    if (!HasFailure() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir_);
  }
  void start_sim(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"--soupbintcp",
                                  "--listen",
                                  venue_addr_,
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
    if (dpdk())  // in the namespace: `ip netns exec` execs the simulator (same pid)
      args.insert(args.begin(), {"ip", "netns", "exec", link_->ns, env("SF_VENUE_SIM")});
    sim_ = start_logged(dpdk() ? "/usr/bin/env" : env("SF_VENUE_SIM"), args, dir_ / "sim.log");
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
    std::vector<std::string> args{"--config",       (dir_ / "venue.toml").string(),
                                  "--rx-pcap",      (dir_ / "feed.pcap").string(),
                                  "--stats-file",   (dir_ / "app.stats").string(),
                                  "--metrics-addr", "127.0.0.1:0",
                                  "--hold",         "--quiet"};
    if (!dpdk()) args.insert(args.end(), {"--tx-pcap", (dir_ / "tx.pcap").string()});
    app_ = start_logged(env("SNIPERFORGE"), args, log);
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
  std::unique_ptr<sf::testing::VenueNetns> link_;  // dpdk: the order-entry veth pair
  static inline int links_ = 0;
  std::string venue_addr_;
  uint16_t port_ = 0;
  pid_t sim_ = -1, app_ = -1;
  std::string metrics_port_, metrics_;
};

}  // namespace sf::testing::venue_e2e
