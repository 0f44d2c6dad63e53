// A live run through the kernel: a veth pair whose far end sits in a network namespace. sniperforge
// reads the near end with net_af_packet; an ordinary UDP socket in the namespace sends the feed
// (the UDP payloads of an sf-feedgen pcap) and sf-venue-sim (another ordinary socket there) receives
// the orders and answers each with Accepted + Executed. The orders that arrive must be exactly those
// the appliance reports sending, (when the kernel lost nothing) the same as a net_pcap replay of the
// same feed, and every venue answer must reach the owning engine as a fill.
#include <gtest/gtest.h>
#include <signal.h>
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
#include "sniperforge/dataplane/order_frame.hpp"

namespace {

using namespace sf::testing::process;

// Orders CSV lines (without header) from the hex datagrams the receiver wrote.
std::vector<std::string> orders_from_hex(const std::string& text) {
  std::vector<std::string> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<uint8_t> d(line.size() / 2);
    for (std::size_t i = 0; i < d.size(); ++i)
      d[i] = static_cast<uint8_t>(std::stoi(line.substr(2 * i, 2), nullptr, 16));
    (void)sf::session::for_each_packet(
        d.data(), d.size(), sf::session::Direction::kClientToVenue, [&](const sf::session::Packet& p) {
          if (p.type != sf::session::type::kUnsequencedData ||
              sf::ouch::inbound::validate(p.payload, p.payload_length) != sf::ouch::Error::kOk ||
              p.payload[0] != 'O')
            return;
          const sf::ouch::inbound::views::EnterOrder o(p.payload, p.payload_length);
          uint64_t seq = 0;
          if (!sf::dataplane::trigger_seq_from_cl_ord_id(o.cl_ord_id(), seq)) return;
          rows.push_back(std::to_string(seq) + "," + std::string(sf::itch::trim_alpha(o.symbol())) + "," +
                         std::string(1, o.side()) + "," + std::to_string(o.quantity()) + "," +
                         std::to_string(o.price()) + "," + std::to_string(o.user_ref_num()));
        });
  }
  std::sort(rows.begin(), rows.end(), [](const std::string& a, const std::string& b) {
    const auto sa = std::stoull(a.substr(0, a.find(','))), sb = std::stoull(b.substr(0, b.find(',')));
    const auto ua = std::stoull(a.substr(a.rfind(',') + 1)), ub = std::stoull(b.substr(b.rfind(',') + 1));
    return std::tie(sa, ua) < std::tie(sb, ub);
  });
  return rows;
}

