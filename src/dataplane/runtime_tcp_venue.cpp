// Runtime::start_tcp_venue: `[order_session] transport = "dpdk"` wired into the built data plane (the
// sessions and the neighbour layer on the executors, the order-port tap on the RX lcores).
#include <rte_cycles.h>

#include "runtime.hpp"
#include "rx_lcore.hpp"
#include "tcp_venue.hpp"

namespace sf::dataplane {

namespace {
std::string dotted(const std::array<uint8_t, 4>& a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
         std::to_string(a[3]);
}
}  // namespace

bool Runtime::start_tcp_venue(std::vector<std::string>& errors, std::vector<std::string>& notes) {
  const order_session::VenueSessionConfig& cfg = dp_.order_session.soupbintcp;
  const int order_idx = dp_.order_port_index();
  const bool own_port = order_idx != dp_.feed_port_index();
  const PortRuntime& op = ports_[static_cast<std::size_t>(order_idx)];
  if (own_port && op.rx_queues == 0) {
    errors.push_back("order port \"" + op.name + "\" offers no RX queue: transport \"dpdk\" needs one");
    return false;
  }
  TcpVenue::PortSide side;
  side.mac = op.mac;
  side.offload = op.tx_ip_cksum_offload && op.tx_tcp_cksum_offload;
  side.socket = op.socket < 0 ? static_cast<int>(rte_socket_id()) : op.socket;
  tcp_venue_ = std::make_unique<TcpVenue>();
  std::vector<Executor*> execs;
  for (auto& x : exec_) execs.push_back(x.get());
  if (!tcp_venue_->build(dp_.order_session, trading_.shards, execs, side, errors)) return false;
  for (auto& rx : rx_) {
    auto tap = std::make_unique<OrderPortTap>();
    tap->demux = {tcp_venue_->local_ip(), tcp_venue_->base_port(), trading_.shards};
    for (std::size_t e = 0; e < exec_.size(); ++e) tap->rings.push_back(tcp_venue_->transport(e).ring());
    for (uint32_t s = 0; s < trading_.shards; ++s)
      tap->exec_of_shard.push_back(static_cast<uint16_t>(s % exec_.size()));
    tap->port_id = op.port_id;
    tap->queue = 0;
    tap->own_port = own_port && rx->index == 0;  // a separate order port: RX lcore 0 polls its queue 0
    tap->stats = rx->stats.get();
    rx->order_tap = std::move(tap);
    if (replay_) {  // a replay is over in moments: its feed waits for the logins (at most timeout_ms)
      rx->feed_waits_for = tcp_venue_.get();
      rx->feed_wait_ticks = rte_get_tsc_hz() / 1000 * cfg.timeout_ms;
    }
  }
  notes.push_back("order session: SoupBinTCP over our TCP on port \"" + op.name + "\" from " +
                  dotted(cfg.local_ip) + ":" + std::to_string(dp_.order_session.src_port) + "+shard to " +
                  dotted(cfg.venue_ip) + ":" + std::to_string(cfg.venue_port) +
                  (cfg.vlan ? " on VLAN " + std::to_string(cfg.vlan) : "") + ", " +
                  std::to_string(trading_.shards) + " session(s), next hop " +
                  (cfg.gateway_mac ? "static (gateway_mac)" : "by ARP") + ", checksums " +
                  (side.offload ? "offloaded" : "in software"));
  return true;
}

}  // namespace sf::dataplane
