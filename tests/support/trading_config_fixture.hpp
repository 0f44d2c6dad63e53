// The trading tables the engine and telemetry unit tests share (one copy, not one per test file): a
// [risk] section tight enough to be hit, and two snipers — SF0000 buys 100 at 200500 (max position
// 300, 1 µs cooldown), SF0001 sells 50 at 209500 (max position 50, no cooldown). A test puts its own
// [trading] and [book] sizes in front: with_two_snipers("[book]\nmax_orders = 1000\n...").
#pragma once

#include <string>
#include <string_view>

namespace sf::testing {

inline constexpr std::string_view kRiskAndTwoSnipers = R"(
[risk]
max_order_shares = 1000
max_order_notional = 100000
collar_bps = 100
max_position = 500
max_gross_notional = 1000000
max_open_orders = 10
max_orders_per_second = 100
throttle_burst = 10
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

inline std::string with_two_snipers(std::string_view trading_and_book) {
  std::string s(trading_and_book);
  s += kRiskAndTwoSnipers;
  return s;
}

}  // namespace sf::testing
