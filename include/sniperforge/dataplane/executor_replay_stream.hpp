// The executor's side of `transport = "none"` (replay, no venue): each hosted shard's synthetic
// SoupBinTCP connection (replay_order_stream.hpp) opens with its handshake before the first poll;
// drain_orders() and send_cancels() then write every order into that stream. A member function of
// Executor<Port>, kept apart from executor.hpp. DPDK-free.
#pragma once

#include "sniperforge/dataplane/executor.hpp"

namespace sf::dataplane {

// SYN, SYN-ACK, ACK of every hosted shard's connection, sent through the Port: counted as transmitted
// frames (tx_packets), not in tick-to-trade, which measures orders.
template <class Port>
inline void Executor<Port>::open_replay_streams() noexcept {
  if (replay_streams.empty()) return;
  for (const trade::Engine* eng : driver.engines()) {
    ReplayOrderStream& stream = replay_streams[eng->shard_index()];
    unsigned n = 0;
    for (unsigned i = 0; i < kReplayHandshakeFrames; ++i) {
      uint8_t* d = port.frame(n, replay_handshake_frame_length(i));
      if (!d) [[unlikely]] {
        stats->mbuf_alloc_failed.add();
        continue;
      }
      (void)stream.handshake(i, d);
      port.ready(n++);
    }
    const unsigned sent = port.send(n);
    stats->tx_packets.add(sent);
    if (sent < n) [[unlikely]]
      stats->tx_unsent.add(n - sent);
  }
  port.refill();
}

}  // namespace sf::dataplane
