// Runtime: builds ports, pools, rings, engines and the lcores from a validated config, then launches
// and joins them. The lcores themselves: executor_lcore.hpp, rx_lcore.hpp, lcore_loops.cpp; what the
// runtime reports: report.cpp.
#include "runtime.hpp"

#include <rte_launch.h>
#include <rte_lcore.h>

#include <cstdio>

#include "kernel_venue.hpp"
#include "rx_lcore.hpp"
#include "tcp_venue.hpp"

namespace sf::dataplane {

namespace {

constexpr uint64_t kRewindMinIntervalUs = 50;  // re-requests never leave closer than this (rate limit)
constexpr uint64_t kArpRetryMs = 200;          // ARP for the re-request server while it is unresolved

// [feed.rewind] in the RX lcore's time unit (TSC ticks), with the feed port's MAC.
FeedRecoverySettings rewind_settings(const FeedRewindConfig& c, uint16_t port_id) {
  const uint64_t hz = rte_get_tsc_hz();
  FeedRecoverySettings s;
  s.server_ip = net::ipv4(c.server_ip[0], c.server_ip[1], c.server_ip[2], c.server_ip[3]);
  s.server_port = c.server_port;
  s.local_ip = net::ipv4(c.local_ip[0], c.local_ip[1], c.local_ip[2], c.local_ip[3]);
  s.local_port = c.server_port;  // answers are recognised by their source (the server), not this port
  rte_ether_addr mac{};
  rte_eth_macaddr_get(port_id, &mac);
  std::copy(std::begin(mac.addr_bytes), std::end(mac.addr_bytes), s.local_mac.begin());
  s.timeout = c.timeout_ms * hz / 1000;
  s.retries = c.retries;
  s.min_interval = kRewindMinIntervalUs * hz / 1'000'000;
  s.arp_retry = kArpRetryMs * hz / 1000;
  s.max_held_messages = c.max_held_messages;
  return s;
}

}  // namespace

Runtime::Runtime(const DataplaneConfig& dp, const trade::TradingConfig& trading, const Placement& placement)
    : dp_(dp), trading_(trading), placement_(placement) {}

Runtime::~Runtime() {
  if (venue_) venue_->stop();
  for (rte_ring* r : rings_) rte_ring_free(r);
}

bool Runtime::start_order_sessions(std::vector<std::string>& errors, std::vector<std::string>& notes) {
  const order_session::VenueSessionConfig& cfg = dp_.order_session.soupbintcp;
  if (cfg.transport != order_session::TransportKind::kKernel) return true;
  venue_ = std::make_unique<KernelVenue>();
  if (!venue_->start(cfg, trading_.shards, errors)) return false;
  sessions_started_.store(true, std::memory_order_release);
  for (auto& x : exec_) {
    x->venue_sessions.assign(trading_.shards, nullptr);
    for (trade::Engine* eng : x->driver.engines())
      x->venue_sessions[eng->shard_index()] = &venue_->shard(eng->shard_index());
  }
  // How long a replayed Accepted to adopt may wait for the feed to name its instrument, in TSC ticks.
  for (uint32_t s = 0; s < trading_.shards; ++s)
    venue_->shard(s).adopt_wait_ticks =
        KernelVenueShard::kAdoptWaitNs / 1'000'000 * (rte_get_tsc_hz() / 1000);
  const auto& ip = cfg.venue_ip;
  notes.push_back("order session: SoupBinTCP over kernel TCP to " + std::to_string(ip[0]) + "." +
                  std::to_string(ip[1]) + "." + std::to_string(ip[2]) + "." + std::to_string(ip[3]) + ":" +
                  std::to_string(cfg.venue_port) + ", " + std::to_string(venue_->size()) + " session(s)");
  // A replay is over in moments: start it once the sessions are up (or the timeout has passed), so
  // its orders are not all refused as session_down. A live feed does not wait.
  if (replay_ && !venue_->wait_logged_in(cfg.timeout_ms))
    notes.push_back("warning: order session(s) not logged in after " + std::to_string(cfg.timeout_ms) +
                    " ms; orders are refused (session_down) until they are");
  return true;
}

bool Runtime::build(std::vector<std::string>& errors, std::vector<std::string>& notes) {
  if (!open_ports(errors, notes) || !build_engines(errors)) return false;
  build_executors(notes);
  if (!build_rx_lcores(errors)) return false;
  if (dp_.order_session.soupbintcp.transport == order_session::TransportKind::kDpdk)
    return start_tcp_venue(errors, notes);
  return true;
}

// The feed and order ports (TX queues: one per executor on the order port, one more on the feed port for
// [feed.rewind]); whether this is a replay; the feed port offers a queue per RX lcore.
bool Runtime::open_ports(std::vector<std::string>& errors, std::vector<std::string>& notes) {
  const bool pipeline = dp_.lcores.mode == LcoreMode::kPipeline;
  const uint16_t n_exec = dp_.lcores.executors;
  const uint16_t n_rx = pipeline ? dp_.lcores.rx : 1;
  const int feed_idx = dp_.feed_port_index();
  const int order_idx = dp_.order_port_index();

  std::vector<uint16_t> want_tx(dp_.ports.size(), 1);
  want_tx[static_cast<std::size_t>(order_idx)] = n_exec;
  // [feed.rewind]: the RX lcore sends re-requests on the feed port from a queue after the executors'.
  if (dp_.feed.rewind) want_tx[static_cast<std::size_t>(feed_idx)] = feed_idx == order_idx ? n_exec + 1 : 1;
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
  notes.push_back("order port \"" + op.name + "\": " + std::to_string(op.tx_queues) + " TX queue(s)");
  if (op.tx_queues < n_exec && pipeline)
    notes.push_back("warning: order port has fewer TX queues than executors: queues are shared under a lock");
  return true;
}

// Engines: one per shard.
bool Runtime::build_engines(std::vector<std::string>& errors) {
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
  return true;
}

// Executors and their shards (shard s on executor s % executors), each with its order-port TX queue
// (shared under a lock when the port has fewer queues than pipeline executors).
void Runtime::build_executors(std::vector<std::string>& notes) {
  const bool pipeline = dp_.lcores.mode == LcoreMode::kPipeline;
  const uint16_t n_exec = dp_.lcores.executors;
  const uint16_t n_rx = pipeline ? dp_.lcores.rx : 1;
  const PortRuntime& op = ports_[static_cast<std::size_t>(dp_.order_port_index())];
  // transport "none": orders as SoupBinTCP in a synthetic TCP connection per shard (replay_order_stream.hpp).
  const bool replay_stream = dp_.order_session.soupbintcp.transport == order_session::TransportKind::kNone;
  for (uint16_t e = 0; e < n_exec; ++e) {
    auto x = std::make_unique<Executor>();
    x->index = e;
    x->state = &state_;
    x->lcore = pipeline ? 1u + n_rx + e : 1u;
    // Executors take bigger bursts than RX (events are small, and prefetching needs look-ahead).
    x->burst =
        static_cast<uint16_t>(std::min<unsigned>(std::max<unsigned>(dp_.lcores.burst * 4u, 64u), kMaxBurst));
    x->driver = trade::ShardDriver(trading_.shards);
    for (uint32_t s = 0; s < trading_.shards; ++s) {
      if (replay_stream) x->replay_streams.emplace_back(dp_.order_session, s);
      if (s % n_exec == e) x->driver.host(engines_[s].get());
    }
    x->control =
        std::make_unique<control::ExecutorChannel>(static_cast<uint32_t>(x->driver.engines().size()));
    x->control->rows.reserve(x->driver.engines().size() * trading_.book.max_instruments);
    for (const trade::Engine* eng : x->driver.engines()) x->control->hosted.push_back(eng);
    x->control->tsc_hz = rte_get_tsc_hz();
    x->venue_log_limit = telemetry::LogRateLimit(rte_get_tsc_hz() / 10, 10);
    x->port.port_id = op.port_id;
    x->port.pool = op.pool;
    x->port.tx_enabled = op.tx_queues > 0;
    x->port.queue = op.tx_queues ? static_cast<uint16_t>(e % op.tx_queues) : 0;
    exec_.push_back(std::move(x));
  }
  if (replay_stream)
    notes.push_back(
        "order session: none (no venue); orders leave as SoupBinTCP in a synthetic TCP stream per "
        "shard to port " +
        std::to_string(exec_.front()->replay_streams.front().venue_port()));
  if (pipeline && op.tx_queues && op.tx_queues < n_exec) {
    for (uint16_t q = 0; q < op.tx_queues; ++q) {
      tx_locks_.push_back(std::make_unique<rte_spinlock_t>());
      rte_spinlock_init(tx_locks_.back().get());
    }
    for (auto& x : exec_) x->port.tx_lock = tx_locks_[x->port.queue].get();
  }
}

// RX lcores, and the rings from each to each executor (SP/SC).
bool Runtime::build_rx_lcores(std::vector<std::string>& errors) {
  const bool pipeline = dp_.lcores.mode == LcoreMode::kPipeline;
  const uint16_t n_exec = dp_.lcores.executors;
  const uint16_t n_rx = pipeline ? dp_.lcores.rx : 1;
  const PortRuntime& fp = ports_[static_cast<std::size_t>(dp_.feed_port_index())];
  const int sock = fp.socket < 0 ? static_cast<int>(rte_socket_id()) : fp.socket;
  for (uint16_t r = 0; r < n_rx; ++r) {
    auto rx = std::make_unique<Rx>();
    rx->index = r;
    rx->lcore = 1u + r;
    rx->port_id = fp.port_id;
    rx->queue = r;
    rx->burst = std::min<uint16_t>(dp_.lcores.burst, kMaxBurst);
    if (const int lb = dp_.line_b_own_port_index(); lb >= 0) {  // config: [lcores].rx = 1 with line B
      const PortRuntime& bp = ports_[static_cast<std::size_t>(lb)];
      if (bp.rx_queues == 0) {
        errors.push_back("[feed.line_b].port \"" + bp.name + "\" offers no RX queue");
        return false;
      }
      rx->line_b_own_port = true;
      rx->line_b_port_id = bp.port_id;
    }
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
      exec_[e]->port.rings.push_back(ring);
      ++exec_[e]->inputs;
    }
    rx->sink.stats = rx->stats.get();
    rx->sink.state = &state_;
    // Run to completion never drops on a full ring: the executors are on this lcore, so it runs them
    // and retries. A pipeline RX lcore drops (counted, books stale) unless it replays a pcap.
    rx->sink.on_full = !pipeline ? RingSink::OnFull::kRunExecutor
                                 : (replay_ ? RingSink::OnFull::kSpin : RingSink::OnFull::kDrop);
    RxSettings s = rx_settings();
    if (dp_.feed.rewind && !setup_rewind_tx(*rx, s, errors)) return false;
    rx->proc = std::make_unique<RxProcessor<RingSink>>(s, *rx->stats, rx->sink, rx->tx.get());
    rx->proc->set_log(rx->log.get());
    if (!pipeline)
      for (auto& x : exec_) rx->rtc_execs.push_back(x.get());
    rx_.push_back(std::move(rx));
  }
  return true;
}

