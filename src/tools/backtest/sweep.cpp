#include "sweep.hpp"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "replay_input.hpp"
#include "report.hpp"
#include "shard_replay.hpp"
#include "sniperforge/trade/config_parse.hpp"

namespace sf::backtest {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kGridKeys[] = {"cooldown_ns", "limit_offset", "limit_price", "max_position",
                                          "shares"};

std::string num(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  v = std::round(v * scale) / scale;
  if (v == 0) v = 0;
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string absolute_from(const fs::path& base_dir, const std::string& p) {
  const fs::path path(p);
  return (path.is_absolute() ? path : base_dir / path).lexically_normal().string();
}

bool load_config(const std::string& path, SweepSpec& spec, std::string& error) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    error = path + ": " + std::string(e.description());
    return false;
  }
  std::vector<std::string> errors;
  spec.base = trade::parse_trading_config(root, errors);
  trade::require_risk_section(root, errors);  // as the appliance and sf-backtest --config
  spec.bt = sim::parse_backtest_config(root, errors);
  parse_feed_input(root, spec.feed, errors);  // as sf-backtest --config
  if (!errors.empty()) {
    error = path + ": " + errors.front();
    return false;
  }
  return true;
}

}  // namespace

std::vector<int64_t> SweepSpec::set_values(std::size_t i) const {
  std::vector<int64_t> out(keys.size());
  for (std::size_t k = keys.size(); k-- > 0;) {
    out[k] = values[k][i % values[k].size()];
    i /= values[k].size();
  }
  return out;
}

