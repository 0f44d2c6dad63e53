// sf-backtest --sweep sweep.toml: the backtest over a grid of strategy parameters x input days, one
// sweep.csv row per (parameter set, day) plus a heat-map page (sweep_html.py). Locally every parameter set
// of a day is one oneTBB task over the day's input, loaded and split by shard once; with --slurm the grid is
// a Slurm job array (one task per day x parameter block) whose parts a dependent job merges into the same
// bytes.
//
//   config = "replay.toml"            # base config (paths relative to this file)
//   days = ["day1.pcap", "day2.pcap"]
//   strategies = [0, 1]               # which [[strategy]] entries the grid changes (default: all)
//   output = "sweep"                  # sweep.csv and sweep.html go here (--report overrides)
//   [grid]                            # keys in name order, the last one varying fastest
//   limit_offset = [100, 200, 300]    # raw price units more aggressive than limit_price (buy +, sell -)
//   shares = [50, 100, 200]           # also: cooldown_ns, max_position, limit_price
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "replay_input.hpp"
#include "sniperforge/sim/config.hpp"
#include "sniperforge/trade/config.hpp"

namespace sf::backtest {

struct SweepSpec {
  std::string file;  // the sweep.toml (absolute)
  trade::TradingConfig base;
  sim::BacktestConfig bt;
  FeedInputSettings feed;  // the base config's [feed]: every day is read as a plain sf-backtest reads it
  std::vector<std::string> days;  // absolute paths
  std::vector<std::size_t> strategies;
  std::vector<std::string> keys;             // grid keys, name order
  std::vector<std::vector<int64_t>> values;  // per key
  std::string output;                        // absolute
  [[nodiscard]] std::size_t sets() const noexcept {
    std::size_t n = 1;
    for (const auto& v : values) n *= v.size();
    return n;
  }
  // The values of parameter set `i` (one per key).
  [[nodiscard]] std::vector<int64_t> set_values(std::size_t i) const;
  // The base config with parameter set `i` applied.
  [[nodiscard]] trade::TradingConfig config_for(std::size_t i) const;
};

// Reads a sweep file; false with `error` on any problem (unknown key, bad value, unreadable config).
bool load_sweep(const std::string& path, SweepSpec& spec, std::string& error);

struct SweepOptions {
  unsigned threads = 1;
  int prefetch = 2;
  uint16_t feed_port = 0;
  bool quiet = false;                          // no progress line (--quiet)
  std::atomic<uint64_t>* sets_done = nullptr;  // when set, counts finished (set, day) runs: a progress line
};

// The sweep.csv rows of the parameter sets [first_set, last_set) over day `day` (with the header when
// `header`), in set order.
bool sweep_rows(const SweepSpec& spec, std::size_t day, std::size_t first_set, std::size_t last_set,
                const SweepOptions& opt, std::string& rows, std::string& error);
[[nodiscard]] std::string sweep_header(const SweepSpec& spec);

// The command line's sweep switches.
struct SweepCli {
  bool slurm = false;
  bool wait = false;
  std::size_t block = 1;
  int64_t task = -1;  // >= 0: inside the array
  bool merge = false;
};
// --sweep FILE: loads it (`report_dir`, when given, replaces its output) and runs what `cli` asks for.
int sweep_main(const std::string& path, const std::string& report_dir, const SweepOptions& opt,
               const SweepCli& cli);

// Local sweep: writes output/sweep.csv (rows by set, then day) and output/sweep.html.
int run_sweep_local(const SweepSpec& spec, const SweepOptions& opt);
// Slurm: submits the array and the merge job (sbatch); with `wait`, returns when the merge job ended.
int run_sweep_slurm(const SweepSpec& spec, const SweepOptions& opt, std::size_t block, bool wait,
                    const std::string& self_exe);
// Inside the array: task `task` writes its part; --sweep-merge: parts to sweep.csv and sweep.html.
int run_sweep_task(const SweepSpec& spec, const SweepOptions& opt, std::size_t block, std::size_t task);
int run_sweep_merge(const SweepSpec& spec, std::size_t block);

}  // namespace sf::backtest
