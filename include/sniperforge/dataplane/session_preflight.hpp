// The order session's logins against the shards, checked before EAL (`--check-config` and every start):
// transport "dpdk" or "kernel" needs exactly one [[order_session.login]] per shard, in shard order (shard
// s logs in as login s); "none" needs none, and when logins are given they must still be one per shard
// (a replay of a live config). DPDK-free; passwords are never read or shown here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sniperforge/dataplane/config.hpp"

namespace sf::dataplane {

// Appends a clear error when the number of logins does not fit the shards.
void check_order_session_logins(const DataplaneConfig& dp, uint32_t shards, std::vector<std::string>& errors);

// One line for --check-config, e.g. "order session: SoupBinTCP over kernel TCP to 10.0.1.2:15000, 2 login(s)
// for 2 shard(s): SNIPE0 (shard 0), SNIPE1 (shard 1)".
std::string describe_order_session(const DataplaneConfig& dp, uint32_t shards);

}  // namespace sf::dataplane
