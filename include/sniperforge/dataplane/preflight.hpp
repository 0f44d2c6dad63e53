// Checks --check-config runs beyond the syntax of the file: what the configuration needs from this machine
// (memory, poll-mode drivers, PCI devices, the order sessions' TCP port range, writable outputs). DPDK-free:
// the machine's facts (free memory, the PMD directory, /sys) are parameters or plain file-system reads, so
// every refusal is unit-tested. The appliance runs them before EAL and prints the memory estimate at start.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sniperforge/dataplane/config.hpp"

namespace sf::dataplane {

// What a configuration allocates. Process heap: the engines (books, order trackers); DPDK memory
// (hugepages, or the -m of a --no-huge EAL): the mbuf pools and the RX -> executor rings.
struct MemoryEstimate {
  uint64_t engines = 0;   // heap: shards x Engine::footprint_bytes
  uint64_t mempools = 0;  // DPDK: every port's mbuf pool
  uint64_t rings = 0;     // DPDK: one ring per (RX, executor)
  uint64_t held = 0;      // heap: [feed.rewind] max_held_messages slots (feed_recovery.hpp)
  uint32_t shards = 0;
  [[nodiscard]] uint64_t dpdk() const noexcept { return mempools + rings; }
  // "memory estimate: 106 MiB heap (1 shard x 106 MiB books + orders), 19 MiB DPDK (...)"
  [[nodiscard]] std::string describe() const;
};

// `engine_bytes`: trade::Engine::footprint_bytes of the trading configuration (one shard).
MemoryEstimate estimate_memory(const DataplaneConfig& cfg, uint32_t shards, uint64_t engine_bytes);

// What the machine offers: MemAvailable (heap, and DPDK memory without hugepages) and the free
// hugepages (DPDK memory with them).
struct MemoryBudget {
  uint64_t available_bytes = 0;
  uint64_t free_hugepage_bytes = 0;
  bool hugepages = false;           // the EAL plan uses hugepages
  uint64_t no_huge_dpdk_bytes = 0;  // -m of a --no-huge EAL
};
MemoryBudget memory_budget(std::string_view meminfo, bool hugepages, uint32_t no_huge_memory_mb);

// Appends an error (with the estimate) when the estimate does not fit the budget.
void check_memory(const MemoryEstimate& need, const MemoryBudget& have, std::vector<std::string>& errors);

// Shard s connects from local TCP port [order_session].src_port + s: the range must stay below 65536.
// (It may contain the feed's UDP port: the order port's demux takes TCP only, the feed path UDP only.)
void check_order_ports(const DataplaneConfig& cfg, uint32_t shards, std::vector<std::string>& errors);

// Every port's driver exists: a virtual device "net_X" needs librte_net_X in `pmd_dir` (the DPDK build's
// RTE_EAL_PMD_PATH), else an error. A PCI address missing from `pci_devices_dir` (/sys/bus/pci/devices) is a
// warning only: a configuration is often checked on another machine than the one it is deployed to.
void check_drivers(const DataplaneConfig& cfg, const std::string& pmd_dir, const std::string& pci_devices_dir,
                   std::vector<std::string>& errors, std::vector<std::string>& warnings);

// An output file given on the command line can be created: its directory exists and is writable.
void check_output_path(const std::string& option, const std::string& path, std::vector<std::string>& errors);

}  // namespace sf::dataplane
