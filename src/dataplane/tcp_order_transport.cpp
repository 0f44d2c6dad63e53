// TcpOrderTransport: the executor lcore's side of `transport = "dpdk"` (tcp_venue.hpp). Frames the RX
// lcores handed over go into the hosted sessions (ARP/ICMP into the neighbour layer on executor 0);
// timers run; each shard's logged-in state goes into its risk gate; venue messages into the engine;
// orders into the session and out through the executor's TX queue at once.
#include <rte_ip.h>

#include "executor_lcore.hpp"
#include "sniperforge/dataplane/session_counter_sum.hpp"
#include "tcp_venue.hpp"

namespace sf::dataplane {

void ShardVenueListener::on_sequenced(uint64_t sequence, std::span<const uint8_t> message) {
  owner->deliver(shard, sequence, message);
}
void ShardVenueListener::on_state(order_session::State state) {
  owner->on_session_state(shard, state);
}

uint8_t* TcpOrderTransport::frame(std::size_t length) noexcept {
  uint8_t* d = x_.port.frame(x_.tx_n, length);
  if (!d) [[unlikely]]
    x_.stats->mbuf_alloc_failed.add();
  return d;
}

void TcpOrderTransport::emit(const net::OutSegment& s) noexcept {
  if (!next_hop_.read(l2.dst)) [[unlikely]] {
    x_.stats->segments_unsent_no_neighbour.add();
    return;
  }
  const std::size_t len = net::tcp_frame_length(l2, s);
  uint8_t* d = frame(len);
  if (!d) [[unlikely]]
    return;
  const auto mode = offload ? net::ChecksumMode::kOffload : net::ChecksumMode::kSoftware;
  (void)net::build_tcp_frame(d, len, l2, s, ip_id_++, mode);
  if (offload) {
    rte_mbuf* m = x_.port.tx[x_.tx_n];
    m->l2_len = net::kEthernetHeaderLength + (l2.has_vlan ? net::kVlanTagLength : 0);
    m->l3_len = net::kIpv4MinHeaderLength;
    m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
  }
  const uint32_t end = s.seq + static_cast<uint32_t>(s.payload_length + s.payload2_length);
  uint64_t stamp = 0;
  // The order being sent has left only with its last byte (the last queued one); a segment that stops
  // short of it (the window held the rest) is not its departure.
  if (stamp_ && active_ && end == active_->session->connection().queued_end()) {
    stamp = stamp_;
    stamp_ = 0;
  }
  x_.stage(stamp);
  if (active_ && active_->held.any_through(end)) [[unlikely]]
    measure_held(*active_, end);
}

// Held orders leave now, after their wait: sent at once (not at the end of the burst) and measured as the
// send returns, into tick_to_trade (every order is measured) and tick_to_trade_held (their own view).
void TcpOrderTransport::measure_held(TcpVenueShard& shard, uint32_t end) noexcept {
  x_.flush_tx();
  const uint64_t now = x_.port.now();
  shard.held.release_through(end, [&](uint64_t rx_tsc) {
    const uint64_t t2t = now > rx_tsc ? now - rx_tsc : 0;
    x_.stats->tick_to_trade.record(t2t);
    x_.stats->tick_to_trade_held.record(t2t);
  });
}

void TcpOrderTransport::emit_frame(std::span<const uint8_t> f) noexcept {
  uint8_t* d = frame(f.size());
  if (!d) [[unlikely]]
    return;
  std::memcpy(d, f.data(), f.size());
  x_.stage(0);
}

void TcpOrderTransport::deliver(uint32_t shard, uint64_t seq, std::span<const uint8_t> m) noexcept {
  trade::Engine* eng = x_.driver.engine(shard);
  x_.stats->venue_messages.add();
  if (x_.journal)  // before it is applied: a write-ahead record
    x_.journal_venue(shard, seq, m.data(), m.size(), x_.last_now);
  x_.apply_venue(*eng, shard, m.data(), m.size(), x_.last_now, x_.last_now);
}

// Each OUCH Enter Order into the shard's session: a TCP segment staged and sent at once. A session that
// went down after the risk check refuses it (counted by the session: session_orders_refused).
void TcpOrderTransport::send_orders(uint32_t shard, const trade::OrderSink& orders) noexcept {
  TcpVenueShard& sh = *by_shard[shard];
  order_session::TcpVenueSession& session = *sh.session;
  TcpVenueShard* const outer = active_;  // orders fired by a venue message arrive inside on_frame
  active_ = &sh;
  std::array<uint8_t, kEnterOrderLength> ouch{};
  const uint64_t now_ns = ns(x_.port.now());
  for (const trade::OrderRequest& r : orders) {
    encode_enter_order(ouch.data(), r);
    stamp_ = r.rx_tsc;
    const order_session::SendResult res = session.send(ouch, now_ns);
    // Queued but not (all) sent: the window holds it; measured when its last byte leaves.
    if (res == order_session::SendResult::kSent && stamp_ != 0) [[unlikely]]
      (void)sh.held.push(session.connection().queued_end(), stamp_);  // room: kHeldOrdersCapacity
    stamp_ = 0;
    if (res != order_session::SendResult::kSent) continue;
    x_.stats->count_order(side_from_char(r.side));
    if (x_.journal) x_.journal_order(shard, r, ouch.data());
  }
  x_.flush_tx();
  x_.port.refill();
  active_ = outer;
}

// Cancel Orders for a kill (sf-ctl kill), through the session like orders.
void TcpOrderTransport::send_cancels(uint32_t shard, std::span<const trade::CancelRequest> cancels) noexcept {
  order_session::TcpVenueSession& session = *by_shard[shard]->session;
  TcpVenueShard* const outer = active_;
  active_ = by_shard[shard];
  std::array<uint8_t, kCancelOrderLength> ouch{};
  const uint64_t now_ns = ns(x_.port.now());
  for (const trade::CancelRequest& c : cancels) {
    ouch::inbound::msg::CancelOrder m;
    m.user_ref_num = c.user_ref_num;
    m.quantity = c.quantity;
    (void)m.encode(ouch.data());
    (void)session.send(ouch, now_ns);
  }
  x_.flush_tx();
  x_.port.refill();
  active_ = outer;
}

// Executor 0: ARP and ICMP in, ARP retries, the next hop published; a resolution that gave up starts
// over after a second.
void TcpOrderTransport::run_neighbours(rte_mbuf* const* frames, unsigned n, uint64_t now_ns) noexcept {
  net::Neighbours& nb = *neighbours;
  for (unsigned i = 0; i < n; ++i)
    (void)nb.on_frame(rte_pktmbuf_mtod(frames[i], const uint8_t*), frames[i]->data_len, now_ns);
  if (!neighbours_started_) {
    neighbours_started_ = true;
    nb.start(now_ns);  // gratuitous ARP, then the first request (or the static MAC)
  }
  nb.poll(now_ns);
  if (nb.resolution_failed()) {
    if (neighbour_retry_ns_ == 0) neighbour_retry_ns_ = now_ns + 1'000'000'000;
    if (now_ns >= neighbour_retry_ns_) {
      neighbour_retry_ns_ = 0;
      nb.start(now_ns);
    }
  }
  if (nb.resolved()) publish->publish(nb.next_hop_mac());
}

// A login (the first), a reconnect (a later login) or the session going down is a journal "session" record
// with the venue sequence number the next message will carry. Called from inside the session: at Login
// Accepted before any message of the venue's replay is delivered, so the record precedes them.
void TcpOrderTransport::on_session_state(uint32_t shard, order_session::State state) noexcept {
  TcpVenueShard& sh = *by_shard[shard];
  const bool up = state == order_session::State::kLoggedIn;
  if (up == sh.was_logged_in) return;
  sh.was_logged_in = up;
  if (!up) sh.held.clear();  // the connection is gone, and the held orders' bytes with it
  journal::SessionEvent ev = journal::SessionEvent::kDown;
  if (up) ev = sh.logins++ == 0 ? journal::SessionEvent::kLogin : journal::SessionEvent::kReconnect;
  if (x_.journal) x_.journal_session(shard, ev, sh.session->session().next_sequence());
}

// The risk gate sees the session up only once it is logged in and every shard has reconciled
// (session_down until then), as with the kernel transport.
void TcpOrderTransport::track_session(trade::Engine& eng, TcpVenueShard& shard) noexcept {
  const order_session::ClientSession& cs = shard.session->session();
  if (!shard.reconciled && cs.caught_up()) [[unlikely]] {
    shard.reconciled = true;
    reconciled_shards->fetch_add(1, std::memory_order_acq_rel);
  }
  eng.set_session_up(cs.logged_in() && reconciled_shards->load(std::memory_order_acquire) == shard_count);
}

void TcpOrderTransport::poll(uint64_t now) noexcept {
  const uint64_t now_ns = ns(now);
  std::array<rte_mbuf*, 32> in;
  std::array<rte_mbuf*, 32> arp;
  unsigned n_arp = 0;
  const unsigned n = rte_ring_sc_dequeue_burst(in_, reinterpret_cast<void**>(in.data()), in.size(), nullptr);
  for (unsigned i = 0; i < n; ++i) {
    rte_mbuf* m = in[i];
    const uint32_t tag = m->hash.usr;
    if (tag == kNeighbourFrame) {
      arp[n_arp++] = m;
    } else if (tag < by_shard.size() && by_shard[tag]) [[likely]] {
      active_ = by_shard[tag];
      by_shard[tag]->session->on_frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, now_ns);
    } else {
      x_.stats->misrouted.add();
    }
  }
  if (neighbours) run_neighbours(arp.data(), n_arp, now_ns);
  rte_pktmbuf_free_bulk(in.data(), n);
  net::Mac mac;
  const bool next_hop_known = next_hop_.read(mac);
  for (trade::Engine* eng : x_.driver.engines()) {
    TcpVenueShard& shard = *by_shard[eng->shard_index()];
    order_session::TcpVenueSession& s = *shard.session;
    active_ = &shard;
    if (!s.started() && next_hop_known) s.start(now_ns);
    s.poll(now_ns);
    track_session(*eng, shard);
  }
  x_.flush_tx();
  if ((++stats_polls_ & 4095) == 0) [[unlikely]]
    copy_stats();
}

