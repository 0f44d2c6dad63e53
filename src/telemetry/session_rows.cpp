// The per-session descriptor rows and the /ready wording (session_rows.hpp).
#include "sniperforge/telemetry/session_rows.hpp"

#include <array>

namespace sf::telemetry {
namespace {

using R = SessionRow;
constexpr std::array<SessionRowDesc, 10> kSessionRows{{
    {"sniperforge_session_state",
     "SoupBinTCP session state by shard: 0 idle, 1 backoff, 2 connecting, 3 login_sent, 4 logged_in, "
     "5 logging_out, 6 ended",
     StatKind::kGauge, [](const R& r) -> uint64_t { return r.state; }},
    {"sniperforge_session_up", "1 while the shard's SoupBinTCP session is logged in", StatKind::kGauge,
     [](const R& r) -> uint64_t { return r.logged_in ? 1 : 0; }},
    {"sniperforge_session_shard_reconnects_total", "Connection attempts after the first, by shard",
     StatKind::kCounter, [](const R& r) { return r.reconnects; }},
    {"sniperforge_session_shard_heartbeats_sent_total", "SoupBinTCP client heartbeats sent, by shard",
     StatKind::kCounter, [](const R& r) { return r.heartbeats_sent; }},
    {"sniperforge_session_shard_heartbeats_received_total", "SoupBinTCP server heartbeats received, by shard",
     StatKind::kCounter, [](const R& r) { return r.heartbeats_received; }},
    {"sniperforge_session_shard_bytes_received_total", "SoupBinTCP bytes received, by shard",
     StatKind::kCounter, [](const R& r) { return r.bytes_in; }},
    {"sniperforge_session_shard_bytes_sent_total", "SoupBinTCP bytes sent, by shard", StatKind::kCounter,
     [](const R& r) { return r.bytes_out; }},
    {"sniperforge_session_shard_tcp_retransmitted_segments_total",
     "TCP segments the shard's connection retransmitted (dpdk: our TCP; kernel: TCP_INFO)",
     StatKind::kCounter, [](const R& r) { return r.tcp_retransmits; }},
    {"sniperforge_session_shard_tcp_rtt_smoothed",
     "Smoothed round-trip time of the shard's TCP connection, nanoseconds (dpdk: our TCP; kernel: TCP_INFO, "
     "microsecond resolution; 0 before the first sample)",
     StatKind::kGauge, [](const R& r) { return r.tcp_srtt_ns; }},
    {"sniperforge_session_shard_orders_held_total",
     "Orders (and cancels) the shard's TCP congestion window (or the venue's receive window) held in the "
     "send buffer instead of sending at once (dpdk only; 0 for kernel)",
     StatKind::kCounter, [](const R& r) { return r.orders_held; }},
}};

}  // namespace

std::span<const SessionRowDesc> session_row_table() noexcept {
  return kSessionRows;
}

std::string sessions_down_problem(const std::vector<SessionRow>& rows) {
  std::string out;
  for (const SessionRow& r : rows) {
    if (r.logged_in) continue;
    out += out.empty() ? "order session down: " : ", ";
    out += "shard " + std::to_string(r.shard);
    if (!r.user.empty()) out += " (" + r.user + ")";
    out += " ";
    out += r.state_name.empty() ? std::string_view{"unknown"} : r.state_name;
  }
  return out;
}

}  // namespace sf::telemetry
