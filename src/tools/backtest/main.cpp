// sf-backtest: replays pcaps or NASDAQ BinaryFILE ITCH through the trading core (the same Engine the
// appliance runs), one Engine per shard from the config, shards spread over N oneTBB threads. Outputs (book
// dump, orders) do not depend on N.
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "journal_out.hpp"
#include "replay_input.hpp"
#include "report.hpp"
#include "shard_replay.hpp"
#include "sniperforge/book/dump.hpp"
#include "sniperforge/common/cli.hpp"
#include "sniperforge/common/counter.hpp"
#include "sniperforge/common/cpu_time.hpp"
#include "sniperforge/common/progress.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "sniperforge/trade/engine.hpp"
#include "sniperforge/trade/engine_totals.hpp"
#include "sweep.hpp"

namespace {

using sf::process_cpu_seconds;
using sf::trade::OrderRequest;

std::string trimmed_symbol(const OrderRequest& r) {
  return std::string(sf::itch::trim_alpha({r.symbol.data(), r.symbol.size()}));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sf-backtest: replay ITCH 5.0 (pcap with MoldUDP64, or NASDAQ BinaryFILE) through books, strategies "
      "and "
      "the risk gate.\nShards = engines from [trading] shards; --threads only changes speed, never the "
      "output.",
      "sf-backtest"};
  sf::cli::apply_conventions(app, "sf-backtest");
  std::string config_path, dump_path, orders_path, report_dir, venue = "none", journal_dir;
  unsigned threads = 1;
  int prefetch = 2;
  uint16_t feed_port = sf::feed::kDefaultPort;
  std::vector<std::string> inputs;
  bool quiet = false;
  app.add_option("--config", config_path, "TOML config ([trading], [book], [risk], [[strategy]] are used)")
      ->check(CLI::ExistingFile);
  app.add_option("--threads", threads, "worker threads (oneTBB)")->check(sf::cli::unsigned_range(1, 1024));
  app.add_option("--dump-books", dump_path, "write the book dump CSV here");
  app.add_option("--orders", orders_path, "write the orders CSV here");
  app.add_option("--journal", journal_dir,
                 "write the orders as a journal in this new directory (sf-journal)");
  app.add_option(
         "--venue", venue,
         "none: nobody answers, orders stay open (as the appliance replaying a pcap); sim: the simulated "
         "venue fills them ([backtest] in the config, docs/backtest.md)")
      ->check(CLI::IsMember({"none", "sim"}));
  app.add_option(
      "--report", report_dir,
      "write fills.csv, orders.csv, pnl.csv, equity.csv, summary.json and report.html here (implies "
      "--venue sim)");
  app.add_option("--feed-port", feed_port, "UDP destination port of the feed in pcaps")
      ->check(sf::cli::unsigned_range(1, 65535));
  app.add_option("--prefetch", prefetch, "replay prefetch stages: 0 none, 1 order slots, 2 slots + levels")
      ->check(sf::cli::integer_range(0, 2));
  app.add_option("INPUT", inputs,
                 "pcap/pcapng or BinaryFILE (u16 BE length + message) files of one feed, in time order (a "
                 "capture split into files); one that starts earlier (another day) is refused: one run a "
                 "day, or --sweep")
      ->check(CLI::ExistingFile);
  sf::cli::add_quiet_flag(app, quiet);
  std::string sweep_path;
  sf::backtest::SweepCli sweep;
  app.add_option(
         "--sweep", sweep_path,
         "run the parameter grid of this sweep file (sweep.csv + sweep.html; src/tools/backtest/sweep.hpp)")
      ->check(CLI::ExistingFile);
  app.add_flag("--slurm", sweep.slurm, "--sweep as a Slurm job array (sbatch) merged by a dependent job");
  app.add_flag("--slurm-wait", sweep.wait, "with --slurm: return when the merge job has finished");
  app.add_option("--sweep-block", sweep.block, "parameter sets per Slurm task")
      ->check(sf::cli::unsigned_range(1, 100000));
  app.add_option("--sweep-task", sweep.task, "(inside the job array) run this task")
      ->check(sf::cli::integer_range(0, 100'000'000))
      ->group("");
  app.add_flag("--sweep-merge", sweep.merge, "(the dependent job) merge the tasks' parts")->group("");
  if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;
  if (!sweep_path.empty())
    return sf::backtest::sweep_main(sweep_path, report_dir, {threads, prefetch, feed_port, quiet, nullptr},
                                    sweep);
  if (inputs.empty()) {
    std::cerr << "sf-backtest: INPUT is required (or --sweep FILE)\n";
    return 2;
  }

