// What an executor lcore does with the events its RX lcores route to it, without DPDK: drive the engines
// of its shards (trade::ShardDriver: route fan-out, stale marking, prefetch look-ahead), hand the orders
// they fire to the shard's order transport at once (the DPDK TCP client, a kernel session's ring, or
// transport "none"'s synthetic stream, built into TX frames here), apply the venue's messages the
// transport delivers, journal orders and venue messages, serve the operator's commands and book reads
// (control/channel.hpp) between two polls, count all of it. The DPDK side (executor_lcore.hpp:
// rings, mbufs, rte_eth_tx_burst) is the Port; unit tests give a fake one
// (tests/dataplane/executor_test.cpp).
//
// Port (a member, `port`):
//   uint64_t now() noexcept                                   the clock events are stamped with (TSC)
//   unsigned dequeue(std::size_t input, Event* out, unsigned max) noexcept   from input ring `input`
//   uint8_t* frame(unsigned slot, std::size_t length) noexcept  a TX buffer of `length` bytes for staging
//                                                             slot `slot`; nullptr if there is none
//   unsigned send(unsigned n) noexcept                        sends slots [0, n), frees the unsent; -> sent
//   void refill() noexcept                                    takes the next order's buffer (after a send)
//   void keep_warm() const noexcept                           prefetches that buffer (idle)
//   uint16_t port_id                                          for the log
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sniperforge/common/side.hpp"
#include "sniperforge/control/channel.hpp"
#include "sniperforge/dataplane/event.hpp"
#include "sniperforge/dataplane/kernel_venue_shard.hpp"
#include "sniperforge/dataplane/order_transport.hpp"
#include "sniperforge/dataplane/ouch_order.hpp"
#include "sniperforge/dataplane/replay_order_stream.hpp"
#include "sniperforge/dataplane/snapshot_handoff.hpp"
#include "sniperforge/journal/reconcile.hpp"
#include "sniperforge/journal/writer.hpp"
#include "sniperforge/telemetry/lcore_stats.hpp"
#include "sniperforge/telemetry/log_rate_limit.hpp"
#include "sniperforge/telemetry/log_ring.hpp"
#include "sniperforge/trade/shard_driver.hpp"

namespace sf::dataplane {

inline constexpr unsigned kMaxBurst = 512;
inline constexpr unsigned kTxStage = 64;
inline constexpr unsigned kOrderSinkCapacity = 64;
// Journal ring slots an executor keeps free before it lets its engines send: one burst's events can each
// trigger orders (sink capacity) and carry venue messages.
inline constexpr std::size_t kJournalReserve = 2 * (kMaxBurst + kOrderSinkCapacity);
inline constexpr unsigned kProcessingSampleMask = 63;  // time one ITCH event in 64 (two clock reads)
// An idle executor prefetches its trigger path every 64 polls.
inline constexpr unsigned kKeepWarmEveryIdlePolls = 63;

template <class Port>
struct Executor {
  Port port;
  uint16_t burst = 32;
  std::size_t inputs = 0;     // input rings, one per RX lcore
  trade::ShardDriver driver;  // the hosted shards' engines
  // Operator commands (sf-ctl): applied between two polls (control/channel.hpp).
  std::unique_ptr<control::ExecutorChannel> control;
  std::array<trade::CancelRequest, control::kCancelsPerCommand> cancel_scratch{};
  // The journal (journal/writer.hpp): this executor's ring to the writer thread, null without [journal].
  journal::EntryRing* journal = nullptr;
  const journal::Writer* journal_writer = nullptr;

  std::unique_ptr<telemetry::ExecutorLcoreStats> stats = std::make_unique<telemetry::ExecutorLcoreStats>();
  std::unique_ptr<telemetry::LogRing> log = std::make_unique<telemetry::LogRing>();
  // A venue response failed the engine's checks: logged at most 10 at once, then 10 a second.
  telemetry::LogRateLimit venue_log_limit;

