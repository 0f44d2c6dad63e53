// Controller's commands that read or change more than one value: status, limits, strategy, reload
// (controller.cpp has the dispatch, the rings and the audit; controller_kill.cpp kill; controller_books.cpp
// books).
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <thread>

#include "sniperforge/control/controller.hpp"
#include "sniperforge/trade/limits_edit.hpp"

namespace sf::control {

namespace {
using trade::ControlCommand;
using trade::ControlOp;
using trade::ControlReply;

std::string jstr(std::string_view s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) o += c;
  }
  return o + "\"";
}
std::string money(int64_t raw) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(raw) / 10'000.0);
  return buf;
}
std::string_view trading_state_of(const ControlReply& r) {
  return r.killed ? std::string_view("killed") : trade::to_string(r.state);
}
double share(uint64_t used, uint64_t limit) {
  return limit == 0 ? (used == 0 ? 0.0 : 1.0) : static_cast<double>(used) / static_cast<double>(limit);
}
// A symbol's own limits as `limits show` lists them, formatted as the shard's ("none": the shard's alone).
std::vector<std::pair<std::string, std::string>> describe(const trade::InstrumentLimits& l) {
  const trade::InstrumentLimits none;
  trade::RiskLimits as_shard;
  as_shard.max_order_shares = l.max_order_shares;
  as_shard.max_order_notional = l.max_order_notional;
  as_shard.collar_bps = l.collar_bps;
  as_shard.max_position = l.max_position;
  const bool set[] = {l.max_order_shares != none.max_order_shares,
                      l.max_order_notional != none.max_order_notional, l.collar_bps != none.collar_bps,
                      l.max_position != none.max_position};
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : trade::describe(as_shard))
    for (std::size_t k = 0; k < trade::kInstrumentLimitKeys.size(); ++k)
      if (key == trade::kInstrumentLimitKeys[k]) out.emplace_back(key, set[k] ? value : "none");
  return out;
}
std::string label(const trade::StrategyConfig& s) {
  return s.name + "/" + s.symbol + "/" + (s.side == book::Side::kBuy ? "buy" : "sell");
}
}  // namespace

Response Controller::status(bool json) {
  std::vector<ControlReply> replies;
  const bool all = broadcast({.op = ControlOp::kStatus}, replies);
  std::ostringstream os;
  if (json) os << "{\"shards\":[";
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const ControlReply& r = replies[i];
    const trade::EnginePublished& pub = engines_[r.shard]->published();
    const double gross = share(r.gross_notional, r.limits.max_gross_notional);
    if (json) {
      os << (i ? "," : "") << "{\"shard\":" << r.shard << ",\"trading_state\":" << jstr(trading_state_of(r))
         << ",\"session\":" << jstr(r.session_up ? "up" : "down")
         << ",\"stale\":" << (r.stale ? "true" : "false")
         << ",\"venue_inconsistent\":" << (r.venue_inconsistent ? "true" : "false")
         << ",\"open_orders\":" << r.open_orders
         << ",\"gross_notional\":" << money(static_cast<int64_t>(r.gross_notional))
         << ",\"gross_notional_usage\":" << gross << ",\"positions\":[";
    } else {
      os << "shard " << r.shard << ": " << trading_state_of(r) << ", session "
         << (r.session_up ? "up" : "down") << (r.stale ? ", STALE" : "")
         << (r.venue_inconsistent ? ", VENUE INCONSISTENT" : "") << ", open orders " << r.open_orders
         << ", gross notional $" << money(static_cast<int64_t>(r.gross_notional)) << " ("
         << static_cast<int>(gross * 100) << "% of limit)\n";
    }
    bool first = true;
    for (std::size_t s = 0; s < running_.strategies.size(); ++s) {
      const auto& in = pub.instruments[s];
      if (in.locate.get() == 0) continue;
      const trade::StrategyConfig& sc = running_.strategies[s];
      const int64_t pos = in.position.get();
      const double pos_share =
          share(static_cast<uint64_t>(pos < 0 ? -pos : pos), static_cast<uint64_t>(r.limits.max_position));
      if (json) {
        os << (first ? "" : ",") << "{\"strategy\":" << jstr(label(sc)) << ",\"symbol\":" << jstr(sc.symbol)
           << ",\"position\":" << pos << ",\"position_usage\":" << pos_share
           << ",\"realized_pnl\":" << money(in.realized.get())
           << ",\"unrealized_pnl\":" << money(in.unrealized.get()) << "}";
      } else {
        os << "  " << label(sc) << ": position " << pos << " (" << static_cast<int>(pos_share * 100)
           << "% of max_position), P&L realized $" << money(in.realized.get()) << " unrealized $"
           << money(in.unrealized.get()) << "\n";
      }
      first = false;
    }
    if (json) os << "]}";
  }
  if (json)
    os << "],\"shards_answered\":" << replies.size() << ",\"shards_total\":" << engines_.size() << "}\n";
  if (!all) os << (json ? "" : "error: not every shard answered\n");
  return {all ? 0 : 1, os.str()};
}

