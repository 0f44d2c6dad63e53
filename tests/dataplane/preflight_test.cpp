// #16: what --check-config verifies beyond the file's syntax (memory, ports, drivers, outputs) and the
// process hygiene around EAL (stale runtime directories, the per-port instance lock).
#include "sniperforge/dataplane/preflight.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "sniperforge/dataplane/process_guard.hpp"
#include "sniperforge/trade/config.hpp"
#include "sniperforge/trade/engine.hpp"

namespace fs = std::filesystem;
using namespace sf::dataplane;

namespace {

DataplaneConfig one_port() {
  DataplaneConfig c;
  c.ports.push_back(PortConfig{"feed", "net_pcap0,rx_pcap=x.pcap"});
  // Transport "none" (a replay): orders in the TX pcap.
  c.order_session.soupbintcp.transport = sf::order_session::TransportKind::kNone;
  return c;
}

constexpr std::string_view kMeminfo =
    "MemTotal:       24000000 kB\nMemAvailable:   20000000 kB\nHugePages_Total:     512\n"
    "HugePages_Free:      512\nHugepagesize:       2048 kB\n";

TEST(Preflight, MemoryEstimateFollowsTheConfiguration) {
  sf::trade::TradingConfig t;
  const uint64_t one = sf::trade::Engine::footprint_bytes(t);
  EXPECT_GT(one, 32u << 20) << "a default shard holds 1M orders and 2M levels";
  t.book.max_orders *= 4;
  EXPECT_GT(sf::trade::Engine::footprint_bytes(t), one + (60u << 20));
  const MemoryEstimate m = estimate_memory(one_port(), 4, one);
  EXPECT_EQ(m.engines, 4 * one);
  EXPECT_GT(m.mempools, 8191u * 2048u);
  EXPECT_NE(m.describe().find("4 shard(s)"), std::string::npos) << m.describe();
}

TEST(Preflight, RefusesWhatTheMachineCannotHold) {
  const MemoryBudget huge = memory_budget(kMeminfo, true, 512);
  EXPECT_EQ(huge.available_bytes, 20000000ull * 1024);
  EXPECT_EQ(huge.free_hugepage_bytes, 1ull << 30);
  std::vector<std::string> errors;
  check_memory(estimate_memory(one_port(), 1, 100u << 20), huge, errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  // 256 shards of 100 MiB: more than MemAvailable.
  check_memory(estimate_memory(one_port(), 256, 100u << 20), huge, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("MemAvailable"), std::string::npos) << errors[0];
  // 2^24 mbufs: more than the free hugepages, and more than a 512 MB --no-huge EAL.
  DataplaneConfig big = one_port();
  big.ports[0].mbufs = 1 << 24;
  errors.clear();
  check_memory(estimate_memory(big, 1, 1), huge, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("hugepages"), std::string::npos) << errors[0];
  errors.clear();
  check_memory(estimate_memory(big, 1, 1), memory_budget(kMeminfo, false, 512), errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("[eal].memory"), std::string::npos) << errors[0];
  // [feed.rewind]: 100 M held messages of 51 bytes (5.1 GB) on top of a 100 MiB shard: over 19 GiB, no;
  // the default million (51 MB) fits and is named in the estimate.
  DataplaneConfig rewind = one_port();
  rewind.feed.rewind.emplace().max_held_messages = 100'000'000;
  errors.clear();
  check_memory(estimate_memory(rewind, 1, 100u << 20), huge, errors);
  EXPECT_TRUE(errors.empty());
  rewind.feed.rewind->max_held_messages = 400'000'000;
  check_memory(estimate_memory(rewind, 1, 100u << 20), huge, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("max_held_messages"), std::string::npos) << errors[0];
  rewind.feed.rewind->max_held_messages = 1'000'000;
  EXPECT_EQ(estimate_memory(rewind, 1, 1).held, 51'000'000u);
  EXPECT_NE(estimate_memory(rewind, 1, 1).describe().find("held behind a feed gap"), std::string::npos);
}

TEST(Preflight, OrderPortsStayInRange) {
  DataplaneConfig c = one_port();
  std::vector<std::string> errors;
  check_order_ports(c, 4, errors);
  EXPECT_TRUE(errors.empty());
  c.order_session.src_port = 65535;  // shards 1..3 would wrap to ports 0..2
  check_order_ports(c, 1, errors);
  EXPECT_TRUE(errors.empty());
  check_order_ports(c, 4, errors);
  EXPECT_EQ(errors.size(), 1u);
  // TCP local ports may overlap the feed's UDP port (the retired UDP session's replies could not).
  c.order_session.src_port = static_cast<uint16_t>(c.feed.udp_port - 1);
  errors.clear();
  check_order_ports(c, 2, errors);
  EXPECT_TRUE(errors.empty());
}

TEST(Preflight, DriversMustExist) {
  const fs::path pmds = fs::temp_directory_path() / ("sf-pmds-" + std::to_string(::getpid()));
  const fs::path pci = pmds / "pci";
  fs::create_directories(pci / "0000:3b:00.0");
  std::ofstream(pmds / "librte_net_pcap.so.23.0") << "";
  std::ofstream(pmds / "librte_net_tap.so.23") << "";
  DataplaneConfig c = one_port();
  c.ports.push_back(PortConfig{"tap", "net_tap0,iface=x"});
  c.ports.push_back(PortConfig{"nic", "0000:3b:00.0"});
  std::vector<std::string> errors, warnings;
  check_drivers(c, pmds.string(), pci.string(), errors, warnings);
  EXPECT_TRUE(errors.empty() && warnings.empty());
  c.ports.push_back(PortConfig{"bad", "net_nosuch0"});
  c.ports.push_back(PortConfig{"gone", "0000:ff:00.0"});
  check_drivers(c, pmds.string(), pci.string(), errors, warnings);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("net_nosuch"), std::string::npos);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("0000:ff:00.0"), std::string::npos);
  fs::remove_all(pmds);
}

