// The appliance's run after EAL (appliance_run.hpp).
#include "appliance_run.hpp"

#include <rte_cycles.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "journal_setup.hpp"
#include "replay_progress.hpp"
#include "snapshot_fallback.hpp"
#include "snapshot_start.hpp"
#include "sniperforge/book/dump.hpp"
#include "sniperforge/common/progress.hpp"
#include "sniperforge/control/server.hpp"
#include "sniperforge/dataplane/stats_lcore.hpp"
#include "sniperforge/io/pcap_file.hpp"

namespace sf::app {
namespace {

using dataplane::Runtime;

// A strategy whose symbol never had an order in any book traded nothing: say so (a typo, or the wrong feed).
void warn_unseen_symbols(const trade::TradingConfig& trading, const std::vector<book::BookRow>& rows) {
  std::set<std::string> seen;
  for (const auto& r : rows) seen.insert(r.symbol);
  std::set<std::string> warned;
  for (const auto& s : trading.strategies)
    if (!seen.count(s.symbol) && warned.insert(s.symbol).second)
      std::fprintf(stderr,
                   "sniperforge: warning: strategy '%s' on %s: the symbol never appeared in the feed\n",
                   s.name.c_str(), s.symbol.c_str());
}

// The services around a built data plane, in the order they start and the reverse they stop in.
class Services {
 public:
  Services(const AppOptions& opt, const AppConfig& cfg, const dataplane::Placement& placement, Runtime& rt,
           StopSignals signals)
      : opt_(opt),
        placement_(placement),
        cfg_(cfg),
        rt_(rt),
        signals_(signals),
        controller_(cfg.trading, opt.config_path, engine_views(rt), rt.control_channels()) {}

  // False when one could not start (said on stderr); the lcores are then not launched.
  bool start() {
    // [feed.snapshot]: the books from GLIMPSE first, on this thread, before any other may look at them.
    if (cfg_.snapshot.enabled && cfg_.snapshot.at_start && !stopping() &&
        !start_from_snapshot(cfg_.snapshot, rt_, opt_.quiet))
      return false;
    // ... and with [feed.rewind] again when a gap cannot be re-requested (a housekeeping thread).
    snapshot_fallback_ = start_snapshot_fallback(cfg_.snapshot, rt_, opt_.quiet);
    if (cfg_.tel.enabled && !start_telemetry()) return false;
    // The journal: reconciles the engines from what it holds, then a writer thread on this cpu.
    if (std::string why; cfg_.journal.enabled && !journal_.open(cfg_.journal, rt_, opt_.quiet, why)) {
      std::fprintf(stderr, "sniperforge: %s\n", why.c_str());
      return false;
    }
    if (cfg_.journal.enabled) {  // the disk's interrupts on an lcore's cpu: a warning
      std::vector<int> lcore_cpus = placement_.rx_cpus;
      lcore_cpus.insert(lcore_cpus.end(), placement_.executor_cpus.begin(), placement_.executor_cpus.end());
      (void)journal_.check_disk_interrupts(cfg_.journal, lcore_cpus);
    }
    // The order sessions (transport "kernel") log in where the journal says each shard stopped.
    std::vector<std::string> errors, notes;
    const bool sessions = rt_.start_order_sessions(errors, notes);
    for (const auto& n : notes) std::fprintf(stderr, "sniperforge: %s\n", n.c_str());
    if (!sessions) {
      session_setup_failed_ = true;
      report_errors(errors, "order session setup failed");
      return false;
    }
    return !cfg_.control.enabled || start_control();
  }

