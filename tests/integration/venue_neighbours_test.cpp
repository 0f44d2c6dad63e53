// The order port's neighbour layer (`transport = "dpdk"`, issue #11 "Neighbours") against the Linux kernel
// of the venue's network namespace: the appliance owns the port (net_af_packet on a veth end with no
// address), so only its own ARP and ICMP make it reachable. What the kernel side receives is read from an
// AF_PACKET socket on its veth, opened before the appliance starts:
//   - a gratuitous ARP (sender = target = local_ip, broadcast) is the appliance's first frame, before any
//     TCP segment;
//   - without gateway_mac the venue is resolved by an ARP request (who-has venue_ip tell local_ip);
//   - the kernel resolves local_ip by ARP after its neighbour table is flushed (our reply; `ip neigh` then
//     holds our MAC) and `ping -c 3 local_ip` gets three echo replies;
//   - with gateway_mac set, no ARP request leaves and every TCP segment goes to that MAC;
//   - the session's metrics (heartbeats, bytes, smoothed RTT) move; with 10 % of our segments lost
//     (nftables) retransmissions are counted and nothing is lost;
//   - on VLAN 100 (VenueVlan, behind a tagging relay) every frame is tagged, other VLANs are counted drops.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "../net/netns_fixture.hpp"
#include "address_text.hpp"
#include "sniperforge/net/ipv4_frame.hpp"
#include "sniperforge/net/tcp_segment.hpp"
#include "venue_e2e_fixture.hpp"

using namespace sf::testing::venue_e2e;

namespace {

using sf::testing::ip_of;
using sf::testing::mac_of;
using sf::testing::mac_text;

// One frame the appliance sent, as the venue's kernel received it.
struct Seen {
  std::string dst;
  uint16_t arp_op = 0;  // 0: not ARP
  uint32_t arp_sender_ip = 0, arp_target_ip = 0;
  bool tcp = false, syn = false, icmp_echo_reply = false;
};

class VenueNeighbours : public VenueE2E {
 protected:
  void SetUp() override {
    VenueE2E::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    capture_ = sf::net::testing::raw_socket(link_->ns, link_->far_if);
    ASSERT_GE(capture_, 0);
  }
  void TearDown() override {
    if (capture_ >= 0) ::close(capture_);
    VenueE2E::TearDown();
  }
  // Every frame from the appliance's MAC received since the last call, in order.
  std::vector<Seen> drain() {
    std::vector<Seen> out;
    std::array<uint8_t, 2048> buf{};
    for (std::size_t n; (n = sf::net::testing::recv_frame(capture_, buf.data(), buf.size())) > 0;) {
      sf::net::L2Frame l2;
      if (!sf::net::parse_l2(buf.data(), n, l2) || mac_text(l2.src.data()) != link_->near_mac) continue;
      Seen s;
      s.dst = mac_text(l2.dst.data());
      const uint8_t* l3 = buf.data() + l2.l3_offset;
      if (l2.ether_type == sf::net::kEtherTypeArp && n >= l2.l3_offset + 28) {
        s.arp_op = sf::proto::load_be16(l3 + 6);
        s.arp_sender_ip = sf::proto::load_be32(l3 + 14);
        s.arp_target_ip = sf::proto::load_be32(l3 + 24);
      }
      sf::net::TcpSegment seg;
      if (sf::net::parse_tcp_frame(buf.data(), n, seg) == sf::net::TcpParseError::kOk) {
        s.tcp = true;
        s.syn = seg.has(sf::net::tcp_flag::kSyn);
      }
      sf::net::Ipv4Packet ip;
      if (l2.ether_type == sf::net::kEtherTypeIpv4 &&
          sf::net::parse_ipv4(l3, n - l2.l3_offset, ip) == sf::net::Ipv4Error::kOk &&
          ip.protocol == sf::net::kIpProtoIcmp && ip.payload_length >= 8 && ip.payload[0] == 0)
        s.icmp_echo_reply = true;
      out.push_back(s);
    }
    return out;
  }
  int capture_ = -1;
};

}  // namespace

