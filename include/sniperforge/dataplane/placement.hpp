// Choosing which cpu each lcore runs on. Pure logic over a machine description (filled from
// hwloc by topology.hpp), so it is unit-tested with made-up machines.
#pragma once

#include <string>
#include <vector>

#include "sniperforge/dataplane/config.hpp"

namespace sf::dataplane {

struct PhysicalCore {
  int index = 0;         // logical index of the core
  int numa_node = 0;     // -1 when unknown
  std::vector<int> pus;  // OS cpu numbers of its hardware threads (hyperthread siblings)
};

struct Machine {
  std::string description;  // "1 package, 1 NUMA node, 2 cores, 2 PUs"
  int numa_nodes = 1;
  std::vector<PhysicalCore> cores;
};

struct Placement {
  int housekeeping_cpu = 0;
  std::vector<int> rx_cpus;        // pipeline: one per RX lcore; run_to_completion: the single lcore
  std::vector<int> executor_cpus;  // pipeline only
  std::vector<std::string> warnings;
  std::vector<std::string> errors;

  [[nodiscard]] bool ok() const { return errors.empty(); }
  // "0@0,1@1,2@1": EAL lcore 0 is the main (housekeeping) thread, then RX lcores, then executors.
  [[nodiscard]] std::string eal_lcores_arg() const;
  [[nodiscard]] std::string describe(LcoreMode mode) const;
};

// The mode that will run. Explicit modes are returned as they are. [lcores] mode = "auto" gives
// pipeline when the feed port's NUMA node (any node when unknown) has at least rx + executors
// physical cores besides the housekeeping core, so that no two busy-polling lcores time-slice one
// core; run-to-completion otherwise. `reason` says why, for the log and --topology.
struct ModeChoice {
  LcoreMode mode = LcoreMode::kPipeline;
  std::string reason;
};
ModeChoice resolve_lcore_mode(const Machine& m, const LcoreConfig& cfg, int port_numa);

// port_numa: NUMA node of the feed port (-1 unknown, e.g. a virtual device). A kAuto mode is
// resolved with resolve_lcore_mode first.
Placement choose_placement(const Machine& m, const LcoreConfig& cfg, int port_numa);

}  // namespace sf::dataplane
