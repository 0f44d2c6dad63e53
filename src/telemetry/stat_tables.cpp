// The lcores' counters summed for the summary and --stats-file, row by row of the descriptor tables
// (rx_stat_table.cpp, executor_stat_table.cpp).
#include <algorithm>
#include <cstdint>

#include "sniperforge/telemetry/stat_tables.hpp"

namespace sf::telemetry {
namespace {

template <class Stats>
void add_table(std::span<const StatDesc<Stats>> table, std::span<const Stats* const> lcores,
               std::size_t executor_count, CounterList& out) {
  for (const StatDesc<Stats>& d : table) {
    for_each_key(d, executor_count, [&](std::string key, std::size_t slot) {
      uint64_t v = 0;
      auto fold = [&](uint64_t x) { v = d.combine == Combine::kMax ? std::max(v, x) : v + x; };
      for (const Stats* s : lcores) {
        if (s == nullptr) continue;
        if (slot != SIZE_MAX) {
          fold(d.read(*s, slot));
        } else {
          for (std::size_t i = 0; i < d.slots; ++i) fold(d.read(*s, i));
        }
      }
      out.emplace_back(std::move(key), v);
    });
  }
}

}  // namespace

void add_lcore_counters(std::span<const RxLcoreStats* const> rx,
                        std::span<const ExecutorLcoreStats* const> executors, std::size_t executor_count,
                        CounterList& out) {
  add_table(rx_stat_descs(), rx, executor_count, out);
  add_table(executor_stat_descs(), executors, executor_count, out);
}

}  // namespace sf::telemetry
