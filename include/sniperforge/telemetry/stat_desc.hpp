// One description per exported per-lcore statistic (the idea of VPP's vlib/counter.h): which field
// of a stats struct, its Prometheus family, help text and kind, the label of an array's slots, and
// the name it has in the run summary, --stats-file and rte_telemetry. Every reporter iterates these
// tables (stat_tables.hpp) instead of naming counters itself, so a new counter is exported
// everywhere by adding one row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sf::telemetry {

enum class StatKind : uint8_t { kCounter, kGauge };

// How the lcores' values (and an array's slots, when `total` asks for one) combine into one figure.
enum class Combine : uint8_t { kSum, kMax };

// Which slots an array field exports: all of them, or one per configured executor (ring arrays).
enum class Slots : uint8_t { kAll, kPerExecutor };

template <class Stats>
struct StatDesc {
  std::string_view key;     // summary / --stats-file / rte_telemetry name; a slot adds "_" + its label
  std::string_view metric;  // Prometheus family, one sample per lcore (label "lcore")
  std::string_view help;
  StatKind kind = StatKind::kCounter;
  uint64_t (*read)(const Stats&, std::size_t slot) = nullptr;
  // Arrays: the label their slots carry, how many there are and each one's label value.
  std::string_view label = {};
  std::size_t slots = 1;
  std::string_view (*slot_name)(std::size_t) = nullptr;
  Slots which = Slots::kAll;
  // Arrays: true = one summary key (`key`) over all slots instead of one per slot.
  bool total = false;
  // Arrays with per-slot keys: also a key for the total over all slots ("drops"), "" = none.
  std::string_view total_key = {};
  Combine combine = Combine::kSum;
  // A fixed label every sample carries (the lcore role of the shared poll families), "" = none.
  std::string_view role = {};
  // The name of that fixed label ("command" in the control plane's table).
  std::string_view role_label = "role";

  [[nodiscard]] bool is_array() const noexcept { return !label.empty(); }
};

}  // namespace sf::telemetry