Response Controller::limits(const std::vector<std::string>& a, bool json, Outcome& out) {
  if (a.size() == 2 && a[1] == "show") {
    std::ostringstream os;
    const auto rows = trade::describe(trade::limits_of(running_.risk));
    if (json) os << "{";
    for (std::size_t i = 0; i < rows.size(); ++i)
      os << (json ? (i ? "," : "") + jstr(rows[i].first) + ":" + rows[i].second
                  : rows[i].first + " = " + rows[i].second + "\n");
    for (const auto& [symbol, l] : symbol_limits_)
      for (const auto& [key, value] : describe(l))
        os << (json ? "," + jstr(symbol + "." + key) + ":" + (value == "none" ? "null" : value)
                    : symbol + "." + key + " = " + value + "\n");
    if (json) os << "}\n";
    return {0, os.str()};
  }
  if (a.size() >= 3 && a[1] == "set") {
    std::vector<std::string> args(a.begin() + 2, a.end());
    std::string symbol, error;
    if (!take_symbol(args, symbol, error)) return {2, "error: " + error + "\n"};
    if (args.size() != 1) return {2, "error: usage: limits set KEY=VALUE [--symbol S]\n"};
    if (!symbol.empty()) return symbol_limits(symbol, args[0], json, out);
    const trade::RiskLimits before = trade::limits_of(running_.risk);
    const auto next = trade::edit_limits(before, args[0], error);
    if (!next) return {2, "error: " + error + "\n"};
    const auto b = trade::describe(before), n = trade::describe(*next);
    for (std::size_t i = 0; i < b.size(); ++i)
      if (b[i].second != n[i].second) out.change += b[i].first + ": " + b[i].second + " -> " + n[i].second;
    Response r = simple({.op = ControlOp::kSetLimits, .limits = *next}, json, out);
    if (r.exit == 0) trade::assign_limits(running_.risk, *next);
    if (!json) r.body = (out.change.empty() ? "unchanged" : out.change) + "\n" + r.body;
    return r;
  }
  return {2, "error: usage: limits show | limits set KEY=VALUE [--symbol S]\n"};
}

// limits set KEY=VALUE --symbol S: the value is validated as the shard's would be (the config parser's
// ranges), then becomes that symbol's own limit in the shard whose books hold it; a symbol no shard holds
// changes nothing.
Response Controller::symbol_limits(const std::string& symbol, const std::string& assignment, bool json,
                                   Outcome& out) {
  const std::string key = assignment.substr(0, assignment.find('='));
  const auto& keys = trade::kInstrumentLimitKeys;
  if (std::find(keys.begin(), keys.end(), key) == keys.end())
    return {2, "error: limits set --symbol: '" + key +
                   "' is not a per-symbol limit (per symbol: max_order_shares, max_order_notional, "
                   "collar_bps, max_position)\n"};
  std::string error;
  const auto checked = trade::edit_limits(trade::limits_of(running_.risk), assignment, error);
  if (!checked) return {2, "error: " + error + "\n"};
  const trade::InstrumentLimits before =
      symbol_limits_.contains(symbol) ? symbol_limits_[symbol] : trade::InstrumentLimits{};
  trade::InstrumentLimits next = before;
  if (key == "max_order_shares") next.max_order_shares = checked->max_order_shares;
  if (key == "max_order_notional") next.max_order_notional = checked->max_order_notional;
  if (key == "collar_bps") next.collar_bps = checked->collar_bps;
  if (key == "max_position") next.max_position = checked->max_position;
  const auto b = describe(before), n = describe(next);
  for (std::size_t i = 0; i < b.size(); ++i)
    if (b[i].second != n[i].second)
      out.change += symbol + "." + b[i].first + ": " + b[i].second + " -> " + n[i].second;
  Response r =
      simple({.op = ControlOp::kSetLimits, .symbol = trade::padded_symbol(symbol), .instrument_limits = next},
             json, out);
  if (r.exit == 0) symbol_limits_[symbol] = next;
  if (!json && r.exit == 0) r.body = (out.change.empty() ? "unchanged" : out.change) + "\n" + r.body;
  return r;
}

int Controller::find_strategy(const std::string& id) const {
  for (std::size_t i = 0; i < running_.strategies.size(); ++i)
    if (id == std::to_string(i) || id == label(running_.strategies[i])) return static_cast<int>(i);
  return -1;
}

