// The control thread's side of the operator's commands (issue #14): parses what sf-ctl sent, validates
// values off the data plane (trade/limits_edit.hpp: the config file's own parser), sends one typed command
// through every executor's request ring, collects one reply per shard and answers in text or JSON with an
// exit status (0: took effect on every shard; 1: refused, timed out or not on every shard; 2: bad usage,
// nothing changed). Every command that changes something is logged and counted by name and result.
// DPDK-free: the executors' side is control/channel.hpp.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "sniperforge/control/channel.hpp"
#include "sniperforge/telemetry/control_stats.hpp"
#include "sniperforge/trade/config.hpp"
#include "sniperforge/trade/engine.hpp"

namespace sf::control {

struct Peer {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
  std::string user;  // from the uid (or "uid N")
};

struct Response {
  int exit = 0;
  std::string body;  // text or one JSON object, ending in '\n'
};

// `--symbol S` out of `args` (removed, S in `symbol`); false with `error` when malformed.
bool take_symbol(std::vector<std::string>& args, std::string& symbol, std::string& error);

class Controller {
 public:
  struct Options {
    std::chrono::milliseconds reply_timeout{1000};  // per command, for every shard's reply
    std::chrono::milliseconds kill_timeout{2000};   // kill: for every open order's Cancel to be answered
  };
  // `engines`: every shard's engine in shard order (published values are read from them, nothing else).
  // `channels`: one per executor. `config_path`: re-read by `reload`.
  Controller(trade::TradingConfig running, std::string config_path, std::vector<const trade::Engine*> engines,
             std::vector<ExecutorChannel*> channels, Options opt);
  Controller(trade::TradingConfig running, std::string config_path, std::vector<const trade::Engine*> engines,
             std::vector<ExecutorChannel*> channels)
      : Controller(std::move(running), std::move(config_path), std::move(engines), std::move(channels),
                   Options{}) {}

  // One command line (args[0] is the command). Serialised: one command in flight at a time.
  Response handle(const std::vector<std::string>& args, bool json, const Peer& peer);

  // The audit trail's second copy (issue #13: the journal's "control" record): every command that is
  // audited (a change, or a refusal of bad usage) is also handed here, on the control thread, one command
  // at a time. `old_value`/`new_value` split the change ("10000 -> 500"); empty when there is none.
  struct AuditRecord {
    const Peer& peer;
    std::string_view command, old_value, new_value, result;
  };
  void set_audit_sink(std::function<void(const AuditRecord&)> sink) { audit_sink_ = std::move(sink); }

  // Every executor's top-of-book rows, sorted by symbol (/sniperforge/books), through the same rings as
  // sf-ctl's commands (one command in flight at a time): an executor copies its own books between two
  // polls; one that is not running (before launch, after the end) is read here. A running executor that
  // does not answer within the reply timeout is left out.
  void read_books(std::vector<book::BookRow>& out);

  // Commands handled by command and result ("kill", "ok"), and the peers the socket refused: /metrics
  // (telemetry/control_stats.hpp). Written on the control socket's thread only.
  [[nodiscard]] const telemetry::ControlStats& stats() const noexcept { return stats_; }
  [[nodiscard]] telemetry::ControlStats& stats() noexcept { return stats_; }

 private:
  struct Outcome {
    bool changes = false;  // the command changes something (audited)
    std::string result = "ok";
    std::string change;  // "old -> new"
  };
  Response dispatch(const std::vector<std::string>& args, bool json, Outcome& out);
  // Sends `c` to every executor and waits for one reply per shard (sorted by shard). False on timeout.
  bool broadcast(trade::ControlCommand c, std::vector<trade::ControlReply>& replies);
  Response status(bool json);
  Response kill(bool json, Outcome& out);
  Response simple(trade::ControlCommand c, bool json, Outcome& out);
  Response limits(const std::vector<std::string>& args, bool json, Outcome& out);
  Response symbol_limits(const std::string& symbol, const std::string& assignment, bool json, Outcome& out);
  Response strategy(const std::vector<std::string>& args, bool json, Outcome& out);
  Response reload(bool json, Outcome& out);
  Response books(const std::vector<std::string>& args, bool json);
  [[nodiscard]] int find_strategy(const std::string& id) const;
  void audit(const Peer& peer, const std::vector<std::string>& args, const Outcome& out);

  trade::TradingConfig running_;  // what the engines run now (limits and strategy parameters)
  std::map<std::string, trade::InstrumentLimits> symbol_limits_;  // limits set --symbol, by symbol
  std::string config_path_;
  std::vector<const trade::Engine*> engines_;
  std::vector<ExecutorChannel*> channels_;
  Options opt_;
  uint64_t next_id_ = 1;
  std::vector<uint32_t> answered_;  // replies each channel gave to the last broadcast
  std::mutex mu_;                   // one command at a time (the rings have one producer)
  std::function<void(const AuditRecord&)> audit_sink_;
  telemetry::ControlStats stats_;
};

}  // namespace sf::control
