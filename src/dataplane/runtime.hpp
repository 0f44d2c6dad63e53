// The running appliance: ports, rings, engines and the lcore loops (pipeline or run-to-completion).
// Built after rte_eal_init from an already validated config and placement.
#pragma once

#include <rte_ring.h>
#include <rte_spinlock.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "port.hpp"
#include "sniperforge/control/channel.hpp"
#include "sniperforge/dataplane/config.hpp"
#include "sniperforge/dataplane/ouch_order.hpp"
#include "sniperforge/dataplane/placement.hpp"
#include "sniperforge/dataplane/snapshot_handoff.hpp"
#include "sniperforge/dataplane/stats_lcore.hpp"
#include "sniperforge/journal/writer.hpp"
#include "sniperforge/telemetry/lcore_stats.hpp"
#include "sniperforge/trade/config.hpp"
#include "sniperforge/trade/engine.hpp"

namespace sf::dataplane {
struct RxSettings;  // rx_processor.hpp

struct RunState {
  std::atomic<bool> stop{false};  // set by SIGINT/SIGTERM: RX stops, everything drains
  std::atomic<int> rx_active{0};  // RX loops still producing
  std::atomic<int> lcores_active{0};
};

class KernelVenue;
class TcpVenue;

class Runtime {
 public:
  Runtime(const DataplaneConfig& dp, const trade::TradingConfig& trading, const Placement& placement);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Ports, pools, rings, engines, templates. False (with errors) if anything is missing.
  bool build(std::vector<std::string>& errors, std::vector<std::string>& notes);
  // --hold: the lcores keep polling (and heart-beating) after a replay ends, until a signal.
  void set_hold(bool on) noexcept { hold_ = on; }
  // Replay semantics on any PMD (benchmarks fed from memory): back-pressure instead of ring drops,
  // exit after idle polls once the input is consumed. Call before build().
  void force_replay(bool on) noexcept { force_replay_ = on; }
  // Test seam for the stats side's "lcore stalled" check (sniperforge --test-stall-lcore): once, `after_ms`
  // after launch, lcore `lcore` busy-waits `for_ms` without heart-beating. Call before launch().
  struct TestStallSpec {
    unsigned lcore = 0;
    uint64_t after_ms = 0;
    uint64_t for_ms = 0;
  };
  void set_test_stall(const TestStallSpec& s) noexcept { test_stall_ = s; }
  // Before launch(): the engines hold a snapshot of every message below `next_sequence` (GLIMPSE,
  // [feed.snapshot]); the RX lcores drop what they receive below it and apply the feed from there.
  void start_feed_at(uint64_t next_sequence) noexcept;
  // Before launch(), [feed.snapshot] with [feed.rewind]: a failed re-request recovery falls back to a GLIMPSE
  // snapshot; returns the hand-off a housekeeping thread serves (src/app/snapshot_fallback.cpp), nullptr
  // without [feed.rewind]. Only the first RX lcore's recovery falls back (one feed, one recovery).
  SnapshotHandoff* enable_snapshot_fallback();
  void launch();
  void request_stop() noexcept { state_.stop.store(true, std::memory_order_relaxed); }
  // The flag request_stop() sets, for a signal handler (a lock-free atomic store is async-signal-safe).
  std::atomic<bool>& stop_flag() noexcept { return state_.stop; }
  [[nodiscard]] bool finished() const noexcept {
    return state_.lcores_active.load(std::memory_order_acquire) == 0;
  }
  void wait();      // joins the lcores
  void shutdown();  // stops and closes the ports (flushes TX pcaps)

  [[nodiscard]] bool replay() const noexcept { return replay_; }
  // Every engine's book rows, sorted; only while no lcore runs (after wait()). While they run:
  // control::Controller::read_books (the control rings).
  [[nodiscard]] std::vector<book::BookRow> book_rows() const;
  [[nodiscard]] std::string summary() const;
  // Every counter, summed over lcores/engines ("messages", "gaps", "drop_not_udp", "reject_collar", ...).
  [[nodiscard]] std::vector<std::pair<std::string, uint64_t>> counters() const;
  [[nodiscard]] telemetry::HistogramSnapshot tick_to_trade() const;  // TSC ticks
  // The orders the TCP congestion window held, measured when they left (dpdk transport; TSC ticks).
  [[nodiscard]] telemetry::HistogramSnapshot tick_to_trade_held() const;
  [[nodiscard]] telemetry::HistogramSnapshot ring_hop() const;    // RX burst stamp -> dequeue
  [[nodiscard]] telemetry::HistogramSnapshot processing() const;  // engine + orders, sampled events
  // transport = "kernel": RX burst stamp -> send() returned on the session thread (empty otherwise).
  [[nodiscard]] telemetry::HistogramSnapshot kernel_order_written() const;

