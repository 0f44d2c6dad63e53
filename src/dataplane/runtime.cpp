#include "runtime.hpp"

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "sniperforge/book/dump.hpp"
#include "sniperforge/dataplane/rx_processor.hpp"
#include "sniperforge/telemetry/log_rate_limit.hpp"
#include "sniperforge/telemetry/stat_tables.hpp"
#include "sniperforge/telemetry/summary.hpp"

namespace sf::dataplane {

namespace {
constexpr unsigned kMaxBurst = 512;
constexpr unsigned kTxStage = 64;
constexpr unsigned kOrderSinkCapacity = 64;

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
constexpr unsigned kProcessingSampleMask = 63;  // time one ITCH event in 64 (rdtsc pair)
// An idle executor prefetches its trigger path every 64 polls.
constexpr unsigned kKeepWarmEveryIdlePolls = 63;
}  // namespace

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
  std::vector<OrderFrameTemplate> templates;  // by shard
  uint16_t port_id = 0;
  uint16_t queue = 0;
  rte_mempool* pool = nullptr;
  rte_spinlock_t* tx_lock = nullptr;  // only when the device has fewer TX queues than executors
  bool tx_offload = false;
  bool tx_enabled = true;
  RunState* state = nullptr;

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
    stats->heartbeat_tsc.set(now);
    stats->polls.add();
    unsigned total = 0;
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
    return total != 0;
  }
};

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

// Every cache line of a packet: the parser walks it front to back, and a packet that arrives after an
// idle spell would otherwise take its misses one after another.
inline void prefetch_packet(const rte_mbuf* m) noexcept {
  const auto* d = rte_pktmbuf_mtod(m, const uint8_t*);
  for (unsigned off = 0; off < m->data_len; off += RTE_CACHE_LINE_SIZE) rte_prefetch0(d + off);
}

struct Runtime::Rx {
  uint16_t index = 0;
  unsigned lcore = 0;
  uint16_t port_id = 0;
  uint16_t queue = 0;
  uint16_t burst = 32;
  bool replay = false;
  uint32_t idle_limit = 1000;
  std::unique_ptr<telemetry::RxLcoreStats> stats = std::make_unique<telemetry::RxLcoreStats>();
  RingSink sink;
  std::unique_ptr<RxProcessor<RingSink>> proc;
  std::vector<Executor*> rtc_execs;  // run-to-completion: executors run on this lcore
  RunState* state = nullptr;
  std::unique_ptr<telemetry::LogRing> log = std::make_unique<telemetry::LogRing>();
  TestStall stall;
  uint64_t last_tsc = 0;

  bool poll() noexcept {
    std::array<rte_mbuf*, kMaxBurst> bufs;
    const uint16_t n = rte_eth_rx_burst(port_id, queue, bufs.data(), burst);
    const uint64_t tsc = rte_rdtsc();
    last_tsc = tsc;
    stats->heartbeat_tsc.set(tsc);
    stats->polls.add();
    if (n == 0) return false;
    stats->busy_polls.add();
    prefetch_packet(bufs[0]);
    for (uint16_t i = 0; i < n; ++i) {
      if (i + 1 < n) prefetch_packet(bufs[i + 1]);
      rte_mbuf* m = bufs[i];
      if (m->nb_segs != 1) [[unlikely]] {
        stats->packets.add();
        stats->count_drop(telemetry::FeedDropReason::kMbufChained);
        continue;
      }
      proc->on_frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, tsc);
      // Hand each packet's events on at once: a trigger early in a burst does not wait for the rest of
      // the burst to be parsed (pipeline: the executor starts meanwhile; run to completion: it runs now).
      proc->flush();
      for (Runtime::Executor* x : rtc_execs)
        while (x->poll()) {
        }
    }
    rte_pktmbuf_free_bulk(bufs.data(), n);
    return true;
  }
};

