// A live run through the kernel: a veth pair whose far end sits in a network namespace. sniperforge
// reads the near end with net_af_packet; an ordinary UDP socket in the namespace sends the feed (the UDP
// payloads of an sf-feedgen pcap), and `sf-venue-sim --soupbintcp` there (kernel TCP) takes the orders over
// SoupBinTCP, which the appliance speaks over its own TCP on the same port (`transport = "dpdk"`; the near
// end has no address, so the kernel there neither answers ARP for the appliance nor resets its
// connection). Every order the appliance sends must reach the venue, every answer (Accepted + Executed)
// must come back as a fill, and (when the kernel lost nothing) the orders equal a replay of the same feed.
// (Checksum offload through net_tap: integration_dpdk_venue_tap.)
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sf_test_process.hpp"
#include "venue_sim_process.hpp"

namespace {

using namespace sf::testing::process;

// The shipped replay config's trading tables, with the given port and run-to-completion. `soup`: the
// [order_session] lines that replace the shipped `transport` line; `login`: appended at the end.
std::string config_text(const std::string& devargs, const std::string& src_ip, const std::string& dst_ip,
                        const std::string& soup, const std::string& login = "") {
  std::istringstream in(read_file(env("SF_REPLAY_CONFIG")));
  std::string out, line, table;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') table = line.substr(0, line.rfind(']') + 1);
    auto key_is = [&](const char* k) { return line.rfind(std::string(k) + " ", 0) == 0; };
    if (table == "[order_session]" && key_is("transport")) {
      out += soup;
      continue;
    }
    // The shipped stream's addresses: the soup's own when it names them, else ours.
    const bool soup_addresses = soup.find("local_ip = ") != std::string::npos;
    if (table == "[order_session]" && key_is("local_ip")) {
      if (soup_addresses) continue;
      line = "local_ip = \"" + src_ip + "\"";
    }
    if (table == "[order_session]" && key_is("venue")) {
      if (soup_addresses) continue;
      line = "venue = \"" + dst_ip + ":40001\"";
    }
    if (table == "[[port]]" && key_is("devargs")) line = "devargs = \"" + devargs + "\"";
    if (table == "[lcores]" && key_is("mode")) line = "mode = \"run_to_completion\"";
    out += line + "\n";
  }
  return out + login;
}