// The RX processor's settings from [feed] and [trading] (one set for every RX lcore).
RxSettings Runtime::rx_settings() const {
  RxSettings s;
  s.feed_udp_port = dp_.feed.udp_port;
  if (dp_.feed.group) {
    const auto& g = *dp_.feed.group;
    s.feed_group = net::ipv4(g[0], g[1], g[2], g[3]);
  }
  if (const auto& lb = dp_.feed.line_b) {
    s.line_b_udp_port = lb->udp_port;
    if (lb->group)
      s.line_b_group = net::ipv4((*lb->group)[0], (*lb->group)[1], (*lb->group)[2], (*lb->group)[3]);
    s.arbitration_ticks = dp_.feed.arbitration_us * (rte_get_tsc_hz() / 1'000'000);
    s.line_b_own_port = dp_.line_b_own_port_index() >= 0;
  }
  s.guard = dp_.feed.guard;
  s.shards = trading_.shards;
  s.executors = dp_.lcores.executors;
  return s;
}

bool Runtime::setup_rewind_tx(Rx& rx, RxSettings& s, std::vector<std::string>& errors) {
  const int feed_idx = dp_.feed_port_index();
  const PortRuntime& fp = ports_[static_cast<std::size_t>(feed_idx)];
  const bool shares_executors_port = feed_idx == dp_.order_port_index();
  const uint16_t want = shares_executors_port ? dp_.lcores.executors : 0;
  const bool pipeline = dp_.lcores.mode == LcoreMode::kPipeline;
  // Run to completion: one lcore sends everything, a shared queue is fine. Pipeline: a queue of its own.
  if (fp.tx_queues <= want && pipeline && shares_executors_port) {
    errors.push_back("[feed.rewind]: feed port \"" + fp.name + "\" offers " + std::to_string(fp.tx_queues) +
                     " TX queue(s); the RX lcore needs one besides the executors' " + std::to_string(want));
    return false;
  }
  rx.tx = std::make_unique<RxFrameTx>();
  rx.tx->port_id = fp.port_id;
  rx.tx->queue = std::min<uint16_t>(want, static_cast<uint16_t>(fp.tx_queues - 1));
  rx.tx->pool = fp.pool;
  rx.tx->stats = &rx.stats->recovery;
  s.rewind = rewind_settings(*dp_.feed.rewind, fp.port_id);
  return true;
}