TEST(Preflight, OutputPathsMustBeWritable) {
  std::vector<std::string> errors;
  check_output_path("--stats-file", "stats.txt", errors);
  check_output_path("--stats-file", fs::temp_directory_path() / "x.txt", errors);
  EXPECT_TRUE(errors.empty());
  check_output_path("--stats-file", "/nonexistent-dir-sf/x", errors);
  check_output_path("--dump-books", fs::temp_directory_path(), errors);
  EXPECT_EQ(errors.size(), 2u);
}

TEST(ProcessGuard, StaleRuntimeDirectoriesOfDeadProcessesAreRemoved) {
  const fs::path base = fs::temp_directory_path() / ("sf-rt-" + std::to_string(::getpid()));
  pid_t dead = 4000000;
  while (::kill(dead, 0) == 0 || errno != ESRCH) --dead;
  const std::string alive = "pfx_" + std::to_string(::getpid()), stale = "pfx_" + std::to_string(dead);
  for (const std::string& d :
       std::vector<std::string>{alive, stale, "other_" + std::to_string(dead), "pfx_x"})
    fs::create_directories(base / d);
  std::ofstream(base / stale / "fbarray_memseg-2048k-0-0") << "x";
  EXPECT_EQ(remove_stale_runtime_dirs(base.string(), "pfx"), std::vector<std::string>{stale});
  EXPECT_TRUE(fs::exists(base / alive));
  EXPECT_TRUE(fs::exists(base / ("other_" + std::to_string(dead))));
  EXPECT_TRUE(remove_runtime_dir(base.string(), alive));
  EXPECT_FALSE(fs::exists(base / alive));
  fs::remove_all(base);
}

TEST(ProcessGuard, APortLockIsExclusiveAcrossProcessesAndReleasedAtExit) {
  const std::string devargs = "net_pcap0,tx_pcap=/tmp/sf-lock-" + std::to_string(::getpid());
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    PortLock lock;
    pid_t h = 0;
    const char ok = lock.acquire(devargs, h) ? '1' : '0';
    (void)!::write(ready[1], &ok, 1);
    char c;
    (void)!::read(done[0], &c, 1);
    ::_exit(0);
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  EXPECT_EQ(ok, '1');
  {
    PortLock second;
    pid_t holder = 0;
    EXPECT_FALSE(second.acquire(devargs, holder));
    EXPECT_EQ(holder, child);
    PortLock other;
    EXPECT_TRUE(other.acquire(devargs + "x", holder)) << "another port is another lock";
  }
  (void)!::write(done[1], "x", 1);
  ::waitpid(child, nullptr, 0);
  PortLock after;
  pid_t holder = 0;
  EXPECT_TRUE(after.acquire(devargs, holder)) << "released when its process exits";
}

}  // namespace