  // The main thread's housekeeping while the lcores run: /ready leaves "reconciling" once every shard has
  // reconciled, and a signal stops the lcores (they drain and finish).
  void wait_until_finished() {
    bool stop_sent = false, reconciled = false;
    while (!rt_.finished()) {
      if (!reconciled && rt_.order_sessions_reconciled()) {
        journal_.set_reconciled();
        reconciled = true;
      }
      if (stopping() && !stop_sent) {
        rt_.request_stop();
        stop_sent = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  // After the lcores stopped. False if the journal failed.
  bool stop() {
    const bool journal_ok = journal_.close(rt_);
    if (control_server_) control_server_->stop();
    if (stats_) stats_->stop();  // after the lcores: drains the log rings
    return journal_ok;
  }

  [[nodiscard]] bool session_setup_failed() const noexcept { return session_setup_failed_; }
  [[nodiscard]] bool stopping() const noexcept {
    return signals_.signal.load(std::memory_order_relaxed) != 0;
  }

 private:
  static std::vector<const trade::Engine*> engine_views(const Runtime& rt) {
    std::vector<const trade::Engine*> views;
    for (const auto& e : rt.engines()) views.push_back(e.get());
    return views;
  }

  // Telemetry (the stats lcore): a sleeping thread + HTTP exporter on the housekeeping cpu.
  bool start_telemetry() {
    try {
      auto inputs = rt_.telemetry_inputs(cfg_.tel);
      if (cfg_.journal.enabled) inputs.journal = [this] { return journal_.health(); };
      inputs.read_books = [this](std::vector<book::BookRow>& rows) { controller_.read_books(rows); };
      if (cfg_.control.enabled) inputs.control = &controller_.stats();
      stats_ = std::make_unique<dataplane::StatsLcore>(std::move(inputs));
      stats_->start();
      std::fprintf(stderr, "sniperforge: metrics on %s (port %u): /metrics /health /ready\n",
                   cfg_.tel.metrics_addr.c_str(), stats_->metrics_port());
      return true;
    } catch (const std::exception& ex) {
      std::fprintf(stderr, "sniperforge: telemetry failed to start: %s\n", ex.what());
      stats_.reset();
      return false;
    }
  }

  // The operator's control socket (sf-ctl): a thread on this (housekeeping) cpu.
  bool start_control() {
    if (cfg_.journal.enabled)  // the audit trail in the journal too ("control" records)
      controller_.set_audit_sink([this](const control::Controller::AuditRecord& a) {
        if (!journal_.record_control({a.peer.user, a.command, a.old_value, a.new_value, a.result,
                                      static_cast<uint32_t>(a.peer.uid)}))
          std::fprintf(stderr, "sniperforge: control: the journal did not take this command's record\n");
      });
    control_server_ = std::make_unique<control::ControlServer>(cfg_.control, controller_);
    std::string error;
    if (!control_server_->start(error)) {
      std::fprintf(stderr, "sniperforge: %s\n", error.c_str());
      control_server_.reset();
      return false;
    }
    std::fprintf(stderr, "sniperforge: control socket %s\n", cfg_.control.socket.c_str());
    return true;
  }

  const AppOptions& opt_;
  const dataplane::Placement& placement_;
  const AppConfig& cfg_;
  Runtime& rt_;
  StopSignals signals_;
  // Declared before the threads that read them: the exporter reads the journal's health until it stops.
  ApplianceJournal journal_;
  // sf-ctl's commands and /sniperforge/books reach the executors through their control rings, one at a
  // time, through this controller ([control] adds the socket).
  control::Controller controller_;
  std::unique_ptr<SnapshotFallback> snapshot_fallback_;
  std::unique_ptr<dataplane::StatsLcore> stats_;
  std::unique_ptr<control::ControlServer> control_server_;
  bool session_setup_failed_ = false;
};

// --stats-file: every counter as name=value, whether the input was damaged, and tick-to-trade.
bool write_stats_file(const std::string& path, const Runtime& rt, bool input_damaged) {
  std::ofstream out(path);
  if (!out) {
    std::fprintf(stderr, "sniperforge: cannot write %s\n", path.c_str());
    return false;
  }
  for (const auto& [k, v] : rt.counters()) out << k << "=" << v << "\n";
  out << "input_damaged=" << (input_damaged ? 1 : 0) << "\n";
  const auto t2t = rt.tick_to_trade();
  const double ns_per_tick = 1e9 / static_cast<double>(rte_get_tsc_hz());
  const auto ns = [&](double p) {
    return static_cast<uint64_t>(static_cast<double>(t2t.percentile(p)) * ns_per_tick);
  };
  out << "tick_to_trade_count=" << t2t.total() << "\n";
  out << "tick_to_trade_p50_ns=" << ns(0.5) << "\n";
  out << "tick_to_trade_p99_ns=" << ns(0.99) << "\n";
  return true;
}

// What a finished run leaves behind: the damage check of the replayed pcap, --dump-books, --stats-file,
// the summary. False if any of it failed.
bool write_outputs(const AppOptions& opt, const AppConfig& cfg, const Runtime& rt,
                   const std::string& replay_file) {
  bool ok = true;
  // net_pcap stops silently at a damaged record (#16): say so and fail as sf-backtest does (docs/cli.md).
  const std::string damage = replay_file.empty() ? "" : io::check_pcap(replay_file);
  if (!damage.empty()) {
    std::fprintf(stderr, "sniperforge: %s\n", damage.c_str());
    ok = false;
  }
  if (!opt.dump_books.empty()) {
    std::ofstream out(opt.dump_books);
    book::write_book_dump(out, rt.book_rows());
    if (!out) {
      std::fprintf(stderr, "sniperforge: cannot write %s\n", opt.dump_books.c_str());
      ok = false;
    }
  }
  if (!opt.stats_file.empty() && !write_stats_file(opt.stats_file, rt, !damage.empty())) ok = false;
  std::printf("== sniperforge summary (%s, %s) ==\n%s", opt.config_path.c_str(),
              to_string(cfg.dp.lcores.mode), rt.summary().c_str());
  warn_unseen_symbols(cfg.trading, rt.book_rows());
  return ok;
}

// A built data plane: the services started, the lcores run to the end, everything stopped and written.
int run_built(const AppOptions& opt, const AppConfig& cfg, const dataplane::Placement& placement, Runtime& rt,
              StopSignals signals) {
  Services services(opt, cfg, placement, rt, signals);
  const bool started = services.start();
  if (started && !services.stopping()) rt.launch();
  // Progress of a replay on a terminal, from the RX lcores' counters (this thread's housekeeping cpu).
  const auto& feed = cfg.dp.ports[static_cast<std::size_t>(cfg.dp.feed_port_index())];
  const std::string replay_file = dataplane::devargs_driver(feed.devargs) == "net_pcap"
                                      ? dataplane::get_devarg(feed.devargs, "rx_pcap")
                                      : "";
  auto progress =
      start_replay_progress(rt, replay_file, started && !services.stopping() && progress_wanted(opt.quiet));
  services.wait_until_finished();
  if (progress) progress->finish();
  rt.wait();
  int rc = started ? 0 : (services.session_setup_failed() ? 2 : 1);
  if (!services.stop()) rc = 1;
  rt.shutdown();  // net_pcap writes out its TX file here
  if (!write_outputs(opt, cfg, rt, replay_file) && rc == 0) rc = 1;
  if (const int sig = signals.signal.load()) std::printf("stopped by signal %d\n", sig);
  std::fflush(stdout);
  return rc;
}

}  // namespace

int report_errors(const std::vector<std::string>& errors, const char* what) {
  std::fprintf(stderr, "sniperforge: %s:\n", what);
  for (const auto& e : errors) std::fprintf(stderr, "  error: %s\n", e.c_str());
  return 2;
}

std::optional<Runtime::TestStallSpec> parse_test_stall(const std::string& text) {
  Runtime::TestStallSpec s;
  unsigned long long after = 0, during = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%u:%llu:%llu%c", &s.lcore, &after, &during, &tail) != 3) return std::nullopt;
  s.after_ms = after;
  s.for_ms = during;
  return s;
}

int run_appliance(const AppOptions& opt, const AppConfig& cfg, const dataplane::Placement& placement,
                  StopSignals signals) {
  int rc = 0;
  Runtime rt(cfg.dp, cfg.trading, placement);
  rt.set_hold(opt.hold);
  if (!opt.test_stall.empty()) rt.set_test_stall(*parse_test_stall(opt.test_stall));
  signals.stop_flag.store(&rt.stop_flag());
  if (signals.signal.load()) rt.request_stop();
  std::vector<std::string> errors, notes;
  const bool built = rt.build(errors, notes);
  for (const auto& n : notes) std::fprintf(stderr, "sniperforge: %s\n", n.c_str());
  if (!built && signals.signal.load()) {  // stopped during start-up: nothing ran, nothing to report
    std::fprintf(stderr, "sniperforge: stopped by signal %d during start-up\n", signals.signal.load());
    rt.shutdown();
  } else if (!built) {
    rc = report_errors(errors, "data plane setup failed");
    rt.shutdown();
  } else {
    rc = run_built(opt, cfg, placement, rt, signals);
  }
  signals.stop_flag.store(nullptr);
  return rc;
}

}  // namespace sf::app