  std::array<Event, kMaxBurst> ev{};
  uint64_t last_now = 0;
  unsigned sample = 0;
  unsigned idle_polls = 0;
  std::array<trade::OrderRequest, kOrderSinkCapacity> order_storage{};
  trade::OrderSink sink{order_storage};
  std::array<uint64_t, kTxStage> tx_rx_tsc{};  // the RX stamp of each staged frame (tick-to-trade)
  unsigned tx_n = 0;

  // ---- `transport = "kernel"`: each hosted shard's KernelSession, through its rings ----
  std::vector<KernelVenueShard*> venue_sessions;  // by shard; empty: another transport
  static constexpr unsigned kVenueMessagesPerPoll = 64;
  static constexpr unsigned kSessionStatsEveryPolls = 4095;
  order_session::OrderSlot order_slot{};
  order_session::VenueSlot venue_slot{};
  unsigned session_stats_polls = 0;
  // Defined in executor_kernel_venue.hpp (included at the end of this file).
  void hand_orders_to_session(uint32_t shard) noexcept;
  void hand_cancels_to_session(uint32_t shard, std::span<const trade::CancelRequest> cancels) noexcept;
  [[nodiscard]] std::size_t cancel_room(uint32_t shard) noexcept;
  void poll_venue_sessions(uint64_t now) noexcept;
  void note_session_state(uint32_t shard, KernelVenueShard& vs, bool logged_in) noexcept;
  bool next_venue_message(KernelVenueShard& vs) noexcept;
  bool adopt_replayed_order(trade::Engine& eng, uint32_t shard, KernelVenueShard& vs, uint64_t now) noexcept;
  void copy_session_stats() noexcept;

  // ---- `transport = "none"`: each shard's orders in a synthetic SoupBinTCP connection
  // (replay_order_stream.hpp) ----
  std::vector<ReplayOrderStream> replay_streams;  // by shard; empty: another transport
  // The hosted shards' handshakes, before the first poll; the orders and cancels into the stream
  // (executor_replay_stream.hpp).
  void open_replay_streams() noexcept;
  void send_replay_orders(uint32_t shard) noexcept;
  void send_replay_cancels(uint32_t shard, std::span<const trade::CancelRequest> cancels) noexcept;
  // ---- `transport = "dpdk"` (order_transport.hpp): the hosted shards' sessions over our own TCP ----
  OrderTransport* order_transport = nullptr;  // null: a kernel session or transport "none"

  // Operator commands (and book reads), one pass over the inputs. True if any event was processed.
  bool poll() noexcept {
    const uint64_t now = port.now();
    last_now = now;
    if (!venue_sessions.empty()) poll_venue_sessions(now);
    if (order_transport) order_transport->poll(now);
    stats->heartbeat_tsc.set(now);
    stats->polls.add();
    // Commands before the burst: a kill stops the shards before they handle one more event.
    serve_commands();
    unsigned total = 0;
    if (journal) gate_journal();
    for (std::size_t k = 0; k < inputs; ++k) {
      const unsigned got = port.dequeue(k, ev.data(), burst);
      if (!got) continue;
      total += got;
      handle_burst(got, now);
      newest_rx_tsc = std::max(newest_rx_tsc, now - ev[got - 1].ticks_since_rx(now));
    }
    if (total) {
      stats->busy_polls.add();
      stats->ring_dequeued.add(total);
      idle_polls = 0;
    } else if ((++idle_polls & kKeepWarmEveryIdlePolls) == 0) [[unlikely]] {
      keep_warm();
    }
    return total != 0;
  }