namespace {

int rx_main(void* arg) {
  auto& rx = *static_cast<Runtime::Rx*>(arg);
  RunState& st = *rx.state;
  uint32_t idle = 0;
  rx.log->push(rte_rdtsc(), telemetry::LogCode::kLcoreStarted, 0, rx.index);
  while (!st.stop.load(std::memory_order_relaxed)) {
    if (rx.poll()) {
      idle = 0;
    } else if (rx.replay && ++idle >= rx.idle_limit) {
      break;  // the pcap is exhausted
    }
    rx.stall.maybe(rx.last_tsc);
  }
  rx.proc->flush();
  rx.log->push(rte_rdtsc(), telemetry::LogCode::kLcoreStopping, 0, rx.index);
  st.rx_active.fetch_sub(1, std::memory_order_release);
  st.lcores_active.fetch_sub(1, std::memory_order_release);
  return 0;
}

int executor_main(void* arg) {
  auto& x = *static_cast<Runtime::Executor*>(arg);
  RunState& st = *x.state;
  x.log->push(rte_rdtsc(), telemetry::LogCode::kLcoreStarted, 1, x.index);
  x.snap->running.store(true, std::memory_order_release);
  while (true) {
    const bool rx_done = st.rx_active.load(std::memory_order_acquire) == 0;
    if (!x.poll() && rx_done) break;  // drained: RX finished before this empty pass began
    x.stall.maybe(x.last_now);
  }
  x.log->push(rte_rdtsc(), telemetry::LogCode::kLcoreStopping, 1, x.index);
  x.release_spare();
  x.snap->running.store(false, std::memory_order_release);
  st.lcores_active.fetch_sub(1, std::memory_order_release);
  return 0;
}

int rtc_main(void* arg) {
  auto& rx = *static_cast<Runtime::Rx*>(arg);
  RunState& st = *rx.state;
  uint32_t idle = 0;
  rx.log->push(rte_rdtsc(), telemetry::LogCode::kLcoreStarted, 2, rx.index);
  for (auto* x : rx.rtc_execs) x->snap->running.store(true, std::memory_order_release);
  while (!st.stop.load(std::memory_order_relaxed)) {
    // Every packet's events already ran through the executors inside rx.poll(); an idle pass polls
    // them once more for their housekeeping (book snapshot requests, keep-warm).
    const bool got = rx.poll();
    if (!got)
      for (auto* x : rx.rtc_execs) x->poll();
    rx.stall.maybe(rx.last_tsc);
    if (got) {
      idle = 0;
    } else if (rx.replay && ++idle >= rx.idle_limit) {
      break;
    }
  }
  rx.proc->flush();
  st.rx_active.fetch_sub(1, std::memory_order_release);
  bool any = true;
  while (any) {
    any = false;
    for (auto* x : rx.rtc_execs) any |= x->poll();
  }
  for (auto* x : rx.rtc_execs) {
    x->release_spare();
    x->snap->running.store(false, std::memory_order_release);
  }
  st.lcores_active.fetch_sub(1, std::memory_order_release);
  return 0;
}

}  // namespace

Runtime::Runtime(const DataplaneConfig& dp, const trade::TradingConfig& trading, const Placement& placement)
    : dp_(dp), trading_(trading), placement_(placement) {}

Runtime::~Runtime() {
  for (rte_ring* r : rings_) rte_ring_free(r);
}

