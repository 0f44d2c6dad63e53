// The DPDK glue: EAL with a net_null port, a mempool and a ring; StatsLcore samples them into
// /metrics and answers /sniperforge/stats on the DPDK telemetry socket.
#include "sniperforge/dataplane/stats_lcore.hpp"

#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace sf::telemetry {
namespace {

using dataplane::StatsLcore;

std::string g_prefix;

class Eal : public ::testing::Environment {
 public:
  void SetUp() override {
    g_prefix = "sf_telemetry_test_" + std::to_string(::getpid());
    std::vector<std::string> args = {"stats_lcore_test",         "--no-huge",     "-m",     "256", "--no-pci",
                                     "--vdev=net_null0",         "--file-prefix", g_prefix, "-l",  "0",
                                     "--log-level=lib.eal:error"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ok_ = rte_eal_init(static_cast<int>(argv.size()), argv.data()) >= 0;
  }
  void TearDown() override {
    if (ok_) rte_eal_cleanup();
    std::error_code ec;  // the EAL leaves its runtime directory behind
    std::filesystem::remove_all("/var/run/dpdk/" + g_prefix, ec);
  }
  static bool ok_;
};
bool Eal::ok_ = false;

std::string telemetry_query(const std::string& cmd) {
  const std::string path = "/var/run/dpdk/" + g_prefix + "/dpdk_telemetry.v2";
  const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
  if (fd < 0) return {};
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return {};
  }
  std::vector<char> buf(65536);
  (void)::recv(fd, buf.data(), buf.size(), 0);  // greeting
  (void)::send(fd, cmd.data(), cmd.size(), 0);
  const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
  ::close(fd);
  return n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : std::string{};
}

TEST(StatsLcore, SamplesPortMempoolRingAndServesTelemetryCommands) {
  if (!Eal::ok_) GTEST_SKIP() << "rte_eal_init failed (no EAL on this host)";
  uint16_t port = 0;
  ASSERT_EQ(rte_eth_dev_get_port_by_name("net_null0", &port), 0);
  rte_mempool* mp =
      rte_pktmbuf_pool_create("sf_tel_pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  ASSERT_NE(mp, nullptr);
  rte_ring* ring = rte_ring_create("sf_tel_ring", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
  ASSERT_NE(ring, nullptr);
  std::vector<rte_mbuf*> held(10);
  ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, held.data(), 10), 0);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(rte_ring_enqueue(ring, held[static_cast<std::size_t>(i)]), 0);

  testing::FakePlane plane;
  StatsLcore::Inputs in;
  in.config.metrics_addr = "127.0.0.1:0";
  in.config.interval_ms = 10;
  in.rx.push_back({1, plane.rx.get()});
  in.executors.push_back({2, plane.ex.get()});
  in.ports = {{port, "feed"}};
  in.mempools = {{"sf_tel_pool", mp}};
  in.rings = {{"sf_tel_ring", ring}};
  plane.rx->heartbeat_tsc.set(rte_rdtsc());
  plane.ex->heartbeat_tsc.set(rte_rdtsc());
  plane.rx->count_message('A');
  plane.ex->count_order(Side::kSell);

  StatsLcore stats(std::move(in));
  stats.start();
  ASSERT_NE(stats.metrics_port(), 0);
  const uint64_t t0 = stats.service().ticks();
  while (stats.service().ticks() < t0 + 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  const auto m = testing::http_get(stats.metrics_port(), "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("sniperforge_mempool_in_use{pool=\"sf_tel_pool\"} 10"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("sniperforge_mempool_capacity{pool=\"sf_tel_pool\"} 1023"), std::string::npos);
  EXPECT_NE(m.body.find("sniperforge_ring_occupancy{ring=\"sf_tel_ring\"} 5"), std::string::npos);
  EXPECT_NE(m.body.find("sniperforge_ring_high_water{ring=\"sf_tel_ring\"} 5"), std::string::npos);
  EXPECT_NE(m.body.find("sniperforge_nic_rx_packets_total{port=\"feed\"}"), std::string::npos);

  const std::string js = telemetry_query("/sniperforge/stats");
  EXPECT_NE(js.find("\"/sniperforge/stats\""), std::string::npos) << js;
  EXPECT_NE(js.find("\"feed_messages\":1"), std::string::npos) << js;
  EXPECT_NE(js.find("\"orders_sent_sell\":1"), std::string::npos) << js;
  const std::string books = telemetry_query("/sniperforge/books");
  EXPECT_NE(books.find("\"/sniperforge/books\""), std::string::npos) << books;
  EXPECT_EQ(books.find("null"), std::string::npos) << books;  // registered (help text fits), no engines: {}

  stats.stop();
  EXPECT_EQ(telemetry_query("/sniperforge/stats").find("feed_messages"), std::string::npos);
  void* obj = nullptr;
  while (rte_ring_dequeue(ring, &obj) == 0) {
  }
  rte_pktmbuf_free_bulk(held.data(), 10);
  rte_ring_free(ring);
  rte_mempool_free(mp);
}

}  // namespace
}  // namespace sf::telemetry

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new sf::telemetry::Eal);
  return RUN_ALL_TESTS();
}