  if (!report_dir.empty()) venue = "sim";
  sf::trade::TradingConfig cfg;
  sf::sim::BacktestConfig bt;
  sf::backtest::FeedInputSettings feed;  // A/B lines, arbitration and the feed guard, as the appliance
  if (!config_path.empty()) {
    toml::table root;
    try {
      root = toml::parse_file(config_path);
    } catch (const toml::parse_error& e) {
      std::cerr << "sf-backtest: " << config_path << ": " << e.description() << " (line "
                << e.source().begin.line << ")\n";
      return 2;
    }
    std::vector<std::string> errors;
    cfg = sf::trade::parse_trading_config(root, errors);
    sf::trade::require_risk_section(root, errors);  // the appliance's own check: no silent default limits
    bt = sf::sim::parse_backtest_config(root, errors);
    sf::backtest::parse_feed_input(root, feed, errors);  // the same reader as --sweep
    if (!errors.empty()) {
      for (const auto& e : errors) std::cerr << "sf-backtest: " << config_path << ": " << e << '\n';
      return 2;
    }
  }

  const auto t0 = std::chrono::steady_clock::now();
  sf::backtest::Input in;
  in.feed = feed;
  {
    // Progress on a terminal: messages loaded so far (the total is known only at the end).
    sf::Counter loaded;
    in.loaded = &loaded;
    sf::ProgressOptions progress_options;
    progress_options.label = "sf-backtest load";
    sf::ProgressLine progress(
        progress_options,
        [&loaded] {
          return sf::ProgressSample{loaded.load(), 0};
        },
        sf::progress_wanted(quiet));
    for (const std::string& path : inputs) {
      std::string error;
      if (!sf::backtest::load_input(path, feed_port, in, error)) {
        progress.finish();
        std::cerr << "sf-backtest: " << path << ": " << error << '\n';
        return 1;
      }
    }
    in.loaded = nullptr;
  }
  const auto t1 = std::chrono::steady_clock::now();

