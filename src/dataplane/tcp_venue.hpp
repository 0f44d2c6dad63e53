// `[order_session] transport = "dpdk"` in the appliance: each shard's SoupBinTCP session runs over our
// own TCP (session/tcp_venue_session.hpp) on the executor lcore that hosts the shard, and its segments
// are built straight into mbufs of that executor's TX queue.
//
//   RX lcore: OrderPortTap (order_port_rx.hpp) demuxes order-port frames by 4-tuple (our address,
//             local port src_port + shard) and hands the mbuf over an MP/SC ring to the owning
//             executor; ARP and ICMP go to the neighbour layer's owner (the executor of shard 0).
//   executor: TcpOrderTransport (the executor's OrderTransport): that ring in, its shards' sessions,
//             frames out through the executor's Port and TX staging (tcp_order_transport.cpp).
//
// The neighbour layer (ARP answers and resolution, gratuitous ARP at start, ICMP echo) is one per
// port, owned by executor 0, which publishes the next hop's MAC to the other executors (a relaxed
// single-writer word). Everything here is built by Runtime::build off the lcores (tcp_venue.cpp); on
// the lcores it allocates nothing but mbufs, takes no lock and makes no syscall.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "runtime.hpp"
#include "sniperforge/dataplane/held_orders.hpp"
#include "sniperforge/dataplane/order_transport.hpp"
#include "sniperforge/dataplane/ouch_order.hpp"
#include "sniperforge/net/neighbours.hpp"
#include "sniperforge/session/tcp_venue_session.hpp"

namespace sf::dataplane {

// The tag an RX lcore puts in mbuf->hash.usr for a neighbour frame (otherwise: the shard).
inline constexpr uint32_t kNeighbourFrame = UINT32_MAX;
// net::TcpConfig::stall_gap_ns of the sessions (docs/protocols.md, "host stalls").
inline constexpr uint64_t kHostStallGapNs = 10'000'000;
// Every held order's bytes (an Enter Order in Unsequenced Data: 3 + 47) are in the send buffer, so a
// HeldOrders this large never refuses one.
inline constexpr std::size_t kHeldOrdersCapacity = net::TcpConfig{}.send_buffer / (3 + kEnterOrderLength) + 1;

// The next hop's MAC as executor 0 publishes it (bit 48: resolved).
class PublishedMac {
 public:
  void publish(const net::Mac& m) noexcept {
    uint64_t v = uint64_t{1} << 48;
    for (std::size_t i = 0; i < 6; ++i) v |= uint64_t{m[i]} << (8 * i);
    word_.set(v);
  }
  // False while unresolved.
  bool read(net::Mac& out) const noexcept {
    const uint64_t v = word_.get();
    for (std::size_t i = 0; i < 6; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
    return (v >> 48) != 0;
  }

 private:
  Shared<uint64_t> word_;
};

class TcpOrderTransport;

// Venue messages of one shard, to the transport of the executor that hosts it.
class ShardVenueListener final : public order_session::Listener {
 public:
  void on_sequenced(uint64_t sequence, std::span<const uint8_t> message) override;
  void on_state(order_session::State state) override;
  TcpOrderTransport* owner = nullptr;
  uint32_t shard = 0;
};

struct TcpVenueShard {
  ShardVenueListener listener;
  std::unique_ptr<order_session::TcpVenueSession> session;
  // The executor's own view of it (only its lcore writes these), as the kernel transport keeps it
  // (kernel_venue_shard.hpp): a change of the logged-in state is a journal "session" record; reconciled
  // once logged in and the venue's replay since the login is over (ClientSession::caught_up: its messages
  // were applied as they arrived). Strategies fire on no shard until every shard has reconciled once.
  bool was_logged_in = false;
  uint32_t logins = 0;  // the first is "login", the later ones "reconnect"
  bool reconciled = false;
  HeldOrders held{kHeldOrdersCapacity};  // orders the congestion window held, until they leave
};

// One executor's side of the dpdk transport: its ring of received frames, its shards' sessions, the
// neighbour layer (executor 0), and the frames it builds into the executor's TX staging.
class TcpOrderTransport final : public OrderTransport, public net::SegmentSink, public net::FrameSink {
 public:
  TcpOrderTransport(Runtime::Executor& x, rte_ring* in, const PublishedMac& next_hop, double ns_per_tick)
      : x_(x), in_(in), next_hop_(next_hop), ns_per_tick_(ns_per_tick) {}

