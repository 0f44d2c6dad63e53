// The executor lcore's DPDK side: its input rings, its TX queue and the mbufs orders go out in (the Port of
// dataplane/executor.hpp, which does everything else). Private to src/dataplane (runtime.cpp builds it,
// lcore_loops.cpp runs it, report.cpp reads its stats).
#pragma once

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_ring_elem.h>
#include <rte_spinlock.h>

#include <array>
#include <vector>

#include "runtime.hpp"
#include "sniperforge/dataplane/executor.hpp"

namespace sf::dataplane {

// Test seam for the stats side's "lcore stalled" check (Runtime::set_test_stall, sniperforge
// --test-stall-lcore): the lcore busy-waits without heart-beating once, `ticks` long, from TSC `at`.
struct TestStall {
  uint64_t at = UINT64_MAX;
  uint64_t ticks = 0;
  void maybe(uint64_t now) noexcept {
    if (now < at) [[likely]]
      return;
    const uint64_t end = now + ticks;
    while (rte_rdtsc() < end) rte_pause();
    at = UINT64_MAX;
  }
};

// Rings in (one per RX lcore), one TX queue out; orders are built straight into mbufs.
struct DpdkExecutorPort {
  std::vector<rte_ring*> rings;  // by input
  uint16_t port_id = 0;
  uint16_t queue = 0;
  rte_mempool* pool = nullptr;
  rte_spinlock_t* tx_lock = nullptr;  // only when the device has fewer TX queues than executors
  bool tx_enabled = true;
  std::array<rte_mbuf*, kTxStage> tx{};
  // The mbuf the next order goes into, taken from the pool after the previous send rather than on the
  // trigger's clock; kept warm while idle.
  rte_mbuf* spare = nullptr;

  static uint64_t now() noexcept { return rte_rdtsc(); }

  unsigned dequeue(std::size_t input, Event* out, unsigned max) noexcept {
    return rte_ring_sc_dequeue_burst_elem(rings[input], out, sizeof(Event), max, nullptr);
  }

  uint8_t* frame(unsigned slot, std::size_t length) noexcept {
    rte_mbuf* m = spare ? spare : rte_pktmbuf_alloc(pool);
    spare = nullptr;
    if (!m) [[unlikely]]
      return nullptr;
    auto* d = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, static_cast<uint16_t>(length)));
    if (!d) [[unlikely]] {  // data room smaller than one frame: cannot happen with default pools
      rte_pktmbuf_free(m);
      return nullptr;
    }
    tx[slot] = m;
    return d;
  }

  unsigned send(unsigned n) noexcept {
    uint16_t sent = 0;
    if (tx_enabled) {
      if (tx_lock) rte_spinlock_lock(tx_lock);
      sent = rte_eth_tx_burst(port_id, queue, tx.data(), static_cast<uint16_t>(n));
      if (tx_lock) rte_spinlock_unlock(tx_lock);
    }
    if (sent < n) [[unlikely]]
      rte_pktmbuf_free_bulk(tx.data() + sent, n - sent);
    return sent;
  }

  void refill() noexcept {
    if (!spare) spare = rte_pktmbuf_alloc(pool);
  }
  void release_spare() noexcept {
    if (spare) rte_pktmbuf_free(spare);
    spare = nullptr;
  }
  void keep_warm() const noexcept {
    if (spare) {
      rte_prefetch0(spare);
      rte_prefetch0(rte_pktmbuf_mtod(spare, void*));
    }
  }
};

// ---- Executor lcore: the DPDK-free executor on its Port, plus what the lcore loop needs ----
struct Runtime::Executor : ::sf::dataplane::Executor<DpdkExecutorPort> {
  uint16_t index = 0;
  unsigned lcore = 0;
  RunState* state = nullptr;
  TestStall stall;
};

}  // namespace sf::dataplane
