// EAL command line from the config, the placement and what the machine offers (hugepages).
// Pure: the /proc texts are parameters, so the decision is unit-tested.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sniperforge/dataplane/config.hpp"
#include "sniperforge/dataplane/placement.hpp"

namespace sf::dataplane {

struct HugepageInfo {
  uint64_t total = 0;    // HugePages_Total
  uint64_t free = 0;     // HugePages_Free
  uint64_t page_kb = 0;  // Hugepagesize
  bool mounted = false;  // a hugetlbfs mount exists
  [[nodiscard]] bool usable() const { return free > 0 && mounted; }
};

HugepageInfo parse_hugepage_info(std::string_view meminfo, std::string_view mounts);
HugepageInfo probe_hugepages();  // reads /proc/meminfo and /proc/mounts

struct EalPlan {
  std::vector<std::string> args;  // argv[0] included
  bool hugepages = false;
  std::string hugepage_reason;  // logged: why hugepages are (not) used
  std::string file_prefix;
};

// `pid` makes the file prefix unique per process.
EalPlan build_eal_args(const DataplaneConfig& cfg, const Placement& placement, const HugepageInfo& huge,
                       int pid, std::vector<std::string>& errors);

}  // namespace sf::dataplane
