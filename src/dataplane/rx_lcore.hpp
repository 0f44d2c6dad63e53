// The RX lcore: one feed queue in, one ring per executor out (RxProcessor does the parsing and
// routing; this is its DPDK side). Private to src/dataplane.
#pragma once

#include "executor_lcore.hpp"
#include "order_port_rx.hpp"
#include "sniperforge/dataplane/rx_processor.hpp"

namespace sf::dataplane {

static_assert(RTE_MBUF_DEFAULT_DATAROOM >= feed::kMaxFrameBytes,
              "a frame the feed rule accepts must fit one mbuf (the appliance never walks chains)");

// ---- RX: one queue in, one ring per executor out ----
struct RingSink {
  enum class OnFull : uint8_t { kDrop, kSpin, kRunExecutor };
  std::vector<rte_ring*> rings;  // by executor
  std::vector<Runtime::Executor*> execs;
  telemetry::RxLcoreStats* stats = nullptr;
  const RunState* state = nullptr;
  OnFull on_full = OnFull::kDrop;

  unsigned enqueue(uint16_t e, const Event* ev, unsigned n) noexcept {
    unsigned free_space = 0;
    unsigned took = rte_ring_sp_enqueue_burst_elem(rings[e], ev, sizeof(Event), n, &free_space);
    while (took < n && on_full != OnFull::kDrop && !state->stop.load(std::memory_order_relaxed)) {
      // Replay: back-pressure instead of loss (the input has no rate of its own).
      if (on_full == OnFull::kRunExecutor)
        execs[e]->poll();
      else
        rte_pause();
      took += rte_ring_sp_enqueue_burst_elem(rings[e], ev + took, sizeof(Event), n - took, &free_space);
    }
    stats->ring_high_water[e].max(rte_ring_get_capacity(rings[e]) - free_space);
    return took;
  }
};

// The RX lcore's own TX queue on the feed port ([feed.rewind]): MoldUDP64 re-requests and ARP, one
// frame at a time from the port's mempool (no heap, no syscall); a frame the queue refuses is counted.
struct RxFrameTx final : net::FrameSink {
  uint16_t port_id = 0;
  uint16_t queue = 0;
  rte_mempool* pool = nullptr;
  telemetry::FeedRecoveryStats* stats = nullptr;

  void emit_frame(std::span<const uint8_t> frame) noexcept override {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (!m || rte_pktmbuf_tailroom(m) < frame.size()) [[unlikely]] {
      if (m) rte_pktmbuf_free(m);
      stats->tx_unsent.add();
      return;
    }
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size())), frame.data(), frame.size());
    if (rte_eth_tx_burst(port_id, queue, &m, 1) != 1) [[unlikely]] {
      rte_pktmbuf_free(m);
      stats->tx_unsent.add();
    }
  }
};

// Every cache line of a packet: the parser walks it front to back, and a packet that arrives after an
// idle spell would otherwise take its misses one after another.
inline void prefetch_packet(const rte_mbuf* m, unsigned from = 0) noexcept {
  const auto* d = rte_pktmbuf_mtod(m, const uint8_t*);
  for (unsigned off = from; off < m->data_len; off += RTE_CACHE_LINE_SIZE) rte_prefetch0(d + off);
}

// Both cache lines of every mbuf header of a burst, before the first packet is looked at: the loop reads
// the first (length, data offset) to find each packet and rte_pktmbuf_free_bulk the second (`next`), and
// a header the NIC wrote long ago (or another line's copy) otherwise costs its misses one after another.
inline void prefetch_mbuf_headers(rte_mbuf* const* bufs, uint16_t n) noexcept {
  for (uint16_t i = 0; i < n; ++i) {
    rte_prefetch0(bufs[i]);
    rte_prefetch0(&bufs[i]->cacheline1);
  }
}

struct Runtime::Rx {
  uint16_t index = 0;
  unsigned lcore = 0;
  uint16_t port_id = 0;
  uint16_t queue = 0;
  uint16_t burst = 32;
  // [feed.line_b] on a port of its own: this (the only) RX lcore polls that port's queue 0 after the
  // feed queue, every poll; its frames go to RxProcessor::on_line_b_port_frame.
  bool line_b_own_port = false;
  uint16_t line_b_port_id = 0;
  bool replay = false;
  uint32_t idle_limit = 1000;
  std::unique_ptr<telemetry::RxLcoreStats> stats = std::make_unique<telemetry::RxLcoreStats>();
  RingSink sink;
  std::unique_ptr<RxFrameTx> tx;  // [feed.rewind] only
  std::unique_ptr<RxProcessor<RingSink>> proc;
  std::vector<Executor*> rtc_execs;  // run-to-completion: executors run on this lcore
  RunState* state = nullptr;
  std::unique_ptr<telemetry::LogRing> log = std::make_unique<telemetry::LogRing>();
  TestStall stall;
  uint64_t last_tsc = 0;
  // `transport = "dpdk"`: order-port frames to their executors (order_port_rx.hpp); a replay's feed
  // waits until every session is logged in, at most `feed_wait_ticks` (the logins run on the lcores).
  std::unique_ptr<OrderPortTap> order_tap;
  const TcpVenue* feed_waits_for = nullptr;
  uint64_t feed_wait_ticks = 0;
  uint64_t feed_wait_until = 0;

