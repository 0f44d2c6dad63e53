// One row per hosted SoupBinTCP order session (one per shard), read by the scrape / stats thread from
// the session's own single-writer counters (the executor lcore for transport "dpdk", the session thread
// for "kernel"): /metrics exports them labelled shard and user (sniperforge_session_*), /ready names each
// session that is not logged in. The executors' sniperforge_session_* families stay the per-lcore sums.
// DPDK-free, and free of sf::order_session: the appliance fills the rows (Runtime::telemetry_inputs).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sniperforge/telemetry/stat_desc.hpp"

namespace sf::telemetry {

struct SessionRow {
  uint32_t shard = 0;
  std::string user;
  uint8_t state = 0;            // order_session::State: 0 idle .. 6 ended (docs/observability.md)
  std::string_view state_name;  // order_session::to_string (static storage)
  bool logged_in = false;
  uint64_t reconnects = 0, heartbeats_sent = 0, heartbeats_received = 0, bytes_in = 0, bytes_out = 0;
  // TCP figures: dpdk, our TCP's own; kernel, the socket's TCP_INFO read by the session thread.
  uint64_t tcp_retransmits = 0, tcp_srtt_ns = 0;
  uint64_t orders_held = 0;  // dpdk only (a kernel socket's send queue is not looked at): 0 for kernel
};

struct SessionRowDesc {
  std::string_view metric;
  std::string_view help;
  StatKind kind = StatKind::kCounter;
  uint64_t (*read)(const SessionRow&) = nullptr;
};

// The per-session families, one row each (the state gauge first).
[[nodiscard]] std::span<const SessionRowDesc> session_row_table() noexcept;

// The /ready problem for the sessions not logged in ("order session down: shard 1 (user) backoff, ..."),
// "" when every row is logged in.
[[nodiscard]] std::string sessions_down_problem(const std::vector<SessionRow>& rows);

}  // namespace sf::telemetry
