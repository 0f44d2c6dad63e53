// The order session the DPDK-free executor tests send on (10.0.0.1:40000 -> 10.0.0.2:50000, an explicit
// SoupBinTCP transport "none") and the frame templates an Executor needs for each shard it may send for.
#pragma once

#include <cstdint>

#include "sniperforge/dataplane/config.hpp"
#include "sniperforge/dataplane/order_frame.hpp"

namespace sf::testing {

inline dataplane::OrderSessionConfig executor_order_session() {
  dataplane::OrderSessionConfig c;
  c.src_ip = {10, 0, 0, 1};
  c.dst_ip = {10, 0, 0, 2};
  c.src_port = 40000;
  c.dst_port = 50000;
  c.soupbintcp.configured = true;  // an explicit transport (#11: no `transport` = the retired UDP session)
  c.soupbintcp.transport = sf::order_session::TransportKind::kNone;
  return c;
}

// Shard `shard`'s order and cancel templates (software UDP checksum) appended to `executor`'s, by shard.
template <class Executor>
void add_order_templates(Executor& executor, uint32_t shard) {
  executor.templates.emplace_back(executor_order_session(), shard, true);
  executor.cancel_templates.emplace_back(executor_order_session(), shard, true);
}

}  // namespace sf::testing
