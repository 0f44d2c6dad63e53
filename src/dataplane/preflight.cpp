#include "sniperforge/dataplane/preflight.hpp"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <set>

#include "sniperforge/dataplane/event.hpp"
#include "sniperforge/dataplane/feed_recovery.hpp"

namespace sf::dataplane {
namespace {

// One mbuf in a pool: the 128-byte rte_mbuf, RTE_MBUF_DEFAULT_BUF_SIZE (2048 data + 128 headroom) and
// the mempool's object header, rounded up to cache lines.
constexpr uint64_t kMbufBytes = 2368;
// Per pool: the per-lcore caches (RTE_MAX_LCORE x 256-entry cache) and the pool's ring.
constexpr uint64_t kPoolOverhead = 2ull << 20;
// EAL's own memzones and malloc heap (a bare EAL with net_pcap uses ~20 MiB).
constexpr uint64_t kEalBaseline = 32ull << 20;
constexpr uint64_t kRingOverhead = 4096;

std::string mib(uint64_t bytes) {
  return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

uint64_t meminfo_kb(std::string_view text, std::string_view key) {
  for (std::size_t pos = 0; (pos = text.find(key, pos)) != std::string_view::npos; pos += key.size()) {
    if (pos != 0 && text[pos - 1] != '\n') continue;
    std::size_t p = pos + key.size();
    while (p < text.size() && (text[p] == ' ' || text[p] == ':')) ++p;
    uint64_t v = 0;
    std::from_chars(text.data() + p, text.data() + text.size(), v);
    return v;
  }
  return 0;
}

}  // namespace

std::string MemoryEstimate::describe() const {
  return "memory estimate: " + mib(engines) + " heap (" + std::to_string(shards) + " shard(s) x " +
         mib(shards ? engines / shards : 0) + " books + order tracking), " + mib(dpdk()) + " DPDK (" +
         mib(mempools) + " mbuf pools + " + mib(rings) + " rings, EAL included)" +
         (held ? ", " + mib(held) + " heap for the messages held behind a feed gap" : "");
}

MemoryEstimate estimate_memory(const DataplaneConfig& cfg, uint32_t shards, uint64_t engine_bytes) {
  MemoryEstimate m;
  m.shards = shards;
  m.engines = uint64_t{shards} * engine_bytes;
  for (const PortConfig& p : cfg.ports) m.mempools += uint64_t{p.mbufs} * kMbufBytes + kPoolOverhead;
  const uint64_t rings = uint64_t{cfg.lcores.rx} * cfg.lcores.executors;
  m.rings = rings * (uint64_t{cfg.lcores.ring_size} * sizeof(Event) + kRingOverhead) + kEalBaseline;
  if (cfg.feed.rewind) m.held = cfg.feed.rewind->max_held_messages * kHeldMessageBytes;
  return m;
}

MemoryBudget memory_budget(std::string_view meminfo, bool hugepages, uint32_t no_huge_memory_mb) {
  MemoryBudget b;
  b.available_bytes = meminfo_kb(meminfo, "MemAvailable") * 1024;
  b.free_hugepage_bytes = meminfo_kb(meminfo, "HugePages_Free") * meminfo_kb(meminfo, "Hugepagesize") * 1024;
  b.hugepages = hugepages;
  b.no_huge_dpdk_bytes = uint64_t{no_huge_memory_mb} << 20;
  return b;
}

void check_memory(const MemoryEstimate& need, const MemoryBudget& have, std::vector<std::string>& errors) {
  if (have.hugepages && need.dpdk() > have.free_hugepage_bytes)
    errors.push_back(need.describe() + ": the DPDK part exceeds the free hugepages (" +
                     mib(have.free_hugepage_bytes) + "); lower [[port]].mbufs or [lcores].ring_size");
  if (!have.hugepages && need.dpdk() > have.no_huge_dpdk_bytes)
    errors.push_back(need.describe() + ": the DPDK part exceeds [eal].memory (" +
                     mib(have.no_huge_dpdk_bytes) +
                     " without hugepages); raise [eal].memory or lower [[port]].mbufs");
  const uint64_t heap_and_no_huge = need.engines + need.held + (have.hugepages ? 0 : have.no_huge_dpdk_bytes);
  if (heap_and_no_huge > have.available_bytes)
    errors.push_back(
        need.describe() + ": exceeds the available memory (MemAvailable " + mib(have.available_bytes) +
        "); lower [trading].shards, [book].max_orders / max_levels_total, [trading].max_tracked_orders or "
        "[feed.rewind].max_held_messages");
}

void check_order_ports(const DataplaneConfig& cfg, uint32_t shards, std::vector<std::string>& errors) {
  const uint32_t first = cfg.order_session.src_port;
  const uint32_t last = first + (shards ? shards - 1 : 0);
  if (last > 65535)
    errors.push_back("[order_session].src_port = " + std::to_string(first) +
                     ": shard s sends from src_port + s, " + std::to_string(shards) +
                     " shards need ports up to " + std::to_string(last) + " (> 65535)");
}

void check_drivers(const DataplaneConfig& cfg, const std::string& pmd_dir, const std::string& pci_devices_dir,
                   std::vector<std::string>& errors, std::vector<std::string>& warnings) {
  namespace fs = std::filesystem;
  std::set<std::string> pmds;  // "net_pcap" for librte_net_pcap.so.23
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(pmd_dir, ec)) {
    const std::string f = e.path().filename().string();
    if (f.rfind("librte_", 0) != 0) continue;
    pmds.insert(f.substr(7, f.find('.') - 7));
  }
  for (const PortConfig& p : cfg.ports) {
    const std::string driver = devargs_driver(p.devargs);
    if (driver == "pci") {
      const std::string addr = p.devargs.substr(0, p.devargs.find(','));
      if (!fs::exists(fs::path(pci_devices_dir) / addr, ec))
        warnings.push_back("[[port]] \"" + p.name + "\": no PCI device " + addr + " on this machine (" +
                           pci_devices_dir + "): the start will fail here");
    } else if (!pmds.empty() && !pmds.count(driver)) {
      errors.push_back("[[port]] \"" + p.name + "\": no poll-mode driver \"" + driver + "\" (no librte_" +
                       driver + " in " + pmd_dir + ")");
    }
  }
}

void check_output_path(const std::string& option, const std::string& path, std::vector<std::string>& errors) {
  namespace fs = std::filesystem;
  if (path.empty()) return;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    errors.push_back(option + " " + path + ": is a directory");
    return;
  }
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec) || ::access(dir.c_str(), W_OK) != 0)
    errors.push_back(option + " " + path + ": directory " + dir.string() +
                     " does not exist or is not writable");
}

}  // namespace sf::dataplane
