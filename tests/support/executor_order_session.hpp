// The order session the DPDK-free executor tests send on: transport "none" (no venue), each shard's
// orders in its synthetic SoupBinTCP stream (replay_order_stream.hpp) from 10.0.0.1:40000 + shard to
// 10.0.0.2:50000.
#pragma once

#include <cstdint>

#include "sniperforge/dataplane/config.hpp"
#include "sniperforge/dataplane/replay_order_stream.hpp"

namespace sf::testing {

inline dataplane::OrderSessionConfig executor_order_session() {
  dataplane::OrderSessionConfig c;
  c.src_port = 40000;
  c.soupbintcp.transport = sf::order_session::TransportKind::kNone;
  c.soupbintcp.local_ip = {10, 0, 0, 1};
  c.soupbintcp.venue_ip = {10, 0, 0, 2};
  c.soupbintcp.venue_port = 50000;
  return c;
}

// Shard `shard`'s synthetic stream appended to `executor`'s, by shard.
template <class Executor>
void add_replay_stream(Executor& executor, uint32_t shard) {
  executor.replay_streams.emplace_back(executor_order_session(), shard);
}

}  // namespace sf::testing
