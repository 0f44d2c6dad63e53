// Trading configuration: [trading], [book], [risk] and [[strategy]] of the appliance's TOML file.
// Parsing lives in config_parse.hpp (the only header that needs toml++).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sniperforge/book/book_set.hpp"
#include "sniperforge/book/types.hpp"
#include "sniperforge/trade/routing.hpp"

namespace sf::trade {

struct RiskConfig {
  uint32_t max_order_shares = 10'000;
  uint64_t max_order_notional = 1'000'000ull * 10'000;   // raw price units x shares ($1M)
  uint32_t collar_bps = 500;                             // vs best price of the side the order would take
  int64_t max_position = 100'000;                        // |shares| per instrument (worst case: all fill)
  uint64_t max_gross_notional = 10'000'000ull * 10'000;  // per account (engine), raw x shares ($10M)
  uint32_t max_open_orders = 1'000;                      // resting (non-IOC) orders not yet closed
  uint32_t max_orders_per_second = 1'000;                // token bucket refill, feed time
  uint32_t throttle_burst = 1'000;                       // token bucket depth
  bool kill_switch = false;                              // global kill at start
  std::vector<std::string> killed_symbols;               // per-instrument kill at start
};

struct StrategyConfig {
  std::string name = "sniper";  // registry name
  std::string symbol;
  book::Side side = book::Side::kBuy;
  book::Price limit_price = 0;  // raw 1/10000 $
  uint32_t shares = 100;        // per shot
  int64_t max_position = 1'000;
  uint64_t cooldown_ns = 1'000'000;  // feed time between shots
  bool enabled = true;
};

struct TradingConfig {
  uint32_t shards = 1;
  std::size_t max_tracked_orders = 1 << 16;  // order-state records per engine (ring)
  book::BookConfig book;
  RiskConfig risk;
  std::vector<StrategyConfig> strategies;
};

}  // namespace sf::trade
