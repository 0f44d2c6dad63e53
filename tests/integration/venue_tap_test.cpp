// `transport = "dpdk"` with checksum offload (the TCP twin of the UDP session's LiveTap test): the order
// session on net_tap, whose PMD offers IPv4 and TCP checksum offload, so every segment leaves with offload
// flags and only the pseudo-header sum in its TCP checksum field. The kernel behind the tap verifies both
// checksums before its TCP takes a segment: the login, heartbeats and orders reaching `sf-venue-sim
// --soupbintcp` there, and the fills coming back equal to its totals, show the offloaded checksums right.
// The tap stays in this namespace (the PMD owns it), on a subnet unique to the pid.
#include <gtest/gtest.h>

#include "venue_e2e_fixture.hpp"

using namespace sf::testing::venue_e2e;

namespace {

class VenueTap : public VenueE2E {
 protected:
  void SetUp() override {
    VenueE2E::SetUp();  // the feed, the simulator's files and password, a config to rewrite
    if (IsSkipped() || HasFatalFailure()) return;
    if (geteuid() != 0) GTEST_SKIP() << "needs root (tap interface)";
    if (!fs::exists("/dev/net/tun")) GTEST_SKIP() << "no /dev/net/tun here";
    iface_ = "sfvt" + std::to_string(getpid() % 100000);
    const std::string net = "10.86." + std::to_string(getpid() % 250) + ".";
    local_ip_ = net + "1";
    venue_ip_ = net + "2";
    std::istringstream in(
        venue_config("dpdk", venue_ip_ + ":" + std::to_string(port_), dir_ / "pw", dir_, nullptr));
    std::string out, line, table;
    while (std::getline(in, line)) {
      if (!line.empty() && line[0] == '[') table = line;
      if (table == "[order_session]" && line.rfind("port = ", 0) == 0) line = "port = \"venue\"";
      if (line == "timeout_ms = 3000") line = "timeout_ms = 10000";  // the tap is addressed after the start
      out += line + "\n";
      if (line == "[order_session]") out += "local_ip = \"" + local_ip_ + "\"\n";
    }
    out += "\n[[port]]\nname = \"venue\"\ndevargs = \"net_tap0,iface=" + iface_ +
           "\"\nrx_queues = 1\ntx_queues = 1\n";
    std::ofstream(dir_ / "kernel.toml") << out;
  }
  void TearDown() override {
    VenueE2E::TearDown();  // the appliance gone, its tap goes with it
    run("ip link del " + iface_ + " 2>/dev/null");
  }
  std::string iface_, local_ip_, venue_ip_;
};

TEST_P(VenueTap, ChecksumOffloadedSegmentsReachTheKernelVenue) {
  launch_appliance();
  const std::string log = read_file(dir_ / "app.log");
  ASSERT_NE(log.find("checksums offloaded"), std::string::npos) << log;
  // The kernel side of the tap: the venue's address; the appliance answers ARP for its own.
  ASSERT_EQ(run("sysctl -qw net.ipv6.conf." + iface_ + ".disable_ipv6=1; ip addr add " + venue_ip_ +
                "/24 dev " + iface_ + " && ip link set " + iface_ + " up"),
            0);
  sim_->in_netns("", venue_ip_);
  start_sim({});
  settle();
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 1.0) << metrics_;
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;
  EXPECT_GT(stats.at("orders_buy") + stats.at("orders_sell"), 0u);
  EXPECT_EQ(stats.at("session_tcp_drop_bad_checksum"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Tap, VenueTap, ::testing::Values("tap"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
