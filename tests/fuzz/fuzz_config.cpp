// libFuzzer target (#16): the configuration parsers on arbitrary text — toml++ first (its errors are the
// caller's "invalid config"), then the trading tables (parse_trading_config, require_risk_section), the
// appliance's own tables (parse_dataplane_config, [feed] guard keys included) and the feed guard keys alone
// as sf-backtest reads them. Invariants: no crash, deterministic (a second parse gives the same errors and
// values), and an accepted config holds what the parsers promise (shards >= 1, max_seq_jump >= 1, sessions
// of 10 printable bytes, a feed port named by a [[port]]).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sniperforge/dataplane/config.hpp"
#include "sniperforge/dataplane/feed_guard_config.hpp"
#include "sniperforge/trade/config_parse.hpp"

namespace {

struct Parsed {
  std::vector<std::string> errors;
  uint32_t shards = 0;
  uint64_t max_seq_jump = 0;
  std::size_t strategies = 0, ports = 0;
  bool operator==(const Parsed&) const = default;
};

Parsed parse_all(const toml::table& root) {
  Parsed p;
  const sf::trade::TradingConfig t = sf::trade::parse_trading_config(root, p.errors);
  sf::trade::require_risk_section(root, p.errors);
  const sf::dataplane::DataplaneConfig d = sf::dataplane::parse_dataplane_config(root, p.errors);
  sf::dataplane::FeedGuardSettings alone;
  if (const toml::table* feed = root["feed"].as_table())
    sf::dataplane::parse_feed_guard(*feed, alone, p.errors);
  p.shards = t.shards;
  p.max_seq_jump = d.feed.guard.max_seq_jump;
  p.strategies = t.strategies.size();
  p.ports = d.ports.size();
  if (p.errors.empty()) {
    if (t.shards < 1 || d.feed.guard.max_seq_jump < 1 || alone.max_seq_jump != d.feed.guard.max_seq_jump)
      __builtin_trap();
    if (d.port_index(d.feed.port) < 0) __builtin_trap();
    if (const auto& s = d.feed.guard.session)
      for (const uint8_t c : *s)
        if (c < 0x20 || c > 0x7e) __builtin_trap();
  }
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error&) {
    return 0;  // the binaries report it as an invalid config
  }
  if (!(parse_all(root) == parse_all(root))) __builtin_trap();
  return 0;
}
