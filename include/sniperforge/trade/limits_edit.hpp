// Turns what an operator typed (`limits set KEY=VALUE`, `strategy set NAME KEY=VALUE`, `reload`) into
// validated values for Engine::apply(), off the data plane. Every value goes through parse_trading_config(),
// the parser the config file goes through at start-up: one validation, one set of error messages. A bad
// value yields an error and no result, so nothing changes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sniperforge/trade/config.hpp"
#include "sniperforge/trade/control.hpp"

namespace sf::trade {

// Keys `limits set` accepts (RiskLimits' fields, as named in [risk]).
[[nodiscard]] const std::vector<std::string_view>& limit_keys();
// Keys `strategy set` accepts (StrategyParams' fields, as named in [[strategy]]).
[[nodiscard]] const std::vector<std::string_view>& strategy_param_keys();

// `current` with KEY=VALUE applied, or nullopt and `error` says why.
[[nodiscard]] std::optional<RiskLimits> edit_limits(const RiskLimits& current, std::string_view assignment,
                                                    std::string& error);
[[nodiscard]] std::optional<StrategyParams> edit_strategy(const StrategyConfig& current,
                                                          std::string_view assignment, std::string& error);

// Limits and strategy parameters as KEY=VALUE text (dollar limits in dollars, as in the config file).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> describe(const RiskLimits& l);
[[nodiscard]] std::vector<std::pair<std::string, std::string>> describe(const StrategyParams& p);

// `reload`: the [risk] limits and [[strategy]] parameters of a re-read config file. Only what a running
// appliance can change may differ (limits, strategy parameters); anything else (shards, books, strategy
// names, symbols, sides, killed_symbols) is an error that names it.
struct ReloadPlan {
  RiskLimits limits;
  std::vector<StrategyParams> strategies;  // in config order, same count as now
  std::vector<std::string> changes;        // "risk.max_position: 500 -> 400", one per differing value
};
[[nodiscard]] std::optional<ReloadPlan> plan_reload(const TradingConfig& current, const toml::table& root,
                                                    std::vector<std::string>& errors);

}  // namespace sf::trade
