// The RX lcore's side of `transport = "dpdk"` (tcp_venue.hpp): an order-port frame that names one of
// our TCP connections (our address, local port src_port + shard) or is ARP / ICMP for us is handed, as
// the mbuf itself, to the executor that owns it over that executor's MP/SC ring (several RX lcores may
// feed it). Header fields only (net::OrderPortDemux): the owner's TcpConnection and Neighbours verify
// checksums, addresses and sequence numbers, and count what they drop. A full ring drops the frame
// (counted; TCP retransmits). On an order port of its own, frames that are not ours are counted and
// freed; on the feed port they go on to the feed parser.
#pragma once

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <array>
#include <vector>

#include "sniperforge/net/order_port_demux.hpp"
#include "sniperforge/telemetry/lcore_stats.hpp"
#include "tcp_venue.hpp"

namespace sf::dataplane {

struct OrderPortTap {
  net::OrderPortDemux demux;
  std::vector<rte_ring*> rings;         // by executor
  std::vector<uint16_t> exec_of_shard;  // shard -> executor
  uint16_t port_id = 0;                 // the order port, when it is not the feed port
  uint16_t queue = 0;
  bool own_port = false;  // this RX lcore polls the order port itself (RX lcore 0)
  telemetry::RxLcoreStats* stats = nullptr;

  // True if the frame was ours (handed over, or dropped on a full ring and freed): the caller must
  // not touch or free it.
  bool take(rte_mbuf* m) noexcept {
    if (m->nb_segs != 1) [[unlikely]]
      return false;  // the feed parser (or poll_port) counts it as mbuf_chained
    const net::OrderFrameRoute r = demux.route(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len);
    if (r.kind == net::OrderFrameKind::kNotOurs) return false;
    uint16_t e = 0;
    if (r.kind == net::OrderFrameKind::kTcp) {
      m->hash.usr = r.shard;
      e = exec_of_shard[r.shard];
    } else {
      m->hash.usr = kNeighbourFrame;
    }
    if (rte_ring_mp_enqueue(rings[e], m) != 0) [[unlikely]] {
      stats->order_port_ring_full.add();
      rte_pktmbuf_free(m);
      return true;
    }
    stats->order_port_frames.add();
    return true;
  }

  // The order port's own queue (when it is not the feed port).
  void poll_port() noexcept {
    std::array<rte_mbuf*, 32> bufs;
    const uint16_t n = rte_eth_rx_burst(port_id, queue, bufs.data(), bufs.size());
    for (uint16_t i = 0; i < n; ++i) {
      if (take(bufs[i])) continue;
      if (bufs[i]->nb_segs != 1)
        stats->count_drop(telemetry::FeedDropReason::kMbufChained);
      else
        stats->order_port_not_ours.add();
      rte_pktmbuf_free(bufs[i]);
    }
  }
};

}  // namespace sf::dataplane
