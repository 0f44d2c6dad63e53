#include "sniperforge/trade/limits_edit.hpp"

#include <algorithm>
#include <cstdio>

#include "sniperforge/trade/config_parse.hpp"

namespace sf::trade {

namespace {

std::string dollars(uint64_t raw) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(raw) / 10'000.0);
  return buf;
}

void put_limits(toml::table& t, const RiskLimits& l) {
  t.insert_or_assign("max_order_shares", int64_t{l.max_order_shares});
  t.insert_or_assign("max_order_notional", static_cast<double>(l.max_order_notional) / 10'000.0);
  t.insert_or_assign("collar_bps", int64_t{l.collar_bps});
  t.insert_or_assign("max_position", l.max_position);
  t.insert_or_assign("max_gross_notional", static_cast<double>(l.max_gross_notional) / 10'000.0);
  t.insert_or_assign("max_open_orders", int64_t{l.max_open_orders});
  t.insert_or_assign("max_orders_per_second", int64_t{l.max_orders_per_second});
  t.insert_or_assign("throttle_burst", int64_t{l.throttle_burst});
}

toml::table strategy_table(const StrategyConfig& s) {
  toml::table t;
  t.insert_or_assign("name", s.name);
  t.insert_or_assign("symbol", s.symbol);
  t.insert_or_assign("side", s.side == book::Side::kBuy ? "buy" : "sell");
  t.insert_or_assign("limit_price", int64_t{s.limit_price});
  t.insert_or_assign("shares", int64_t{s.shares});
  t.insert_or_assign("max_position", s.max_position);
  t.insert_or_assign("cooldown_ns", static_cast<int64_t>(s.cooldown_ns));
  t.insert_or_assign("enabled", s.enabled);
  return t;
}

// KEY=VALUE with VALUE read as a TOML value; false and `error` set when it is not one.
bool split_assignment(std::string_view a, const std::vector<std::string_view>& keys, std::string& key,
                      toml::table& value_holder, std::string& error) {
  const auto eq = a.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == a.size()) {
    error = "expected KEY=VALUE, got '" + std::string(a) + "'";
    return false;
  }
  key = std::string(a.substr(0, eq));
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
    std::string known;
    for (auto k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
    error = "unknown key '" + key + "' (known: " + known + ")";
    return false;
  }
  try {
    value_holder = toml::parse("v = " + std::string(a.substr(eq + 1)));
  } catch (const toml::parse_error&) {
    error = key + ": '" + std::string(a.substr(eq + 1)) + "' is not a number or true/false";
    return false;
  }
  return true;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : "; ") + e;
  return s;
}

}  // namespace

const std::vector<std::string_view>& limit_keys() {
  static const std::vector<std::string_view> k{
      "max_order_shares", "max_order_notional",    "collar_bps",    "max_position", "max_gross_notional",
      "max_open_orders",  "max_orders_per_second", "throttle_burst"};
  return k;
}

const std::vector<std::string_view>& strategy_param_keys() {
  static const std::vector<std::string_view> k{"limit_price", "shares", "max_position", "cooldown_ns",
                                               "enabled"};
  return k;
}

std::optional<RiskLimits> edit_limits(const RiskLimits& current, std::string_view assignment,
                                      std::string& error) {
  std::string key;
  toml::table value;
  if (!split_assignment(assignment, limit_keys(), key, value, error)) return std::nullopt;
  toml::table risk;
  put_limits(risk, current);
  risk.insert_or_assign(key, *value.get("v"));
  toml::table root;
  root.insert_or_assign("risk", std::move(risk));
  std::vector<std::string> errors;
  const TradingConfig cfg = parse_trading_config(root, errors);
  if (!errors.empty()) {
    error = join(errors);
    return std::nullopt;
  }
  return limits_of(cfg.risk);
}