  // Everything the stats lcore reads (pointers stay valid until this Runtime is destroyed).
  [[nodiscard]] StatsLcore::Inputs telemetry_inputs(const telemetry::TelemetryConfig& cfg) const;
  // Before launch(): every executor hands its orders and venue messages to `w` through its own ring of
  // `ring_capacity` slots, and stops its shards' orders while the ring lacks room or `w` has failed.
  void attach_journal(journal::Writer& w, std::size_t ring_capacity);
  // `[order_session] transport = "kernel"`: one KernelSession per shard, handed to the executors that own
  // the shards; a replay waits (at most timeout_ms) for their logins and the venues' replays. After build()
  // and the journal (whose reconciliation says where each session resumes), before launch(). No-op for
  // the other transports.
  bool start_order_sessions(std::vector<std::string>& errors, std::vector<std::string>& notes);
  // Before start_order_sessions(): shard `shard`'s first login asks for venue sequence `next` (the one after
  // the last its journal processed).
  void resume_venue_sequence(uint32_t shard, uint64_t next);
  // Every shard's session logged in and its venue's replay applied (true without a kernel session).
  [[nodiscard]] bool order_sessions_reconciled() const noexcept;
  // Every shard's SoupBinTCP session (kernel or dpdk transport) logged in; true without one.
  [[nodiscard]] bool order_sessions_logged_in() const noexcept;
  void read_session_rows(std::vector<telemetry::SessionRow>& rows) const;
  // The venue sequence number shard `shard`'s next message will carry (0 without a kernel session); read
  // it once the lcores have stopped.
  [[nodiscard]] uint64_t venue_next_sequence(uint32_t shard) const noexcept;
  // One command channel per executor (sf-ctl's control plane; control/channel.hpp), in executor order.
  [[nodiscard]] std::vector<control::ExecutorChannel*> control_channels() const;
  [[nodiscard]] const std::vector<std::unique_ptr<trade::Engine>>& engines() const noexcept {
    return engines_;
  }

  struct Rx;
  struct Executor;

 private:
  // build(), step by step (runtime.cpp).
  bool open_ports(std::vector<std::string>& errors, std::vector<std::string>& notes);
  bool build_engines(std::vector<std::string>& errors);
  void build_executors(std::vector<std::string>& notes);
  bool build_rx_lcores(std::vector<std::string>& errors);
  [[nodiscard]] RxSettings rx_settings() const;
  // [feed.rewind]: the RX lcore's TX queue on the feed port and the recovery settings.
  bool setup_rewind_tx(Rx& rx, RxSettings& s, std::vector<std::string>& errors);
  [[nodiscard]] telemetry::HistogramSnapshot merged(
      telemetry::LatencyHistogram telemetry::ExecutorLcoreStats::*h) const;
  std::unique_ptr<KernelVenue> venue_;
  std::atomic<bool> sessions_started_{false};  // venue_ is set (for the stats thread)
  // `transport = "dpdk"`: the sessions over our own TCP on the executors (runtime_tcp_venue.cpp); called
  // once the executors and RX lcores exist.
  bool start_tcp_venue(std::vector<std::string>& errors, std::vector<std::string>& notes);
  std::unique_ptr<TcpVenue> tcp_venue_;
  std::unique_ptr<SnapshotHandoff> snapshot_handoff_;  // outlives the lcores that read it
  DataplaneConfig dp_;
  trade::TradingConfig trading_;
  Placement placement_;
  bool replay_ = false;
  RunState state_;
  std::vector<PortRuntime> ports_;
  std::vector<std::unique_ptr<trade::Engine>> engines_;
  std::vector<std::unique_ptr<Rx>> rx_;
  std::vector<std::unique_ptr<Executor>> exec_;
  std::vector<rte_ring*> rings_;
  std::vector<std::unique_ptr<rte_spinlock_t>> tx_locks_;
  bool launched_ = false;
  bool hold_ = false;
  bool force_replay_ = false;
  std::optional<TestStallSpec> test_stall_;
  void arm_test_stall(const TestStallSpec& s, bool pipeline);
};

}  // namespace sf::dataplane