  // Route every message to its shard (broadcasts to all), then run the shards in parallel.
  std::vector<sf::backtest::ShardRun> shards;
  try {
    shards = sf::backtest::make_runs(cfg, venue == "sim" ? &bt.venue : nullptr);
  } catch (const std::exception& e) {
    std::cerr << "sf-backtest: " << e.what() << '\n';
    return 2;
  }
  const std::vector<sf::backtest::ShardStream> streams = sf::backtest::split_by_shard(in, cfg.shards);
  in.bytes = {};  // the shards hold copies now
  const auto t2 = std::chrono::steady_clock::now();
  const double cpu2 = process_cpu_seconds();
  tbb::task_arena arena(static_cast<int>(threads));
  {
    // Progress on a terminal: each shard's replay keeps its position in applied[shard].
    std::vector<sf::Counter> applied(shards.size());
    uint64_t total = 0;
    for (const auto& s : streams) total += s.size();
    sf::ProgressOptions progress_options;
    progress_options.label = "sf-backtest replay";
    sf::ProgressLine progress(
        progress_options,
        [&applied, total] {
          uint64_t done = 0;
          for (const auto& a : applied) done += a.load();
          return sf::ProgressSample{done, total};
        },
        sf::progress_wanted(quiet));
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, shards.size(), [&](std::size_t s) {
        sf::backtest::replay_shard(streams[s], shards[s], prefetch, &applied[s]);
      });
    });
  }
  const auto t3 = std::chrono::steady_clock::now();
  const double run_cpu = process_cpu_seconds() - cpu2;

  // Outputs: merged and sorted, so they depend on the config and input only.
  std::vector<OrderRequest> orders;
  for (const auto& s : shards) orders.insert(orders.end(), s.orders.begin(), s.orders.end());
  std::sort(orders.begin(), orders.end(), [](const OrderRequest& a, const OrderRequest& b) {
    if (a.trigger_seq != b.trigger_seq) return a.trigger_seq < b.trigger_seq;
    if (a.user_ref_num != b.user_ref_num) return a.user_ref_num < b.user_ref_num;
    return a.locate < b.locate;
  });
  if (std::string why;
      !journal_dir.empty() && !sf::backtest::write_journal(journal_dir, orders, cfg.shards, why)) {
    std::cerr << "sf-backtest: --journal: " << why << '\n';
    return 1;
  }
  if (!orders_path.empty()) {
    std::ofstream out(orders_path, std::ios::binary);
    out << "seq,symbol,side,shares,price,user_ref_num\n";
    for (const OrderRequest& r : orders)
      out << r.trigger_seq << ',' << trimmed_symbol(r) << ',' << r.side << ',' << r.shares << ',' << r.price
          << ',' << r.user_ref_num << '\n';
    if (!out) {
      std::cerr << "sf-backtest: cannot write " << orders_path << '\n';
      return 1;
    }
  }
  if (!dump_path.empty()) {
    std::vector<sf::book::BookRow> rows;
    for (const auto& s : shards) s.engine->dump_rows(rows);
    std::ofstream out(dump_path, std::ios::binary);
    sf::book::write_book_dump(out, std::move(rows));
    if (!out) {
      std::cerr << "sf-backtest: cannot write " << dump_path << '\n';
      return 1;
    }
  }

  // Summary.
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  const double run_s = secs(t2, t3);
  uint64_t applied = 0;
  double engine_cpu = 0;
  for (std::size_t s = 0; s < shards.size(); ++s) {
    applied += streams[s].size();
    engine_cpu += shards[s].cpu_seconds;
  }
  std::fprintf(stderr,
               "sf-backtest: %zu messages from %zu input(s) (%.2f s to load), %u shard(s) on %u thread(s)\n",
               in.messages.size(), inputs.size(), secs(t0, t1), cfg.shards, threads);
  std::fprintf(
      stderr,
      "  replay: %llu engine messages in %.3f s wall = %.1f M msg/s (%.1f ns/msg); process CPU %.3f s, "
      "engine thread CPU %.3f s = %.1f ns/msg\n",
      static_cast<unsigned long long>(applied), run_s, run_s > 0 ? applied / run_s / 1e6 : 0.0,
      applied ? run_s * 1e9 / static_cast<double>(applied) : 0.0, run_cpu, engine_cpu,
      applied ? engine_cpu * 1e9 / static_cast<double>(applied) : 0.0);
  if (shards.size() > 1) {
    // Per-shard CPU: the wall time with enough free cores is bounded by the largest (shards run in parallel).
    double max_cpu = 0;
    std::fprintf(stderr, "  shard CPU s:");
    for (const auto& sr : shards) {
      std::fprintf(stderr, " %.3f", sr.cpu_seconds);
      max_cpu = std::max(max_cpu, sr.cpu_seconds);
    }
    std::fprintf(stderr, " (parallel speed-up bound %.2fx)\n", max_cpu > 0 ? engine_cpu / max_cpu : 0.0);
  }
  const auto& st = in.stats;
  if (st.frames)
    std::fprintf(stderr,
                 "  frames %llu, heartbeats %llu, gap messages %llu, duplicate packets %llu, late %llu\n",
                 static_cast<unsigned long long>(st.frames), static_cast<unsigned long long>(st.heartbeats),
                 static_cast<unsigned long long>(st.gap_messages),
                 static_cast<unsigned long long>(st.duplicate_packets),
                 static_cast<unsigned long long>(st.late_packets));
  for (std::size_t r = 0; r < st.drops.size(); ++r)
    if (st.drops[r])
      std::fprintf(stderr, "  frame dropped %s: %llu\n",
                   std::string(sf::telemetry::kFeedDropReasonNames[r]).c_str(),
                   static_cast<unsigned long long>(st.drops[r]));
  if (st.session_changes || st.seq_restarts)
    std::fprintf(stderr, "  feed session changes %llu, sequence restarts %llu (engines stale from there)\n",
                 static_cast<unsigned long long>(st.session_changes),
                 static_cast<unsigned long long>(st.seq_restarts));
  if (st.damaged_inputs)
    std::fprintf(stderr, "  damaged inputs: %llu (read up to the damage; exit status 1)\n",
                 static_cast<unsigned long long>(st.damaged_inputs));
  if (st.binaryfile_bad_messages || st.binaryfile_truncated)
    std::fprintf(stderr, "  BinaryFILE: %llu invalid messages, %llu truncated file(s)\n",
                 static_cast<unsigned long long>(st.binaryfile_bad_messages),
                 static_cast<unsigned long long>(st.binaryfile_truncated));
  std::vector<const sf::trade::Engine*> engines;
  for (const auto& s : shards) engines.push_back(s.engine.get());
  const sf::trade::EngineTotals totals = sf::trade::sum_engines(engines);
  const auto& drops = totals.book_drops;
  const auto& rejects = totals.rejects;
  std::fprintf(stderr, "  books: %llu live orders at end\n",
               static_cast<unsigned long long>(totals.live_orders));
  if (!in.gaps.empty())
    std::fprintf(stderr, "  feed gaps: %zu (engines stale from the first one: no order after it)\n",
                 in.gaps.size());
  for (std::size_t d = 0; d < drops.size(); ++d)
    if (drops[d])
      std::fprintf(stderr, "  book drop %s: %llu\n",
                   std::string(sf::book::to_string(static_cast<sf::book::Drop>(d))).c_str(),
                   static_cast<unsigned long long>(drops[d]));
  std::fprintf(stderr, "  orders: %zu\n", orders.size());
  if (venue == "sim") {
    const sf::backtest::RunOutput out = sf::backtest::merge_runs(shards);
    const sf::backtest::Summary sum = sf::backtest::summarize(out, cfg, bt);
    uint64_t refused = 0;
    for (const auto& s : shards) refused += s.venue->stats().responses_refused;
    if (!report_dir.empty()) {
      std::string error;
      if (!sf::backtest::write_report(report_dir, out, sum, cfg, bt, error)) {
        std::cerr << "sf-backtest: " << error << '\n';
        return 1;
      }
      std::fprintf(stderr, "  report: %s/report.html\n", report_dir.c_str());
    }
    if (refused)
      std::fprintf(stderr, "  venue responses the engine refused: %llu\n",
                   static_cast<unsigned long long>(refused));
    const sf::backtest::Metrics& t = sum.total;
    std::fprintf(
        stderr,
        "  P&L (simulated venue): net $%.2f, gross $%.2f, fees $%.2f; %llu of %llu shares filled (%.1f %%), "
        "max drawdown $%.2f\n",
        t.net_pnl, t.gross_pnl, t.fees, static_cast<unsigned long long>(t.shares_filled),
        static_cast<unsigned long long>(t.shares_ordered), 100.0 * t.fill_ratio, t.max_drawdown);
  }
  for (std::size_t r = 1; r < rejects.size(); ++r)
    if (rejects[r])
      std::fprintf(stderr, "  risk reject %s: %llu\n",
                   std::string(sf::trade::to_string(static_cast<sf::trade::Reject>(r))).c_str(),
                   static_cast<unsigned long long>(rejects[r]));
  return st.damaged_inputs ? 1 : 0;  // a damaged input is a runtime failure, as in sniperforge
}
