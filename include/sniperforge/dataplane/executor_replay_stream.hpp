// The executor's side of `transport = "none"` (replay, no venue): each hosted shard's synthetic
// SoupBinTCP connection (replay_order_stream.hpp) opens with its handshake before the first poll;
// drain_orders() and send_cancels() then write every order and cancel into that stream, built straight
// into the Port's TX buffers and sent at once. Member functions of Executor<Port>, kept apart from
// executor.hpp. DPDK-free.
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
      ++n;
    }
    const unsigned sent = port.send(n);
    stats->tx_packets.add(sent);
    if (sent < n) [[unlikely]]
      stats->tx_unsent.add(n - sent);
  }
  port.refill();
}

// Each order built into a frame of the shard's stream, journaled, sent at once.
template <class Port>
inline void Executor<Port>::send_replay_orders(uint32_t shard) noexcept {
  for (const trade::OrderRequest& r : sink) {
    uint8_t* d = port.frame(tx_n, kReplayOrderFrameLength);
    if (!d) [[unlikely]] {
      stats->mbuf_alloc_failed.add();
      continue;
    }
    const uint8_t* ouch = nullptr;
    (void)replay_streams[shard].enter_order(d, r, ouch);
    if (journal) journal_order(shard, r, ouch);
    stats->count_order(side_from_char(r.side));
    stage(r.rx_tsc);
  }
  // Send now, not at the end of the burst: the events behind the trigger can wait, the order cannot.
  // Orders are rare next to feed events, so this costs throughput nothing measurable.
  flush_tx();
  port.refill();  // after the send: off the next trigger's clock
}

// Cancel Orders (kill) into the shard's stream, sent now.
template <class Port>
inline void Executor<Port>::send_replay_cancels(uint32_t shard,
                                                std::span<const trade::CancelRequest> cancels) noexcept {
  for (const trade::CancelRequest& c : cancels) {
    uint8_t* d = port.frame(tx_n, kReplayCancelFrameLength);
    if (!d) [[unlikely]] {
      stats->mbuf_alloc_failed.add();
      continue;
    }
    (void)replay_streams[shard].cancel_order(d, c.user_ref_num, c.quantity);
    stage(port.now());
  }
  flush_tx();
  port.refill();
}

}  // namespace sf::dataplane
