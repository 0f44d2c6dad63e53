// The descriptor table of ControlStats (control_stats.hpp): one row per command, its slots the results.
#include <array>
#include <utility>

#include "sniperforge/telemetry/control_stats.hpp"

namespace sf::telemetry {
namespace {

std::string_view result_name(std::size_t i) {
  return kControlResultNames[i];
}

std::string_view ring_name(std::size_t i) {
  return i == 0 ? "request" : "reply";
}

template <std::size_t C>
uint64_t read_command(const ControlStats& s, std::size_t result) {
  return s.commands[C][result].load();
}

template <std::size_t C>
constexpr StatDesc<ControlStats> command_row() {
  return {.key = kControlCommandNames[C],
          .metric = "sniperforge_control_commands_total",
          .help = "Operator commands (sf-ctl) handled, by command and result",
          .kind = StatKind::kCounter,
          .read = read_command<C>,
          .label = "result",
          .slots = kControlResults,
          .slot_name = result_name,
          .role = kControlCommandNames[C],
          .role_label = "command"};
}

template <std::size_t... C>
constexpr auto make_table(std::index_sequence<C...>) {
  return std::to_array<StatDesc<ControlStats>>(
      {command_row<C>()...,
       StatDesc<ControlStats>{
           .key = "control_refused_peers",
           .metric = "sniperforge_control_refused_peers_total",
           .help = "Connections to the control socket refused: peer uid and groups not allowed (SO_PEERCRED)",
           .kind = StatKind::kCounter,
           .read = [](const ControlStats& s, std::size_t) -> uint64_t { return s.refused_peers.load(); }},
       StatDesc<ControlStats>{
           .key = "control_ring_full",
           .metric = "sniperforge_control_ring_full_total",
           .help = "Operator commands whose executor request ring, or answers whose reply ring, was full",
           .kind = StatKind::kCounter,
           .read = [](const ControlStats& s, std::size_t i) -> uint64_t { return s.ring_full[i].load(); },
           .label = "ring",
           .slots = 2,
           .slot_name = ring_name}});
}

const auto kTable = make_table(std::make_index_sequence<kControlCommands>{});

}  // namespace

std::span<const StatDesc<ControlStats>> control_stat_descs() noexcept {
  return kTable;
}

}  // namespace sf::telemetry
