// The hosted venue sessions' counters summed over an executor's shards and stored into its stats: one
// sum for both transports (`transport = "kernel"` and `"dpdk"`), so a new session counter is added once.
// The sessions own the running totals; the executor's fields are set from the sum, never added to.
// DPDK-free.
#pragma once

#include <cstdint>

#include "sniperforge/session/client_session.hpp"
#include "sniperforge/telemetry/lcore_stats.hpp"

namespace sf::dataplane {

struct SessionCounterSum {
  uint64_t logged_in = 0, reconnects = 0, heartbeats_sent = 0, heartbeats_received = 0;
  uint64_t bytes_in = 0, bytes_out = 0, orders_refused = 0;
  uint64_t tcp_retransmits = 0, tcp_srtt_ns = 0;  // srtt: the largest of the hosted connections
  uint64_t orders_held = 0;                       // dpdk only: held by the congestion window

  // One hosted session: its counters, and whether it is logged in now (each transport knows how to ask).
  void add(const order_session::SessionCounters& c, bool is_logged_in) noexcept {
    logged_in += is_logged_in ? 1 : 0;
    reconnects += c.reconnects.load();
    heartbeats_sent += c.heartbeats_sent.load();
    heartbeats_received += c.heartbeats_received.load();
    bytes_in += c.bytes_in.load();
    bytes_out += c.bytes_out.load();
    orders_refused += c.orders_refused_session_down.load();
  }

  // Its TCP's figures (dpdk: our TCP's stats; kernel: the socket's TCP_INFO as KernelCounters keeps it).
  void add_tcp(uint64_t retransmitted_segments, uint64_t srtt_ns, uint64_t held = 0) noexcept {
    tcp_retransmits += retransmitted_segments;
    orders_held += held;
    if (srtt_ns > tcp_srtt_ns) tcp_srtt_ns = srtt_ns;
  }

  void store(telemetry::ExecutorLcoreStats& st) const noexcept {
    st.sessions_logged_in.set(logged_in);
    st.session_reconnects.set(reconnects);
    st.session_heartbeats_sent.set(heartbeats_sent);
    st.session_heartbeats_received.set(heartbeats_received);
    st.session_bytes_in.set(bytes_in);
    st.session_bytes_out.set(bytes_out);
    st.session_orders_refused.set(orders_refused);
    st.session_tcp_retransmits.set(tcp_retransmits);
    st.session_tcp_srtt_ns.set(tcp_srtt_ns);
    st.session_orders_held.set(orders_held);
  }
};

}  // namespace sf::dataplane
