// The operator's control plane's counters (issue #14): commands handled by command and result, and peers
// the control socket refused. Written by the control socket's thread (one command at a time), read by the
// scrape with relaxed loads; exported through their descriptor table (control_stat_descs()) like the
// per-lcore counters. The names are bounded sets: an unknown command counts as "unknown", never as what
// the peer typed.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/telemetry/stat_desc.hpp"

namespace sf::telemetry {

inline constexpr std::array<std::string_view, 14> kControlCommandNames = {"status",
                                                                          "kill",
                                                                          "unkill",
                                                                          "state",
                                                                          "limits_show",
                                                                          "limits_set",
                                                                          "strategy_list",
                                                                          "strategy_enable",
                                                                          "strategy_disable",
                                                                          "strategy_set",
                                                                          "reload",
                                                                          "books",
                                                                          "clear_venue_inconsistent",
                                                                          "unknown"};
inline constexpr std::array<std::string_view, 7> kControlResultNames = {
    "ok", "invalid", "failed", "refused", "timeout", "unknown_symbol", "orders_still_open"};
inline constexpr std::size_t kControlCommands = kControlCommandNames.size();
inline constexpr std::size_t kControlResults = kControlResultNames.size();

// Index of a name in one of the lists above; a name a list does not hold counts as "unknown" (commands)
// or "failed" (results).
[[nodiscard]] constexpr std::size_t control_command_index(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kControlCommands; ++i)
    if (kControlCommandNames[i] == name) return i;
  return kControlCommands - 1;
}
[[nodiscard]] constexpr std::size_t control_result_index(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kControlResults; ++i)
    if (kControlResultNames[i] == name) return i;
  return 2;  // "failed"
}

struct alignas(64) ControlStats {
  std::array<std::array<Counter, kControlResults>, kControlCommands> commands{};
  Counter refused_peers;  // connections refused by SO_PEERCRED (uid and groups not allowed)
  // Commands not delivered: [0] an executor's request ring was full (the command did not reach it), [1] its
  // reply ring was full (the executor's answer was lost; the executors count, the control thread copies).
  std::array<Counter, 2> ring_full{};
  void count(std::string_view command, std::string_view result) noexcept {
    commands[control_command_index(command)][control_result_index(result)].add();
  }
  [[nodiscard]] uint64_t count_of(std::string_view command, std::string_view result) const noexcept {
    return commands[control_command_index(command)][control_result_index(result)].load();
  }
};

// One row per command (family sniperforge_control_commands_total, labels command and result), then the
// refused peers (sniperforge_control_refused_peers_total) and the full control rings
// (sniperforge_control_ring_full_total, label ring: request or reply).
[[nodiscard]] std::span<const StatDesc<ControlStats>> control_stat_descs() noexcept;

}  // namespace sf::telemetry
