// The trading tables the engine, control, journal and telemetry unit tests share (one copy, not one per test
// file), in parts a test composes: the book sizes most engine tests use, a [risk] section tight enough to be
// hit, and the snipers — SF0000 buys 100 at 200500 (max position 300), SF0001 sells 50 at 209500 (max
// position 50, no cooldown). A test puts its own [trading] (and [book]) in front:
// with_two_snipers("[trading]\nshards = 2\n" + book sizes), or config({kShards1, kBook, kRisk, kSniper}).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

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

// SF0000's sniper without a cooldown (it may fire on every message).
inline constexpr std::string_view kSniper = R"(
[[strategy]]
name = "sniper"
symbol = "SF0000"
side = "buy"
limit_price = 200500
shares = 100
max_position = 300
cooldown_ns = 0
)";

// SF0000's sniper with a 1 µs cooldown, and SF0001's.
inline constexpr std::string_view kTwoSnipers = R"(
[[strategy]]
name = "sniper"
symbol = "SF0000"
side = "buy"
limit_price = 200500
shares = 100
max_position = 300
cooldown_ns = 1000
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

}  // namespace sf::testing
