// sniperforge: the tick-to-trade appliance.
//
//   sniperforge --config FILE [--rx-pcap FILE] [--tx-pcap FILE] [--dump-books FILE]
//               [--check-config] [--topology] [--metrics-addr HOST:PORT] [--hold] [--quiet] [--version]
//
// Everything is validated (config, placement, EAL arguments) before EAL starts; then ports, rings
// and engines are built, the lcores launched, and the main thread waits (housekeeping) until the
// replay input is exhausted or SIGINT/SIGTERM arrives, drains, and prints a summary.
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "journal_setup.hpp"
#include "replay_progress.hpp"
#include "runtime.hpp"
#include "snapshot_fallback.hpp"
#include "snapshot_start.hpp"
#include "sniperforge/book/dump.hpp"
#include "sniperforge/common/cli.hpp"
#include "sniperforge/control/server.hpp"
#include "sniperforge/dataplane/config.hpp"
#include "sniperforge/dataplane/eal_args.hpp"
#include "sniperforge/dataplane/placement.hpp"
#include "sniperforge/dataplane/preflight.hpp"
#include "sniperforge/dataplane/process_guard.hpp"
#include "sniperforge/dataplane/session_preflight.hpp"
#include "sniperforge/dataplane/topology.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/snapshot/config.hpp"
#include "sniperforge/telemetry/config.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "sniperforge/trade/engine.hpp"

