// Segment build/parse: round trip with and without VLAN, checksums both ways, options, and every
// malformation counted under its reason (never an out-of-bounds read: the fuzz target runs this too).
#include <gtest/gtest.h>

#include <vector>

#include "sniperforge/net/ooo_ranges.hpp"
#include "sniperforge/net/order_port_demux.hpp"
#include "sniperforge/net/rto_estimator.hpp"
#include "sniperforge/net/tcp_segment.hpp"

namespace sf::net {
namespace {

struct Built {
  std::vector<uint8_t> frame;
  std::vector<uint8_t> payload;
};

Built build(bool vlan, std::size_t payload_len, uint16_t mss = 0) {
  Built b;
  b.payload.resize(payload_len);
  for (std::size_t i = 0; i < payload_len; ++i) b.payload[i] = static_cast<uint8_t>(i * 13 + 1);
  L2Spec l2{{2, 0, 0, 0, 0, 2}, {2, 0, 0, 0, 0, 1}, vlan, 123};
  OutSegment s;
  s.src_ip = ipv4(10, 0, 0, 1);
  s.dst_ip = ipv4(10, 0, 0, 2);
  s.src_port = 40000;
  s.dst_port = 15000;
  s.seq = 0xdeadbeef;
  s.ack = 0x01020304;
  s.flags = tcp_flag::kAck | tcp_flag::kPsh;
  s.window = 4321;
  s.mss_option = mss;
  // Payload split in two pieces as from a wrapped ring.
  s.payload = b.payload.data();
  s.payload_length = payload_len / 3;
  s.payload2 = b.payload.data() + payload_len / 3;
  s.payload2_length = payload_len - payload_len / 3;
  b.frame.resize(2048);
  b.frame.resize(build_tcp_frame(b.frame.data(), b.frame.size(), l2, s, 7));
  return b;
}

TEST(TcpSegment, RoundTripWithAndWithoutVlan) {
  for (bool vlan : {false, true}) {
    Built b = build(vlan, 301, 1460);
    ASSERT_EQ(b.frame.size(), 14u + (vlan ? 4 : 0) + 20 + 24 + 301);
    TcpSegment seg;
    ASSERT_EQ(parse_tcp_frame(b.frame.data(), b.frame.size(), seg), TcpParseError::kOk);
    EXPECT_EQ(seg.src_ip, ipv4(10, 0, 0, 1));
    EXPECT_EQ(seg.dst_port, 15000);
    EXPECT_EQ(seg.seq, 0xdeadbeefu);
    EXPECT_EQ(seg.ack, 0x01020304u);
    EXPECT_EQ(seg.window, 4321);
    EXPECT_EQ(seg.mss, 1460);
    EXPECT_EQ(seg.vlan_id, vlan ? 123 : 0);
    EXPECT_EQ(seg.sequence_length(), 301u);
    EXPECT_EQ(std::vector<uint8_t>(seg.payload, seg.payload + seg.payload_length), b.payload);
  }
}

TEST(TcpSegment, EthernetPaddingIsIgnored) {
  Built b = build(false, 0);
  b.frame.resize(60, 0xee);
  TcpSegment seg;
  ASSERT_EQ(parse_tcp_frame(b.frame.data(), b.frame.size(), seg), TcpParseError::kOk);
  EXPECT_EQ(seg.payload_length, 0u);
}

TEST(TcpSegment, EveryFlippedBitFailsAChecksumOrTheHeaderChecks) {
  const Built b = build(false, 40);
  for (std::size_t byte = 14; byte < b.frame.size(); ++byte) {
    std::vector<uint8_t> f = b.frame;
    f[byte] ^= 0x10;
    TcpSegment seg;
    EXPECT_NE(parse_tcp_frame(f.data(), f.size(), seg), TcpParseError::kOk) << byte;
  }
}

TEST(TcpSegment, MalformationsHaveReasons) {
  const Built b = build(false, 10, 1460);
  TcpSegment seg;
  for (std::size_t n = 0; n < b.frame.size(); ++n)
    EXPECT_NE(parse_tcp_frame(b.frame.data(), n, seg), TcpParseError::kOk) << n;
  std::vector<uint8_t> f = b.frame;
  f[12] = 0x86;  // IPv6
  EXPECT_EQ(parse_tcp_frame(f.data(), f.size(), seg), TcpParseError::kNotIpv4);
  f = b.frame;
  f[14 + 9] = 17;  // UDP (the IPv4 checksum is then wrong first)
  EXPECT_EQ(parse_tcp_frame(f.data(), f.size(), seg), TcpParseError::kBadChecksum);
  f = b.frame;
  f[14 + 20 + 12] = 0x40;  // data offset 4 words
  EXPECT_EQ(parse_tcp_frame(f.data(), f.size(), seg), TcpParseError::kBadTcp);
  f = b.frame;
  f[14 + 20 + 21] = 0;  // MSS option length 0: the TCP checksum catches it first
  EXPECT_EQ(parse_tcp_frame(f.data(), f.size(), seg), TcpParseError::kBadChecksum);
}

TEST(TcpSegment, OptionsWalk) {
  uint16_t mss = 0;
  const uint8_t ok[] = {1, 1, 2, 4, 0x05, 0xb4, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(parse_tcp_options(ok, sizeof ok, mss));
  EXPECT_EQ(mss, 1460);
  const uint8_t zero_len[] = {8, 0, 1, 1};
  EXPECT_FALSE(parse_tcp_options(zero_len, sizeof zero_len, mss));
  const uint8_t past_end[] = {8, 10, 1, 1};
  EXPECT_FALSE(parse_tcp_options(past_end, sizeof past_end, mss));
  const uint8_t bad_mss[] = {2, 3, 5, 0};
  EXPECT_FALSE(parse_tcp_options(bad_mss, sizeof bad_mss, mss));
  const uint8_t lone_kind[] = {1, 1, 1, 3};
  EXPECT_FALSE(parse_tcp_options(lone_kind, sizeof lone_kind, mss));
}

TEST(TcpSegment, OffloadModeLeavesWhatTheNicCompletes) {
  Built sw = build(false, 77);
  OutSegment s;
  TcpSegment parsed;
  ASSERT_EQ(parse_tcp_frame(sw.frame.data(), sw.frame.size(), parsed), TcpParseError::kOk);
  s.src_ip = parsed.src_ip;
  s.dst_ip = parsed.dst_ip;
  s.src_port = parsed.src_port;
  s.dst_port = parsed.dst_port;
  s.seq = parsed.seq;
  s.ack = parsed.ack;
  s.flags = parsed.flags;
  s.window = parsed.window;
  s.payload = sw.payload.data();
  s.payload_length = sw.payload.size();
  std::vector<uint8_t> f(2048);
  f.resize(build_tcp_frame(f.data(), f.size(), L2Spec{{2, 0, 0, 0, 0, 2}, {2, 0, 0, 0, 0, 1}, false, 0}, s, 7,
                           ChecksumMode::kOffload));
  ASSERT_EQ(f.size(), sw.frame.size());
  TcpSegment seg;
  EXPECT_EQ(parse_tcp_frame(f.data(), f.size(), seg), TcpParseError::kBadChecksum);
  // The NIC: IPv4 header checksum, then the TCP checksum over the segment seeded with the field.
  uint8_t* ip = f.data() + 14;
  proto::store_be<uint16_t>(ip + 10, checksum_fold(checksum_add(0, ip, 20)));
  uint8_t* tcp = ip + 20;
  proto::store_be<uint16_t>(tcp + 16, checksum_fold(checksum_add(0, tcp, f.size() - 34)));
  EXPECT_EQ(f, sw.frame);  // byte for byte what software checksums give
}

TEST(TcpSegment, FrameThatDoesNotFitIsNotBuilt) {
  uint8_t buf[60];
  OutSegment s;
  std::vector<uint8_t> p(100);
  s.payload = p.data();
  s.payload_length = p.size();
  EXPECT_EQ(build_tcp_frame(buf, sizeof buf, L2Spec{}, s), 0u);
}

TEST(RtoEstimator, FollowsRfc6298) {
  RtoLimits lim;
  lim.min_ns = 1000;
  lim.max_ns = 1'000'000;
  RtoEstimator r(lim);
  EXPECT_EQ(r.rto_ns(), lim.initial_ns);  // before any sample
  r.sample(8000);
  EXPECT_EQ(r.srtt_ns(), 8000u);
  EXPECT_EQ(r.rttvar_ns(), 4000u);
  EXPECT_EQ(r.rto_ns(), 8000u + 16000u);
  r.sample(16000);
  EXPECT_EQ(r.rttvar_ns(), (3 * 4000u + 8000u) / 4);
  EXPECT_EQ(r.srtt_ns(), (7 * 8000u + 16000u) / 8);
  const uint64_t rto = r.rto_ns();
  r.back_off();
  EXPECT_EQ(r.rto_ns(), 2 * rto);
  for (int i = 0; i < 40; ++i) r.back_off();
  EXPECT_EQ(r.rto_ns(), lim.max_ns);
}

TEST(OooRanges, MergeAdvanceAndBound) {
  OooRanges r;
  EXPECT_TRUE(r.insert(100, 200));
  EXPECT_TRUE(r.insert(300, 400));
  EXPECT_TRUE(r.insert(200, 300));  // joins both
  EXPECT_EQ(r.count(), 1u);
  EXPECT_EQ(r.advance(50), 50u);
  EXPECT_EQ(r.advance(100), 400u);
  EXPECT_EQ(r.count(), 0u);
  for (uint32_t i = 0; i < OooRanges::kMaxRanges; ++i) EXPECT_TRUE(r.insert(1000 + 10 * i, 1005 + 10 * i));
  EXPECT_FALSE(r.insert(5000, 5001));
  EXPECT_TRUE(r.insert(1005, 1010));  // merges, needs no slot
  // Across the 2^32 wrap.
  OooRanges w;
  EXPECT_TRUE(w.insert(0xfffffff0u, 0x10));
  EXPECT_EQ(w.advance(0xffffffe0u), 0xffffffe0u);
  EXPECT_EQ(w.advance(0xfffffff0u), 0x10u);
}

TEST(OrderPortDemux, RoutesBy4TupleToTheOwningShard) {
  const OrderPortDemux d{ipv4(10, 0, 0, 2), 39999, 4};  // build() sends to 10.0.0.2:15000
  Built b = build(true, 10);
  EXPECT_EQ(d.route(b.frame.data(), b.frame.size()).kind, OrderFrameKind::kNotOurs);  // port 15000
  const OrderPortDemux d2{ipv4(10, 0, 0, 2), 14998, 4};
  const OrderFrameRoute r = d2.route(b.frame.data(), b.frame.size());
  EXPECT_EQ(r.kind, OrderFrameKind::kTcp);
  EXPECT_EQ(r.shard, 2u);
  const OrderPortDemux other_ip{ipv4(10, 0, 0, 9), 14998, 4};
  EXPECT_EQ(other_ip.route(b.frame.data(), b.frame.size()).kind, OrderFrameKind::kNotOurs);
  std::vector<uint8_t> f = b.frame;
  f[18 + 9] = kIpProtoIcmp;
  EXPECT_EQ(d2.route(f.data(), f.size()).kind, OrderFrameKind::kNeighbour);
  f[16] = 0x08;
  f[17] = 0x06;  // ARP
  EXPECT_EQ(d2.route(f.data(), f.size()).kind, OrderFrameKind::kNeighbour);
  for (std::size_t n = 0; n < 42; ++n)  // truncated anywhere before the ports: never a TCP route
    EXPECT_NE(d2.route(b.frame.data(), n).kind, OrderFrameKind::kTcp) << n;
  // Untagged the same: the demux reads through the tags; the owner checks the VLAN (other_vlan).
  Built u = build(false, 10);
  EXPECT_EQ(d2.route(u.frame.data(), u.frame.size()).kind, OrderFrameKind::kTcp);
  EXPECT_EQ(d2.route(u.frame.data(), u.frame.size()).shard, 2u);
}

}  // namespace
}  // namespace sf::net