bool Runtime::build(std::vector<std::string>& errors, std::vector<std::string>& notes) {
  const bool pipeline = dp_.lcores.mode == LcoreMode::kPipeline;
  const uint16_t n_exec = dp_.lcores.executors;
  const uint16_t n_rx = pipeline ? dp_.lcores.rx : 1;
  const int feed_idx = dp_.feed_port_index();
  const int order_idx = dp_.order_port_index();

  std::vector<uint16_t> want_tx(dp_.ports.size(), 1);
  want_tx[static_cast<std::size_t>(order_idx)] = n_exec;
  ports_ = setup_ports(dp_, want_tx, errors);
  if (!errors.empty()) return false;
  const PortRuntime& fp = ports_[static_cast<std::size_t>(feed_idx)];
  const PortRuntime& op = ports_[static_cast<std::size_t>(order_idx)];
  const PortConfig& fpc = dp_.ports[static_cast<std::size_t>(feed_idx)];
  replay_ = force_replay_ || (fp.driver == "net_pcap" && !get_devarg(fpc.devargs, "rx_pcap").empty() &&
                              get_devarg(fpc.devargs, "infinite_rx") != "1");
  notes.push_back("feed port \"" + fp.name + "\" (" + fp.dev_name + ", " + fp.driver + ", socket " +
                  std::to_string(fp.socket) + "): " + std::to_string(fp.rx_queues) + " RX queue(s)" +
                  (replay_ ? ", replay: exit when the pcap is exhausted" : ""));
  if (fp.rx_queues < n_rx) {
    errors.push_back("feed port \"" + fp.name + "\" offers " + std::to_string(fp.rx_queues) +
                     " RX queue(s), " + std::to_string(n_rx) + " RX lcores configured");
    return false;
  }
  const bool offload = op.tx_ip_cksum_offload && op.tx_udp_cksum_offload;
  notes.push_back("order port \"" + op.name + "\": " + std::to_string(op.tx_queues) +
                  " TX queue(s), checksums " + (offload ? "offloaded" : "in software"));
  if (op.tx_queues < n_exec && pipeline)
    notes.push_back("warning: order port has fewer TX queues than executors: queues are shared under a lock");

  // Engines: one per shard.
  try {
    for (uint32_t s = 0; s < trading_.shards; ++s) {
      if (state_.stop.load(std::memory_order_relaxed)) {  // SIGTERM during start-up: do not build the rest
        errors.push_back("stopped by a signal during start-up (" + std::to_string(s) + " of " +
                         std::to_string(trading_.shards) + " engines built)");
        return false;
      }
      engines_.push_back(std::make_unique<trade::Engine>(trading_, s));
    }
  } catch (const std::exception& ex) {
    errors.push_back(std::string("trading engine: ") + ex.what());
    return false;
  }

  // Executors and their shards.
  for (uint16_t e = 0; e < n_exec; ++e) {
    auto x = std::make_unique<Executor>();
    x->index = e;
    x->state = &state_;
    x->lcore = pipeline ? 1u + n_rx + e : 1u;
    // Executors take bigger bursts than RX (events are small, and prefetching needs look-ahead).
    x->burst =
        static_cast<uint16_t>(std::min<unsigned>(std::max<unsigned>(dp_.lcores.burst * 4u, 64u), kMaxBurst));
    x->shards = trading_.shards;
    x->by_shard.assign(trading_.shards, nullptr);
    for (uint32_t s = 0; s < trading_.shards; ++s) {
      x->templates.emplace_back(dp_.order_session, s, !offload);
      if (s % n_exec == e) {
        x->engines.push_back(engines_[s].get());
        x->by_shard[s] = engines_[s].get();
      }
    }
    x->snap->rows.reserve(x->engines.size() * trading_.book.max_instruments);
    x->venue_log_limit = telemetry::LogRateLimit(rte_get_tsc_hz() / 10, 10);
    x->port_id = op.port_id;
    x->pool = op.pool;
    x->tx_offload = offload;
    x->tx_enabled = op.tx_queues > 0;
    x->queue = op.tx_queues ? static_cast<uint16_t>(e % op.tx_queues) : 0;
    exec_.push_back(std::move(x));
  }
  if (pipeline && op.tx_queues && op.tx_queues < n_exec) {
    for (uint16_t q = 0; q < op.tx_queues; ++q) {
      tx_locks_.push_back(std::make_unique<rte_spinlock_t>());
      rte_spinlock_init(tx_locks_.back().get());
    }
    for (auto& x : exec_) x->tx_lock = tx_locks_[x->queue].get();
  }

  // Rings: one per (RX, executor), SP/SC.
  const int sock = fp.socket < 0 ? static_cast<int>(rte_socket_id()) : fp.socket;
  for (uint16_t r = 0; r < n_rx; ++r) {
    auto rx = std::make_unique<Rx>();
    rx->index = r;
    rx->lcore = 1u + r;
    rx->port_id = fp.port_id;
    rx->queue = r;
    rx->burst = std::min<uint16_t>(dp_.lcores.burst, kMaxBurst);
    rx->replay = replay_;
    rx->idle_limit = hold_ ? UINT32_MAX : dp_.lcores.idle_polls_to_exit;
    rx->state = &state_;
    for (uint16_t e = 0; e < n_exec; ++e) {
      const std::string name = "sf_rx" + std::to_string(r) + "_ex" + std::to_string(e);
      rte_ring* ring = rte_ring_create_elem(name.c_str(), sizeof(Event), dp_.lcores.ring_size, sock,
                                            RING_F_SP_ENQ | RING_F_SC_DEQ);
      if (!ring) {
        errors.push_back("ring " + name + ": " + rte_strerror(rte_errno));
        return false;
      }
      rings_.push_back(ring);
      rx->sink.rings.push_back(ring);
      rx->sink.execs.push_back(exec_[e].get());
      exec_[e]->in.push_back(Executor::Input{ring, {}, 0});
    }
    rx->sink.stats = rx->stats.get();
    rx->sink.state = &state_;
    // Run to completion never drops on a full ring: the executors are on this lcore, so it runs them
    // and retries. A pipeline RX lcore drops (counted, books stale) unless it replays a pcap.
    rx->sink.on_full = !pipeline ? RingSink::OnFull::kRunExecutor
                                 : (replay_ ? RingSink::OnFull::kSpin : RingSink::OnFull::kDrop);
    RxSettings s;
    s.feed_udp_port = dp_.feed.udp_port;
    if (dp_.feed.group) {
      const auto& g = *dp_.feed.group;
      s.feed_group = net::ipv4(g[0], g[1], g[2], g[3]);
    }
    s.venue_udp_port = dp_.order_session.src_port;
    s.shards = trading_.shards;
    s.executors = n_exec;
    rx->proc = std::make_unique<RxProcessor<RingSink>>(s, *rx->stats, rx->sink);
    rx->proc->set_log(rx->log.get());
    if (!pipeline)
      for (auto& x : exec_) rx->rtc_execs.push_back(x.get());
    rx_.push_back(std::move(rx));
  }
  return true;
}

