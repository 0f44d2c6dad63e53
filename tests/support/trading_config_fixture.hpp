// The trading tables the engine, control, journal and telemetry unit tests share (one copy, not one per test
// file), in parts a test composes: the book sizes most engine tests use, a [risk] section tight enough to be
// hit, and the snipers — SF0000 buys 100 at 200500 (max position 300), SF0001 sells 50 at 209500 (max
// position 50, no cooldown). A test puts its own [trading] (and [book]) in front:
// with_two_snipers(shards_and_book(2)), or config({"[trading]...", kBook, kRisk, kSniper}); parse_trading()
// parses one.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "sniperforge/trade/config_parse.hpp"

namespace sf::testing {

inline constexpr std::string_view kBook = R"(
[book]
max_orders = 10000
max_instruments = 64
max_levels_per_side = 256
max_levels_total = 65536
)";

inline constexpr std::string_view kRisk = R"(
[risk]
max_order_shares = 1000
max_order_notional = 100000
collar_bps = 100
max_position = 500
max_gross_notional = 1000000
max_open_orders = 10
max_orders_per_second = 100
throttle_burst = 10
)";

// SF0000's sniper, up to its cooldown (the two parts below add one).
inline constexpr std::string_view kSf0000Sniper = R"(
[[strategy]]
name = "sniper"
symbol = "SF0000"
side = "buy"
limit_price = 200500
shares = 100
max_position = 300
)";

// SF0000's sniper without a cooldown (it may fire on every message).
inline const std::string kSniper = std::string(kSf0000Sniper) + "cooldown_ns = 0\n";

// SF0000's sniper with a 1 µs cooldown, and SF0001's.
inline const std::string kTwoSnipers = std::string(kSf0000Sniper) + R"(cooldown_ns = 1000
enabled = true
[[strategy]]
name = "sniper"
symbol = "SF0001"
side = "sell"
limit_price = 209500
shares = 50
max_position = 50
cooldown_ns = 0
)";

inline std::string config(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) s += p;
  return s;
}

inline std::string with_two_snipers(std::string_view trading_and_book) {
  return config({trading_and_book, kRisk, kTwoSnipers});
}

// `[trading] shards` and the usual book sizes, the front most engine tests put before the snipers.
inline std::string shards_and_book(uint32_t shards) {
  return "[trading]\nshards = " + std::to_string(shards) + "\n" + std::string(kBook);
}

// The config text parsed; an error fails the calling test (the configs here are meant to be valid).
inline trade::TradingConfig parse_trading(std::string_view text) {
  std::vector<std::string> errors;
  trade::TradingConfig cfg = trade::parse_trading_config(toml::parse(text), errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  return cfg;
}

}  // namespace sf::testing
