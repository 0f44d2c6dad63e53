// An executor's order session when it is neither transport "none"'s synthetic stream nor a kernel
// session's rings: the transport drives its sessions between two polls and takes the orders (and a kill's
// cancels) the risk gate passed. `transport = "dpdk"` implements it (src/dataplane/tcp_venue.hpp: the
// shards' SoupBinTCP sessions over our own TCP, frames through the executor's Port). DPDK-free.
#pragma once

#include <cstdint>
#include <span>

#include "sniperforge/trade/control.hpp"
#include "sniperforge/trade/order_request.hpp"

namespace sf::dataplane {

class OrderTransport {
 public:
  virtual ~OrderTransport() = default;
  // Between two polls (`now`: the executor's clock): frames received, timers, each hosted shard's
  // session state into its risk gate (session_down), venue messages into the engines.
  virtual void poll(uint64_t now) noexcept = 0;
  // Orders of `shard` the risk gate passed; they leave at once. The caller clears the sink.
  virtual void send_orders(uint32_t shard, const trade::OrderSink& orders) noexcept = 0;
  virtual void send_cancels(uint32_t shard, std::span<const trade::CancelRequest> cancels) noexcept = 0;
};

}  // namespace sf::dataplane
