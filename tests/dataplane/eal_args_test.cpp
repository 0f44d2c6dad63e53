#include "sniperforge/dataplane/eal_args.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sf::dataplane {
namespace {

bool has(const EalPlan& p, std::string_view a) {
  return std::find(p.args.begin(), p.args.end(), a) != p.args.end();
}

constexpr std::string_view kMeminfo =
    "MemTotal:        8000000 kB\nHugePages_Total:     256\nHugePages_Free:      200\n"
    "HugePages_Rsvd:        0\nHugepagesize:       2048 kB\n";
constexpr std::string_view kMounts =
    "proc /proc proc rw 0 0\nnodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n";

DataplaneConfig vdev_config() {
  DataplaneConfig c;
  c.ports.push_back(PortConfig{.name = "p", .devargs = "net_pcap0,rx_pcap=a.pcap"});
  return c;
}

Placement simple_placement() {
  Placement p;
  p.housekeeping_cpu = 0;
  p.rx_cpus = {1};
  return p;
}

TEST(HugepageInfo, ParsesMeminfoAndMounts) {
  const auto h = parse_hugepage_info(kMeminfo, kMounts);
  EXPECT_EQ(h.total, 256u);
  EXPECT_EQ(h.free, 200u);
  EXPECT_EQ(h.page_kb, 2048u);
  EXPECT_TRUE(h.mounted);
  EXPECT_TRUE(h.usable());
  EXPECT_FALSE(parse_hugepage_info(kMeminfo, "proc /proc proc rw 0 0\n").usable());
  EXPECT_FALSE(parse_hugepage_info("HugePages_Free: 0\n", kMounts).usable());
}

TEST(EalArgs, HugepagesWhenUsable) {
  std::vector<std::string> errors;
  const auto plan =
      build_eal_args(vdev_config(), simple_placement(), parse_hugepage_info(kMeminfo, kMounts), 42, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(plan.hugepages);
  EXPECT_FALSE(has(plan, "--no-huge"));
  EXPECT_TRUE(has(plan, "--in-memory"));
  EXPECT_TRUE(has(plan, "--no-pci"));
  EXPECT_TRUE(has(plan, "sniperforge_42"));
  EXPECT_TRUE(has(plan, "0@0,1@1"));
  EXPECT_TRUE(has(plan, "net_pcap0,rx_pcap=a.pcap"));
}

TEST(EalArgs, NoHugeFallback) {
  std::vector<std::string> errors;
  const auto plan = build_eal_args(vdev_config(), simple_placement(), parse_hugepage_info("", ""), 7, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(plan.hugepages);
  EXPECT_TRUE(has(plan, "--no-huge"));
  EXPECT_TRUE(has(plan, "-m"));
  EXPECT_TRUE(has(plan, "512"));
  EXPECT_FALSE(has(plan, "--in-memory"));
  EXPECT_NE(plan.hugepage_reason.find("no usable hugepages"), std::string::npos);
}

TEST(EalArgs, ForcedModes) {
  std::vector<std::string> errors;
  auto cfg = vdev_config();
  cfg.eal.hugepages = HugepageMode::kOn;
  (void)build_eal_args(cfg, simple_placement(), parse_hugepage_info("", ""), 1, errors);
  EXPECT_EQ(errors.size(), 1u);
  errors.clear();
  cfg.eal.hugepages = HugepageMode::kOff;
  const auto plan =
      build_eal_args(cfg, simple_placement(), parse_hugepage_info(kMeminfo, kMounts), 1, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(has(plan, "--no-huge"));
}

TEST(EalArgs, PciPortsAreAllowListed) {
  std::vector<std::string> errors;
  DataplaneConfig cfg;
  cfg.ports.push_back(PortConfig{.name = "nic", .devargs = "0000:3b:00.0"});
  const auto plan =
      build_eal_args(cfg, simple_placement(), parse_hugepage_info(kMeminfo, kMounts), 1, errors);
  EXPECT_TRUE(has(plan, "-a"));
  EXPECT_FALSE(has(plan, "--no-pci"));
}

}  // namespace
}  // namespace sf::dataplane
