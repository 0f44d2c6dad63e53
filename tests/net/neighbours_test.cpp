// Neighbours: ARP answers, resolution with bounded retries, static override, gratuitous ARP, ICMP
// echo replies, and VLAN handling.
#include <gtest/gtest.h>

#include <vector>

#include "recorded_frames.hpp"
#include "sniperforge/net/neighbours.hpp"
#include "sniperforge/net/tcp_segment.hpp"

namespace sf::net {
namespace {

constexpr Mac kOurMac{0x02, 0, 0, 0, 0, 0x01};
constexpr Mac kPeerMac{0x02, 0, 0, 0, 0, 0x02};
constexpr Mac kBcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
const uint32_t kOurIp = ipv4(10, 0, 0, 1);
const uint32_t kPeerIp = ipv4(10, 0, 0, 2);

using Frames = sf::testing::RecordedFrames;

std::vector<uint8_t> arp(uint16_t op, const Mac& eth_dst, const Mac& sha, uint32_t spa, uint32_t tpa,
                         bool vlan = false, uint16_t vid = 0) {
  std::vector<uint8_t> f(64, 0);
  const std::size_t off = write_l2(f.data(), eth_dst, sha, vlan, vid, kEtherTypeArp);
  uint8_t* a = f.data() + off;
  proto::store_be<uint16_t>(a, 1);
  proto::store_be<uint16_t>(a + 2, kEtherTypeIpv4);
  a[4] = 6;
  a[5] = 4;
  proto::store_be<uint16_t>(a + 6, op);
  std::memcpy(a + 8, sha.data(), 6);
  proto::store_be<uint32_t>(a + 14, spa);
  proto::store_be<uint32_t>(a + 24, tpa);
  return f;
}

struct Arp {
  uint16_t op;
  uint32_t spa, tpa;
  Mac eth_dst, sha, tha;
};
Arp parse_arp(const std::vector<uint8_t>& f) {
  L2Frame l2;
  EXPECT_TRUE(parse_l2(f.data(), f.size(), l2));
  EXPECT_EQ(l2.ether_type, kEtherTypeArp);
  const uint8_t* a = f.data() + l2.l3_offset;
  Arp r{proto::load_be16(a + 6), proto::load_be32(a + 14), proto::load_be32(a + 24), l2.dst, {}, {}};
  std::memcpy(r.sha.data(), a + 8, 6);
  std::memcpy(r.tha.data(), a + 18, 6);
  return r;
}

NeighbourConfig config() {
  NeighbourConfig c;
  c.local_mac = kOurMac;
  c.local_ip = kOurIp;
  c.next_hop = kPeerIp;
  c.arp_retry_ns = 100;
  c.arp_max_requests = 3;
  return c;
}

TEST(Neighbours, StartAnnouncesThenResolvesFromTheReply) {
  Frames out;
  Neighbours n(config(), out);
  n.start(0);
  ASSERT_EQ(out.frames.size(), 2u);
  const Arp g = parse_arp(out.frames[0]);
  EXPECT_EQ(g.op, 1);
  EXPECT_EQ(g.spa, kOurIp);
  EXPECT_EQ(g.tpa, kOurIp);  // gratuitous
  EXPECT_EQ(g.eth_dst, kBcast);
  const Arp q = parse_arp(out.frames[1]);
  EXPECT_EQ(q.tpa, kPeerIp);
  EXPECT_EQ(out.frames[1].size(), 60u);
  EXPECT_FALSE(n.resolved());
  const auto reply = arp(2, kOurMac, kPeerMac, kPeerIp, kOurIp);
  EXPECT_EQ(n.on_frame(reply.data(), reply.size(), 5), Neighbours::Handled::kArp);
  EXPECT_TRUE(n.resolved());
  EXPECT_EQ(n.next_hop_mac(), kPeerMac);
}

TEST(Neighbours, RetriesAreBoundedThenResolutionFails) {
  Frames out;
  Neighbours n(config(), out);
  n.start(0);
  for (uint64_t t = 0; t <= 1000; t += 10) n.poll(t);
  EXPECT_EQ(n.stats().arp_requests_sent.load(), 3u);
  EXPECT_TRUE(n.resolution_failed());
  EXPECT_EQ(n.stats().resolution_failures.load(), 1u);
  EXPECT_EQ(out.frames.size(), 4u);
}

TEST(Neighbours, StaticMacNeedsNoArpAndIsNotOverwritten) {
  NeighbourConfig c = config();
  c.static_mac = Mac{0x02, 9, 9, 9, 9, 9};
  Frames out;
  Neighbours n(c, out);
  n.start(0);
  EXPECT_TRUE(n.resolved());
  EXPECT_EQ(out.frames.size(), 1u);  // gratuitous only
  const auto spoof = arp(2, kOurMac, kPeerMac, kPeerIp, kOurIp);
  (void)n.on_frame(spoof.data(), spoof.size(), 1);
  EXPECT_EQ(n.next_hop_mac(), *c.static_mac);
}

TEST(Neighbours, AnswersRequestsForOurAddressOnly) {
  Frames out;
  Neighbours n(config(), out);
  const auto req = arp(1, kBcast, kPeerMac, kPeerIp, kOurIp);
  EXPECT_EQ(n.on_frame(req.data(), req.size(), 0), Neighbours::Handled::kArp);
  ASSERT_EQ(out.frames.size(), 1u);
  const Arp r = parse_arp(out.frames[0]);
  EXPECT_EQ(r.op, 2);
  EXPECT_EQ(r.sha, kOurMac);
  EXPECT_EQ(r.spa, kOurIp);
  EXPECT_EQ(r.tha, kPeerMac);
  EXPECT_EQ(r.tpa, kPeerIp);
  EXPECT_EQ(r.eth_dst, kPeerMac);
  EXPECT_TRUE(n.resolved());  // learnt from its request
  const auto other = arp(1, kBcast, Mac{2, 7, 7, 7, 7, 7}, ipv4(10, 0, 0, 7), ipv4(10, 0, 0, 8));
  EXPECT_EQ(n.on_frame(other.data(), other.size(), 0), Neighbours::Handled::kDropped);
  EXPECT_EQ(n.stats().dropped(NeighbourDrop::kNotForUs), 1u);
  std::vector<uint8_t> cut(req.begin(), req.begin() + 30);
  EXPECT_EQ(n.on_frame(cut.data(), cut.size(), 0), Neighbours::Handled::kDropped);
  EXPECT_EQ(n.stats().dropped(NeighbourDrop::kMalformed), 1u);
  EXPECT_EQ(out.frames.size(), 1u);
}

TEST(Neighbours, VlanMustMatch) {
  NeighbourConfig c = config();
  c.has_vlan = true;
  c.vlan_id = 42;
  Frames out;
  Neighbours n(c, out);
  const auto untagged = arp(1, kBcast, kPeerMac, kPeerIp, kOurIp);
  const auto wrong = arp(1, kBcast, kPeerMac, kPeerIp, kOurIp, true, 43);
  const auto right = arp(1, kBcast, kPeerMac, kPeerIp, kOurIp, true, 42);
  EXPECT_EQ(n.on_frame(untagged.data(), untagged.size(), 0), Neighbours::Handled::kDropped);
  EXPECT_EQ(n.on_frame(wrong.data(), wrong.size(), 0), Neighbours::Handled::kDropped);
  EXPECT_EQ(n.stats().dropped(NeighbourDrop::kOtherVlan), 2u);
  EXPECT_EQ(n.on_frame(right.data(), right.size(), 0), Neighbours::Handled::kArp);
  ASSERT_EQ(out.frames.size(), 1u);
  L2Frame l2;
  ASSERT_TRUE(parse_l2(out.frames[0].data(), out.frames[0].size(), l2));
  EXPECT_EQ(l2.vlan_tags, 1);
  EXPECT_EQ(l2.vlan_id, 42);
}

std::vector<uint8_t> echo_request(uint32_t dst, std::size_t data_len, bool good_sum = true) {
  std::vector<uint8_t> f(14 + 20 + 8 + data_len);
  write_l2(f.data(), kOurMac, kPeerMac, false, 0, kEtherTypeIpv4);
  uint8_t* icmp = f.data() + 34;
  icmp[0] = 8;
  proto::store_be<uint16_t>(icmp + 4, 0x1234);
  proto::store_be<uint16_t>(icmp + 6, 7);
  for (std::size_t i = 0; i < data_len; ++i) icmp[8 + i] = static_cast<uint8_t>(i);
  proto::store_be<uint16_t>(icmp + 2, checksum_fold(checksum_add(0, icmp, 8 + data_len)));
  if (!good_sum) icmp[2] ^= 1;
  write_ipv4(f.data() + 14, kPeerIp, dst, kIpProtoIcmp, 8 + data_len, 99);
  return f;
}

TEST(Neighbours, IcmpEchoIsAnswered) {
  Frames out;
  Neighbours n(config(), out);
  const auto req = echo_request(kOurIp, 56);
  EXPECT_EQ(n.on_frame(req.data(), req.size(), 0), Neighbours::Handled::kIcmp);
  ASSERT_EQ(out.frames.size(), 1u);
  const auto& r = out.frames[0];
  L2Frame l2;
  ASSERT_TRUE(parse_l2(r.data(), r.size(), l2));
  EXPECT_EQ(l2.dst, kPeerMac);
  Ipv4Packet ip;
  ASSERT_EQ(parse_ipv4(r.data() + l2.l3_offset, r.size() - l2.l3_offset, ip), Ipv4Error::kOk);
  EXPECT_EQ(ip.dst, kPeerIp);
  EXPECT_EQ(ip.payload[0], 0);
  EXPECT_EQ(checksum_fold(checksum_add(0, ip.payload, ip.payload_length)), 0);
  EXPECT_TRUE(std::equal(ip.payload + 4, ip.payload + ip.payload_length, req.begin() + 38));
  const auto other = echo_request(ipv4(10, 0, 0, 9), 8);
  const auto bad = echo_request(kOurIp, 8, false);
  EXPECT_EQ(n.on_frame(other.data(), other.size(), 0), Neighbours::Handled::kDropped);
  EXPECT_EQ(n.on_frame(bad.data(), bad.size(), 0), Neighbours::Handled::kDropped);
  EXPECT_EQ(n.stats().icmp_echo_answered.load(), 1u);
  EXPECT_EQ(out.frames.size(), 1u);
}

TEST(Neighbours, TcpIsNotOurs) {
  Frames out;
  Neighbours n(config(), out);
  std::vector<uint8_t> f(80);
  OutSegment s;
  s.src_ip = kPeerIp;
  s.dst_ip = kOurIp;
  f.resize(build_tcp_frame(f.data(), f.size(), L2Spec{kOurMac, kPeerMac, false, 0}, s));
  EXPECT_EQ(n.on_frame(f.data(), f.size(), 0), Neighbours::Handled::kNotMine);
}

}  // namespace
}  // namespace sf::net
