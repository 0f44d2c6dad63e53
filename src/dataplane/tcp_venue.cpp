// TcpVenue: the dpdk transport's sessions, rings and neighbour layer, built off the lcores.
#include "tcp_venue.hpp"

#include <rte_cycles.h>
#include <rte_errno.h>

#include <random>

#include "executor_lcore.hpp"
#include "shard_login.hpp"

namespace sf::dataplane {

TcpVenue::~TcpVenue() {
  for (auto& t : transports_) rte_ring_free(t->ring());
}

void TcpVenue::drain() noexcept {
  for (auto& t : transports_) {
    rte_mbuf* m = nullptr;
    while (rte_ring_dequeue(t->ring(), reinterpret_cast<void**>(&m)) == 0) rte_pktmbuf_free(m);
  }
}

bool TcpVenue::build(const OrderSessionConfig& cfg, uint32_t shards, std::vector<Runtime::Executor*> execs,
                     const PortSide& port, std::vector<std::string>& errors) {
  const order_session::VenueSessionConfig& soup = cfg.soupbintcp;
  if (soup.logins.size() != shards) {
    errors.push_back(
        "[order_session]: transport \"dpdk\" needs exactly one [[order_session.login]] per shard (" +
        std::to_string(shards) + " shard(s), " + std::to_string(soup.logins.size()) + " login(s))");
    return false;
  }
  if (uint32_t{cfg.src_port} + shards > 65536) {
    errors.push_back("[order_session].src_port: the shards' local ports (src_port + shard) exceed 65535");
    return false;
  }
  const auto ip4 = [](const std::array<uint8_t, 4>& a) { return net::ipv4(a[0], a[1], a[2], a[3]); };
  local_ip_ = ip4(soup.local_ip);
  base_port_ = cfg.src_port;
  const double ns_per_tick = 1e9 / static_cast<double>(rte_get_tsc_hz());
  for (std::size_t e = 0; e < execs.size(); ++e) {
    const std::string name = "sf_tcp_ex" + std::to_string(e);
    rte_ring* in = rte_ring_create(name.c_str(), 1024, port.socket, RING_F_SC_DEQ);
    if (!in) {
      errors.push_back("ring " + name + ": " + rte_strerror(rte_errno));
      return false;
    }
    auto t = std::make_unique<TcpOrderTransport>(*execs[e], in, next_hop_, ns_per_tick);
    t->by_shard.assign(shards, nullptr);
    t->l2.src = port.mac;
    t->l2.has_vlan = soup.vlan != 0;  // [order_session] vlan: every frame we build carries the tag
    t->l2.vlan_id = soup.vlan;
    t->offload = port.offload;
    t->reconciled_shards = &reconciled_;
    t->shard_count = shards;
    transports_.push_back(std::move(t));
  }
  net::NeighbourConfig nc;
  nc.local_mac = port.mac;
  nc.local_ip = local_ip_;
  nc.next_hop = ip4(soup.venue_ip);
  if (soup.gateway_mac) nc.static_mac = *soup.gateway_mac;
  nc.has_vlan = soup.vlan != 0;  // ARP/ICMP of other VLANs (or untagged) dropped, other_vlan
  nc.vlan_id = soup.vlan;
  transports_[0]->neighbours = std::make_unique<net::Neighbours>(nc, *transports_[0]);
  transports_[0]->publish = &next_hop_;
  std::random_device rd;  // the ISN secrets: drawn here, never on an lcore
  for (uint32_t s = 0; s < shards; ++s) {
    order_session::TcpVenueSessionConfig c;
    if (!shard_login(soup, s, c.credentials, c.timing, errors)) return false;
    c.tcp.local_ip = local_ip_;
    c.tcp.remote_ip = nc.next_hop;
    c.tcp.local_port = static_cast<uint16_t>(cfg.src_port + s);
    c.tcp.remote_port = soup.venue_port;
    c.tcp.has_vlan = soup.vlan != 0;  // segments of other VLANs (or untagged) dropped, other_vlan
    c.tcp.vlan_id = soup.vlan;
    // The executor polls its sessions every few µs: 10 ms without a poll means the lcore was
    // descheduled, and an RTO found then waits 10 ms more for the ACKs queued meanwhile.
    c.tcp.stall_gap_ns = kHostStallGapNs;
    c.isn_secret = (uint64_t{rd()} << 32) | rd();
    TcpOrderTransport& t = *transports_[s % transports_.size()];
    auto shard = std::make_unique<TcpVenueShard>();
    shard->listener.owner = &t;
    shard->listener.shard = s;
    shard->session = std::make_unique<order_session::TcpVenueSession>(c, t, shard->listener);
    t.by_shard[s] = shard.get();
    shards_.push_back(std::move(shard));
  }
  for (std::size_t e = 0; e < execs.size(); ++e) execs[e]->order_transport = transports_[e].get();
  return true;
}

bool TcpVenue::all_logged_in() const noexcept {
  for (const auto& s : shards_)
    if (static_cast<order_session::State>(s->session->session().counters().state.get()) !=
        order_session::State::kLoggedIn)
      return false;
  return true;
}

}  // namespace sf::dataplane
