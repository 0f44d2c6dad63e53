#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "sniperforge/trade/config_parse.hpp"
#include "sniperforge/trade/strategy.hpp"

namespace sf::trade {

namespace {

std::string where(const toml::node& n) {
  const auto& src = n.source();
  if (!src.begin) return {};
  std::ostringstream os;
  os << " (line " << src.begin.line << ")";
  return os.str();
}

// Reads the keys of one table; every key must be known.
class TableReader {
 public:
  TableReader(const toml::table& t, std::string name, std::vector<std::string>& errors)
      : t_(t), name_(std::move(name)), errors_(errors) {}

  template <class T>
  void integer(std::string_view key, T& out, int64_t min, int64_t max) {
    seen_.insert(std::string(key));
    const toml::node* n = t_.get(key);
    if (n == nullptr) return;
    const auto v = n->value<int64_t>();
    if (!n->is_integer() || !v) return error(key, *n, "must be an integer");
    if (*v < min || *v > max)
      return error(key, *n, "must be in " + std::to_string(min) + ".." + std::to_string(max));
    out = static_cast<T>(*v);
  }
  // Dollars (integer or float) stored as raw 1/10000-dollar units.
  void dollars(std::string_view key, uint64_t& out) {
    seen_.insert(std::string(key));
    const toml::node* n = t_.get(key);
    if (n == nullptr) return;
    const auto v = n->value<double>();
    if (!(n->is_integer() || n->is_floating_point()) || !v)
      return error(key, *n, "must be a number of dollars");
    if (!(*v >= 0) || *v > 1e14) return error(key, *n, "must be in 0..1e14 dollars");
    out = static_cast<uint64_t>(std::llround(*v * 10'000.0));
  }
  void boolean(std::string_view key, bool& out) {
    seen_.insert(std::string(key));
    const toml::node* n = t_.get(key);
    if (n == nullptr) return;
    const auto v = n->value<bool>();
    if (!n->is_boolean() || !v) return error(key, *n, "must be true or false");
    out = *v;
  }
  bool string(std::string_view key, std::string& out) {
    seen_.insert(std::string(key));
    const toml::node* n = t_.get(key);
    if (n == nullptr) return false;
    const auto v = n->value<std::string>();
    if (!n->is_string() || !v) {
      error(key, *n, "must be a string");
      return false;
    }
    out = *v;
    return true;
  }
  void strings(std::string_view key, std::vector<std::string>& out) {
    seen_.insert(std::string(key));
    const toml::node* n = t_.get(key);
    if (n == nullptr) return;
    const toml::array* a = n->as_array();
    if (a == nullptr) return error(key, *n, "must be an array of strings");
    for (const toml::node& e : *a) {
      const auto v = e.value<std::string>();
      if (!e.is_string() || !v) return error(key, e, "must be an array of strings");
      out.push_back(*v);
    }
  }
  bool has(std::string_view key) const { return t_.get(key) != nullptr; }
  void error(std::string_view key, const toml::node& n, const std::string& what) {
    errors_.push_back(name_ + "." + std::string(key) + ": " + what + where(n));
  }
  void plain_error(const std::string& what) { errors_.push_back(name_ + ": " + what + where(t_)); }
  // Reports every key that no reader asked for.
  void finish() {
    for (auto&& [k, v] : t_)
      if (!seen_.count(std::string(k.str())))
        errors_.push_back(name_ + ": unknown key '" + std::string(k.str()) + "'" + where(v));
  }

 private:
  const toml::table& t_;
  std::string name_;
  std::vector<std::string>& errors_;
  std::set<std::string> seen_;
};

constexpr int64_t kMaxU32 = std::numeric_limits<uint32_t>::max();
constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();

void parse_strategy(const toml::table& t, std::size_t index, TradingConfig& cfg,
                    std::vector<std::string>& errors) {
  const std::string name = "strategy[" + std::to_string(index) + "]";
  TableReader r(t, name, errors);
  StrategyConfig s;
  if (!r.string("name", s.name))
    r.plain_error("missing key 'name'");
  else if (!strategy_registered(s.name)) {
    std::string known;
    for (const auto& n : registered_strategies()) known += (known.empty() ? "" : ", ") + n;
    r.plain_error("unknown strategy name '" + s.name + "' (registered: " + known + ")");
  }
  if (!r.string("symbol", s.symbol))
    r.plain_error("missing key 'symbol'");
  else if (s.symbol.empty() || s.symbol.size() > 8 || s.symbol.find(' ') != std::string::npos)
    r.plain_error("symbol must be 1..8 characters without spaces");
  std::string side;
  if (!r.string("side", side))
    r.plain_error("missing key 'side'");
  else if (side == "buy" || side == "B")
    s.side = book::Side::kBuy;
  else if (side == "sell" || side == "S")
    s.side = book::Side::kSell;
  else
    r.plain_error("side must be \"buy\" or \"sell\"");
  if (!r.has("limit_price")) r.plain_error("missing key 'limit_price' (raw 1/10000 dollars)");
  r.integer("limit_price", s.limit_price, 1, 2'000'000'000);
  r.integer("shares", s.shares, 1, 1'000'000);
  r.integer("max_position", s.max_position, 0, 1'000'000'000);
  r.integer("cooldown_ns", s.cooldown_ns, 0, kMaxI64);
  r.boolean("enabled", s.enabled);
  r.finish();
  // Two rules of one strategy on the same symbol and side would both fire on one event: twice the orders.
  for (std::size_t i = 0; i < cfg.strategies.size(); ++i) {
    const StrategyConfig& o = cfg.strategies[i];
    if (o.name == s.name && o.symbol == s.symbol && o.side == s.side)
      r.plain_error("duplicate of strategy[" + std::to_string(i) + "] ('" + s.name + "' " +
                    (s.side == book::Side::kBuy ? "buy " : "sell ") + s.symbol + ")");
  }
  cfg.strategies.push_back(std::move(s));
}

}  // namespace

TradingConfig parse_trading_config(const toml::table& root, std::vector<std::string>& errors) {
  TradingConfig cfg;
  auto table = [&](std::string_view key) -> const toml::table* {
    const toml::node* n = root.get(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) {
      errors.push_back(std::string(key) + ": must be a table" + where(*n));
      return nullptr;
    }
    return n->as_table();
  };

  if (const toml::table* t = table("trading")) {
    TableReader r(*t, "trading", errors);
    r.integer("shards", cfg.shards, 1, 256);
    r.integer("max_tracked_orders", cfg.max_tracked_orders, 1, 1 << 24);
    r.finish();
  }
  if (const toml::table* t = table("book")) {
    TableReader r(*t, "book", errors);
    r.integer("max_orders", cfg.book.max_orders, 1, 1 << 28);
    r.integer("max_instruments", cfg.book.max_instruments, 1, 65534);
    r.integer("max_levels_per_side", cfg.book.max_levels_per_side, 1, 1 << 24);
    r.integer("max_levels_total", cfg.book.max_levels_total, 8, 1 << 30);
    r.finish();
  }
  if (const toml::table* t = table("risk")) {
    TableReader r(*t, "risk", errors);
    RiskConfig& k = cfg.risk;
    r.integer("max_order_shares", k.max_order_shares, 1, kMaxU32);
    r.dollars("max_order_notional", k.max_order_notional);
    r.integer("collar_bps", k.collar_bps, 0, 10'000);
    r.integer("max_position", k.max_position, 0, 1'000'000'000'000);
    r.dollars("max_gross_notional", k.max_gross_notional);
    r.integer("max_open_orders", k.max_open_orders, 0, kMaxU32);
    r.integer("max_orders_per_second", k.max_orders_per_second, 1, 1'000'000);
    r.integer("throttle_burst", k.throttle_burst, 1, 1'000'000);
    r.boolean("kill_switch", k.kill_switch);
    r.strings("killed_symbols", k.killed_symbols);
    bool defaults = false;  // see require_risk_section()
    r.boolean("defaults", defaults);
    r.finish();
  }
  if (const toml::node* n = root.get("strategy")) {
    const toml::array* a = n->as_array();
    if (a == nullptr || !a->is_array_of_tables()) {
      errors.push_back("strategy: must be an array of tables ([[strategy]])" + where(*n));
    } else {
      std::size_t i = 0;
      for (const toml::node& e : *a) parse_strategy(*e.as_table(), i++, cfg, errors);
    }
  }
  return cfg;
}

void require_risk_section(const toml::table& root, std::vector<std::string>& errors) {
  const toml::node* n = root.get("risk");
  const toml::table* t = n ? n->as_table() : nullptr;
  if (n != nullptr && t == nullptr) return;  // parse_trading_config() reports the type
  if (t == nullptr || t->empty())
    errors.push_back(
        "risk: missing: an appliance that sends orders needs explicit pre-trade limits ([risk] "
        "max_order_shares, "
        "max_position, ...), or `[risk]` with `defaults = true` to accept the built-in ones");
}

}  // namespace sf::trade