void Runtime::start_feed_at(uint64_t next_sequence) noexcept {
  for (auto& r : rx_) r->proc->start_at(next_sequence);
}

SnapshotHandoff* Runtime::enable_snapshot_fallback() {
  if (rx_.empty()) return nullptr;
  snapshot_handoff_ = std::make_unique<SnapshotHandoff>();
  if (!rx_.front()->proc->enable_snapshot_fallback(*snapshot_handoff_)) snapshot_handoff_.reset();
  return snapshot_handoff_.get();
}

void Runtime::launch() {
  const bool pipeline = dp_.lcores.mode == LcoreMode::kPipeline;
  state_.rx_active.store(static_cast<int>(rx_.size()));
  state_.lcores_active.store(static_cast<int>(rx_.size() + (pipeline ? exec_.size() : 0)));
  if (test_stall_) arm_test_stall(*test_stall_, pipeline);
  if (pipeline) {
    for (auto& x : exec_) rte_eal_remote_launch(executor_main, x.get(), x->lcore);
    for (auto& r : rx_) rte_eal_remote_launch(rx_main, r.get(), r->lcore);
  } else {
    rte_eal_remote_launch(rtc_main, rx_.front().get(), rx_.front()->lcore);
  }
  launched_ = true;
}

void Runtime::arm_test_stall(const TestStallSpec& s, bool pipeline) {
  const uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
  const TestStall t{now + s.after_ms * hz / 1000, s.for_ms * hz / 1000};
  for (auto& r : rx_)
    if (r->lcore == s.lcore) r->stall = t;
  for (auto& x : exec_)
    if (x->lcore == s.lcore && pipeline) x->stall = t;
  std::fprintf(stderr, "sniperforge: --test-stall-lcore: lcore %u stalls %llu ms after %llu ms\n", s.lcore,
               static_cast<unsigned long long>(s.for_ms), static_cast<unsigned long long>(s.after_ms));
}

