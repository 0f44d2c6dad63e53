// The fixture of the SoupBinTCP end-to-end tests (venue_e2e_test.cpp, kernel_venue_e2e_test.cpp,
// venue_forged_test.cpp), for both transports (the test parameter): the real sniperforge replays an
// sf-feedgen feed (net_pcap, --hold), each order the risk gate passes goes to a real
// `sf-venue-sim --soupbintcp`, and the Accepted / Executed / Canceled messages come back into the engine.
//   kernel: through the shard's KernelSession over loopback TCP;
//   dpdk:   through our own TCP on the executor lcore, on a second port (net_af_packet on the near end of a
//           veth pair, venue_netns.hpp) to the simulator in a network namespace (kernel TCP there): ARP,
//           login, heartbeats and orders all leave as frames the appliance builds.
// What the appliance believes (positions per symbol in /metrics, filled shares and venue messages in
// --stats-file) must equal the simulator's own JSON totals; with `--drop-after` the simulator cuts the
// connection mid-session and the appliance must reconnect and re-log in at the next sequence number,
// losing and repeating nothing. /ready fails once the venue is gone.
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
#include <utility>
#include <vector>

#include "sf_test_process.hpp"
#include "venue_netns.hpp"
#include "venue_sim_process.hpp"

namespace sf::testing::venue_e2e {
using namespace sf::testing::process;

// The shipped replay config to the venue (replay_config_to_venue), one shard per user and one login each
// (password_file for all). With a `link`: dpdk, the order session moves to a second port, net_af_packet on
// the near end of the veth pair, our address local_ip; kernel, the socket binds local_ip (the near end's).
inline std::string venue_config(const std::string& transport, const std::string& venue,
                                const fs::path& password_file, const fs::path& dir, const VenueNetns* link,
                                const std::vector<std::string>& users = {"SNIPE0"}) {
  const VenueNetns* own_port = transport == "dpdk" ? link : nullptr;
  const std::string session_extra =
      link ? "local_ip = \"" + link->local_ip + "\"\n" +
                 (link->vlan ? "vlan = " + std::to_string(link->vlan) + "\n" : "")
           : "";
  std::string out = sf::testing::replay_config_to_venue(
      transport, venue, password_file, session_extra,
      [&](const std::string& table, std::string& line) {
        if (table == "[trading]" && line.rfind("shards = ", 0) == 0)
          line = "shards = " + std::to_string(users.size());
        if (own_port && table == "[order_session]" && line.rfind("port = ", 0) == 0)
          line = "port = \"venue\"";
        if (own_port && table == "[[port]]" &&
            line.rfind("devargs = ", 0) == 0)  // the feed port's TX pcap: ours
          line = "devargs = \"net_pcap0,rx_pcap=feed.pcap,tx_pcap=" + (dir / "feed-tx.pcap").string() + "\"";
      },
      users);
  if (own_port)
    out += "\n[[port]]\nname = \"venue\"\ndevargs = \"net_af_packet0,iface=" + link->near_if +
           ",qpairs=1\"\nrx_queues = 1\ntx_queues = 1\n";
  return out;
}

class VenueE2E : public ::testing::TestWithParam<std::string> {
 protected:
  bool dpdk() const { return GetParam() == "dpdk"; }
  // dpdk: the 802.1Q VLAN of the order port ([order_session] vlan; 0 untagged).
  virtual uint16_t order_vlan() const { return 0; }
  // The simulator in a network namespace behind a veth pair (always for dpdk; kernel: when a test
  // impairs or cuts the link there), else on loopback.
  virtual bool venue_in_netns() const { return dpdk(); }
  // One shard per user, each with its own login (all with the same password).
  virtual std::vector<std::string> users() const { return {"SNIPE0"}; }
  void SetUp() override {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_REPLAY_CONFIG", "SF_VENUE_SIM"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name)
      if (c == '/') c = '_';
    dir_ = fs::temp_directory_path() / ("sf-venue-" + std::to_string(getpid()) + "-" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string credentials;
    for (const std::string& user : users()) credentials += user + " pw123\n";
    sim_ = std::make_unique<sf::testing::VenueSimProcess>(dir_, credentials);
    std::ofstream(dir_ / "pw") << "pw123\n";
    chmod((dir_ / "pw").c_str(), 0600);
    port_ = sim_->port();
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 30000 -o " +
                  (dir_ / "feed.pcap").string()),
              0);
    std::string venue = "127.0.0.1:" + std::to_string(port_);
    if (venue_in_netns()) {
      link_ = std::make_unique<VenueNetns>(std::to_string(++links_));
      link_->vlan = order_vlan();
      if (!dpdk()) {
        link_->address_near_end = true;
        link_->use_unique_subnet(static_cast<unsigned>(links_));
      }
      if (!link_->up()) GTEST_SKIP() << "needs root and network namespaces (veth, net_af_packet)";
      sim_->in_netns(link_->ns, link_->venue_ip);
      venue = link_->venue_ip + ":" + std::to_string(port_);
    }
    std::ofstream(dir_ / "kernel.toml")
        << venue_config(GetParam(), venue, dir_ / "pw", dir_, link_.get(), users());
  }
  void TearDown() override {
    kill_child(app_);
    sim_.reset();
    link_.reset();
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
    std::vector<std::string> args{"--config",       (dir_ / "kernel.toml").string(),
                                  "--rx-pcap",      (dir_ / "feed.pcap").string(),
                                  "--stats-file",   (dir_ / "app.stats").string(),
                                  "--metrics-addr", "127.0.0.1:0",
                                  "--hold",         "--quiet"};
    if (GetParam() == "kernel")  // dpdk: the order port is af_packet (or net_tap), not the feed pcap
      args.insert(args.end(), {"--tx-pcap", (dir_ / "tx.pcap").string()});
    app_ = start_logged(env("SNIPERFORGE"), args, log);
    ASSERT_GT(app_, 0);
    metrics_port_ = wait_for_ready_port(log, 30);
    ASSERT_FALSE(metrics_port_.empty()) << read_file(log);
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
  std::string in_ns() const { return "ip netns exec " + link_->ns + " "; }
  // nftables on the venue's veth ingress (venue_in_netns()): every `every`-th TCP segment of the appliance
  // that carries data (PSH) is lost on the way in (the kernel has no tc netem). A counter, not a random
  // draw: a run that sends `every` data segments loses at least one, so "retransmits > 0" cannot flake on
  // a short run (a 10 % random draw spared all of a kernel session's segments once).
  void lose_towards_venue(int every) {
    ASSERT_EQ(run("printf '%s\\n' 'table netdev sflossy { chain in { type filter hook ingress device \"" +
                  link_->far_if + "\" priority 0; ip protocol tcp tcp flags & psh == psh numgen inc mod " +
                  std::to_string(every) + " == 0 drop; }; }' | " + in_ns() + "nft -f -"),
              0);
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
  std::unique_ptr<VenueNetns> link_;  // dpdk: the order-entry veth pair
  static inline int links_ = 0;
  uint16_t port_ = 0;
  std::unique_ptr<sf::testing::VenueSimProcess> sim_;
  pid_t app_ = -1;
  std::string metrics_port_, metrics_;
};

}  // namespace sf::testing::venue_e2e