TEST_P(VenueNeighbours, GratuitousArpFirstVenueResolvedByArpKernelResolvesAndPingsUs) {
  start_sim({});
  run_appliance();
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 1.0) << metrics_;
  const uint32_t local = ip_of(link_->local_ip), venue = ip_of(link_->venue_ip);
  std::vector<Seen> start = drain();
  ASSERT_FALSE(start.empty());
  // The first frame: the announcement, to broadcast, before any TCP segment.
  EXPECT_EQ(start[0].arp_op, 1);
  EXPECT_EQ(start[0].arp_sender_ip, local);
  EXPECT_EQ(start[0].arp_target_ip, local);
  EXPECT_EQ(start[0].dst, "ff:ff:ff:ff:ff:ff");
  // Then the venue resolved by ARP, before the SYN; the SYN goes to the venue's MAC.
  std::size_t request = start.size(), syn = start.size();
  for (std::size_t i = 0; i < start.size(); ++i) {
    if (start[i].arp_op == 1 && start[i].arp_target_ip == venue && request == start.size()) request = i;
    if (start[i].syn && syn == start.size()) syn = i;
  }
  ASSERT_LT(request, start.size()) << "no ARP request for the venue";
  ASSERT_LT(syn, start.size()) << "no SYN";
  EXPECT_LT(request, syn);
  EXPECT_EQ(start[syn].dst, link_->far_mac);
  EXPECT_GE(metric_sum(metrics_, "sniperforge_order_port_arp_requests_total"), 1.0) << metrics_;

  // The kernel forgets us, resolves local_ip by ARP (our reply) and pings it three times.
  ASSERT_EQ(run(in_ns() + "ip neigh flush dev " + link_->far_if), 0);
  const fs::path ping = dir_ / "ping.txt";
  EXPECT_EQ(run(in_ns() + "ping -n -c 3 -i 0.2 -W 2 " + link_->local_ip + " > " + ping.string() + " 2>&1"), 0)
      << read_file(ping);
  EXPECT_NE(read_file(ping).find("3 packets transmitted, 3 received"), std::string::npos) << read_file(ping);
  const fs::path neigh = dir_ / "neigh.txt";
  ASSERT_EQ(
      run(in_ns() + "ip neigh show " + link_->local_ip + " dev " + link_->far_if + " > " + neigh.string()),
      0);
  EXPECT_NE(read_file(neigh).find("lladdr " + link_->near_mac), std::string::npos) << read_file(neigh);
  int replies = 0, arp_replies = 0;
  for (const Seen& s : drain()) {
    replies += s.icmp_echo_reply ? 1 : 0;
    if (s.arp_op == 2 && s.arp_sender_ip == local && s.arp_target_ip == venue && s.dst == link_->far_mac)
      ++arp_replies;
  }
  EXPECT_EQ(replies, 3);
  EXPECT_GE(arp_replies, 1);
  ASSERT_TRUE(wait_for(
      [&] {
        metrics_ = curl("/metrics");
        return metric_sum(metrics_, "sniperforge_order_port_icmp_echo_answered_total") >= 3.0 &&
               metric_sum(metrics_, "sniperforge_order_port_arp_answered_total") >= 1.0;
      },
      5))
      << metrics_;
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 1.0);  // the session never noticed
  // The session's own figures (heartbeat_ms 200: both sides heartbeat while the feed is over).
  for (const char* m :
       {"sniperforge_session_heartbeats_sent_total", "sniperforge_session_heartbeats_received_total",
        "sniperforge_session_bytes_sent_total", "sniperforge_session_bytes_received_total",
        "sniperforge_session_tcp_rtt_smoothed"})
    EXPECT_GT(metric_sum(metrics_, m), 0.0) << m << "\n" << metrics_;
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_session_reconnects_total"), 0.0);
  const std::string totals = stop_sim();
  expect_same_as_venue(totals, stop_appliance());
}

TEST_P(VenueNeighbours, StaticGatewayMacNoArpRequestAndEverySegmentGoesToIt) {
  std::string config = read_file(dir_ / "kernel.toml");
  const std::string table = "[order_session]\n";
  config.insert(config.find(table) + table.size(), "gateway_mac = \"" + link_->far_mac + "\"\n");
  std::ofstream(dir_ / "kernel.toml") << config;
  start_sim({});
  run_appliance();
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 1.0) << metrics_;
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_order_port_arp_requests_total"), 0.0) << metrics_;
  const uint32_t local = ip_of(link_->local_ip);
  const std::vector<Seen> seen = drain();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen[0].arp_op, 1);  // the announcement still leaves
  EXPECT_EQ(seen[0].arp_target_ip, local);
  int tcp = 0;
  for (const Seen& s : seen) {
    EXPECT_FALSE(s.arp_op == 1 && s.arp_target_ip != local) << "an ARP request despite gateway_mac";
    if (!s.tcp) continue;
    ++tcp;
    EXPECT_EQ(s.dst, link_->far_mac);
  }
  EXPECT_GT(tcp, 3);
  const std::string totals = stop_sim();
  EXPECT_GT(expect_same_as_venue(totals, stop_appliance()), 0u) << totals;
}

