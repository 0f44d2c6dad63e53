#include "sniperforge/dataplane/placement.hpp"

#include <algorithm>
#include <set>

namespace sf::dataplane {
namespace {

const PhysicalCore* core_of(const Machine& m, int cpu) {
  for (const auto& c : m.cores)
    if (std::find(c.pus.begin(), c.pus.end(), cpu) != c.pus.end()) return &c;
  return nullptr;
}

// The configured housekeeping core, else the first core of the machine; null if the cpu is unknown.
const PhysicalCore* housekeeping_core(const Machine& m, const LcoreConfig& cfg) {
  if (cfg.housekeeping >= 0) return core_of(m, cfg.housekeeping);
  return m.cores.empty() ? nullptr : &m.cores.front();
}

}  // namespace

ModeChoice resolve_lcore_mode(const Machine& m, const LcoreConfig& cfg, int port_numa) {
  if (cfg.mode != LcoreMode::kAuto) return {cfg.mode, std::string("configured: ") + to_string(cfg.mode)};
  const PhysicalCore* hk = housekeeping_core(m, cfg);
  std::size_t free_local = 0;
  for (const auto& c : m.cores)
    if (&c != hk && (port_numa < 0 || c.numa_node < 0 || c.numa_node == port_numa)) ++free_local;
  const std::size_t need = std::size_t{cfg.rx} + cfg.executors;
  const std::string where = port_numa < 0
                                ? std::string("on the machine")
                                : "on NUMA node " + std::to_string(port_numa) + " (the feed port's)";
  const std::string counts = std::to_string(free_local) + " physical core(s) besides housekeeping " + where +
                             ", pipeline needs " + std::to_string(need) + " (" + std::to_string(cfg.rx) +
                             " RX + " + std::to_string(cfg.executors) + " executor)";
  if (free_local >= need) return {LcoreMode::kPipeline, "auto -> pipeline: " + counts};
  return {LcoreMode::kRunToCompletion,
          "auto -> run_to_completion: " + counts + "; one lcore avoids busy lcores time-slicing a core"};
}

std::string Placement::eal_lcores_arg() const {
  std::string s = "0@" + std::to_string(housekeeping_cpu);
  int lcore = 1;
  for (int c : rx_cpus) s += "," + std::to_string(lcore++) + "@" + std::to_string(c);
  for (int c : executor_cpus) s += "," + std::to_string(lcore++) + "@" + std::to_string(c);
  return s;
}

std::string Placement::describe(LcoreMode mode) const {
  std::string s = "housekeeping (main, stats) on cpu " + std::to_string(housekeeping_cpu) + "\n";
  int lcore = 1;
  for (int c : rx_cpus)
    s += "lcore " + std::to_string(lcore++) +
         (mode == LcoreMode::kPipeline ? ": RX on cpu " : ": RX + executors (run-to-completion) on cpu ") +
         std::to_string(c) + "\n";
  for (std::size_t i = 0; i < executor_cpus.size(); ++i)
    s += "lcore " + std::to_string(lcore++) + ": executor " + std::to_string(i) + " on cpu " +
         std::to_string(executor_cpus[i]) + "\n";
  for (const auto& w : warnings) s += "warning: " + w + "\n";
  for (const auto& e : errors) s += "error: " + e + "\n";
  return s;
}

namespace {

// [lcores].cpus as given, with a warning (an error when strict) for each that shares a physical core.
std::vector<int> configured_cpus(const Machine& m, const LcoreConfig& cfg, const PhysicalCore* hk_core,
                                 Placement& p) {
  std::vector<int> chosen;
  std::set<int> used_cores;
  for (int cpu : cfg.cpus) {
    const PhysicalCore* c = core_of(m, cpu);
    if (!c) {
      p.errors.push_back("[lcores].cpus: cpu " + std::to_string(cpu) + " does not exist on this machine");
      continue;
    }
    if (c == hk_core) p.warnings.push_back("cpu " + std::to_string(cpu) + " shares the housekeeping core");
    if (!used_cores.insert(c->index).second)
      (cfg.strict ? p.errors : p.warnings)
          .push_back("cpu " + std::to_string(cpu) + " shares a physical core with another data-plane lcore");
    chosen.push_back(cpu);
  }
  return chosen;
}

// One hardware thread per physical core, never the housekeeping core; the port's NUMA node first. Too few
// cores: shared (warning), or none chosen (error) when strict.
std::vector<int> automatic_cpus(const Machine& m, const LcoreConfig& cfg, const PhysicalCore* hk_core,
                                std::size_t need, int port_numa, Placement& p) {
  std::vector<int> chosen;
  std::vector<const PhysicalCore*> cand;
  for (const auto& c : m.cores)
    if (&c != hk_core) cand.push_back(&c);
  std::stable_sort(cand.begin(), cand.end(), [&](const PhysicalCore* a, const PhysicalCore* b) {
    const bool la = port_numa < 0 || a->numa_node == port_numa;
    const bool lb = port_numa < 0 || b->numa_node == port_numa;
    return la && !lb;
  });
  if (cand.size() < need) {
    std::string msg = "mode needs " + std::to_string(need) +
                      " physical cores besides the housekeeping core, " + "the machine has " +
                      std::to_string(cand.size());
    if (cfg.strict) {
      p.errors.push_back(msg + " ([lcores].strict = true)");
      return chosen;
    }
    p.warnings.push_back(msg + ": lcores will share cores (fine for replay and tests, not for latency)");
    // Fill with the free cores, then the (mostly sleeping) housekeeping core, then cycle.
    cand.push_back(hk_core);
  }
  for (std::size_t i = 0; i < need; ++i) chosen.push_back(cand[i % cand.size()]->pus.front());
  return chosen;
}

// A warning (an error when [lcores].numa is strict) for each chosen cpu off the feed port's NUMA node.
void check_numa(const Machine& m, const LcoreConfig& cfg, const std::vector<int>& chosen, int port_numa,
                Placement& p) {
  for (int cpu : chosen) {
    const PhysicalCore* c = core_of(m, cpu);
    if (c && c->numa_node >= 0 && c->numa_node != port_numa) {
      std::string msg = "cpu " + std::to_string(cpu) + " is on NUMA node " + std::to_string(c->numa_node) +
                        ", the feed port on node " + std::to_string(port_numa);
      (cfg.numa == NumaPolicy::kStrict ? p.errors : p.warnings).push_back(msg);
    }
  }
}

}  // namespace

Placement choose_placement(const Machine& m, const LcoreConfig& cfg, int port_numa) {
  Placement p;
  if (m.cores.empty()) {
    p.errors.push_back("the machine description has no cores");
    return p;
  }
  const bool pipeline = resolve_lcore_mode(m, cfg, port_numa).mode == LcoreMode::kPipeline;
  const std::size_t need = pipeline ? std::size_t{cfg.rx} + cfg.executors : 1;

  // Housekeeping: configured cpu, else the first cpu of the machine.
  const PhysicalCore* hk_core = nullptr;
  if (cfg.housekeeping >= 0) {
    hk_core = housekeeping_core(m, cfg);
    if (!hk_core) {
      p.errors.push_back("[lcores].housekeeping: cpu " + std::to_string(cfg.housekeeping) +
                         " does not exist on this machine");
      return p;
    }
    p.housekeeping_cpu = cfg.housekeeping;
  } else {
    hk_core = &m.cores.front();
    p.housekeeping_cpu = hk_core->pus.front();
  }

  const std::vector<int> chosen = !cfg.cpus.empty() ? configured_cpus(m, cfg, hk_core, p)
                                                    : automatic_cpus(m, cfg, hk_core, need, port_numa, p);
  if (port_numa >= 0) check_numa(m, cfg, chosen, port_numa, p);
  if (chosen.size() < need) return p;
  if (pipeline) {
    p.rx_cpus.assign(chosen.begin(), chosen.begin() + cfg.rx);
    p.executor_cpus.assign(chosen.begin() + cfg.rx, chosen.end());
  } else {
    p.rx_cpus.assign(chosen.begin(), chosen.begin() + 1);
  }
  return p;
}

}  // namespace sf::dataplane
