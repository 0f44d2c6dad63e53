#include "sniperforge/dataplane/placement.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sf::dataplane {
namespace {

// n cores per node, `smt` threads per core; cpu numbering like Linux: siblings at +cores_total.
Machine make_machine(int nodes, int cores_per_node, int smt) {
  Machine m;
  m.numa_nodes = nodes;
  const int total = nodes * cores_per_node;
  for (int i = 0; i < total; ++i) {
    PhysicalCore c;
    c.index = i;
    c.numa_node = i / cores_per_node;
    for (int t = 0; t < smt; ++t) c.pus.push_back(i + t * total);
    m.cores.push_back(c);
  }
  return m;
}

TEST(Placement, PipelineOnBigMachineUsesDistinctPhysicalCores) {
  const Machine m = make_machine(1, 8, 2);
  LcoreConfig cfg;
  cfg.rx = 1;
  cfg.executors = 3;
  const Placement p = choose_placement(m, cfg, 0);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_EQ(p.housekeeping_cpu, 0);
  ASSERT_EQ(p.rx_cpus.size(), 1u);
  ASSERT_EQ(p.executor_cpus.size(), 3u);
  std::set<int> cores;
  for (int c : p.rx_cpus) cores.insert(c % 8);
  for (int c : p.executor_cpus) cores.insert(c % 8);
  EXPECT_EQ(cores.size(), 4u);    // no two on hyperthread siblings
  EXPECT_EQ(cores.count(0), 0u);  // not on the housekeeping core
  EXPECT_EQ(p.eal_lcores_arg(), "0@0,1@1,2@2,3@3,4@4");
}

TEST(Placement, PrefersThePortsNumaNode) {
  const Machine m = make_machine(2, 4, 1);
  LcoreConfig cfg;
  cfg.executors = 2;
  const Placement p = choose_placement(m, cfg, 1);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.warnings.empty());
  for (int c : p.rx_cpus) EXPECT_GE(c, 4);
  for (int c : p.executor_cpus) EXPECT_GE(c, 4);
}

TEST(Placement, CrossNumaWarnsOrRefuses) {
  const Machine m = make_machine(2, 2, 1);  // node 1 has 2 cores, 3 needed
  LcoreConfig cfg;
  cfg.executors = 2;
  const Placement warn = choose_placement(m, cfg, 1);
  EXPECT_TRUE(warn.ok());
  EXPECT_FALSE(warn.warnings.empty());
  cfg.numa = NumaPolicy::kStrict;
  const Placement strict = choose_placement(m, cfg, 1);
  EXPECT_FALSE(strict.ok());
}

TEST(Placement, TwoCoreVmWarnsAndShares) {
  const Machine m = make_machine(1, 2, 1);
  LcoreConfig cfg;
  cfg.executors = 2;
  const Placement p = choose_placement(m, cfg, -1);
  ASSERT_TRUE(p.ok());
  ASSERT_FALSE(p.warnings.empty());
  EXPECT_EQ(p.rx_cpus, std::vector<int>{1});
  EXPECT_EQ(p.executor_cpus, (std::vector<int>{0, 1}));
  cfg.strict = true;
  EXPECT_FALSE(choose_placement(m, cfg, -1).ok());
}

TEST(Placement, RunToCompletionNeedsOneCore) {
  const Machine m = make_machine(1, 2, 1);
  LcoreConfig cfg;
  cfg.mode = LcoreMode::kRunToCompletion;
  cfg.executors = 2;
  const Placement p = choose_placement(m, cfg, -1);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_EQ(p.rx_cpus, std::vector<int>{1});
  EXPECT_TRUE(p.executor_cpus.empty());
  EXPECT_EQ(p.eal_lcores_arg(), "0@0,1@1");
}

TEST(Placement, AutoModeOnTwoCoreVmIsRunToCompletion) {
  // This VM: 2 cores, one is housekeeping: RX and executor would time-slice the other.
  const Machine m = make_machine(1, 2, 1);
  LcoreConfig cfg;
  cfg.mode = LcoreMode::kAuto;
  const ModeChoice c = resolve_lcore_mode(m, cfg, -1);
  EXPECT_EQ(c.mode, LcoreMode::kRunToCompletion);
  EXPECT_NE(c.reason.find("auto -> run_to_completion"), std::string::npos) << c.reason;
  const Placement p = choose_placement(m, cfg, -1);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_EQ(p.rx_cpus, std::vector<int>{1});
  EXPECT_TRUE(p.executor_cpus.empty());
}