Response Controller::strategy(const std::vector<std::string>& a, bool json, Outcome& out) {
  if (a.size() == 2 && a[1] == "list") {
    std::ostringstream os;
    if (json) os << "{\"strategies\":[";
    for (std::size_t i = 0; i < running_.strategies.size(); ++i) {
      const auto& s = running_.strategies[i];
      const auto params = trade::describe(trade::params_of(s));
      if (json) {
        os << (i ? "," : "") << "{\"index\":" << i << ",\"id\":" << jstr(label(s));
        for (const auto& [k, v] : params) os << "," << jstr(k) << ":" << v;
        os << "}";
      } else {
        os << i << " " << label(s) << ":";
        for (const auto& [k, v] : params) os << " " << k << "=" << v;
        os << "\n";
      }
    }
    if (json) os << "]}\n";
    return {0, os.str()};
  }
  const bool toggle = a.size() == 3 && (a[1] == "enable" || a[1] == "disable");
  const bool set = a.size() == 4 && a[1] == "set";
  if (!toggle && !set)
    return {2,
            "error: usage: strategy list | enable ID | disable ID | set ID KEY=VALUE (ID: index or "
            "name/symbol/side)\n"};
  const int i = find_strategy(a[2]);
  if (i < 0) return {2, "error: no strategy '" + a[2] + "' (see strategy list)\n"};
  trade::StrategyConfig& sc = running_.strategies[static_cast<std::size_t>(i)];
  std::string error;
  const auto next =
      trade::edit_strategy(sc, toggle ? (a[1] == "enable" ? "enabled=true" : "enabled=false") : a[3], error);
  if (!next) return {2, "error: " + error + "\n"};
  const auto b = trade::describe(trade::params_of(sc)), n = trade::describe(*next);
  for (std::size_t k = 0; k < b.size(); ++k)
    if (b[k].second != n[k].second)
      out.change += label(sc) + "." + b[k].first + ": " + b[k].second + " -> " + n[k].second;
  Response r = simple({.op = ControlOp::kSetStrategy, .strategy = static_cast<uint16_t>(i), .params = *next},
                      json, out);
  if (r.exit == 0) trade::assign_params(sc, *next);
  if (!json) r.body = (out.change.empty() ? "unchanged" : out.change) + "\n" + r.body;
  return r;
}

Response Controller::reload(bool json, Outcome& out) {
  out.changes = true;
  toml::table root;
  try {
    root = toml::parse_file(config_path_);
  } catch (const toml::parse_error& e) {
    out.result = "invalid";
    return {2, "error: " + config_path_ + ": " + std::string(e.description()) + " (nothing changed)\n"};
  }
  std::vector<std::string> errors;
  const auto plan = trade::plan_reload(running_, root, errors);
  if (!plan) {
    out.result = "invalid";
    std::string body;
    for (const auto& e : errors) body += "error: " + e + "\n";
    return {2, body + "nothing changed\n"};
  }
  for (const auto& c : plan->changes) out.change += (out.change.empty() ? "" : "; ") + c;
  std::vector<ControlCommand> cmds;
  if (!(plan->limits == trade::limits_of(running_.risk)))
    cmds.push_back({.op = ControlOp::kSetLimits, .limits = plan->limits});
  for (std::size_t i = 0; i < plan->strategies.size(); ++i)
    if (!(plan->strategies[i] == trade::params_of(running_.strategies[i])))
      cmds.push_back({.op = ControlOp::kSetStrategy,
                      .strategy = static_cast<uint16_t>(i),
                      .params = plan->strategies[i]});
  int exit = 0;
  for (const ControlCommand& c : cmds) {
    std::vector<ControlReply> replies;
    if (!broadcast(c, replies)) exit = 1;
  }
  if (exit == 0) {
    trade::assign_limits(running_.risk, plan->limits);
    for (std::size_t i = 0; i < plan->strategies.size(); ++i)
      trade::assign_params(running_.strategies[i], plan->strategies[i]);
  } else {
    out.result = "timeout";
  }
  std::ostringstream os;
  if (json) {
    os << "{\"command\":\"reload\",\"applied\":" << (exit == 0 ? "true" : "false") << ",\"changes\":[";
    for (std::size_t i = 0; i < plan->changes.size(); ++i) os << (i ? "," : "") << jstr(plan->changes[i]);
    os << "]}\n";
  } else {
    for (const auto& c : plan->changes) os << c << "\n";
    os << (plan->changes.empty() ? "no change\n"
           : exit == 0           ? "applied on every shard\n"
                                 : "error: not every shard answered\n");
  }
  return {exit, os.str()};
}

}  // namespace sf::control