void TcpOrderTransport::copy_stats() noexcept {
  SessionCounterSum sum;
  std::array<uint64_t, telemetry::kTcpDropReasons> drops{};
  for (const trade::Engine* eng : x_.driver.engines()) {
    const order_session::TcpVenueSession& s = *by_shard[eng->shard_index()]->session;
    const order_session::SessionCounters& c = s.session().counters();
    const net::TcpStats& t = s.connection().stats();
    sum.add(c, static_cast<order_session::State>(c.state.get()) == order_session::State::kLoggedIn);
    sum.add_tcp(t.retransmitted_segments.load(), t.srtt_ns.load(), s.counters().orders_held.load());
    for (std::size_t d = 0; d < drops.size(); ++d) drops[d] += t.drops[d].load();
  }
  telemetry::ExecutorLcoreStats& st = *x_.stats;
  sum.store(st);
  for (std::size_t d = 0; d < drops.size(); ++d) st.session_tcp_drops[d].set(drops[d]);
  if (neighbours) {
    const net::NeighbourStats& ns = neighbours->stats();
    st.neighbour_arp_answered.set(ns.arp_requests_answered.load());
    st.neighbour_arp_requests.set(ns.arp_requests_sent.load());
    st.neighbour_icmp_answered.set(ns.icmp_echo_answered.load());
    for (std::size_t d = 0; d < st.neighbour_drops.size(); ++d) st.neighbour_drops[d].set(ns.drops[d].load());
  }
}

}  // namespace sf::dataplane