// Every 10th of the appliance's TCP data segments is lost on the way in to the venue (nftables on the venue's
// veth ingress): our TCP retransmits them (counted in /metrics), and the venue still gets every order once
// and the appliance every answer: positions equal the simulator's totals, no reconnect.
TEST_P(VenueNeighbours, LossyLinkSegmentsRetransmittedCountedNothingLost) {
  lose_towards_venue(10);
  start_sim({});
  run_appliance();
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 1.0) << metrics_;
  EXPECT_GT(metric_sum(metrics_, "sniperforge_session_tcp_retransmitted_segments_total"), 0.0) << metrics_;
  // The appliance stops first (it logs out): stopped second, it would see the venue close and count the
  // reconnect it starts if its 100 ms back-off ends before SIGTERM arrives (it did under ASan).
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_GT(stats.at("session_tcp_retransmits"), 0u);
  EXPECT_EQ(stats.at("session_reconnects"), 0u);
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;
}

// A venue address nobody on the link answers ARP for: the resolution is retried (every second), the
// session waits for the next hop instead of sending into the void (no segment leaves; one that had to
// would be counted in sniperforge_order_port_segments_unsent_total), and /ready says the session is down.
TEST_P(VenueNeighbours, UnresolvableVenueArpRetriedNoSegmentLeavesSessionDown) {
  const std::string absent = link_->venue_ip.substr(0, link_->venue_ip.rfind('.')) + ".99";
  std::string config = read_file(dir_ / "kernel.toml");
  const std::string key = "venue = \"";
  const std::size_t at = config.find(key + link_->venue_ip + ":");
  ASSERT_NE(at, std::string::npos) << config;
  config.replace(at + key.size(), link_->venue_ip.size(), absent);
  std::ofstream(dir_ / "kernel.toml") << config;
  start_sim({});
  run_appliance(false);
  ASSERT_TRUE(wait_for(
      [&] {
        metrics_ = curl("/metrics");
        return metric_sum(metrics_, "sniperforge_order_port_arp_requests_total") >= 3.0;
      },
      10))
      << metrics_;
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 0.0);
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_order_port_segments_unsent_total"), 0.0);
  const std::string ready = curl("/ready");
  EXPECT_NE(ready.find("order session down: shard 0 (SNIPE0)"), std::string::npos) << ready;
  EXPECT_EQ(ready.find("\n200"), std::string::npos) << ready;
  const uint32_t target = ip_of(absent);
  int requests = 0;
  for (const Seen& s : drain()) {
    EXPECT_FALSE(s.tcp) << "a segment left without a resolved next hop";
    requests += s.arp_op == 1 && s.arp_target_ip == target ? 1 : 0;
  }
  EXPECT_GE(requests, 3);
  const auto stats = stop_appliance();
  EXPECT_EQ(stats.at("venue_messages"), 0u);
  EXPECT_EQ(stats.at("orders_buy") + stats.at("orders_sell"), 0u);
  (void)stop_sim();
}