namespace {

std::atomic<int> g_signal{0};
// The runtime's stop flag once it exists: a signal during start-up stops the engine build early.
std::atomic<std::atomic<bool>*> g_stop_flag{nullptr};
void on_signal(int sig) {
  g_signal.store(sig, std::memory_order_relaxed);
  if (std::atomic<bool>* stop = g_stop_flag.load()) stop->store(true, std::memory_order_relaxed);
}

std::string read_text(const char* path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A strategy whose symbol never had an order in any book traded nothing: say so (a typo, or the wrong feed).
void warn_unseen_symbols(const sf::trade::TradingConfig& trading,
                         const std::vector<sf::book::BookRow>& rows) {
  std::set<std::string> seen;
  for (const auto& r : rows) seen.insert(r.symbol);
  std::set<std::string> warned;
  for (const auto& s : trading.strategies)
    if (!seen.count(s.symbol) && warned.insert(s.symbol).second)
      std::fprintf(stderr,
                   "sniperforge: warning: strategy '%s' on %s: the symbol never appeared in the feed\n",
                   s.name.c_str(), s.symbol.c_str());
}

int fail(const std::vector<std::string>& errors, const char* what) {
  std::fprintf(stderr, "sniperforge: %s:\n", what);
  for (const auto& e : errors) std::fprintf(stderr, "  error: %s\n", e.c_str());
  return 2;
}

// --test-stall-lcore LCORE:AFTER_MS:FOR_MS (tests of the stats side's stall detection).
std::optional<sf::dataplane::Runtime::TestStallSpec> parse_test_stall(const std::string& text) {
  sf::dataplane::Runtime::TestStallSpec s;
  unsigned long long after = 0, during = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%u:%llu:%llu%c", &s.lcore, &after, &during, &tail) != 3) return std::nullopt;
  s.after_ms = after;
  s.for_ms = during;
  return s;
}

std::string machine_text(const sf::dataplane::Machine& m) {
  std::string s = "machine: " + m.description + "\n";
  for (const auto& c : m.cores) {
    s += "  core " + std::to_string(c.index) + " (NUMA " + std::to_string(c.numa_node) + "): cpus";
    for (int pu : c.pus) s += " " + std::to_string(pu);
    s += "\n";
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sf::dataplane;
  // First thing: a signal during start-up still ends the run cleanly (checked between engines and before
  // launch). SIGHUP (the terminal went away) stops like SIGTERM: summary and book dump. SIGUSR1 and SIGPIPE
  // are ignored (no default kill without a summary; a closed metrics socket is an EPIPE error instead).
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, on_signal);
  for (int sig : {SIGUSR1, SIGPIPE}) std::signal(sig, SIG_IGN);
  CLI::App app{"SniperForge tick-to-trade appliance (DPDK)", "sniperforge"};
  sf::cli::apply_conventions(app, "sniperforge", /*links_dpdk=*/true);
  std::string config_path, rx_pcap, tx_pcap, dump_books, metrics_addr, stats_file;
  bool check_config = false, topology = false, hold = false, quiet = false;
  app.add_option("--config", config_path, "TOML configuration file")->required();
  app.add_option("--rx-pcap", rx_pcap,
                 "replay this pcap (overrides rx_pcap of the feed port's net_pcap devargs)");
  app.add_option("--tx-pcap", tx_pcap, "capture sent orders here (overrides tx_pcap of the order port)");
  app.add_option("--dump-books", dump_books, "write the book dump CSV here at exit");
  app.add_flag("--check-config", check_config, "validate the configuration and placement, then exit");
  app.add_flag("--topology", topology, "print the machine and the lcore placement, then exit");
  app.add_option("--metrics-addr", metrics_addr,
                 "Prometheus exporter HOST:PORT (overrides [telemetry], enables it)");
  app.add_option("--stats-file", stats_file, "write every counter as name=value lines here at exit");
  app.add_flag("--hold", hold, "after a replay ends, keep running (metrics stay up) until SIGINT/SIGTERM");
  sf::cli::add_quiet_flag(app, quiet);
  // Test-only and hidden from --help: one lcore stalls once without heart-beating (/health must say so).
  std::string test_stall;
  app.add_option("--test-stall-lcore", test_stall)
      ->group("")
      ->check(CLI::Validator(
          [](std::string& v) {
            return parse_test_stall(v) ? std::string()
                                       : "--test-stall-lcore " + v + ": expected LCORE:AFTER_MS:FOR_MS";
          },
          "LCORE:AFTER_MS:FOR_MS"));
  if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;

  // ---- Configuration, validated completely before EAL ----
  toml::table root;
  if (std::filesystem::is_directory(config_path))
    return fail({"--config " + config_path + ": is a directory, not a TOML file"}, "cannot read config");
  try {
    root = toml::parse_file(config_path);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return fail({config_path + " " + where.str() + ": " + std::string(e.description())},
                "cannot parse config");
  }
  std::vector<std::string> errors;
  DataplaneConfig dp = parse_dataplane_config(root, errors);
  sf::trade::TradingConfig trading = sf::trade::parse_trading_config(root, errors);
  sf::telemetry::TelemetryConfig tel = sf::telemetry::parse_telemetry_config(root, errors);
  const sf::control::ControlConfig control_cfg = sf::control::parse_control_config(root, errors);
  const sf::journal::JournalConfig journal_cfg = sf::journal::parse_journal_config(root, errors);
  const sf::snapshot::SnapshotConfig snapshot_cfg = sf::snapshot::parse_snapshot_config(root, errors);
  sf::trade::require_risk_section(root, errors);
  for (const auto& [opt, path] : {std::pair{"--rx-pcap", rx_pcap}, std::pair{"--tx-pcap", tx_pcap}})
    if (path.find(',') != std::string::npos)  // a comma would add a devarg ("x.pcap,infinite_rx=1")
      errors.push_back(std::string(opt) + " " + path + ": a path with ',' cannot be passed to net_pcap");
  for (const auto& [opt, path] :
       {std::pair{"--stats-file", stats_file}, std::pair{"--dump-books", dump_books}})
    check_output_path(opt, path, errors);
  if (errors.empty()) check_order_ports(dp, trading.shards, errors);
  if (errors.empty()) check_order_session_logins(dp, trading.shards, errors);
  std::vector<std::string> driver_warnings;
  if (errors.empty() && !topology)
    check_drivers(dp, RTE_EAL_PMD_PATH, "/sys/bus/pci/devices", errors, driver_warnings);
  for (const auto& w : driver_warnings) std::fprintf(stderr, "sniperforge: warning: %s\n", w.c_str());
  if (errors.empty() && dp.lcores.executors > trading.shards)
    errors.push_back("[lcores].executors = " + std::to_string(dp.lcores.executors) +
                     " but [trading].shards = " + std::to_string(trading.shards) +
                     ": an executor would host no shard");
  if (errors.empty() && !rx_pcap.empty() && rx_pcap.find(',') == std::string::npos) {
    auto& p = dp.ports[static_cast<std::size_t>(dp.feed_port_index())];
    if (devargs_driver(p.devargs) != "net_pcap")
      errors.push_back("--rx-pcap needs a net_pcap feed port; \"" + p.name + "\" is " +
                       devargs_driver(p.devargs));
    else if (!std::filesystem::is_regular_file(rx_pcap))
      errors.push_back("--rx-pcap: no such file: " + rx_pcap);
    else
      p.devargs = set_devarg(p.devargs, "rx_pcap", rx_pcap);
  }
  if (errors.empty() && !tx_pcap.empty() && tx_pcap.find(',') == std::string::npos) {
    auto& p = dp.ports[static_cast<std::size_t>(dp.order_port_index())];
    if (devargs_driver(p.devargs) != "net_pcap")
      errors.push_back("--tx-pcap needs a net_pcap order port; \"" + p.name + "\" is " +
                       devargs_driver(p.devargs));
    else
      p.devargs = set_devarg(p.devargs, "tx_pcap", tx_pcap);
  }
  if (!metrics_addr.empty()) {
    if (!sf::telemetry::valid_listen_address(metrics_addr))
      errors.push_back("--metrics-addr: expected HOST:PORT, got \"" + metrics_addr + "\"");
    tel.metrics_addr = metrics_addr;
    tel.enabled = true;  // asking for an address turns the exporter on
  }
  for (const auto& p : dp.ports) {
    if (!topology && devargs_driver(p.devargs) == "net_pcap") {
      const std::string in = get_devarg(p.devargs, "rx_pcap");
      if (!in.empty() && !std::filesystem::is_regular_file(in))
        errors.push_back("port \"" + p.name + "\": rx_pcap file not found: " + in);
    }
  }
  if (!errors.empty()) return fail(errors, "invalid configuration");

  // ---- Placement ----
  const Machine machine = discover_machine();
  const int port_numa = port_numa_node(dp.ports[static_cast<std::size_t>(dp.feed_port_index())].devargs);
  // [lcores] mode = "auto" becomes pipeline or run_to_completion here, before anything uses it.
  const ModeChoice mode_choice = resolve_lcore_mode(machine, dp.lcores, port_numa);
  dp.lcores.mode = mode_choice.mode;
  const LcoreMode mode = dp.lcores.mode;
  const Placement placement = choose_placement(machine, dp.lcores, port_numa);
  if (topology) {
    std::printf("%s", machine_text(machine).c_str());
    std::printf("feed port NUMA node: %d%s\n", port_numa,
                port_numa < 0 ? " (virtual device or unknown)" : "");
    std::printf("mode: %s, %u RX, %u executor(s), %u shard(s)\n", to_string(mode), dp.lcores.rx,
                dp.lcores.executors, trading.shards);
    std::printf("mode choice: %s\n", mode_choice.reason.c_str());
    std::printf("%s", placement.describe(mode).c_str());
    std::printf("EAL --lcores %s\n", placement.eal_lcores_arg().c_str());
    return placement.ok() ? 0 : 2;
  }
  if (!placement.ok()) return fail(placement.errors, "impossible placement");
  if (!check_config && !quiet)
    std::fprintf(stderr, "sniperforge: lcore mode %s\n", mode_choice.reason.c_str());
  for (const auto& w : placement.warnings)
    std::fprintf(stderr, "sniperforge: placement warning: %s\n", w.c_str());

  // A retry after a failed hugepage start (see below) sees "no hugepages".
  const bool retry_without_huge = std::getenv("SF_EAL_NO_HUGE_RETRY") != nullptr;
  const HugepageInfo huge = retry_without_huge ? HugepageInfo{} : probe_hugepages();
  const EalPlan eal = build_eal_args(dp, placement, huge, static_cast<int>(getpid()), errors);
  if (!errors.empty()) return fail(errors, "invalid EAL setup");
  const MemoryEstimate memory =
      estimate_memory(dp, trading.shards, sf::trade::Engine::footprint_bytes(trading));
  check_memory(memory, memory_budget(read_text("/proc/meminfo"), eal.hugepages, dp.eal.memory_mb), errors);
  if (!errors.empty()) return fail(errors, "the machine cannot hold this configuration");
  if (check_config) {
    std::printf("configuration OK: %s\n", config_path.c_str());
    std::printf("lcore mode %s\n", mode_choice.reason.c_str());
    std::printf("%s", placement.describe(mode).c_str());
    std::printf("%s\nEAL:", eal.hugepage_reason.c_str());
    for (const auto& a : eal.args) std::printf(" %s", a.c_str());
    std::printf("\n%s\n", memory.describe().c_str());
    std::printf("%s\n", describe_order_session(dp, trading.shards).c_str());
    return 0;
  }
  if (!quiet)
    std::fprintf(stderr, "sniperforge: %s\nsniperforge: %s\n", eal.hugepage_reason.c_str(),
                 memory.describe().c_str());

  // ---- Process hygiene: one instance per port; runtime directories of dead runs removed ----
  std::vector<PortLock> port_locks(dp.ports.size());
  for (std::size_t i = 0; i < dp.ports.size(); ++i) {
    pid_t holder = 0;
    if (!port_locks[i].acquire(dp.ports[i].devargs, holder)) {
      std::fprintf(stderr, "sniperforge: port \"%s\" (%s) is already in use by sniperforge pid %d\n",
                   dp.ports[i].name.c_str(), dp.ports[i].devargs.c_str(), static_cast<int>(holder));
      return 1;
    }
  }
  const std::string runtime_base = dpdk_runtime_base();
  for (const auto& d : remove_stale_runtime_dirs(runtime_base, dp.eal.file_prefix))
    std::fprintf(stderr, "sniperforge: removed the stale runtime directory %s/%s\n", runtime_base.c_str(),
                 d.c_str());

  // ---- EAL ----
  std::vector<char*> eal_argv;
  std::vector<std::string> eal_args = eal.args;
  for (auto& a : eal_args) eal_argv.push_back(a.data());
  eal_argv.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(eal_args.size()), eal_argv.data()) < 0) {
    std::fprintf(stderr, "sniperforge: rte_eal_init failed: %s\n", rte_strerror(rte_errno));
    if (eal.hugepages && dp.eal.hugepages == HugepageMode::kAuto && !retry_without_huge) {
      // The free hugepages went to another process between the probe and EAL: EAL cannot be started
      // twice in one process, so start again without hugepages.
      std::fprintf(stderr, "sniperforge: retrying without hugepages (--no-huge)\n");
      setenv("SF_EAL_NO_HUGE_RETRY", "1", 1);
      execv("/proc/self/exe", argv);
      std::perror("sniperforge: execv");
    }
    return 1;
  }

