// `[feed] session`, `sources` and `max_seq_jump` (#16, dataplane/feed_guard.hpp): parsed by one function
// for the appliance (inside [feed], see config.hpp) and for sf-backtest (which reads no other dataplane key).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sniperforge/dataplane/feed_guard.hpp"

namespace sf::dataplane {

inline constexpr std::array<std::string_view, 3> kFeedGuardKeys = {"session", "sources", "max_seq_jump"};

// Reads the keys of kFeedGuardKeys from the [feed] table; every problem is appended to `errors`
// ("[feed].session: ...").
void parse_feed_guard(const toml::table& feed, FeedGuardSettings& out, std::vector<std::string>& errors);

}  // namespace sf::dataplane
