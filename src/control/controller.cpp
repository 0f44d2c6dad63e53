#include "sniperforge/control/controller.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <thread>

#include "sniperforge/common/tsc.hpp"
#include "sniperforge/trade/limits_edit.hpp"

namespace sf::control {

namespace {

using trade::ControlCommand;
using trade::ControlOp;
using trade::ControlReply;
using trade::ControlResult;

std::string json_string(std::string_view s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
    } else {
      o += c;
    }
  }
  return o + "\"";
}

std::string_view trading_state_of(const ControlReply& r) {
  return r.killed ? std::string_view("killed") : trade::to_string(r.state);
}

Response usage(std::string why) {
  return {2, "error: " + why + "\n"};
}

}  // namespace

// --symbol S out of args (removed); error text if malformed.
bool take_symbol(std::vector<std::string>& args, std::string& symbol, std::string& error) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "--symbol") continue;
    if (i + 1 >= args.size()) {
      error = "--symbol needs a symbol";
      return false;
    }
    symbol = args[i + 1];
    if (symbol.empty() || symbol.size() > 8 || symbol.find(' ') != std::string::npos) {
      error = "--symbol: must be 1..8 characters without spaces";
      return false;
    }
    args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
    return true;
  }
  return true;
}

Controller::Controller(trade::TradingConfig running, std::string config_path,
                       std::vector<const trade::Engine*> engines, std::vector<ExecutorChannel*> channels,
                       Options opt)
    : running_(std::move(running)),
      config_path_(std::move(config_path)),
      engines_(std::move(engines)),
      channels_(std::move(channels)),
      opt_(opt) {}

