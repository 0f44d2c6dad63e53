// Parses [trading], [book], [risk] and [[strategy]] (other top-level tables are left to their owners).
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "sniperforge/trade/config.hpp"

namespace sf::trade {

// Fills a TradingConfig from the document root. Every problem (unknown key, wrong type, out-of-range value,
// unknown strategy name) is appended to `errors` as one readable line; the result is valid only if none was.
[[nodiscard]] TradingConfig parse_trading_config(const toml::table& root, std::vector<std::string>& errors);

// A whole configuration file (sniperforge, sf-backtest --config) must state its risk limits: a missing or
// empty [risk] is an error unless it says `defaults = true`.
void require_risk_section(const toml::table& root, std::vector<std::string>& errors);

}  // namespace sf::trade
