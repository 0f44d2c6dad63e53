// What the two descriptor tables (rx_stat_table.cpp, executor_stat_table.cpp) write their rows with: the
// field readers, the label names of array slots, the kinds. Private to src/telemetry.
#pragma once

#include <array>
#include <string_view>

#include "sniperforge/telemetry/stat_tables.hpp"

namespace sf::telemetry::stat_rows {

// Row helpers: a plain field, or one slot of an array field.
#define SF_FIELD(S, f) [](const S& s, std::size_t) -> uint64_t { return s.f.load(); }
#define SF_SLOT(S, f) [](const S& s, std::size_t i) -> uint64_t { return s.f[i].load(); }

inline std::string_view drop_name(std::size_t i) {
  return kFeedDropReasonNames[i];
}
inline std::string_view executor_name(std::size_t i) {
  static constexpr std::array<std::string_view, kMaxExecutors> kNames = {
      "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"};
  return kNames[i];
}
inline std::string_view line_name(std::size_t i) {
  return i == 0 ? "a" : "b";
}
inline std::string_view recovery_failure_name(std::size_t i) {  // slot i is RecoveryFailure i + 1
  return to_string(static_cast<RecoveryFailure>(i + 1));
}
inline std::string_view side_name(std::size_t i) {
  return i == 0 ? "buy" : "sell";
}
inline std::string_view tcp_drop_name(std::size_t i) {
  return net::to_string(static_cast<net::TcpDrop>(i));
}
inline std::string_view neighbour_drop_name(std::size_t i) {  // net::NeighbourDrop, in its order
  static constexpr std::array<std::string_view, kNeighbourDropReasons> kNames = {
      "malformed", "other_vlan", "not_for_us", "oversize_echo"};
  return kNames[i];
}

using Rx = RxLcoreStats;
using Ex = ExecutorLcoreStats;
constexpr auto kCounter = StatKind::kCounter;
constexpr auto kGauge = StatKind::kGauge;

}  // namespace sf::telemetry::stat_rows