trade::TradingConfig SweepSpec::config_for(std::size_t i) const {
  trade::TradingConfig cfg = base;
  const std::vector<int64_t> v = set_values(i);
  for (std::size_t si : strategies) {
    trade::StrategyConfig& s = cfg.strategies[si];
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if (keys[k] == "limit_offset") {
        const int64_t px = static_cast<int64_t>(s.limit_price) + (s.side == book::Side::kBuy ? v[k] : -v[k]);
        s.limit_price = static_cast<book::Price>(std::clamp<int64_t>(px, 1, 2'000'000'000));
      } else if (keys[k] == "limit_price") {
        s.limit_price = static_cast<book::Price>(v[k]);
      } else if (keys[k] == "shares") {
        s.shares = static_cast<uint32_t>(v[k]);
      } else if (keys[k] == "cooldown_ns") {
        s.cooldown_ns = static_cast<uint64_t>(v[k]);
      } else if (keys[k] == "max_position") {
        s.max_position = v[k];
      }
    }
  }
  return cfg;
}

bool load_sweep(const std::string& path, SweepSpec& spec, std::string& error) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    error =
        path + ": " + std::string(e.description()) + " (line " + std::to_string(e.source().begin.line) + ")";
    return false;
  }
  const fs::path dir = fs::absolute(path).parent_path();
  spec.file = fs::absolute(path).lexically_normal().string();
  auto fail = [&](const std::string& what) {
    error = path + ": " + what;
    return false;
  };
  for (auto&& [k, v] : root)
    if (k.str() != "config" && k.str() != "days" && k.str() != "strategies" && k.str() != "output" &&
        k.str() != "grid")
      return fail("unknown key '" + std::string(k.str()) + "'");
  const auto config = root["config"].value<std::string>();
  if (!config) return fail("config must name the base TOML config");
  if (!load_config(absolute_from(dir, *config), spec, error)) return false;
  const toml::array* days = root["days"].as_array();
  if (days == nullptr || days->empty()) return fail("days must be a non-empty array of input files");
  for (const toml::node& d : *days) {
    const auto p = d.value<std::string>();
    if (!p) return fail("days must hold file names");
    spec.days.push_back(absolute_from(dir, *p));
  }
  spec.output = absolute_from(dir, root["output"].value_or(std::string("sweep")));
  if (const toml::array* s = root["strategies"].as_array()) {
    for (const toml::node& e : *s) {
      const auto i = e.value<int64_t>();
      if (!i || *i < 0 || static_cast<std::size_t>(*i) >= spec.base.strategies.size())
        return fail("strategies: index out of range of the config's [[strategy]] entries");
      spec.strategies.push_back(static_cast<std::size_t>(*i));
    }
  } else {
    for (std::size_t i = 0; i < spec.base.strategies.size(); ++i) spec.strategies.push_back(i);
  }
  const toml::table* grid = root["grid"].as_table();
  if (grid == nullptr || grid->empty()) return fail("[grid] must list at least one parameter");
  for (auto&& [k, v] : *grid) {
    const std::string key(k.str());
    if (std::find(std::begin(kGridKeys), std::end(kGridKeys), key) == std::end(kGridKeys))
      return fail("grid: unknown parameter '" + key +
                  "' (cooldown_ns, limit_offset, limit_price, max_position, shares)");
    const toml::array* a = v.as_array();
    if (a == nullptr || a->empty()) return fail("grid." + key + " must be a non-empty integer array");
    std::vector<int64_t> vals;
    for (const toml::node& e : *a) {
      const auto x = e.value<int64_t>();
      const int64_t lo = key == "limit_offset"                           ? -1'000'000'000
                         : key == "cooldown_ns" || key == "max_position" ? 0
                                                                         : 1;
      if (!e.is_integer() || !x || *x < lo || *x > 2'000'000'000)
        return fail("grid." + key + " must hold integers in " + std::to_string(lo) + "..2000000000");
      vals.push_back(*x);
    }
    spec.keys.push_back(key);
    spec.values.push_back(std::move(vals));
  }
  if (spec.sets() > 100'000) return fail("grid too large (over 100000 parameter sets)");
  return true;
}

std::string sweep_header(const SweepSpec& spec) {
  std::string h = "set,day,input";
  for (const auto& k : spec.keys) h += "," + k;
  return h +
         ",orders,shares_ordered,shares_filled,fill_ratio,gross_pnl,fees,net_pnl,sharpe,max_drawdown,"
         "turnover\n";
}

bool sweep_rows(const SweepSpec& spec, std::size_t day, std::size_t first, std::size_t last,
                const SweepOptions& opt, std::string& rows, std::string& error) {
  Input in;
  in.feed = spec.feed;
  if (!load_input(spec.days[day], opt.feed_port, in, error)) {
    error = spec.days[day] + ": " + error;
    return false;
  }
  // The day is split by shard once; every parameter set replays the same streams with its own engines.
  std::vector<ShardStream> streams = split_by_shard(in, spec.base.shards);
  in = Input{};
  // Each parameter set needs only its strategies' instruments: keep those messages (the book of everything
  // else is built once here, to check that no shard-wide capacity made other instruments matter).
  std::vector<std::string> symbols;
  for (const auto& s : spec.base.strategies) symbols.push_back(s.symbol);
  bool all_traded_only = true;
  for (uint32_t s = 0; s < streams.size(); ++s) {
    if (capacity_shared(streams[s], spec.base, s))
      all_traded_only = false;
    else
      streams[s] = traded_only(streams[s], symbols);
  }
  // Books sized for the traded instruments alone: a shard never holds more live orders than it saw adds, so
  // no capacity is hit and nothing changes, but each set's engines no longer clear room for a million orders.
  std::size_t max_orders = spec.base.book.max_orders;
  if (all_traded_only) {
    std::size_t adds = 0;
    for (const ShardStream& st : streams) {
      std::size_t n = 0;
      for (std::size_t i = 0; i < st.size(); ++i) {
        const char t = static_cast<char>(st.msg(i)[0]);
        n += t == 'A' || t == 'F' || t == 'U';
      }
      adds = std::max(adds, n);
    }
    max_orders = std::min(max_orders, std::max<std::size_t>(adds, 1024));
  }
  std::vector<std::string> out(last - first);
  tbb::task_arena arena(static_cast<int>(opt.threads));
  arena.execute([&] {
    tbb::parallel_for(first, last, [&](std::size_t set) {
      trade::TradingConfig cfg = spec.config_for(set);
      cfg.book.max_orders = max_orders;
      std::vector<ShardRun> runs = make_runs(cfg, &spec.bt.venue);
      for (std::size_t s = 0; s < runs.size(); ++s) replay_shard(streams[s], runs[s], opt.prefetch);
      const Metrics m = summarize(merge_runs(runs), cfg, spec.bt).total;
      std::ostringstream row;
      row << set << ',' << day << ',' << fs::path(spec.days[day]).filename().string();
      for (int64_t v : spec.set_values(set)) row << ',' << v;
      row << ',' << m.orders << ',' << m.shares_ordered << ',' << m.shares_filled << ','
          << num(m.fill_ratio, 4) << ',' << num(m.gross_pnl, 2) << ',' << num(m.fees, 2) << ','
          << num(m.net_pnl, 2) << ',' << (m.sharpe ? num(*m.sharpe, 4) : "") << ',' << num(m.max_drawdown, 2)
          << ',' << num(m.turnover, 2) << '\n';
      out[set - first] = row.str();
      if (opt.sets_done != nullptr) opt.sets_done->fetch_add(1, std::memory_order_relaxed);
    });
  });
  for (const auto& r : out) rows += r;
  return true;
}

}  // namespace sf::backtest