std::string config_text(const std::string& devargs, const std::string& src_mac, const std::string& dst_mac,
                        const std::string& src_ip = "10.77.0.1", const std::string& dst_ip = "10.77.0.2") {
  // The shipped replay config's trading tables, with an af_packet port and run-to-completion.
  std::istringstream in(read_file(env("SF_REPLAY_CONFIG")));
  std::string out, line, table;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') table = line.substr(0, line.rfind(']') + 1);
    auto key_is = [&](const char* k) { return line.rfind(std::string(k) + " ", 0) == 0; };
    if (table == "[order_session]" && key_is("transport")) continue;  // the UDP session sf-venue-sim answers
    if (table == "[[port]]" && key_is("devargs")) line = "devargs = \"" + devargs + "\"";
    if (table == "[lcores]" && key_is("mode")) line = "mode = \"run_to_completion\"";
    if (table == "[order_session]" && key_is("src_mac")) line = "src_mac = \"" + src_mac + "\"";
    if (table == "[order_session]" && key_is("dst_mac")) line = "dst_mac = \"" + dst_mac + "\"";
    if (table == "[order_session]" && key_is("src_ip")) line = "src_ip = \"" + src_ip + "\"";
    if (table == "[order_session]" && key_is("dst_ip")) line = "dst_ip = \"" + dst_ip + "\"";
    out += line + "\n";
  }
  return out;
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
    ASSERT_EQ(run("ip addr add 10.77.0.1/24 dev " + near_ + " && ip link set " + near_ + " up"), 0);
    ASSERT_EQ(run("ip netns exec " + ns_ + " sh -c 'sysctl -qw net.ipv6.conf." + far_ +
                  ".disable_ipv6=1; ip addr add 10.77.0.2/24 dev " + far_ + " && ip link set " + far_ +
                  " up && ip link set lo up'"),
              0);
    char tmpl[] = "/tmp/sf-live-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (ns_created_) {
      run("ip netns pids " + ns_ + " 2>/dev/null | xargs -r kill 2>/dev/null");
      run("ip link del " + near_ + " 2>/dev/null");
      run("ip netns del " + ns_ + " 2>/dev/null");
    }
    std::error_code ec;
    if (!dir_.empty() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir_, ec);
  }

  // One live run in dir_/`name`: sf-venue-sim (with `venue_args`) in the namespace, the appliance on the near
  // end, the feed sent from the namespace; ends with SIGTERM once the venue has gone idle.
  struct LiveResult {
    std::map<std::string, uint64_t> stats;
    std::vector<std::string> received;  // orders the venue got, as CSV rows
    fs::path feed, log, venue_log;
    std::string near_mac, far_mac;
  };
  void run_live(const std::string& name, const std::string& venue_args, LiveResult& out) {
    const fs::path dir = dir_ / name;
    fs::create_directories(dir);
    const fs::path feed = out.feed = dir / "feed.pcap";
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 30000 -o " + feed.string()),
              0);
    std::string near_mac = read_file("/sys/class/net/" + near_ + "/address");
    near_mac.erase(near_mac.find_last_not_of("\n ") + 1);
    ASSERT_EQ(run("ip netns exec " + ns_ + " cat /sys/class/net/" + far_ + "/address > " +
                  (dir / "far_mac").string()),
              0);
    std::string far_mac = read_file(dir / "far_mac");
    far_mac.erase(far_mac.find_last_not_of("\n ") + 1);
    std::ofstream(dir / "live.toml") << config_text("net_af_packet0,iface=" + near_ + ",qpairs=1", near_mac,
                                                    far_mac);

    // The venue in the namespace (sf-venue-sim, an ordinary UDP socket: records the orders and answers
    // each with Accepted + Executed), then the appliance, then the feed.
    const std::string scripts = env("SF_LIVE_SCRIPTS");
    const fs::path orders_hex = dir / "orders.hex", venue_log = dir / "venue.log", done = dir / "done";
    ASSERT_EQ(run("(ip netns exec " + ns_ + " " + env("SF_VENUE_SIM") +
                  " --listen 0.0.0.0:40001 --orders-hex " + orders_hex.string() + " --idle-exit 3 " +
                  venue_args + " > " + venue_log.string() + " 2>&1; touch " + done.string() + ") &"),
              0);
    ASSERT_TRUE(wait_for([&] { return read_file(venue_log).find("listening") != std::string::npos; }, 10))
        << "venue simulator did not start";

    const fs::path log = dir / "live.log", stats = dir / "live.stats";
    std::vector<std::string> args{"--config", (dir / "live.toml").string(), "--stats-file", stats.string()};
    pid_ = start_logged(env("SNIPERFORGE"), args, log);
    ASSERT_GE(pid_, 0);
    ASSERT_TRUE(wait_for([&] { return read_file(log).find("feed port") != std::string::npos; }, 20))
        << read_file(log);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(run("ip netns exec " + ns_ + " python3 " + scripts + "/live_feed_sender.py " + feed.string() +
                  " 10.77.0.1 26477 4 > " + (dir / "sender.log").string() + " 2>&1"),
              0)
        << read_file(dir / "sender.log");
    ASSERT_TRUE(wait_for([&] { return fs::exists(done); }, 30)) << "venue simulator did not finish";

    ASSERT_EQ(kill(pid_, SIGTERM), 0);
    int status = 0;
    ASSERT_TRUE(wait_for([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, 10))
        << "no exit after SIGTERM";
    pid_ = -1;
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << read_file(log);
    out.stats = read_stats(stats);
    out.received = orders_from_hex(read_file(orders_hex));
    out.log = log;
    out.venue_log = venue_log;
    out.near_mac = near_mac;
    out.far_mac = far_mac;
  }

  std::string ns_, near_, far_;
  bool ns_created_ = false;
  fs::path dir_;
  pid_t pid_ = -1;
};

TEST_F(LiveAfPacket, FeedInOrdersOutThroughTheKernel) {
  LiveResult r;
  ASSERT_NO_FATAL_FAILURE(run_live("plain", "", r));
  const auto& st = r.stats;
  const auto& received = r.received;
  const fs::path feed = r.feed, venue_log = r.venue_log, log = r.log;
  const std::string near_mac = r.near_mac, far_mac = r.far_mac;
  std::printf("[ info ] live: %lu feed packets, %lu messages, %lu gaps, %lu orders sent, %zu received\n",
              static_cast<unsigned long>(st.at("feed_packets")),
              static_cast<unsigned long>(st.at("messages")), static_cast<unsigned long>(st.at("gaps")),
              static_cast<unsigned long>(st.at("tx_packets")), received.size());
  EXPECT_GT(st.at("feed_packets"), 0u) << read_file(log);
  ASSERT_GT(st.at("tx_packets"), 0u) << "the sniper rules should fire on this feed";
  EXPECT_EQ(received.size(), st.at("tx_packets")) << "every transmitted order arrives at the venue socket";
  // The venue's answers came back through the kernel and reached the owning engine.
  std::printf("[ info ] venue: %s", read_file(venue_log).c_str());
  EXPECT_EQ(st.at("venue_messages"), 2 * st.at("tx_packets")) << "Accepted + Executed per order";
  EXPECT_EQ(st.at("venue_bad_messages"), 0u);
  EXPECT_EQ(st.at("fills"), st.at("tx_packets"));

  if (st.at("gaps") == 0 && st.at("messages") == 30000) {
    // Nothing lost on the way in: the same orders as a replay of the same pcap.
    std::istringstream in(read_file(env("SF_REPLAY_CONFIG")));
    std::ofstream(dir_ / "replay.toml") << config_text(
        "net_pcap0,rx_pcap=" + feed.string() + ",tx_pcap=" + (dir_ / "replay.tx.pcap").string(), near_mac,
        far_mac);
    ASSERT_EQ(run(env("SNIPERFORGE") + " --config " + (dir_ / "replay.toml").string() + " > " +
                  (dir_ / "replay.log").string() + " 2>&1"),
              0);
    ASSERT_EQ(run(env("SF_TX_ORDERS") + " " + (dir_ / "replay.tx.pcap").string() + " > " +
                  (dir_ / "replay.csv").string() + " 2>/dev/null"),
              0);
    std::istringstream csv(read_file(dir_ / "replay.csv"));
    std::string line;
    std::getline(csv, line);
    std::vector<std::string> replayed;
    while (std::getline(csv, line)) replayed.push_back(line);
    EXPECT_EQ(received, replayed);
  } else {
    std::printf("[ info ] the kernel path lost feed packets: skipped the replay comparison\n");
  }
}