  // Handles ev[0..n): feed messages and the RX lcores' control events.
  void handle_burst(unsigned n, uint64_t now) noexcept {
    const auto itch_at = [this](std::size_t k) noexcept -> const uint8_t* {
      return ev[k].is_itch() ? ev[k].payload : nullptr;
    };
    driver.prefetch_first(itch_at, n);
    for (unsigned i = 0; i < n; ++i) {
      driver.prefetch_ahead(itch_at, i, n);
      stats->ring_hop.record(ev[i].ticks_since_rx(now));  // RX burst stamp -> this dequeue
      handle(ev[i], now);
    }
  }

  void handle(const Event& e, uint64_t now) noexcept {
    if (e.is_itch()) [[likely]] {
      const itch::MessageView msg(e.payload);
      const uint64_t rx_tsc = now - e.ticks_since_rx(now);
      stats->events.add();
      const bool timed = (++sample & kProcessingSampleMask) == 0;
      const uint64_t t0 = timed ? port.now() : 0;
      const bool routed = driver.dispatch(msg, [&](trade::Engine& eng) {
        eng.on_itch(msg, e.seq, rx_tsc, sink);
        if (!sink.empty()) drain_orders(eng.shard_index());
      });
      if (!routed) [[unlikely]]
        stats->misrouted.add();
      if (timed) stats->processing.record(port.now() - t0);  // engine + order build for one event
      return;
    }
    if (e.kind() == EventKind::kBooksStale) {
      // A gap or a full ring: this executor's books may be wrong. The engines keep applying the feed but
      // fire no order until recovery calls clear_stale().
      stats->stale_events.add();
      stats->books_stale.set(driver.mark_stale(static_cast<StaleReason>(e.payload[1])));
    } else if (e.kind() == EventKind::kRecovery) {  // a feed gap's re-request recovery (#12)
      const auto step = static_cast<RecoveryStep>(e.payload[1]);
      stats->books_stale.set(
          driver.set_recovering(step == RecoveryStep::kStarted, step == RecoveryStep::kRecovered));
    } else if (e.kind() == EventKind::kSnapshotSwap) {  // the GLIMPSE fallback's books (#12)
      adopt_snapshot_books(e, driver);
    } else [[unlikely]] {  // 0x02, 0x03 (the retired UDP session's) or anything else: never sent
      stats->unknown_events.add();
    }
  }

  // One venue message into its engine (from the DPDK TCP client or a kernel session's ring).
  void apply_venue(trade::Engine& eng, uint32_t shard, const uint8_t* msg, std::size_t len, uint64_t rx_tsc,
                   uint64_t now) noexcept {
    const uint64_t refused_before = eng.orders().failures();
    const trade::VenueParse vp = eng.on_venue(msg, len, rx_tsc, sink);
    if (vp == trade::VenueParse::kUnknownType || vp == trade::VenueParse::kBadLength)
      stats->venue_bad_messages.add();
    if (eng.orders().failures() != refused_before) [[unlikely]]
      log_venue_refused(eng, static_cast<uint8_t>(shard), now);
    if (!sink.empty()) drain_orders(shard);
  }

  // A venue response failed the engine's checks (counted and exported by the engine, which stopped the
  // shard): log it through the ring, saying how many were not logged.
  void log_venue_refused(const trade::Engine& eng, uint8_t shard, uint64_t now) noexcept {
    if (!venue_log_limit.allow(now)) return;
    if (const uint64_t skipped = venue_log_limit.take_suppressed())
      log->push(now, telemetry::LogCode::kVenueLogSuppressed, skipped);
    const trade::VenueVerdict& v = eng.last_venue_failure();
    log->push(now, telemetry::LogCode::kVenueInconsistent, static_cast<uint64_t>(v.check), shard,
              v.user_ref_num, v.value);
  }

  // The orders the engine just fired, sent by the shard's transport; kill's answer reports when the last
  // one left, whichever transport sent it.
  void drain_orders(uint32_t shard) noexcept {
    if (!venue_sessions.empty())
      hand_orders_to_session(shard);
    else if (order_transport)
      order_transport->send_orders(shard, sink);
    else
      send_replay_orders(shard);
    sink.clear();
    last_order_tsc = port.now();
  }