void Runtime::launch() {
  const bool pipeline = dp_.lcores.mode == LcoreMode::kPipeline;
  state_.rx_active.store(static_cast<int>(rx_.size()));
  state_.lcores_active.store(static_cast<int>(rx_.size() + (pipeline ? exec_.size() : 0)));
  if (const char* v = std::getenv("SF_TEST_STALL_LCORE")) {
    unsigned lcore = 0;
    unsigned long after_ms = 0, for_ms = 0;
    if (std::sscanf(v, "%u:%lu:%lu", &lcore, &after_ms, &for_ms) == 3) {
      const uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
      TestStall t{now + after_ms * hz / 1000, for_ms * hz / 1000};
      for (auto& r : rx_)
        if (r->lcore == lcore) r->stall = t;
      for (auto& x : exec_)
        if (x->lcore == lcore && pipeline) x->stall = t;
      std::fprintf(stderr, "sniperforge: SF_TEST_STALL_LCORE: lcore %u stalls %lu ms after %lu ms\n", lcore,
                   for_ms, after_ms);
    }
  }
  if (pipeline) {
    for (auto& x : exec_) rte_eal_remote_launch(executor_main, x.get(), x->lcore);
    for (auto& r : rx_) rte_eal_remote_launch(rx_main, r.get(), r->lcore);
  } else {
    rte_eal_remote_launch(rtc_main, rx_.front().get(), rx_.front()->lcore);
  }
  launched_ = true;
}

void Runtime::wait() {
  if (!launched_) return;
  rte_eal_mp_wait_lcore();
  launched_ = false;
}

void Runtime::shutdown() {
  close_ports(ports_);
}

std::vector<book::BookRow> Runtime::book_rows() const {
  std::vector<book::BookRow> rows;
  for (const auto& e : engines_) e->dump_rows(rows);
  book::sort_book_rows(rows);
  return rows;
}

