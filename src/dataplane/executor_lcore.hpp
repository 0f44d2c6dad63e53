// The executor lcore: the engines of its shards, its input rings, one TX queue out. Private to
// src/dataplane (runtime.cpp builds it, lcore_loops.cpp runs it, report.cpp reads its stats).
#pragma once

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <vector>

#include "kernel_venue.hpp"
#include "runtime.hpp"
#include "sniperforge/control/channel.hpp"
#include "sniperforge/dataplane/rx_processor.hpp"
#include "sniperforge/journal/reconcile.hpp"
#include "sniperforge/journal/writer.hpp"
#include "sniperforge/telemetry/log_rate_limit.hpp"

namespace sf::dataplane {

inline constexpr unsigned kMaxBurst = 512;
inline constexpr unsigned kTxStage = 64;
inline constexpr unsigned kOrderSinkCapacity = 64;
// Journal ring slots an executor keeps free before it lets its engines send: one burst's events can each
// trigger orders (sink capacity) and carry venue messages.
inline constexpr std::size_t kJournalReserve = 2 * (kMaxBurst + kOrderSinkCapacity);

// Test hook for the stats side's "lcore stalled" check (SF_TEST_STALL_LCORE=lcore:after_ms:for_ms):
// the lcore busy-waits without heart-beating once, `for_ms` long, `after_ms` after launch.
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
inline constexpr unsigned kProcessingSampleMask = 63;  // time one ITCH event in 64 (rdtsc pair)
// An idle executor prefetches its trigger path every 64 polls.
inline constexpr unsigned kKeepWarmEveryIdlePolls = 63;

// ---- Executor: engines of its shards, rings in, one TX queue out ----
struct Runtime::Executor {
  uint16_t index = 0;
  unsigned lcore = 0;
  uint16_t burst = 32;
  // One input per RX lcore. A venue message split over events may straddle two dequeues: its
  // first events wait in `carry` and are handled ahead of the next burst from that ring.
  struct Input {
    rte_ring* ring = nullptr;
    std::array<Event, kMaxVenueEvents> carry{};
    unsigned carry_n = 0;
  };
  std::vector<Input> in;
  std::vector<trade::Engine*> engines;   // hosted shards
  std::vector<trade::Engine*> by_shard;  // shard -> engine (nullptr if hosted elsewhere)
  uint32_t shards = 1;
  std::vector<OrderFrameTemplate> templates;          // by shard
  std::vector<CancelFrameTemplate> cancel_templates;  // by shard
  // Operator commands (sf-ctl): applied between two polls (control/channel.hpp).
  std::unique_ptr<control::ExecutorChannel> control;
  std::array<trade::CancelRequest, control::kCancelsPerCommand> cancel_scratch{};
  uint16_t port_id = 0;
  uint16_t queue = 0;
  rte_mempool* pool = nullptr;
  rte_spinlock_t* tx_lock = nullptr;  // only when the device has fewer TX queues than executors
  bool tx_offload = false;
  bool tx_enabled = true;
  RunState* state = nullptr;
  // The journal (journal/writer.hpp): this executor's ring to the writer thread, null without [journal].
  journal::EntryRing* journal = nullptr;
  const journal::Writer* journal_writer = nullptr;
  journal::Entry journal_entry{};

  std::unique_ptr<telemetry::ExecutorLcoreStats> stats = std::make_unique<telemetry::ExecutorLcoreStats>();

  std::array<Event, kMaxBurst + kMaxVenueEvents> ev{};
  std::array<uint8_t, kMaxVenueMessage> venue_buf{};
  std::unique_ptr<telemetry::LogRing> log = std::make_unique<telemetry::LogRing>();
  TestStall stall;
  uint64_t last_now = 0;
  unsigned sample = 0;
  std::array<trade::OrderRequest, kOrderSinkCapacity> order_storage{};
  trade::OrderSink sink{order_storage};
  std::array<rte_mbuf*, kTxStage> tx{};
  std::array<uint64_t, kTxStage> tx_rx_tsc{};
  unsigned tx_n = 0;