class LiveAfPacket : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v :
         {"SNIPERFORGE", "SF_FEEDGEN", "SF_TX_ORDERS", "SF_REPLAY_CONFIG", "SF_LIVE_SCRIPTS", "SF_VENUE_SIM"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, veth)";
    const std::string id = std::to_string(getpid() % 100000);
    ns_ = "sflive" + id;
    near_ = "sfa" + id;
    far_ = "sfb" + id;
    if (run("ip netns add " + ns_ + " 2>/dev/null") != 0)
      GTEST_SKIP() << "cannot create a network namespace here";
    ns_created_ = true;
    ASSERT_EQ(run("ip link add " + near_ + " type veth peer name " + far_), 0);
    ASSERT_EQ(run("ip link set " + far_ + " netns " + ns_), 0);
    ASSERT_EQ(run("sysctl -qw net.ipv6.conf." + near_ + ".disable_ipv6=1"), 0);
    // No address on the near end: 10.77.0.1 is the appliance's (it answers ARP), not this kernel's.
    ASSERT_EQ(run("sysctl -qw net.ipv4.conf." + near_ + ".forwarding=0 && ip link set " + near_ + " up"), 0);
    // The far end's checksums complete (tx off): our TCP verifies what the kernel sends.
    ASSERT_EQ(run("ip netns exec " + ns_ + " sh -c 'sysctl -qw net.ipv6.conf." + far_ +
                  ".disable_ipv6=1; ip addr add 10.77.0.2/24 dev " + far_ + " && ip link set " + far_ +
                  " up && ip link set lo up && ethtool -K " + far_ + " tx off >/dev/null'"),
              0);
    char tmpl[] = "/tmp/sf-live-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    for (pid_t p : {pid_, venue_})
      if (p > 0) {
        kill(p, SIGKILL);
        waitpid(p, nullptr, 0);
      }
    if (ns_created_) {
      run("ip netns pids " + ns_ + " 2>/dev/null | xargs -r kill 2>/dev/null");
      run("ip link del " + near_ + " 2>/dev/null");
      run("ip netns del " + ns_ + " 2>/dev/null");
    }
    std::error_code ec;
    if (!dir_.empty() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir_, ec);
  }

  // One live run in dir_/`name`: sf-venue-sim --soupbintcp in the namespace, the appliance on the near end
  // logged in to it, the feed sent from the namespace; the appliance stops (SIGTERM: it logs out) once the
  // answers are in, then the simulator (its totals JSON).
  struct LiveResult {
    std::map<std::string, uint64_t> stats;
    std::string totals;  // the simulator's totals JSON
    fs::path feed, log, venue_log;
  };
  void run_live(const std::string& name, LiveResult& out) {
    const fs::path dir = dir_ / name;
    fs::create_directories(dir);
    const fs::path feed = out.feed = dir / "feed.pcap";
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 30000 -o " + feed.string()),
              0);
    std::ofstream(dir / "creds") << "SNIPE0 pw123\n";
    std::ofstream(dir / "pw") << "pw123\n";
    chmod((dir / "pw").c_str(), 0600);
    std::ofstream(dir / "live.toml") << config_text(
        "net_af_packet0,iface=" + near_ + ",qpairs=1", "10.77.0.1", "10.77.0.2",
        "transport = \"dpdk\"\nlocal_ip = \"10.77.0.1\"\nvenue = \"10.77.0.2:15000\"\nheartbeat_ms = 200\n"
        "timeout_ms = 3000\n",
        "\n[[order_session.login]]\nusername = \"SNIPE0\"\npassword_file = \"" + (dir / "pw").string() +
            "\"\nsession = \"\"\n");

    // The venue in the namespace (Accepted + Executed for every order), then the appliance, then the feed.
    const fs::path venue_log = dir / "venue.log", totals = dir / "totals.json";
    venue_ = start_logged(
        "/usr/bin/env",
        {"ip", "netns", "exec", ns_, env("SF_VENUE_SIM"), "--soupbintcp", "--listen", "10.77.0.2:15000",
         "--credentials", (dir / "creds").string(), "--totals", totals.string(), "--heartbeat-ms", "200"},
        venue_log);
    ASSERT_GT(venue_, 0);
    ASSERT_TRUE(wait_for([&] { return read_file(venue_log).find("listening") != std::string::npos; }, 10))
        << "venue simulator did not start";

    const fs::path log = dir / "live.log", stats = dir / "live.stats";
    std::vector<std::string> args{"--config",       (dir / "live.toml").string(),
                                  "--stats-file",   stats.string(),
                                  "--metrics-addr", "127.0.0.1:0"};
    pid_ = start_logged(env("SNIPERFORGE"), args, log);
    ASSERT_GE(pid_, 0);
    const std::string metrics_port = wait_for_ready_port(log, 30);
    ASSERT_FALSE(metrics_port.empty()) << read_file(log);
    ASSERT_TRUE(
        wait_for([&] { return read_file(venue_log).find("SNIPE0 logged in") != std::string::npos; }, 20))
        << read_file(log) << read_file(venue_log);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(run("ip netns exec " + ns_ + " python3 " + env("SF_LIVE_SCRIPTS") + "/live_feed_sender.py " +
                  feed.string() + " 10.77.0.1 26477 4 > " + (dir / "sender.log").string() + " 2>&1"),
              0)
        << read_file(dir / "sender.log");
    // Settled: the feed and order counts stopped moving and every order sent has both its answers
    // (Accepted + Executed), however slowly this host schedules the lcores.
    double last_feed = -1, last_orders = -1;
    ASSERT_TRUE(wait_for(
        [&] {
          const fs::path scrape = dir / "metrics.txt";
          run("curl -s http://127.0.0.1:" + metrics_port + "/metrics > " + scrape.string());
          const std::string m = read_file(scrape);
          const double feed = metric_sum(m, "sniperforge_feed_packets_total"),
                       orders = metric_sum(m, "sniperforge_orders_sent_total"),
                       answers = metric_sum(m, "sniperforge_venue_messages_total");
          const bool settled =
              feed > 0 && feed == last_feed && orders == last_orders && answers == 2 * orders;
          last_feed = feed;
          last_orders = orders;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          return settled;
        },
        30))
        << read_file(log) << read_file(dir / "metrics.txt");

    ASSERT_EQ(kill(pid_, SIGTERM), 0);
    int status = 0;
    ASSERT_TRUE(wait_for([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, 10))
        << "no exit after SIGTERM";
    pid_ = -1;
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << read_file(log);
    ASSERT_EQ(kill(venue_, SIGTERM), 0);
    ASSERT_TRUE(wait_for([&] { return waitpid(venue_, &status, WNOHANG) == venue_; }, 10));
    venue_ = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(venue_log);
    out.stats = read_stats(stats);
    out.totals = read_file(totals);
    out.log = log;
    out.venue_log = venue_log;
  }

  std::string ns_, near_, far_;
  bool ns_created_ = false;
  fs::path dir_;
  pid_t pid_ = -1, venue_ = -1;
};