void Runtime::wait() {
  if (!launched_) return;
  rte_eal_mp_wait_lcore();
  launched_ = false;
  if (venue_)  // the lcores have stopped: their session counters' last values, for the summary
    for (auto& x : exec_) x->copy_session_stats();
  if (tcp_venue_)
    for (std::size_t e = 0; e < tcp_venue_->executors(); ++e) tcp_venue_->transport(e).copy_stats();
}

void Runtime::shutdown() {
  if (venue_) venue_->stop();  // Logout Request, then the threads join
  if (tcp_venue_) tcp_venue_->drain();
  close_ports(ports_);
}

void Runtime::resume_venue_sequence(uint32_t shard, uint64_t next) {
  auto& logins = dp_.order_session.soupbintcp.logins;
  if (shard < logins.size()) logins[shard].first_sequence = next;
  if (tcp_venue_) tcp_venue_->resume_at(shard, next);  // built with the data plane, not yet started
}

bool Runtime::order_sessions_reconciled() const noexcept {
  if (tcp_venue_) return tcp_venue_->all_reconciled();
  return !sessions_started_.load(std::memory_order_acquire) || venue_->all_reconciled();
}

bool Runtime::order_sessions_logged_in() const noexcept {
  if (tcp_venue_) return tcp_venue_->all_logged_in();
  return !sessions_started_.load(std::memory_order_acquire) || venue_->all_logged_in();
}

uint64_t Runtime::venue_next_sequence(uint32_t shard) const noexcept {
  if (tcp_venue_) return tcp_venue_->next_sequence(shard);
  return venue_ && shard < venue_->size() ? venue_->shard(shard).next_venue_seq : 0;
}

void Runtime::attach_journal(journal::Writer& w, std::size_t ring_capacity) {
  for (auto& x : exec_) {
    x->journal = &w.add_producer(ring_capacity);
    x->journal_writer = &w;
  }
}

}  // namespace sf::dataplane