// The same through net_tap, whose PMD offers IPv4/UDP checksum offload: the order frames leave with
// offload flags and a pseudo-header checksum, and the kernel (which verifies both checksums before
// delivering to the venue's socket) must accept every one.
TEST(LiveTap, ChecksumOffloadedOrdersReachAKernelSocket) {
  for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_REPLAY_CONFIG", "SF_LIVE_SCRIPTS", "SF_VENUE_SIM"})
    ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
  if (geteuid() != 0) GTEST_SKIP() << "needs root (tap interface)";
  if (!fs::exists("/dev/net/tun")) GTEST_SKIP() << "no /dev/net/tun here";
  char tmpl[] = "/tmp/sf-tap-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  const std::string iface = "sft" + std::to_string(getpid() % 100000);
  const fs::path feed = dir / "feed.pcap", log = dir / "tap.log", stats = dir / "tap.stats";
  const fs::path orders_hex = dir / "orders.hex", venue_log = dir / "venue.log", done = dir / "done";
  ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 30000 -o " + feed.string()), 0);
  std::ofstream(dir / "tap.toml") << config_text("net_tap0,iface=" + iface, "02:00:00:00:00:01",
                                                 "02:00:00:00:00:02", "10.78.0.1", "10.78.0.2");
  const pid_t pid = start_logged(
      env("SNIPERFORGE"), {"--config", (dir / "tap.toml").string(), "--stats-file", stats.string()}, log);
  ASSERT_GE(pid, 0);
  struct Reap {
    pid_t pid;
    ~Reap() {
      if (pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
  } reap{pid};
  ASSERT_TRUE(wait_for([&] { return read_file(log).find("feed port") != std::string::npos; }, 20))
      << read_file(log);
  EXPECT_NE(read_file(log).find("checksums offloaded"), std::string::npos) << read_file(log);
  // Kernel side of the tap: the venue's address and MAC, a static neighbour for the appliance.
  ASSERT_EQ(run("sysctl -qw net.ipv6.conf." + iface + ".disable_ipv6=1; ip link set dev " + iface +
                " address 02:00:00:00:00:02 && ip addr add 10.78.0.2/24 dev " + iface + " && ip link set " +
                iface + " up && ip neigh replace 10.78.0.1 lladdr 02:00:00:00:00:01 dev " + iface),
            0);
  ASSERT_EQ(run("(" + env("SF_VENUE_SIM") + " --listen 10.78.0.2:40001 --orders-hex " + orders_hex.string() +
                " --idle-exit 3 > " + venue_log.string() + " 2>&1; touch " + done.string() + ") &"),
            0);
  ASSERT_TRUE(wait_for([&] { return read_file(venue_log).find("listening") != std::string::npos; }, 10));
  ASSERT_EQ(run("python3 " + env("SF_LIVE_SCRIPTS") + "/live_feed_sender.py " + feed.string() +
                " 10.78.0.1 26477 4 > " + (dir / "sender.log").string() + " 2>&1"),
            0)
      << read_file(dir / "sender.log");
  ASSERT_TRUE(wait_for([&] { return fs::exists(done); }, 30)) << "venue simulator did not finish";
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_TRUE(wait_for([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 10)) << "no exit after SIGTERM";
  reap.pid = -1;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_file(log);
  const auto st = read_stats(stats);
  const auto received = orders_from_hex(read_file(orders_hex));
  std::printf("[ info ] tap: %lu messages, %lu gaps, %lu orders sent, %zu received by the kernel socket\n",
              static_cast<unsigned long>(st.at("messages")), static_cast<unsigned long>(st.at("gaps")),
              static_cast<unsigned long>(st.at("tx_packets")), received.size());
  ASSERT_GT(st.at("tx_packets"), 0u);
  EXPECT_EQ(received.size(), st.at("tx_packets"))
      << "a bad offloaded checksum would make the kernel drop orders";
  EXPECT_EQ(st.at("venue_messages"), 2 * st.at("tx_packets"));
  EXPECT_EQ(st.at("fills"), st.at("tx_packets"));
  std::error_code ec;
  if (env("SF_KEEP_TMP").empty()) fs::remove_all(dir, ec);
}

}  // namespace
