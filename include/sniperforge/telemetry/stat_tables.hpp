// The descriptor tables of the per-lcore stats structs and the one function that sums them.
// Collector (/metrics), the appliance's summary and --stats-file (Runtime::counters) and the
// rte_telemetry /sniperforge/stats command all read the same rows.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sniperforge/telemetry/lcore_stats.hpp"
#include "sniperforge/telemetry/stat_desc.hpp"

namespace sf::telemetry {

[[nodiscard]] std::span<const StatDesc<RxLcoreStats>> rx_stat_descs() noexcept;
[[nodiscard]] std::span<const StatDesc<ExecutorLcoreStats>> executor_stat_descs() noexcept;

using CounterList = std::vector<std::pair<std::string, uint64_t>>;

// Every descriptor of both tables, combined over the given lcores, appended to `out` as (key, value)
// in table order; an array gives one entry per slot ("drop_not_udp") or its total. `executors` is how
// many executor slots the ring arrays have in use.
void add_lcore_counters(std::span<const RxLcoreStats* const> rx,
                        std::span<const ExecutorLcoreStats* const> executors, std::size_t executor_count,
                        CounterList& out);

// Calls fn(key, slot) for every summary entry of one descriptor (what add_lcore_counters emits).
template <class Stats, class Fn>
void for_each_key(const StatDesc<Stats>& d, std::size_t executor_count, Fn&& fn) {
  if (!d.is_array() || d.total) return fn(std::string(d.key), SIZE_MAX);
  const std::size_t n = d.which == Slots::kPerExecutor && executor_count < d.slots ? executor_count : d.slots;
  for (std::size_t i = 0; i < n; ++i) {
    std::string key(d.key);
    key += '_';
    key += d.slot_name(i);
    fn(std::move(key), i);
  }
  if (!d.total_key.empty()) fn(std::string(d.total_key), SIZE_MAX);
}

}  // namespace sf::telemetry