  // Book rows for the stats lcore (/sniperforge/books): the books are this lcore's, so it copies
  // them itself when asked. `rows` is reserved for every book its engines can hold and symbols fit
  // std::string's inline buffer, so serving allocates nothing.
  struct BookSnapshot {
    std::atomic<bool> running{false};    // this executor's loop runs (set by its lcore)
    std::atomic<uint64_t> requested{0};  // tickets, bumped by the reader
    std::atomic<uint64_t> served{0};     // last ticket served (release: rows are ready)
    std::vector<book::BookRow> rows;
  };
  std::unique_ptr<BookSnapshot> snap = std::make_unique<BookSnapshot>();
  uint64_t snap_served = 0;  // this lcore's copy of snap->served

  void serve_book_snapshot() noexcept {
    const uint64_t want = snap->requested.load(std::memory_order_acquire);
    if (want == snap_served) [[likely]]
      return;
    snap->rows.clear();
    for (const trade::Engine* eng : engines) eng->dump_rows(snap->rows);
    snap_served = want;
    snap->served.store(want, std::memory_order_release);
  }

  void flush_tx() noexcept {
    if (tx_n == 0) return;
    uint16_t sent = 0;
    if (tx_enabled) {
      if (tx_lock) rte_spinlock_lock(tx_lock);
      sent = rte_eth_tx_burst(port_id, queue, tx.data(), static_cast<uint16_t>(tx_n));
      if (tx_lock) rte_spinlock_unlock(tx_lock);
    }
    // Tick-to-trade stops once rte_eth_tx_burst has returned (the order is in the NIC's hands).
    const uint64_t now = rte_rdtsc();
    for (unsigned i = 0; i < sent; ++i)  // clamp: the RX stamp may come from a cpu whose TSC runs ahead
      stats->tick_to_trade.record(now > tx_rx_tsc[i] ? now - tx_rx_tsc[i] : 0);
    stats->tx_packets.add(sent);
    if (sent < tx_n) [[unlikely]] {
      stats->tx_unsent.add(tx_n - sent);
      log->push(now, telemetry::LogCode::kTxUnsent, tx_n - sent, port_id);
      rte_pktmbuf_free_bulk(tx.data() + sent, tx_n - sent);
    }
    tx_n = 0;
  }

  // The mbuf the next order goes into, taken from the pool after the previous send rather than on
  // the trigger's clock; kept warm while idle.
  rte_mbuf* spare = nullptr;
  unsigned idle_polls = 0;

  void release_spare() noexcept {
    if (spare) rte_pktmbuf_free(spare);
    spare = nullptr;
  }

  rte_mbuf* order_mbuf() noexcept {
    rte_mbuf* m = spare ? spare : rte_pktmbuf_alloc(pool);
    spare = nullptr;
    return m;
  }

  // Idle: prefetch what the next order touches (trigger state in the engines, the spare mbuf, the
  // frame templates). Reads only.
  void keep_warm() noexcept {
    for (const trade::Engine* eng : engines) eng->keep_warm();
    if (spare) {
      rte_prefetch0(spare);
      rte_prefetch0(rte_pktmbuf_mtod(spare, void*));
    }
    for (const OrderFrameTemplate& t : templates) rte_prefetch0(t.bytes());
  }