bool Controller::broadcast(ControlCommand c, std::vector<ControlReply>& replies) {
  c.id = next_id_++;
  replies.clear();
  answered_.assign(channels_.size(), 0);
  std::size_t expected = 0;
  for (ExecutorChannel* ch : channels_) {
    if (!ch->running.load(std::memory_order_acquire)) continue;
    c.sent_tsc = read_tsc();  // its arrival at this executor (kill's timing)
    if (!ch->requests.push(c)) {
      stats_.ring_full[0].add();
      continue;
    }
    expected += ch->engines;
  }
  const auto deadline = std::chrono::steady_clock::now() + opt_.reply_timeout;
  constexpr unsigned kYieldsBeforeSleeping = 200;
  unsigned idle = 0;
  while (replies.size() < expected && std::chrono::steady_clock::now() < deadline) {
    bool got = false;
    for (std::size_t k = 0; k < channels_.size(); ++k) {
      ControlReply r;
      while (channels_[k]->replies.pop(r)) {
        if (r.id == c.id) {  // a late reply to a timed-out command is dropped
          replies.push_back(r);
          ++answered_[k];
        }
        got = true;
      }
    }
    // A polling executor answers within microseconds: yield first, sleep (200 us) only once it is late
    // (a sleep's wake-up alone costs a loaded host a millisecond).
    if (got) continue;
    if (++idle <= kYieldsBeforeSleeping)
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  uint64_t reply_drops = 0;
  for (const ExecutorChannel* ch : channels_) reply_drops += ch->reply_drops.load(std::memory_order_relaxed);
  stats_.ring_full[1].set(reply_drops);
  std::sort(replies.begin(), replies.end(), [](auto& a, auto& b) { return a.shard < b.shard; });
  return replies.size() == engines_.size();
}

Response Controller::handle(const std::vector<std::string>& args, bool json, const Peer& peer) {
  std::lock_guard lock(mu_);
  Outcome out;
  Response r = args.empty() ? usage(
                                  "no command (status, kill, unkill, state, limits, strategy, reload, "
                                  "books, clear-venue-inconsistent)")
                            : dispatch(args, json, out);
  if (r.exit != 0 && out.result == "ok") out.result = r.exit == 2 ? "invalid" : "failed";
  // "limits set" counts as limits_set, "clear-venue-inconsistent" as clear_venue_inconsistent.
  std::string name = args.empty() ? "" : args[0];
  if (args.size() > 1 && (args[0] == "limits" || args[0] == "strategy")) name += "_" + args[1];
  std::replace(name.begin(), name.end(), '-', '_');
  stats_.count(name, out.result);
  if (out.changes || r.exit == 2) audit(peer, args, out);
  return r;
}

// The audit record of one changing (or refused) command: a log line (stderr, the appliance's log) and,
// with a journal, its "control" record (set_audit_sink).
void Controller::audit(const Peer& peer, const std::vector<std::string>& args, const Outcome& out) {
  std::string line;
  for (const auto& a : args) line += (line.empty() ? "" : " ") + a;
  std::fprintf(stderr, "sniperforge: control: uid=%u user=%s pid=%d command=\"%s\" change=\"%s\" result=%s\n",
               static_cast<unsigned>(peer.uid), peer.user.c_str(), static_cast<int>(peer.pid), line.c_str(),
               out.change.c_str(), out.result.c_str());
  if (!audit_sink_) return;
  const std::string_view change = out.change;
  const auto arrow = change.find(" -> ");
  audit_sink_({peer, line, arrow == std::string_view::npos ? change : change.substr(0, arrow),
               arrow == std::string_view::npos ? std::string_view{} : change.substr(arrow + 4), out.result});
}

Response Controller::dispatch(const std::vector<std::string>& a, bool json, Outcome& out) {
  const std::string& cmd = a[0];
  if (cmd == "status" && a.size() == 1) return status(json);
  if (cmd == "kill" && a.size() == 1) return kill(json, out);
  if (cmd == "unkill" && a.size() == 1) {
    out.change = "killed -> not killed";
    return simple({.op = ControlOp::kUnkill}, json, out);
  }
  if (cmd == "clear-venue-inconsistent" && a.size() == 1) {
    out.change = "venue_inconsistent -> false";
    return simple({.op = ControlOp::kClearVenueInconsistent}, json, out);
  }
  if (cmd == "state") {
    std::vector<std::string> args(a.begin() + 1, a.end());
    std::string symbol, error;
    if (!take_symbol(args, symbol, error)) return usage(error);
    if (args.size() != 1) return usage("usage: state active|reducing|halted [--symbol S]");
    const auto st = trade::parse_trading_state(args[0]);
    if (!st) return usage("state: '" + args[0] + "' is not active, reducing or halted");
    ControlCommand c{.op = ControlOp::kSetState, .state = *st};
    if (!symbol.empty()) c.symbol = trade::padded_symbol(symbol);
    out.change = (symbol.empty() ? std::string("shard") : symbol) + " -> " + args[0];
    return simple(c, json, out);
  }
  if (cmd == "limits") return limits(a, json, out);
  if (cmd == "strategy") return strategy(a, json, out);
  if (cmd == "reload" && a.size() == 1) return reload(json, out);
  if (cmd == "books") return books(a, json);
  return usage("unknown command or arguments: '" + cmd +
               "' (status, kill, unkill, state, limits, strategy, reload, books, clear-venue-inconsistent)");
}

// Applies one command on every shard and prints the shards' states after it.
Response Controller::simple(ControlCommand c, bool json, Outcome& out) {
  out.changes = c.op != ControlOp::kStatus && c.op != ControlOp::kBooks;
  std::vector<ControlReply> replies;
  const bool all = broadcast(c, replies);
  // A symbol lives in one shard's books: the others answer unknown_symbol, and only when every shard does
  // is it unknown (then nothing changed anywhere).
  std::size_t unknown = 0;
  bool bad = false;
  for (const auto& r : replies) {
    unknown += r.result == ControlResult::kUnknownSymbol;
    bad |= r.result != ControlResult::kOk && r.result != ControlResult::kUnknownSymbol;
  }
  const bool unknown_symbol = !replies.empty() && unknown == replies.size();
  Response resp;
  if (unknown_symbol) {
    out.result = "unknown_symbol";
    return usage("unknown symbol (not in this appliance's books)");
  }
  if (!all || bad) {
    out.result = all ? "refused" : "timeout";
    resp.exit = 1;
  }
  std::ostringstream os;
  if (json) {
    os << "{\"command\":" << json_string(to_string(c.op))
       << ",\"applied\":" << (resp.exit == 0 ? "true" : "false") << ",\"shards_answered\":" << replies.size()
       << ",\"shards\":[";
    for (std::size_t i = 0; i < replies.size(); ++i)
      os << (i ? "," : "") << "{\"shard\":" << replies[i].shard
         << ",\"trading_state\":" << json_string(trading_state_of(replies[i]))
         << ",\"result\":" << json_string(to_string(replies[i].result)) << "}";
    os << "]}\n";
  } else {
    for (const auto& r : replies)
      os << "shard " << r.shard << ": " << to_string(r.result) << ", trading_state " << trading_state_of(r)
         << "\n";
    if (!all)
      os << "error: " << (engines_.size() - replies.size()) << " of " << engines_.size()
         << " shards did not answer\n";
  }
  resp.body = os.str();
  return resp;
}

}  // namespace sf::control