  // Cancel Orders for a kill (sf-ctl kill / cancel_open): sent now, like orders.
  void send_cancels(uint32_t shard, std::span<const trade::CancelRequest> cancels) noexcept {
    if (journal) journal_cancels(shard, cancels);
    if (!venue_sessions.empty()) return hand_cancels_to_session(shard, cancels);
    if (order_transport) return order_transport->send_cancels(shard, cancels);
    send_replay_cancels(shard, cancels);
  }

  // `rx_tsc` 0: not an order (a TCP acknowledgement, ARP): no tick-to-trade sample.
  void stage(uint64_t rx_tsc) noexcept {
    tx_rx_tsc[tx_n] = rx_tsc;
    if (++tx_n == kTxStage) flush_tx();
  }

  void flush_tx() noexcept {
    if (tx_n == 0) return;
    const unsigned sent = port.send(tx_n);
    // Tick-to-trade stops once the send has returned (the order is in the NIC's hands).
    const uint64_t now = port.now();
    for (unsigned i = 0; i < sent; ++i)  // clamp: the RX stamp may come from a cpu whose TSC runs ahead
      if (tx_rx_tsc[i]) stats->tick_to_trade.record(now > tx_rx_tsc[i] ? now - tx_rx_tsc[i] : 0);
    stats->tx_packets.add(sent);
    if (sent < tx_n) [[unlikely]] {
      stats->tx_unsent.add(tx_n - sent);
      log->push(now, telemetry::LogCode::kTxUnsent, tx_n - sent, port.port_id);
    }
    tx_n = 0;
  }

  // Journal records (executor_journal.hpp, included at the end of this file): each built where it lies
  // in this executor's ring slot; a full ring is counted and closes the shards' orders (journal_full).
  template <class Build>
  void journal_record(Build&& build) noexcept;
  void journal_order(uint32_t shard, const trade::OrderRequest& r, const uint8_t* ouch) noexcept;
  void journal_cancels(uint32_t shard, std::span<const trade::CancelRequest> cancels) noexcept;
  void journal_venue(uint32_t shard, uint64_t venue_seq, const uint8_t* msg, std::size_t len,
                     uint64_t rx_tsc) noexcept;
  void journal_session(uint32_t shard, journal::SessionEvent ev, uint64_t next_venue_seq) noexcept;
  bool journal_open = true;  // what the engines were last told
  void gate_journal() noexcept;

  // sf-ctl's commands and kill's cancel sweep (control/channel.hpp). The Cancels take the orders' path: the
  // shard's session ring (as it has room), the DPDK TCP client or transport "none"'s frames. The stamps say
  // when orders stopped.
  uint64_t last_order_tsc = 0;  // an order was last sent or handed to a session
  uint64_t newest_rx_tsc = 0;   // the RX stamp of the newest feed event handled
  void serve_commands() noexcept {
    if (!control || !control::control_pending(*control)) [[likely]]
      return;
    control::serve_control(
        *control, driver.engines(), cancel_scratch, {last_now, port.now(), last_order_tsc, newest_rx_tsc},
        [this](uint32_t shard) {
          return venue_sessions.empty() ? std::size_t{kTxStage} : cancel_room(shard);
        },
        [this](uint32_t shard, std::span<const trade::CancelRequest> c) { send_cancels(shard, c); });
  }

  // Idle: prefetch what the next order touches (trigger state in the engines, the next TX buffer). Reads
  // only.
  void keep_warm() const noexcept {
    for (const trade::Engine* eng : driver.engines()) eng->keep_warm();
    port.keep_warm();
  }
};

}  // namespace sf::dataplane

#include "sniperforge/dataplane/executor_journal.hpp"
#include "sniperforge/dataplane/executor_kernel_venue.hpp"
#include "sniperforge/dataplane/executor_replay_stream.hpp"