  void drain_orders(uint32_t shard) noexcept {
    if (!venue_sessions.empty()) return hand_orders_to_session(shard);
    for (const trade::OrderRequest& r : sink) {
      rte_mbuf* m = order_mbuf();
      if (!m) [[unlikely]] {
        stats->mbuf_alloc_failed.add();
        continue;
      }
      auto* d = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, kOrderFrameLength));
      if (!d) [[unlikely]] {  // data room smaller than one order frame: cannot happen with default pools
        rte_pktmbuf_free(m);
        stats->mbuf_alloc_failed.add();
        continue;
      }
      templates[shard].build(d, r);
      if (journal) journal_order(shard, r, d + kOrderHeadersLength + kSessionHeaderLength);
      if (tx_offload) {
        auto* ip = reinterpret_cast<rte_ipv4_hdr*>(d + net::kEthernetHeaderLength);
        auto* udp =
            reinterpret_cast<rte_udp_hdr*>(d + net::kEthernetHeaderLength + net::kIpv4MinHeaderLength);
        m->l2_len = net::kEthernetHeaderLength;
        m->l3_len = net::kIpv4MinHeaderLength;
        m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;
        ip->hdr_checksum = 0;
        udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
      }
      stats->count_order(side_from_char(r.side));
      tx[tx_n] = m;
      tx_rx_tsc[tx_n] = r.rx_tsc;
      if (++tx_n == kTxStage) flush_tx();
    }
    sink.clear();
    // Send now, not at the end of the burst: the events behind the trigger can wait, the order
    // cannot. Orders are rare next to feed events, so this costs throughput nothing measurable.
    flush_tx();
    if (!spare) spare = rte_pktmbuf_alloc(pool);  // after the send: off the next trigger's clock
  }

  // The order just built, as sent (its OUCH bytes), into the journal ring. The writer stamps the wall
  // time; a full ring is counted and closes the shards' orders at the next poll (journal_full).
  void journal_order(uint32_t shard, const trade::OrderRequest& r, const uint8_t* ouch) noexcept {
    (void)journal::make_order_record(journal_entry, static_cast<uint16_t>(shard), 0, r,
                                     {ouch, kEnterOrderLength});
    if (!journal->push(journal_entry)) [[unlikely]]
      stats->journal_ring_full.add();
  }
  void journal_venue(uint8_t shard, std::size_t len, uint64_t rx_tsc) noexcept {
    if (!journal::make_venue(journal_entry, shard, 0, {0, rx_tsc, {venue_buf.data(), len}}) ||
        !journal->push(journal_entry)) [[unlikely]]
      stats->journal_ring_full.add();
  }
  // Before a burst: orders only while the ring has room for what one burst can add and the writer works.
  void gate_journal() noexcept {
    const bool open = journal_writer->accepting(*journal, kJournalReserve);
    for (trade::Engine* eng : engines) eng->set_journal_open(open);
  }

  // Cancel Orders for a kill (sf-ctl kill / cancel_open): built and sent now, like orders.
  void send_cancels(uint32_t shard, std::span<const trade::CancelRequest> cancels) noexcept {
    for (const trade::CancelRequest& c : cancels) {
      rte_mbuf* m = order_mbuf();
      auto* d = m ? reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, kCancelFrameLength)) : nullptr;
      if (!d) [[unlikely]] {
        if (m) rte_pktmbuf_free(m);
        stats->mbuf_alloc_failed.add();
        continue;
      }
      cancel_templates[shard].build(d, c.user_ref_num, c.quantity);
      if (tx_offload) {
        auto* ip = reinterpret_cast<rte_ipv4_hdr*>(d + net::kEthernetHeaderLength);
        auto* udp =
            reinterpret_cast<rte_udp_hdr*>(d + net::kEthernetHeaderLength + net::kIpv4MinHeaderLength);
        m->l2_len = net::kEthernetHeaderLength;
        m->l3_len = net::kIpv4MinHeaderLength;
        m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;
        ip->hdr_checksum = 0;
        udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
      }
      tx[tx_n] = m;
      tx_rx_tsc[tx_n] = rte_rdtsc();
      if (++tx_n == kTxStage) flush_tx();
    }
    flush_tx();
    if (!spare) spare = rte_pktmbuf_alloc(pool);
  }

  void serve_commands() noexcept {
    if (!control || control->requests.empty()) [[likely]]
      return;
    control::serve_control(
        *control, engines, cancel_scratch,
        [this](uint32_t shard, std::span<const trade::CancelRequest> c) { send_cancels(shard, c); });
  }

  void handle(const Event& e, uint64_t now) noexcept {
    if (e.is_itch()) [[likely]] {
      const itch::MessageView msg(e.payload);
      const uint64_t rx_tsc = now - e.ticks_since_rx(now);
      const uint32_t r = trade::route(msg, shards);
      stats->events.add();
      const bool timed = (++sample & kProcessingSampleMask) == 0;
      const uint64_t t0 = timed ? rte_rdtsc() : 0;
      if (r == trade::kAllShards) {
        for (trade::Engine* eng : engines) {
          eng->on_itch(msg, e.seq, rx_tsc, sink);
          if (!sink.empty()) drain_orders(eng->shard_index());
        }
      } else if (trade::Engine* eng = by_shard[r]) [[likely]] {
        eng->on_itch(msg, e.seq, rx_tsc, sink);
        if (!sink.empty()) drain_orders(r);
      } else {
        stats->misrouted.add();
      }
      if (timed) stats->processing.record(rte_rdtsc() - t0);  // engine + order build for one event
      return;
    }
    if (e.kind() == EventKind::kBooksStale) {
      // A gap or a full ring: this executor's books may be wrong. The engines keep applying the
      // feed but fire no order until recovery (re-request, a later issue) calls clear_stale().
      stats->stale_events.add();
      const auto reason = static_cast<StaleReason>(e.payload[1]);
      uint64_t stale_books = 0;
      for (trade::Engine* eng : engines) {
        eng->mark_stale(reason);
        stale_books += eng->stale_books();
      }
      stats->books_stale.set(stale_books);
    }
  }

  // A venue response failed the engine's checks (counted and exported by the engine, which stopped the
  // shard): log it through the ring, at most 10 at once and then 10 a second, saying how many were not.
  telemetry::LogRateLimit venue_log_limit;
  void log_venue_refused(const trade::Engine& eng, uint8_t shard, uint64_t now) noexcept {
    if (!venue_log_limit.allow(now)) return;
    if (const uint64_t skipped = venue_log_limit.take_suppressed())
      log->push(now, telemetry::LogCode::kVenueLogSuppressed, skipped);
    const trade::VenueVerdict& v = eng.last_venue_failure();
    log->push(now, telemetry::LogCode::kVenueInconsistent, static_cast<uint64_t>(v.check), shard,
              v.user_ref_num, v.value);
  }

  // One pass over the input rings. True if any event was processed.
  void handle_venue(const Event& first, uint8_t shard, std::size_t len, uint64_t now) noexcept {
    stats->venue_messages.add();
    trade::Engine* eng = shard < by_shard.size() ? by_shard[shard] : nullptr;
    if (!eng) [[unlikely]] {
      stats->misrouted.add();
      return;
    }
    const uint64_t rx_tsc = now - first.ticks_since_rx(now);
    const uint64_t refused_before = eng->orders().failures();
    if (journal) journal_venue(shard, len, rx_tsc);  // before it is applied: a write-ahead record
    const trade::VenueParse vp = eng->on_venue(venue_buf.data(), len, rx_tsc, sink);
    if (vp == trade::VenueParse::kUnknownType || vp == trade::VenueParse::kBadLength)
      stats->venue_bad_messages.add();
    if (eng->orders().failures() != refused_before) [[unlikely]]
      log_venue_refused(*eng, shard, now);
    if (!sink.empty()) drain_orders(shard);
  }

  // The engine an ITCH event will go to (nullptr: broadcast, control, or another executor's shard).
  [[nodiscard]] trade::Engine* engine_for(const Event& e) const noexcept {
    if (!e.is_itch()) return nullptr;
    const uint32_t r = trade::route(itch::MessageView(e.payload), shards);
    return r == trade::kAllShards ? nullptr : by_shard[r];
  }

  // Handles ev[0..n); returns how many events were consumed (the rest is an incomplete venue
  // message to carry over).
  unsigned handle_burst(unsigned n, uint64_t now) noexcept {
    // Prologue of the look-ahead below: the first events' order slots are requested together, so a
    // burst that arrives after an idle spell overlaps those misses instead of taking them in turn.
    for (unsigned k = 0; k < std::min(n, 16u); ++k)
      if (trade::Engine* eng = engine_for(ev[k])) eng->prefetch(ev[k].payload);
    unsigned i = 0;
    while (i < n) {
      const Event& e = ev[i];
      // The engine's two-stage hints (as sf-backtest uses them): order slot 16 events ahead, book
      // levels 4 ahead; they hide the book's cache misses behind the events in between.
      if (i + 16 < n) {
        if (trade::Engine* eng = engine_for(ev[i + 16])) eng->prefetch(ev[i + 16].payload);
      }
      if (i + 4 < n) {
        if (trade::Engine* eng = engine_for(ev[i + 4])) eng->prefetch_levels(ev[i + 4].payload);
      }
      stats->ring_hop.record(e.ticks_since_rx(now));  // RX burst stamp -> this dequeue
      if (e.is_itch() || e.kind() == EventKind::kBooksStale) [[likely]] {
        handle(e, now);
        ++i;
        continue;
      }
      if (e.kind() == EventKind::kVenue) {
        std::size_t used = 0;
        uint8_t shard = 0;
        const std::size_t len = unpack_venue(&ev[i], n - i, venue_buf.data(), used, shard);
        if (len) {
          handle_venue(e, shard, len, now);
          i += static_cast<unsigned>(used);
          continue;
        }
        const std::size_t want = (std::size_t{e.payload[1]} << 8) | e.payload[2];
        bool tail_ok = want > 0 && want <= kMaxVenueMessage && n - i < venue_events_for(want);
        for (unsigned k = i + 1; tail_ok && k < n; ++k) tail_ok = ev[k].kind() == EventKind::kVenueCont;
        if (tail_ok) return i;  // the rest of this message is still in the ring
      }
      stats->venue_bad_messages
          .add();  // a continuation without its start (its start was lost on a full ring)
      ++i;
    }
    return n;
  }

  // One pass over the input rings. True if any event was processed.
  bool poll() noexcept {
    const uint64_t now = rte_rdtsc();
    last_now = now;
    if (!venue_sessions.empty()) poll_venue_sessions(now);
    stats->heartbeat_tsc.set(now);
    stats->polls.add();
    unsigned total = 0;
    if (journal) gate_journal();
    for (Input& r : in) {
      const unsigned carried = r.carry_n;
      if (carried) std::copy_n(r.carry.begin(), carried, ev.begin());
      const unsigned got =
          rte_ring_sc_dequeue_burst_elem(r.ring, ev.data() + carried, sizeof(Event), burst, nullptr);
      total += got;
      const unsigned n = carried + got;
      const unsigned done = got ? handle_burst(n, now) : 0;
      r.carry_n = n - done;
      if (r.carry_n) std::copy_n(ev.begin() + done, r.carry_n, r.carry.begin());
    }
    if (total) {
      stats->busy_polls.add();
      stats->ring_dequeued.add(total);
      idle_polls = 0;
    } else if ((++idle_polls & kKeepWarmEveryIdlePolls) == 0) [[unlikely]] {
      keep_warm();
    }
    serve_book_snapshot();
    serve_commands();
    return total != 0;
  }

  // ---- `transport = "kernel"`: each hosted shard's KernelSession, through its rings (kernel_venue.hpp) ----
  std::vector<KernelVenueShard*> venue_sessions;  // by shard; empty: UDP frames or no venue
  static constexpr unsigned kVenueMessagesPerPoll = 64;
  static constexpr unsigned kSessionStatsEveryPolls = 4095;
  order_session::OrderSlot order_slot{};
  order_session::VenueSlot venue_slot{};
  unsigned session_stats_polls = 0;

  // Defined in executor_kernel_venue.hpp (included at the end of this file).
  void hand_orders_to_session(uint32_t shard) noexcept;
  void poll_venue_sessions(uint64_t now) noexcept;
  void copy_session_stats() noexcept;
};

}  // namespace sf::dataplane

#include "executor_kernel_venue.hpp"