std::optional<StrategyParams> edit_strategy(const StrategyConfig& current, std::string_view assignment,
                                            std::string& error) {
  std::string key;
  toml::table value;
  if (!split_assignment(assignment, strategy_param_keys(), key, value, error)) return std::nullopt;
  toml::table t = strategy_table(current);
  t.insert_or_assign(key, *value.get("v"));
  toml::array a;
  a.push_back(std::move(t));
  toml::table root;
  root.insert_or_assign("strategy", std::move(a));
  std::vector<std::string> errors;
  const TradingConfig cfg = parse_trading_config(root, errors);
  if (!errors.empty()) {
    error = join(errors);
    return std::nullopt;
  }
  return params_of(cfg.strategies.front());
}

std::vector<std::pair<std::string, std::string>> describe(const RiskLimits& l) {
  return {{"max_order_shares", std::to_string(l.max_order_shares)},
          {"max_order_notional", dollars(l.max_order_notional)},
          {"collar_bps", std::to_string(l.collar_bps)},
          {"max_position", std::to_string(l.max_position)},
          {"max_gross_notional", dollars(l.max_gross_notional)},
          {"max_open_orders", std::to_string(l.max_open_orders)},
          {"max_orders_per_second", std::to_string(l.max_orders_per_second)},
          {"throttle_burst", std::to_string(l.throttle_burst)}};
}

std::vector<std::pair<std::string, std::string>> describe(const StrategyParams& p) {
  return {{"limit_price", std::to_string(p.limit_price)},
          {"shares", std::to_string(p.shares)},
          {"max_position", std::to_string(p.max_position)},
          {"cooldown_ns", std::to_string(p.cooldown_ns)},
          {"enabled", p.enabled ? "true" : "false"}};
}

namespace {
void diff(const std::string& prefix, const std::vector<std::pair<std::string, std::string>>& a,
          const std::vector<std::pair<std::string, std::string>>& b, std::vector<std::string>& out) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].second != b[i].second)
      out.push_back(prefix + a[i].first + ": " + a[i].second + " -> " + b[i].second);
}
}  // namespace

std::optional<ReloadPlan> plan_reload(const TradingConfig& current, const toml::table& root,
                                      std::vector<std::string>& errors) {
  const std::size_t before = errors.size();
  require_risk_section(root, errors);
  const TradingConfig next = parse_trading_config(root, errors);
  if (errors.size() != before) return std::nullopt;
  auto fixed = [&](bool same, const std::string& what) {
    if (!same) errors.push_back(what + " differs from the running configuration (needs a restart)");
  };
  fixed(next.shards == current.shards, "trading.shards");
  fixed(next.max_tracked_orders == current.max_tracked_orders, "trading.max_tracked_orders");
  fixed(next.book.max_orders == current.book.max_orders &&
            next.book.max_instruments == current.book.max_instruments &&
            next.book.max_levels_per_side == current.book.max_levels_per_side &&
            next.book.max_levels_total == current.book.max_levels_total,
        "[book]");
  fixed(next.risk.killed_symbols == current.risk.killed_symbols, "risk.killed_symbols");
  fixed(next.risk.kill_switch == current.risk.kill_switch, "risk.kill_switch (use sf-ctl kill/unkill)");
  fixed(next.strategies.size() == current.strategies.size(), "the number of [[strategy]] entries");
  for (std::size_t i = 0; i < std::min(next.strategies.size(), current.strategies.size()); ++i) {
    const StrategyConfig& a = current.strategies[i];
    const StrategyConfig& b = next.strategies[i];
    fixed(a.name == b.name && a.symbol == b.symbol && a.side == b.side,
          "strategy[" + std::to_string(i) + "] name/symbol/side");
  }
  if (errors.size() != before) return std::nullopt;
  ReloadPlan plan;
  plan.limits = limits_of(next.risk);
  diff("risk.", describe(limits_of(current.risk)), describe(plan.limits), plan.changes);
  for (std::size_t i = 0; i < next.strategies.size(); ++i) {
    plan.strategies.push_back(params_of(next.strategies[i]));
    diff("strategy[" + std::to_string(i) + "].", describe(params_of(current.strategies[i])),
         describe(plan.strategies.back()), plan.changes);
  }
  return plan;
}

}  // namespace sf::trade