void Runtime::snapshot_book_rows(std::vector<book::BookRow>& out, unsigned timeout_ms) const {
  const std::lock_guard<std::mutex> one_reader(snapshot_mu_);
  out.clear();
  for (const auto& x : exec_) {
    Executor::BookSnapshot& s = *x->snap;
    bool copied = false;
    if (s.running.load(std::memory_order_acquire)) {
      const uint64_t ticket = s.requested.fetch_add(1, std::memory_order_acq_rel) + 1;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
      while (s.served.load(std::memory_order_acquire) < ticket && s.running.load(std::memory_order_acquire) &&
             std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      if (s.served.load(std::memory_order_acquire) >= ticket) {
        // The executor has moved on; `rows` stays as it was until the next ticket, which only this
        // (single) reader issues.
        out.insert(out.end(), s.rows.begin(), s.rows.end());
        copied = true;
      }
    }
    if (!copied && !s.running.load(std::memory_order_acquire))
      for (const trade::Engine* eng : x->engines) eng->dump_rows(out);
    // Still running but no answer in time (a stalled lcore): its rows are left out of this reply.
  }
  book::sort_book_rows(out);
}

telemetry::StatsLcore::Inputs Runtime::telemetry_inputs(const telemetry::TelemetryConfig& cfg) const {
  telemetry::StatsLcore::Inputs in;
  in.config = cfg;
  for (const auto& r : rx_) in.rx.push_back({r->lcore, r->stats.get()});
  for (const auto& x : exec_) in.executors.push_back({x->lcore, x->stats.get()});
  for (const auto& r : rx_) in.logs.push_back({r->lcore, "rx", r->log.get()});
  for (const auto& x : exec_) in.logs.push_back({x->lcore, "executor", x->log.get()});
  for (const auto& p : ports_) {
    if (!p.found) continue;
    in.ports.emplace_back(p.port_id, p.name);
    if (p.pool) in.mempools.emplace_back(std::string(p.pool->name), p.pool);
  }
  for (const rte_ring* r : rings_) in.rings.emplace_back(std::string(r->name), r);
  for (const auto& e : engines_) in.engines.push_back(e.get());
  in.read_books = [this](std::vector<book::BookRow>& rows) { snapshot_book_rows(rows); };
  in.order_session_state = [] { return -1; };  // UDP order session: no login state yet
  return in;
}

std::vector<Runtime::LcoreStatsRef> Runtime::stats_refs() const {
  std::vector<LcoreStatsRef> v;
  for (const auto& r : rx_) v.push_back({r->lcore, r->stats.get(), nullptr});
  for (const auto& x : exec_) v.push_back({x->lcore, nullptr, x->stats.get()});
  return v;
}

std::vector<std::pair<std::string, uint64_t>> Runtime::counters() const {
  std::vector<std::pair<std::string, uint64_t>> c;
  std::vector<const telemetry::RxLcoreStats*> rx;
  std::vector<const telemetry::ExecutorLcoreStats*> ex;
  for (const auto& r : rx_) rx.push_back(r->stats.get());
  for (const auto& x : exec_) ex.push_back(x->stats.get());
  telemetry::add_lcore_counters(rx, ex, exec_.size(), c);
  uint64_t vd = 0, vm = 0, vbad = 0, vsess = 0;
  for (const auto& r : rx_) {
    vd += r->proc->venue().datagrams;
    vm += r->proc->venue().messages;
    vbad += r->proc->venue().bad_datagrams + r->proc->venue().too_long;
    vsess += r->proc->venue().session_packets;
  }
  c.emplace_back("venue_datagrams", vd);
  c.emplace_back("venue_messages_routed", vm);
  c.emplace_back("venue_bad_datagrams", vbad);
  c.emplace_back("venue_session_packets", vsess);
  uint64_t accepted = 0;
  for (const auto& e : engines_) accepted += e->risk().accepted();
  c.emplace_back("risk_accepted", accepted);
  uint64_t fills = 0;
  for (const auto& e : engines_) fills += e->orders().fills();
  c.emplace_back("fills", fills);
  // Venue responses the engines' checks refused, by reason, the shards they stopped, and the shares the
  // believed fills bought and sold (cold: read once, e.g. for --stats-file at exit).
  for (std::size_t i = 1; i < static_cast<std::size_t>(trade::VenueCheck::kCount); ++i) {
    uint64_t v = 0;
    for (const auto& e : engines_) v += e->orders().failures(static_cast<trade::VenueCheck>(i));
    c.emplace_back("venue_refused_" + std::string(trade::to_string(static_cast<trade::VenueCheck>(i))), v);
  }
  uint64_t stopped = 0, bought = 0, sold = 0;
  for (const auto& e : engines_) {
    stopped += e->venue_inconsistent() ? 1 : 0;
    for (uint32_t locate = 1; locate <= 0xFFFF; ++locate) {
      const trade::Position& p = e->orders().position(static_cast<uint16_t>(locate));
      bought += p.bought;
      sold += p.sold;
    }
  }
  c.emplace_back("venue_inconsistent_shards", stopped);
  c.emplace_back("filled_shares_bought", bought);
  c.emplace_back("filled_shares_sold", sold);
  for (std::size_t i = 0; i < static_cast<std::size_t>(trade::Reject::kCount); ++i) {
    uint64_t v = 0;
    for (const auto& e : engines_) v += e->risk().rejects(static_cast<trade::Reject>(i));
    c.emplace_back("reject_" + std::string(trade::to_string(static_cast<trade::Reject>(i))), v);
  }
  c.emplace_back("book_instruments", book_rows().size());
  c.emplace_back("shards", engines_.size());
  c.emplace_back("executors", exec_.size());
  return c;
}

telemetry::HistogramSnapshot Runtime::tick_to_trade() const {
  telemetry::HistogramSnapshot t;
  for (const auto& x : exec_) t.merge(x->stats->tick_to_trade.snapshot());
  return t;
}

telemetry::HistogramSnapshot Runtime::ring_hop() const {
  telemetry::HistogramSnapshot t;
  for (const auto& x : exec_) t.merge(x->stats->ring_hop.snapshot());
  return t;
}

telemetry::HistogramSnapshot Runtime::processing() const {
  telemetry::HistogramSnapshot t;
  for (const auto& x : exec_) t.merge(x->stats->processing.snapshot());
  return t;
}

std::string Runtime::summary() const {
  telemetry::SummaryLatency lat;
  lat.tick_to_trade = tick_to_trade();
  lat.ring_hop = ring_hop();
  lat.processing = processing();
  lat.tsc_hz = static_cast<double>(rte_get_tsc_hz());
  lat.processing_sample_every = kProcessingSampleMask + 1;
  return telemetry::format_summary(counters(), lat, replay_);
}

}  // namespace sf::dataplane
