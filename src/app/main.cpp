// sniperforge: the tick-to-trade appliance.
//
//   sniperforge --config FILE [--rx-pcap FILE] [--tx-pcap FILE] [--dump-books FILE]
//               [--check-config] [--topology] [--metrics-addr HOST:PORT] [--hold] [--quiet] [--version]
//
// Everything is validated (config, placement, EAL arguments) before EAL starts (app_config.hpp); then
// ports, rings and engines are built, the lcores launched, and the main thread waits (housekeeping) until
// the replay input is exhausted or SIGINT/SIGTERM arrives, drains, and prints a summary (appliance_run.hpp).
#include <rte_eal.h>
#include <rte_errno.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app_config.hpp"
#include "appliance_run.hpp"
#include "sniperforge/common/cli.hpp"
#include "sniperforge/dataplane/eal_args.hpp"
#include "sniperforge/dataplane/placement.hpp"
#include "sniperforge/dataplane/preflight.hpp"
#include "sniperforge/dataplane/process_guard.hpp"
#include "sniperforge/dataplane/session_preflight.hpp"
#include "sniperforge/dataplane/topology.hpp"
#include "sniperforge/trade/engine.hpp"

namespace {

using namespace sf::dataplane;
using sf::app::report_errors;

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

std::string machine_text(const Machine& m) {
  std::string s = "machine: " + m.description + "\n";
  for (const auto& c : m.cores) {
    s += "  core " + std::to_string(c.index) + " (NUMA " + std::to_string(c.numa_node) + "): cpus";
    for (int pu : c.pus) s += " " + std::to_string(pu);
    s += "\n";
  }
  return s;
}

void declare_options(CLI::App& app, sf::app::AppOptions& o) {
  app.add_option("--config", o.config_path, "TOML configuration file")->required();
  app.add_option("--rx-pcap", o.rx_pcap,
                 "replay this pcap (overrides rx_pcap of the feed port's net_pcap devargs)");
  app.add_option("--tx-pcap", o.tx_pcap, "capture sent orders here (overrides tx_pcap of the order port)");
  app.add_option("--dump-books", o.dump_books, "write the book dump CSV here at exit");
  app.add_flag("--check-config", o.check_config, "validate the configuration and placement, then exit");
  app.add_flag("--topology", o.topology, "print the machine and the lcore placement, then exit");
  app.add_option("--metrics-addr", o.metrics_addr,
                 "Prometheus exporter HOST:PORT (overrides [telemetry], enables it)");
  app.add_option("--stats-file", o.stats_file, "write every counter as name=value lines here at exit");
  app.add_flag("--hold", o.hold, "after a replay ends, keep running (metrics stay up) until SIGINT/SIGTERM");
  sf::cli::add_quiet_flag(app, o.quiet);
  // Test-only and hidden from --help: one lcore stalls once without heart-beating (/health must say so).
  app.add_option("--test-stall-lcore", o.test_stall)
      ->group("")
      ->check(CLI::Validator(
          [](std::string& v) {
            return sf::app::parse_test_stall(v)
                       ? std::string()
                       : "--test-stall-lcore " + v + ": expected LCORE:AFTER_MS:FOR_MS";
          },
          "LCORE:AFTER_MS:FOR_MS"));
}

// --topology: the machine, the mode and the placement; 0 if the placement is possible.
int print_topology(const Machine& machine, int port_numa, const sf::app::AppConfig& cfg,
                   const ModeChoice& choice, const Placement& placement) {
  std::printf("%s", machine_text(machine).c_str());
  std::printf("feed port NUMA node: %d%s\n", port_numa, port_numa < 0 ? " (virtual device or unknown)" : "");
  std::printf("mode: %s, %u RX, %u executor(s), %u shard(s)\n", to_string(cfg.dp.lcores.mode),
              cfg.dp.lcores.rx, cfg.dp.lcores.executors, cfg.trading.shards);
  std::printf("mode choice: %s\n", choice.reason.c_str());
  std::printf("%s", placement.describe(cfg.dp.lcores.mode).c_str());
  std::printf("EAL --lcores %s\n", placement.eal_lcores_arg().c_str());
  return placement.ok() ? 0 : 2;
}

// One instance per port (`locks`: one per port, held until exit), and the runtime directories of dead runs
// removed.
bool claim_ports(const DataplaneConfig& dp, std::vector<PortLock>& locks, const std::string& runtime_base) {
  for (std::size_t i = 0; i < dp.ports.size(); ++i) {
    pid_t holder = 0;
    if (!locks[i].acquire(dp.ports[i].devargs, holder)) {
      std::fprintf(stderr, "sniperforge: port \"%s\" (%s) is already in use by sniperforge pid %d\n",
                   dp.ports[i].name.c_str(), dp.ports[i].devargs.c_str(), static_cast<int>(holder));
      return false;
    }
  }
  for (const auto& d : remove_stale_runtime_dirs(runtime_base, dp.eal.file_prefix))
    std::fprintf(stderr, "sniperforge: removed the stale runtime directory %s/%s\n", runtime_base.c_str(),
                 d.c_str());
  return true;
}

// rte_eal_init with the planned arguments. When it fails after the hugepage probe found free pages
// (another process took them in between), EAL cannot be started twice in one process: the process
// starts again (execv) without hugepages. False when EAL is not up.
bool start_eal(const EalPlan& eal, const DataplaneConfig& dp, bool retry_without_huge, char** argv) {
  std::vector<std::string> args = eal.args;
  std::vector<char*> eal_argv;
  for (auto& a : args) eal_argv.push_back(a.data());
  eal_argv.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(args.size()), eal_argv.data()) >= 0) return true;
  std::fprintf(stderr, "sniperforge: rte_eal_init failed: %s\n", rte_strerror(rte_errno));
  if (eal.hugepages && dp.eal.hugepages == HugepageMode::kAuto && !retry_without_huge) {
    std::fprintf(stderr, "sniperforge: retrying without hugepages (--no-huge)\n");
    setenv("SF_EAL_NO_HUGE_RETRY", "1", 1);
    execv("/proc/self/exe", argv);
    std::perror("sniperforge: execv");
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // First thing: a signal during start-up still ends the run cleanly (checked between engines and before
  // launch). SIGHUP (the terminal went away) stops like SIGTERM: summary and book dump. SIGUSR1 and SIGPIPE
  // are ignored (no default kill without a summary; a closed metrics socket is an EPIPE error instead).
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, on_signal);
  for (int sig : {SIGUSR1, SIGPIPE}) std::signal(sig, SIG_IGN);
  CLI::App app{"SniperForge tick-to-trade appliance (DPDK)", "sniperforge"};
  sf::cli::apply_conventions(app, "sniperforge", /*links_dpdk=*/true);
  sf::app::AppOptions opt;
  declare_options(app, opt);
  if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;

  // ---- Configuration, validated completely before EAL ----
  sf::app::AppConfig cfg;
  std::vector<std::string> errors;
  if (std::string headline; !sf::app::load_app_config(opt, cfg, errors, headline))
    return report_errors(errors, headline.c_str());

  // ---- Placement ----
  const Machine machine = discover_machine();
  const int port_numa =
      port_numa_node(cfg.dp.ports[static_cast<std::size_t>(cfg.dp.feed_port_index())].devargs);
  // [lcores] mode = "auto" becomes pipeline or run_to_completion here, before anything uses it.
  const ModeChoice mode_choice = resolve_lcore_mode(machine, cfg.dp.lcores, port_numa);
  cfg.dp.lcores.mode = mode_choice.mode;
  const Placement placement = choose_placement(machine, cfg.dp.lcores, port_numa);
  if (opt.topology) return print_topology(machine, port_numa, cfg, mode_choice, placement);
  if (!placement.ok()) return report_errors(placement.errors, "impossible placement");
  if (!opt.check_config && !opt.quiet)
    std::fprintf(stderr, "sniperforge: lcore mode %s\n", mode_choice.reason.c_str());
  for (const auto& w : placement.warnings)
    std::fprintf(stderr, "sniperforge: placement warning: %s\n", w.c_str());

  // ---- EAL arguments and memory ----
  // A retry after a failed hugepage start (start_eal) sees "no hugepages".
  const bool retry_without_huge = std::getenv("SF_EAL_NO_HUGE_RETRY") != nullptr;
  const HugepageInfo huge = retry_without_huge ? HugepageInfo{} : probe_hugepages();
  const EalPlan eal = build_eal_args(cfg.dp, placement, huge, static_cast<int>(getpid()), errors);
  if (!errors.empty()) return report_errors(errors, "invalid EAL setup");
  const MemoryEstimate memory =
      estimate_memory(cfg.dp, cfg.trading.shards, sf::trade::Engine::footprint_bytes(cfg.trading));
  check_memory(memory, memory_budget(read_text("/proc/meminfo"), eal.hugepages, cfg.dp.eal.memory_mb),
               errors);
  if (!errors.empty()) return report_errors(errors, "the machine cannot hold this configuration");
  if (opt.check_config) {
    std::printf("configuration OK: %s\n", opt.config_path.c_str());
    std::printf("lcore mode %s\n", mode_choice.reason.c_str());
    std::printf("%s", placement.describe(cfg.dp.lcores.mode).c_str());
    std::printf("%s\nEAL:", eal.hugepage_reason.c_str());
    for (const auto& a : eal.args) std::printf(" %s", a.c_str());
    std::printf("\n%s\n", memory.describe().c_str());
    std::printf("%s\n", describe_order_session(cfg.dp, cfg.trading.shards).c_str());
    return 0;
  }
  if (!opt.quiet)
    std::fprintf(stderr, "sniperforge: %s\nsniperforge: %s\n", eal.hugepage_reason.c_str(),
                 memory.describe().c_str());

  // ---- Process hygiene, EAL, the run ----
  std::vector<PortLock> port_locks(cfg.dp.ports.size());  // held until exit
  const std::string runtime_base = dpdk_runtime_base();
  if (!claim_ports(cfg.dp, port_locks, runtime_base)) return 1;
  if (!start_eal(eal, cfg.dp, retry_without_huge, argv)) return 1;
  const int rc = sf::app::run_appliance(opt, cfg, placement, {g_signal, g_stop_flag});
  rte_eal_cleanup();
  if (!remove_runtime_dir(runtime_base, eal.file_prefix))
    std::fprintf(stderr, "sniperforge: cannot remove %s/%s\n", runtime_base.c_str(), eal.file_prefix.c_str());
  return rc;
}