  // False while the feed waits for the order sessions (the executors were polled meanwhile).
  bool poll_order_port() noexcept {
    if (order_tap->own_port) order_tap->poll_port();
    if (!feed_waits_for) [[likely]]
      return true;
    const uint64_t tsc = rte_rdtsc();
    if (feed_wait_until == 0) feed_wait_until = tsc + feed_wait_ticks;
    if (feed_waits_for->all_reconciled() || tsc >= feed_wait_until) {
      feed_waits_for = nullptr;
      return true;
    }
    stats->heartbeat_tsc.set(tsc);
    for (Runtime::Executor* x : rtc_execs) x->poll();
    return false;
  }

  bool poll() noexcept {
    if (order_tap && !poll_order_port()) [[unlikely]]
      return true;  // busy: a replay does not count this as idle
    std::array<rte_mbuf*, kMaxBurst> bufs;
    const uint16_t n = rte_eth_rx_burst(port_id, queue, bufs.data(), burst);
    const uint64_t tsc = rte_rdtsc();
    last_tsc = tsc;
    stats->heartbeat_tsc.set(tsc);
    stats->polls.add();
    if (proc->tick(tsc)) [[unlikely]]
      proc->flush();  // an arbitration window expired: the held packets' events go now
    if (n) {
      stats->busy_polls.add();
      handle_burst(bufs.data(), n, tsc, false);
    }
    if (!line_b_own_port) [[likely]]
      return n != 0;
    const uint16_t nb = rte_eth_rx_burst(line_b_port_id, 0, bufs.data(), burst);
    if (nb) handle_burst(bufs.data(), nb, rte_rdtsc(), true);
    return n != 0 || nb != 0;
  }

  // Every packet of one burst; `line_b_port`: received on line B's own port.
  void handle_burst(rte_mbuf** bufs, uint16_t n, uint64_t tsc, bool line_b_port) noexcept {
    prefetch_mbuf_headers(bufs, n);
    prefetch_packet(bufs[0]);
    if (n > 1) rte_prefetch0(rte_pktmbuf_mtod(bufs[1], const uint8_t*));
    for (uint16_t i = 0; i < n; ++i) {
      // Two packets ahead: the first line (the headers); one ahead: the rest, unless that first line
      // shows the other line's copy, whose body is never read.
      if (i + 2 < n) rte_prefetch0(rte_pktmbuf_mtod(bufs[i + 2], const uint8_t*));
      if (i + 1 < n &&
          !proc->looks_applied(rte_pktmbuf_mtod(bufs[i + 1], const uint8_t*), bufs[i + 1]->data_len))
        prefetch_packet(bufs[i + 1], RTE_CACHE_LINE_SIZE);
      rte_mbuf* m = bufs[i];
      if (m->nb_segs != 1) [[unlikely]] {
        // Longer than one mbuf's data room, so longer than feed::kMaxFrameBytes: the one rule's label.
        stats->packets.add();
        stats->count_drop(m->pkt_len > feed::kMaxFrameBytes ? telemetry::FeedDropReason::kFrameTooLong
                                                            : telemetry::FeedDropReason::kMbufChained);
        continue;
      }
      if (order_tap && !line_b_port && order_tap->take(m)) [[unlikely]] {
        bufs[i] = nullptr;  // the owning executor frees it
        continue;
      }
      if (line_b_port) [[unlikely]]
        proc->on_line_b_port_frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, tsc);
      else
        proc->on_frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, tsc);
      if (!proc->staged()) continue;  // the other line's copy, a drop: nothing to hand on
      // Hand each packet's events on at once: a trigger early in a burst does not wait for the rest of
      // the burst to be parsed (pipeline: the executor starts meanwhile; run to completion: it runs now).
      proc->flush();
      for (Runtime::Executor* x : rtc_execs)
        while (x->poll()) {
        }
    }
    rte_pktmbuf_free_bulk(bufs, n);
  }
};

// Lcore entry points (rte_eal_remote_launch), in lcore_loops.cpp.
int rx_main(void* arg);
int executor_main(void* arg);
int rtc_main(void* arg);

}  // namespace sf::dataplane