  int rc = 0;
  {
    Runtime rt(dp, trading, placement);
    rt.set_hold(hold);
    if (!test_stall.empty()) rt.set_test_stall(*parse_test_stall(test_stall));
    g_stop_flag.store(&rt.stop_flag());
    if (g_signal.load()) rt.request_stop();
    std::vector<std::string> notes;
    const bool ok = rt.build(errors, notes);
    for (const auto& n : notes) std::fprintf(stderr, "sniperforge: %s\n", n.c_str());
    if (!ok && g_signal.load()) {  // stopped during start-up: nothing ran, nothing to report
      std::fprintf(stderr, "sniperforge: stopped by signal %d during start-up\n", g_signal.load());
      rt.shutdown();
    } else if (!ok) {
      rc = fail(errors, "data plane setup failed");
      rt.shutdown();
    } else {
      // Declared first: the exporter reads its health until it stops.
      sf::app::ApplianceJournal journal;
      // [feed.snapshot]: the books from GLIMPSE first, on this thread, before any other may look at them.
      if (snapshot_cfg.enabled && snapshot_cfg.at_start && !g_signal.load() &&
          !sf::app::start_from_snapshot(snapshot_cfg, rt, quiet))
        rc = 1;
      // ... and with [feed.rewind] again when a gap cannot be re-requested (a housekeeping thread).
      const auto snapshot_fallback = sf::app::start_snapshot_fallback(snapshot_cfg, rt, quiet);
      // sf-ctl's commands and /sniperforge/books reach the executors through their control rings, one
      // at a time, through this controller ([control] adds the socket below).
      std::vector<const sf::trade::Engine*> engine_views;
      for (const auto& e : rt.engines()) engine_views.push_back(e.get());
      sf::control::Controller controller(trading, config_path, engine_views, rt.control_channels());
      // Telemetry (the stats lcore): a sleeping thread + HTTP exporter on the housekeeping cpu.
      std::unique_ptr<sf::dataplane::StatsLcore> stats;
      if (rc == 0 && tel.enabled) {
        try {
          auto inputs = rt.telemetry_inputs(tel);
          if (journal_cfg.enabled) inputs.journal = [&journal] { return journal.health(); };
          inputs.read_books = [&controller](std::vector<sf::book::BookRow>& rows) {
            controller.read_books(rows);
          };
          if (control_cfg.enabled) inputs.control = &controller.stats();
          stats = std::make_unique<sf::dataplane::StatsLcore>(std::move(inputs));
          stats->start();
          std::fprintf(stderr, "sniperforge: metrics on %s (port %u): /metrics /health /ready\n",
                       tel.metrics_addr.c_str(), stats->metrics_port());
        } catch (const std::exception& ex) {
          std::fprintf(stderr, "sniperforge: telemetry failed to start: %s\n", ex.what());
          stats.reset();
          rc = 1;
        }
      }
      // The journal: reconciles the engines from what it holds, then a writer thread on this cpu.
      if (std::string why; rc == 0 && journal_cfg.enabled && !journal.open(journal_cfg, rt, quiet, why)) {
        std::fprintf(stderr, "sniperforge: %s\n", why.c_str());
        rc = 1;
      }
      if (rc == 0 && journal_cfg.enabled) {  // the disk's interrupts on an lcore's cpu: a warning
        std::vector<int> lcore_cpus = placement.rx_cpus;
        lcore_cpus.insert(lcore_cpus.end(), placement.executor_cpus.begin(), placement.executor_cpus.end());
        (void)journal.check_disk_interrupts(journal_cfg, lcore_cpus);
      }
      // The order sessions (transport "kernel") log in where the journal says each shard stopped.
      if (rc == 0) {
        std::vector<std::string> session_notes;
        if (!rt.start_order_sessions(errors, session_notes)) rc = fail(errors, "order session setup failed");
        for (const auto& n : session_notes) std::fprintf(stderr, "sniperforge: %s\n", n.c_str());
      }
      // The operator's control socket (sf-ctl): a thread on this (housekeeping) cpu.
      std::unique_ptr<sf::control::ControlServer> control_server;
      if (rc == 0 && control_cfg.enabled) {
        if (journal_cfg.enabled)  // the audit trail in the journal too ("control" records)
          controller.set_audit_sink([&journal](const sf::control::Controller::AuditRecord& a) {
            if (!journal.record_control({a.peer.user, a.command, a.old_value, a.new_value, a.result,
                                         static_cast<uint32_t>(a.peer.uid)}))
              std::fprintf(stderr, "sniperforge: control: the journal did not take this command's record\n");
          });
        control_server = std::make_unique<sf::control::ControlServer>(control_cfg, controller);
        std::string error;
        if (!control_server->start(error)) {
          std::fprintf(stderr, "sniperforge: %s\n", error.c_str());
          control_server.reset();
          rc = 1;
        } else {
          std::fprintf(stderr, "sniperforge: control socket %s\n", control_cfg.socket.c_str());
        }
      }
      if (rc == 0 && !g_signal.load()) rt.launch();
      // Progress of a replay on a terminal, from the RX lcores' counters (this thread's housekeeping cpu).
      const auto& feed = dp.ports[static_cast<std::size_t>(dp.feed_port_index())];
      const std::string replay_file =
          devargs_driver(feed.devargs) == "net_pcap" ? get_devarg(feed.devargs, "rx_pcap") : "";
      auto progress = sf::app::start_replay_progress(
          rt, replay_file, rc == 0 && !g_signal.load() && sf::progress_wanted(quiet));
      bool stop_sent = false, reconciled = false;
      while (!rt.finished()) {
        if (!reconciled && rt.order_sessions_reconciled()) {  // /ready stops saying "reconciling"
          journal.set_reconciled();
          reconciled = true;
        }
        if (g_signal.load(std::memory_order_relaxed) && !stop_sent) {
          rt.request_stop();
          stop_sent = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      if (progress) progress->finish();
      rt.wait();
      if (!journal.close(rt)) rc = 1;
      if (control_server) control_server->stop();
      if (stats) stats->stop();  // after the lcores: drains the log rings
      rt.shutdown();             // net_pcap writes out its TX file here
      // net_pcap stops silently at a damaged record (#16): say so and fail as sf-backtest does (docs/cli.md).
      const std::string damage = replay_file.empty() ? "" : sf::io::check_pcap(replay_file);
      if (!damage.empty()) std::fprintf(stderr, "sniperforge: %s\n", damage.c_str());
      if (!damage.empty()) rc = 1;
      if (!dump_books.empty()) {
        std::ofstream out(dump_books);
        sf::book::write_book_dump(out, rt.book_rows());
        if (!out) {
          std::fprintf(stderr, "sniperforge: cannot write %s\n", dump_books.c_str());
          rc = 1;
        }
      }
      if (!stats_file.empty()) {
        std::ofstream out(stats_file);
        if (!out) {
          std::fprintf(stderr, "sniperforge: cannot write %s\n", stats_file.c_str());
          rc = 1;
        }
        for (const auto& [k, v] : rt.counters()) out << k << "=" << v << "\n";
        out << "input_damaged=" << (damage.empty() ? 0 : 1) << "\n";
        const auto t2t = rt.tick_to_trade();
        const double ns_per_tick = 1e9 / static_cast<double>(rte_get_tsc_hz());
        out << "tick_to_trade_count=" << t2t.total() << "\n";
        out << "tick_to_trade_p50_ns="
            << static_cast<uint64_t>(static_cast<double>(t2t.percentile(0.5)) * ns_per_tick) << "\n";
        out << "tick_to_trade_p99_ns="
            << static_cast<uint64_t>(static_cast<double>(t2t.percentile(0.99)) * ns_per_tick) << "\n";
      }
      std::printf("== sniperforge summary (%s, %s) ==\n%s", config_path.c_str(), to_string(mode),
                  rt.summary().c_str());
      warn_unseen_symbols(trading, rt.book_rows());
      if (g_signal.load()) std::printf("stopped by signal %d\n", g_signal.load());
      std::fflush(stdout);
    }
    g_stop_flag.store(nullptr);
  }
  rte_eal_cleanup();
  if (!remove_runtime_dir(runtime_base, eal.file_prefix))
    std::fprintf(stderr, "sniperforge: cannot remove %s/%s\n", runtime_base.c_str(), eal.file_prefix.c_str());
  return rc;
}