TEST(Placement, AutoModeIsPipelineWithEnoughPhysicalCores) {
  LcoreConfig cfg;
  cfg.mode = LcoreMode::kAuto;
  cfg.executors = 2;
  // Hyperthreads do not count: 3 physical cores (6 PUs) leave 2 besides housekeeping, 3 needed.
  EXPECT_EQ(resolve_lcore_mode(make_machine(1, 3, 2), cfg, -1).mode, LcoreMode::kRunToCompletion);
  const Machine four = make_machine(1, 4, 2);
  const ModeChoice c = resolve_lcore_mode(four, cfg, 0);
  EXPECT_EQ(c.mode, LcoreMode::kPipeline) << c.reason;
  const Placement p = choose_placement(four, cfg, 0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.rx_cpus.size(), 1u);
  EXPECT_EQ(p.executor_cpus.size(), 2u);
  cfg.executors = 1;
  EXPECT_EQ(resolve_lcore_mode(make_machine(1, 3, 1), cfg, -1).mode, LcoreMode::kPipeline);
}

TEST(Placement, AutoModeCountsOnlyThePortsNumaNode) {
  // 2 nodes x 2 cores: node 1 has 2 cores (3 needed for 1 RX + 2 executors); node 0 has 1 besides
  // housekeeping. The whole machine would have 3: still run-to-completion, on the port's node.
  const Machine m = make_machine(2, 2, 1);
  LcoreConfig cfg;
  cfg.mode = LcoreMode::kAuto;
  cfg.executors = 2;
  EXPECT_EQ(resolve_lcore_mode(m, cfg, 1).mode, LcoreMode::kRunToCompletion);
  EXPECT_EQ(resolve_lcore_mode(m, cfg, -1).mode, LcoreMode::kPipeline);  // unknown node: any core
  cfg.executors = 1;
  EXPECT_EQ(resolve_lcore_mode(m, cfg, 1).mode, LcoreMode::kPipeline);
  EXPECT_EQ(resolve_lcore_mode(m, cfg, 0).mode, LcoreMode::kRunToCompletion);
  // A housekeeping cpu on node 1 leaves only one core there.
  cfg.housekeeping = 2;
  EXPECT_EQ(resolve_lcore_mode(m, cfg, 1).mode, LcoreMode::kRunToCompletion);
}

TEST(Placement, ExplicitModesAreNotChanged) {
  const Machine m = make_machine(1, 2, 1);
  LcoreConfig cfg;
  cfg.mode = LcoreMode::kPipeline;
  EXPECT_EQ(resolve_lcore_mode(m, cfg, -1).mode, LcoreMode::kPipeline);
  cfg.mode = LcoreMode::kRunToCompletion;
  EXPECT_EQ(resolve_lcore_mode(make_machine(1, 16, 2), cfg, -1).mode, LcoreMode::kRunToCompletion);
}

TEST(Placement, ExplicitCpusAreChecked) {
  const Machine m = make_machine(1, 4, 2);
  LcoreConfig cfg;
  cfg.cpus = {1, 5};  // 5 is the sibling of 1
  Placement p = choose_placement(m, cfg, -1);
  EXPECT_TRUE(p.ok());
  EXPECT_FALSE(p.warnings.empty());
  cfg.cpus = {1, 42};
  p = choose_placement(m, cfg, -1);
  EXPECT_FALSE(p.ok());
  cfg.cpus = {1, 2};
  cfg.housekeeping = 77;
  EXPECT_FALSE(choose_placement(m, cfg, -1).ok());
}

TEST(Placement, HousekeepingIsHonoured) {
  const Machine m = make_machine(1, 4, 1);
  LcoreConfig cfg;
  cfg.housekeeping = 3;
  const Placement p = choose_placement(m, cfg, -1);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.housekeeping_cpu, 3);
  EXPECT_NE(p.rx_cpus[0], 3);
  EXPECT_NE(p.executor_cpus[0], 3);
}

}  // namespace
}  // namespace sf::dataplane