INSTANTIATE_TEST_SUITE_P(Dpdk, VenueNeighbours, ::testing::Values("dpdk"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

namespace {

// The order port on VLAN 100 ([order_session] vlan = 100) behind the tagging relay (venue_netns.hpp):
// what the appliance sends is read on the relay's end of its veth, tag included.
class VenueVlan : public VenueNeighbours {
 protected:
  uint16_t order_vlan() const override { return 100; }
  void SetUp() override {
    VenueE2E::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    capture_ = sf::net::testing::raw_socket(link_->relay_ns, link_->relay_a);
    ASSERT_GE(capture_, 0);
  }
  // Every frame from the appliance since the last call: (VLAN tags, VLAN ID).
  std::vector<std::pair<int, int>> tags() {
    std::vector<std::pair<int, int>> out;
    std::array<uint8_t, 2048> buf{};
    for (std::size_t n; (n = sf::net::testing::recv_frame(capture_, buf.data(), buf.size())) > 0;) {
      sf::net::L2Frame l2;
      if (!sf::net::parse_l2(buf.data(), n, l2) || mac_text(l2.src.data()) != link_->near_mac) continue;
      out.emplace_back(l2.vlan_tags, l2.vlan_id);
      if (sf::net::TcpSegment seg;
          sf::net::parse_tcp_frame(buf.data(), n, seg) == sf::net::TcpParseError::kOk)
        local_port_ = seg.src_port;
    }
    return out;
  }
  uint16_t local_port_ = 0;  // the session's, from its segments
};

}  // namespace

// Login, orders, fills, ARP and ping all cross VLAN 100: every frame the appliance sends is tagged 100
// (TCP, ARP, ICMP), the kernel's frames reach it tagged. Frames for it on VLAN 200 or untagged (ARP
// requests for local_ip, a TCP segment on the session's 4-tuple), written straight onto its veth, are
// dropped and counted other_vlan; the session and the positions are untouched.
TEST_P(VenueVlan, OrderPortOnVlan100EveryFrameTaggedOtherVlansDroppedAndCounted) {
  start_sim({});
  run_appliance();
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 1.0) << metrics_;
  const fs::path ping = dir_ / "ping.txt";
  EXPECT_EQ(run(in_ns() + "ping -n -c 3 -i 0.2 -W 2 " + link_->local_ip + " > " + ping.string() + " 2>&1"), 0)
      << read_file(ping);
  EXPECT_NE(read_file(ping).find("3 packets transmitted, 3 received"), std::string::npos) << read_file(ping);
  const auto seen = tags();
  EXPECT_GT(seen.size(), 10u);
  ASSERT_NE(local_port_, 0) << "no segment of the session seen";
  for (const auto& [n, id] : seen) {
    EXPECT_EQ(n, 1);
    EXPECT_EQ(id, 100);
  }

  // Forged from the relay's side: ARP requests for local_ip on VLAN 200 and untagged, and a segment of the
  // session (venue address and port to our local port) untagged.
  const int fd = sf::net::testing::raw_socket(link_->relay_ns, link_->relay_a);
  ASSERT_GE(fd, 0);
  const uint32_t local = ip_of(link_->local_ip), venue = ip_of(link_->venue_ip);
  const sf::net::Mac ours = mac_of(link_->near_mac), theirs = mac_of(link_->far_mac);
  for (const int vlan : {200, -1}) {
    std::array<uint8_t, 64> f{};
    const std::size_t off =
        sf::net::write_l2(f.data(), {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, theirs, vlan > 0,
                          static_cast<uint16_t>(vlan > 0 ? vlan : 0), sf::net::kEtherTypeArp);
    uint8_t* a = f.data() + off;
    sf::proto::store_be<uint16_t>(a, 1);
    sf::proto::store_be<uint16_t>(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    sf::proto::store_be<uint16_t>(a + 6, 1);
    std::memcpy(a + 8, theirs.data(), 6);
    sf::proto::store_be<uint32_t>(a + 14, venue);
    sf::proto::store_be<uint32_t>(a + 24, local);
    EXPECT_EQ(::send(fd, f.data(), 60, 0), 60);
  }
  sf::net::OutSegment s;
  s.src_ip = venue;
  s.dst_ip = local;
  s.src_port = port_;
  s.dst_port = local_port_;
  s.flags = sf::net::tcp_flag::kAck;
  s.window = 65535;
  std::array<uint8_t, 128> seg{};
  const std::size_t n = sf::net::build_tcp_frame(seg.data(), seg.size(), {ours, theirs, false, 0}, s);
  EXPECT_EQ(::send(fd, seg.data(), n, 0), static_cast<ssize_t>(n));
  ::close(fd);
  const std::string other_vlan = "reason=\"other_vlan\"";
  EXPECT_TRUE(wait_for(
      [&] {
        metrics_ = curl("/metrics");
        return metric_sum(metrics_, "sniperforge_order_port_neighbour_drops_total", other_vlan) >= 2.0 &&
               metric_sum(metrics_, "sniperforge_session_tcp_drops_total", other_vlan) >= 1.0;
      },
      5))
      << metrics_;
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_order_port_neighbour_drops_total", other_vlan), 2.0);
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_session_tcp_drops_total", other_vlan), 1.0);
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 1.0);
  const auto stats = stop_appliance();  // first, as in LossyLink...
  const std::string totals = stop_sim();
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;
  EXPECT_EQ(stats.at("session_reconnects"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Dpdk, VenueVlan, ::testing::Values("dpdk"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });
