#include "sniperforge/dataplane/eal_args.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace sf::dataplane {
namespace {

uint64_t meminfo_value(std::string_view text, std::string_view key) {
  std::size_t pos = 0;
  while ((pos = text.find(key, pos)) != std::string_view::npos) {
    if (pos == 0 || text[pos - 1] == '\n') {
      std::size_t p = pos + key.size();
      while (p < text.size() && (text[p] == ' ' || text[p] == '\t' || text[p] == ':')) ++p;
      uint64_t v = 0;
      std::from_chars(text.data() + p, text.data() + text.size(), v);
      return v;
    }
    pos += key.size();
  }
  return 0;
}

std::string read_file(const char* path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

HugepageInfo parse_hugepage_info(std::string_view meminfo, std::string_view mounts) {
  HugepageInfo h;
  h.total = meminfo_value(meminfo, "HugePages_Total");
  h.free = meminfo_value(meminfo, "HugePages_Free");
  h.page_kb = meminfo_value(meminfo, "Hugepagesize");
  // /proc/mounts: "nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0"
  std::size_t b = 0;
  while (b < mounts.size()) {
    std::size_t e = mounts.find('\n', b);
    if (e == std::string_view::npos) e = mounts.size();
    std::string_view line = mounts.substr(b, e - b);
    std::istringstream ls{std::string(line)};
    std::string dev, dir, type;
    if (ls >> dev >> dir >> type && type == "hugetlbfs") h.mounted = true;
    b = e + 1;
  }
  return h;
}

HugepageInfo probe_hugepages() {
  return parse_hugepage_info(read_file("/proc/meminfo"), read_file("/proc/mounts"));
}

EalPlan build_eal_args(const DataplaneConfig& cfg, const Placement& placement, const HugepageInfo& huge,
                       int pid, std::vector<std::string>& errors) {
  EalPlan plan;
  plan.file_prefix = cfg.eal.file_prefix + "_" + std::to_string(pid);
  auto& a = plan.args;
  a = {"sniperforge",   "--lcores",      placement.eal_lcores_arg(), "--main-lcore", "0",
       "--file-prefix", plan.file_prefix};

  // With hugepages DPDK grows its memory on demand; ask only for what the pools surely need.
  const uint64_t want_kb = uint64_t{std::min<uint32_t>(cfg.eal.memory_mb, 128)} * 1024;
  const uint64_t need_pages = huge.page_kb ? (want_kb + huge.page_kb - 1) / huge.page_kb : 0;
  switch (cfg.eal.hugepages) {
    case HugepageMode::kOff:
      plan.hugepages = false;
      plan.hugepage_reason = "hugepages disabled by [eal].hugepages = \"off\"";
      break;
    case HugepageMode::kOn:
      plan.hugepages = true;
      plan.hugepage_reason = "hugepages required by [eal].hugepages = \"on\"";
      if (!huge.usable())
        errors.push_back(
            "[eal].hugepages = \"on\" but no free hugepages or no hugetlbfs mount (HugePages_Free=" +
            std::to_string(huge.free) + ", hugetlbfs " + (huge.mounted ? "mounted" : "not mounted") + ")");
      break;
    case HugepageMode::kAuto:
      if (huge.usable() && huge.free >= need_pages) {
        plan.hugepages = true;
        plan.hugepage_reason = "hugepages: " + std::to_string(huge.free) + " free x " +
                               std::to_string(huge.page_kb) + " kB, hugetlbfs mounted";
      } else {
        plan.hugepages = false;
        plan.hugepage_reason = "no usable hugepages (free " + std::to_string(huge.free) + ", need " +
                               std::to_string(need_pages) + ", hugetlbfs " +
                               (huge.mounted ? "mounted" : "not mounted") + "): --no-huge -m " +
                               std::to_string(cfg.eal.memory_mb);
      }
      break;
  }
  if (plan.hugepages) {
    // memfd-backed pages: nothing left in hugetlbfs if the process dies.
    a.push_back("--in-memory");
  } else {
    a.push_back("--no-huge");
    a.push_back("-m");
    a.push_back(std::to_string(cfg.eal.memory_mb));
  }

  bool all_vdev = true;
  for (const auto& p : cfg.ports) {
    if (devargs_driver(p.devargs) == "pci") {
      all_vdev = false;
      a.push_back("-a");
    } else {
      a.push_back("--vdev");
    }
    a.push_back(p.devargs);
  }
  if (all_vdev) a.push_back("--no-pci");
  for (const auto& x : cfg.eal.args) a.push_back(x);
  return plan;
}

}  // namespace sf::dataplane