  void poll(uint64_t now) noexcept override;
  void send_orders(uint32_t shard, const trade::OrderSink& orders) noexcept override;
  void send_cancels(uint32_t shard, std::span<const trade::CancelRequest> cancels) noexcept override;
  void emit(const net::OutSegment& s) noexcept override;              // a TCP segment of one of our sessions
  void emit_frame(std::span<const uint8_t> frame) noexcept override;  // ARP, ICMP echo reply
  // A venue message of `shard` (from its session): journaled, then into the engine.
  void deliver(uint32_t shard, uint64_t seq, std::span<const uint8_t> message) noexcept;
  // The session of `shard` changed state (from inside it): a login, reconnect or loss is journaled.
  void on_session_state(uint32_t shard, order_session::State state) noexcept;
  // The hosted sessions' counters (the kernel transport's names) and their TCP's into the executor's
  // stats; by this lcore, or by the main thread once the lcores have stopped.
  void copy_stats() noexcept;

  // Set up by TcpVenue::build.
  std::vector<TcpVenueShard*> by_shard;                // hosted shards' sessions (nullptr elsewhere)
  std::unique_ptr<net::Neighbours> neighbours;         // executor 0 only
  PublishedMac* publish = nullptr;                     // executor 0 only
  net::L2Spec l2{};                                    // src: the port's MAC; dst: the published next hop
  bool offload = false;                                // RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM
  std::atomic<uint32_t>* reconciled_shards = nullptr;  // TcpVenue's count over every shard
  uint32_t shard_count = 1;
  rte_ring* ring() const noexcept { return in_; }

 private:
  [[nodiscard]] uint64_t ns(uint64_t tsc) const noexcept {
    return static_cast<uint64_t>(static_cast<double>(tsc) * ns_per_tick_);
  }
  void run_neighbours(rte_mbuf* const* frames, unsigned n, uint64_t ns) noexcept;
  // Reconciliation and the logged-in state into the risk gate.
  void track_session(trade::Engine& eng, TcpVenueShard& shard) noexcept;
  uint8_t* frame(std::size_t length) noexcept;
  // The segment ending before `end` left: the held orders it completes are measured now.
  void measure_held(TcpVenueShard& shard, uint32_t end) noexcept;

  Runtime::Executor& x_;
  rte_ring* in_;
  const PublishedMac& next_hop_;
  double ns_per_tick_;
  uint64_t stamp_ = 0;  // RX TSC of the order being sent (tick-to-trade); 0 for every other frame
  TcpVenueShard* active_ = nullptr;  // the shard whose session is being driven (its segments: emit)
  uint16_t ip_id_ = 0;
  bool neighbours_started_ = false;
  uint64_t neighbour_retry_ns_ = 0;  // resolution gave up: start over at this time
  unsigned stats_polls_ = 0;
};

// Everything the dpdk transport owns, built once by Runtime::build.
class TcpVenue {
 public:
  struct PortSide {
    net::Mac mac{};
    bool offload = false;
    int socket = 0;
  };
  // Reads each login's password file, builds the sessions (shard s on executor s % executors, local
  // port src_port + s), the neighbour layer and one ring per executor, and sets each executor's
  // order_transport. False with the reason in errors.
  bool build(const OrderSessionConfig& cfg, uint32_t shards, std::vector<Runtime::Executor*> execs,
             const PortSide& port, std::vector<std::string>& errors);
  ~TcpVenue();
  // Frees the frames still in the rings (the lcores have stopped; before the ports' pools go).
  void drain() noexcept;
  [[nodiscard]] bool all_logged_in() const noexcept;
  // Every shard logged in and its venue's replay applied once (TcpVenueShard::reconciled).
  [[nodiscard]] bool all_reconciled() const noexcept {
    return reconciled_.load(std::memory_order_acquire) == shards_.size();
  }
  // Before launch: shard `shard`'s first login asks for venue sequence `next` (a journal's restart).
  void resume_at(uint32_t shard, uint64_t next) noexcept {
    if (shard < shards_.size()) shards_[shard]->session->resume_at(next);
  }
  // The sequence number shard `shard`'s next venue message carries (read once the lcores have stopped).
  [[nodiscard]] uint64_t next_sequence(uint32_t shard) const noexcept {
    return shard < shards_.size() ? shards_[shard]->session->session().next_sequence() : 0;
  }
  [[nodiscard]] std::size_t size() const noexcept { return shards_.size(); }
  // Shard `shard`'s session (its counters are single-writer: the stats thread may read them).
  [[nodiscard]] const order_session::TcpVenueSession& session(std::size_t shard) const noexcept {
    return *shards_[shard]->session;
  }
  [[nodiscard]] std::size_t executors() const noexcept { return transports_.size(); }
  [[nodiscard]] TcpOrderTransport& transport(std::size_t e) noexcept { return *transports_[e]; }
  [[nodiscard]] uint32_t local_ip() const noexcept { return local_ip_; }
  [[nodiscard]] uint16_t base_port() const noexcept { return base_port_; }

 private:
  std::vector<std::unique_ptr<TcpOrderTransport>> transports_;
  std::vector<std::unique_ptr<TcpVenueShard>> shards_;
  PublishedMac next_hop_;
  std::atomic<uint32_t> reconciled_{0};
  uint32_t local_ip_ = 0;
  uint16_t base_port_ = 0;
};

}  // namespace sf::dataplane