TEST_F(LiveAfPacket, FeedInOrdersOutThroughTheKernel) {
  LiveResult r;
  ASSERT_NO_FATAL_FAILURE(run_live("plain", r));
  const auto& st = r.stats;
  const uint64_t orders = st.at("orders_buy") + st.at("orders_sell");
  using sf::testing::totals_number;
  std::printf("[ info ] live: %lu feed packets, %lu messages, %lu gaps, %lu orders sent, %lu received\n",
              static_cast<unsigned long>(st.at("feed_packets")),
              static_cast<unsigned long>(st.at("messages")), static_cast<unsigned long>(st.at("gaps")),
              static_cast<unsigned long>(orders),
              static_cast<unsigned long>(totals_number(r.totals, "orders")));
  EXPECT_GT(st.at("feed_packets"), 0u) << read_file(r.log);
  ASSERT_GT(orders, 0u) << "the sniper rules should fire on this feed";
  EXPECT_EQ(st.at("reject_session_down"), 0u) << "logged in before the feed";
  EXPECT_EQ(totals_number(r.totals, "orders"), orders) << "every order sent arrives at the venue";
  // The venue's answers came back over our TCP and reached the owning engine.
  EXPECT_EQ(st.at("venue_messages"), totals_number(r.totals, "messages"));
  EXPECT_EQ(st.at("venue_messages"), 2 * orders) << "Accepted + Executed per order";
  EXPECT_EQ(st.at("venue_bad_messages"), 0u);
  EXPECT_EQ(st.at("fills"), orders);

  if (st.at("gaps") == 0 && st.at("messages") == 30000) {
    // Nothing lost on the way in: the same orders as a replay of the same pcap (transport "none": its TX
    // pcap's synthetic SoupBinTCP stream), compared as shares by symbol and side, all filled at the venue.
    std::ofstream(dir_ / "replay.toml") << config_text(
        "net_pcap0,rx_pcap=" + r.feed.string() + ",tx_pcap=" + (dir_ / "replay.tx.pcap").string(),
        "10.77.0.1", "10.77.0.2", "transport = \"none\"\n");
    ASSERT_EQ(run(env("SNIPERFORGE") + " --config " + (dir_ / "replay.toml").string() + " > " +
                  (dir_ / "replay.log").string() + " 2>&1"),
              0);
    ASSERT_EQ(run(env("SF_TX_ORDERS") + " " + (dir_ / "replay.tx.pcap").string() + " > " +
                  (dir_ / "replay.csv").string() + " 2>/dev/null"),
              0);
    std::istringstream csv(read_file(dir_ / "replay.csv"));
    std::string line;
    std::getline(csv, line);
    std::map<std::string, std::map<char, uint64_t>> replayed;  // seq,symbol,side,quantity,price,user_ref_num
    uint64_t replayed_orders = 0;
    while (std::getline(csv, line)) {
      std::vector<std::string> f;
      std::istringstream cells(line);
      for (std::string c; std::getline(cells, c, ',');) f.push_back(c);
      ASSERT_EQ(f.size(), 6u) << line;
      replayed[f[1]][f[2][0]] += std::stoull(f[3]);
      ++replayed_orders;
    }
    EXPECT_EQ(replayed_orders, orders);
    EXPECT_EQ(sf::testing::totals_by_symbol_side(r.totals, "shares"), replayed) << r.totals;
  } else {
    std::printf("[ info ] the kernel path lost feed packets: skipped the replay comparison\n");
  }
}

}  // namespace
