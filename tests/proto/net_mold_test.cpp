// Ethernet/VLAN/IPv4/UDP, MoldUDP64 and the feed-frame path: golden bytes from the standards
// (RFC 791/768, IEEE 802.1Q/802.1ad, MoldUDP64 1.00) and malformed cases for every reason.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "bytes.hpp"
#include "sniperforge/proto/feed.hpp"

using sf::test::Bytes;
namespace net = sf::net;
namespace mold = sf::mold;
namespace feed = sf::feed;

namespace {

// IPv4 header, field by field (RFC 791). Checksum left as given.
Bytes ipv4(std::size_t total_len, uint8_t proto = 17, uint16_t flags_frag = 0x4000, uint8_t ihl = 5,
           uint16_t checksum = 0) {
  Bytes b;
  b.u8(static_cast<uint8_t>(0x40 | ihl))
      .u8(0)
      .u16(total_len)
      .u16(0)
      .u16(flags_frag)
      .u8(64)
      .u8(proto)
      .u16(checksum);
  b.u32(0x0A000001).u32(0xE9360C6F);                // 10.0.0.1 -> 233.54.12.111
  for (int i = 5; i < ihl; ++i) b.u32(0x01010101);  // NOP options
  return b;
}

Bytes eth(uint16_t ether_type) {
  Bytes b;
  b.raw({0x01, 0x00, 0x5e, 0x36, 0x0c, 0x6f}).raw({0x02, 0, 0, 0, 0, 1}).u16(ether_type);
  return b;
}

// Full frame: eth (+tags) / ipv4 / udp(dst port) / payload.
Bytes frame(const std::vector<uint8_t>& payload, uint16_t dport = 26477, std::vector<uint16_t> tags = {},
            uint8_t ihl = 5) {
  Bytes b = eth(tags.empty() ? 0x0800 : tags[0]);
  for (std::size_t i = 0; i < tags.size(); ++i)
    b.u16(100 + i).u16(i + 1 < tags.size() ? tags[i + 1] : 0x0800);
  const std::size_t udp_len = 8 + payload.size();
  b.raw(ipv4(ihl * 4 + udp_len, 17, 0x4000, ihl).v);
  b.u16(49653).u16(dport).u16(udp_len).u16(0);
  b.raw(payload);
  return b;
}

// A MoldUDP64 packet: session "SESSION001", seq 1000, S and D messages.
Bytes mold_packet() {
  Bytes b;
  b.a("SESSION001", 10).u64(1000).u16(2);
  b.u16(12).itch('S', 0, 0, 1).c('O');
  b.u16(19).itch('D', 7, 0, 2).u64(42);
  return b;
}

}  // namespace

// ---------------- net ----------------
TEST(Net, ChecksumOfTextbookHeader) {
  // Well-known example header: 192.168.0.1 -> 192.168.0.199, UDP, total length 115, checksum b861.
  const auto h = sf::test::hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
  EXPECT_TRUE(net::ipv4_checksum_ok(h.data(), 20));
  net::UdpFrameSpec s;
  s.src_ip = net::ipv4(192, 168, 0, 1);
  s.dst_ip = net::ipv4(192, 168, 0, 199);
  s.ip_id = 0;
  s.ttl = 64;
  std::vector<uint8_t> f(14 + 115, 0);
  ASSERT_EQ(net::write_udp_headers(f.data(), s, 115 - 28), 42u);
  EXPECT_EQ(std::vector<uint8_t>(f.begin() + 14, f.begin() + 34), h);
  EXPECT_EQ(f[12], 0x08);
  EXPECT_EQ(f[13], 0x00);
}

TEST(Net, PlainFrame) {
  const Bytes f = frame({1, 2, 3});
  net::UdpDatagram d;
  ASSERT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kOk);
  EXPECT_EQ(d.src_ip, 0x0A000001u);
  EXPECT_EQ(d.dst_ip, 0xE9360C6Fu);
  EXPECT_EQ(d.src_port, 49653);
  EXPECT_EQ(d.dst_port, 26477);
  EXPECT_EQ(d.vlan_tags, 0);
  ASSERT_EQ(d.payload_length, 3u);
  EXPECT_EQ(d.payload[2], 3);
  EXPECT_EQ(d.payload, f.data() + 42);
}

TEST(Net, Vlan8021Q) {
  const Bytes f = frame({9}, 26477, {0x8100});
  net::UdpDatagram d;
  ASSERT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kOk);
  EXPECT_EQ(d.vlan_tags, 1);
  EXPECT_EQ(d.vlan_id, 100);
  EXPECT_EQ(d.payload, f.data() + 46);
}

TEST(Net, QinQOuter88a8) {
  const Bytes f = frame({9}, 26477, {0x88a8, 0x8100});
  net::UdpDatagram d;
  ASSERT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kOk);
  EXPECT_EQ(d.vlan_tags, 2);
  EXPECT_EQ(d.vlan_id, 101);  // innermost
  EXPECT_EQ(d.payload, f.data() + 50);
}

TEST(Net, ThreeTagsRejected) {
  const Bytes f = frame({9}, 26477, {0x88a8, 0x8100, 0x8100});
  net::UdpDatagram d;
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kNotIpv4);
}

TEST(Net, IhlWithOptions) {
  const Bytes f = frame({7, 7}, 26477, {}, 6);
  net::UdpDatagram d;
  ASSERT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kOk);
  EXPECT_EQ(d.ip_header_length, 24);
  EXPECT_EQ(d.payload, f.data() + 14 + 24 + 8);
  EXPECT_EQ(d.payload_length, 2u);
}

TEST(Net, IhlBelowFive) {
  Bytes f = frame({1});
  f.v[14] = 0x44;
  net::UdpDatagram d;
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kBadIpHeader);
}

TEST(Net, IhlBeyondFrame) {
  Bytes f = frame({});
  f.v[14] = 0x4f;  // 60-byte header, frame has 28 bytes of IP
  net::UdpDatagram d;
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kBadIpLength);
}

TEST(Net, Fragments) {
  net::UdpDatagram d;
  for (uint16_t ff : {0x2000, 0x0001, 0x2010, 0x1fff}) {  // MF; offset; both
    Bytes f = frame({1, 2});
    f.v[20] = static_cast<uint8_t>(ff >> 8);
    f.v[21] = static_cast<uint8_t>(ff);
    EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kFragment) << ff;
  }
  Bytes f = frame({1, 2});
  f.v[20] = 0x40;  // DF only: fine
  f.v[21] = 0;
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kOk);
}

TEST(Net, BadIpLengths) {
  net::UdpDatagram d;
  Bytes f = frame({1, 2, 3});
  f.v[16] = 0x01;  // total length 256+ > frame
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kBadIpLength);
  f = frame({1, 2, 3});
  f.v[16] = 0;
  f.v[17] = 19;  // total < IHL
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kBadIpLength);
  f = frame({1, 2, 3});
  f.v.resize(14 + 10);  // IP header cut
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kBadIpLength);
}

TEST(Net, EthernetPaddingIgnored) {
  Bytes f = frame({5});
  f.v.resize(60, 0);  // minimum Ethernet frame, padded
  net::UdpDatagram d;
  ASSERT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kOk);
  EXPECT_EQ(d.payload_length, 1u);
}

TEST(Net, NotUdp) {
  Bytes f = frame({1});
  f.v[23] = 6;  // TCP
  net::UdpDatagram d;
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kNotUdp);
}

TEST(Net, BadUdpLengths) {
  net::UdpDatagram d;
  Bytes f = frame({1, 2});
  f.v[38] = 0;
  f.v[39] = 7;  // < 8
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kBadUdpLength);
  f = frame({1, 2});
  f.v[39] = 11;  // > IP payload (10)
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kBadUdpLength);
  f = frame({});
  f.v[16] = 0;
  f.v[17] = 24;  // IP payload of 4 bytes: no room for a UDP header
  f.v.resize(14 + 24);
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kBadUdpLength);
}

TEST(Net, NotIpv4) {
  net::UdpDatagram d;
  Bytes f = frame({1});
  f.v[12] = 0x86;
  f.v[13] = 0xdd;  // IPv6 EtherType
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kNotIpv4);
  f = frame({1});
  f.v[14] = 0x65;  // version 6 under an IPv4 EtherType
  EXPECT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kNotIpv4);
}

TEST(Net, EveryTruncationIsAnErrorNotACrash) {
  const Bytes full = frame({1, 2, 3, 4}, 26477, {0x88a8, 0x8100}, 6);
  net::UdpDatagram d;
  for (std::size_t n = 0; n < full.size(); ++n) {
    std::vector<uint8_t> cut(full.v.begin(), full.v.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_NE(net::parse_udp(cut.data(), n, d), net::Error::kOk) << n;
  }
  EXPECT_EQ(net::parse_udp(full.data(), full.size(), d), net::Error::kOk);
  EXPECT_EQ(net::parse_udp(full.data(), 0, d), net::Error::kTruncatedFrame);
  EXPECT_EQ(net::parse_udp(full.data(), 13, d), net::Error::kTruncatedFrame);
}

TEST(Net, BuilderRoundTripWithVlanAndUdpChecksum) {
  net::UdpFrameSpec s;
  s.dst_mac = net::multicast_mac(0xE9360C6F);
  EXPECT_EQ(s.dst_mac, (net::Mac{0x01, 0x00, 0x5e, 0x36, 0x0c, 0x6f}));
  s.src_ip = 0x0A000002;
  s.dst_ip = 0xE9360C6F;
  s.src_port = 1;
  s.dst_port = 26477;
  s.has_vlan = true;
  s.vlan_id = 42;
  s.udp_checksum = true;
  const std::vector<uint8_t> payload = {1, 2, 3, 4, 5};  // odd length: checksum pads
  uint8_t buf[128];
  const std::size_t n = net::build_udp_frame(buf, sizeof buf, s, payload.data(), payload.size());
  ASSERT_EQ(n, 14 + 4 + 20 + 8 + 5u);
  net::UdpDatagram d;
  ASSERT_EQ(net::parse_udp(buf, n, d), net::Error::kOk);
  EXPECT_EQ(d.vlan_id, 42);
  EXPECT_TRUE(net::ipv4_checksum_ok(buf + 18, 20));
  EXPECT_TRUE(net::udp_checksum_ok(d));
  EXPECT_NE(sf::proto::load_be16(buf + 18 + 20 + 6), 0);
  buf[n - 1] ^= 0xff;
  EXPECT_FALSE(net::udp_checksum_ok(d));
  EXPECT_EQ(net::build_udp_frame(buf, 40, s, payload.data(), payload.size()), 0u);  // does not fit
  // A payload length so large that headers + payload wraps around size_t must not pass the check.
  EXPECT_EQ(net::build_udp_frame(buf, sizeof buf, s, payload.data(), SIZE_MAX - 20), 0u);
}

// ---------------- MoldUDP64 ----------------
TEST(Mold, GoldenDataPacket) {
  const Bytes p = mold_packet();
  ASSERT_EQ(p.size(), 20u + 2 + 12 + 2 + 19);
  mold::PacketView v;
  ASSERT_EQ(mold::parse(p.data(), p.size(), v), mold::Error::kOk);
  EXPECT_EQ(v.session(), "SESSION001");
  EXPECT_EQ(v.sequence(), 1000u);
  EXPECT_EQ(v.kind(), mold::Kind::kData);
  EXPECT_EQ(v.message_count(), 2);
  EXPECT_EQ(v.next_sequence(), 1002u);
  std::vector<std::pair<uint64_t, char>> seen;
  for (const mold::Block b : v) seen.emplace_back(b.sequence, static_cast<char>(b.data[0]));
  EXPECT_EQ(seen, (std::vector<std::pair<uint64_t, char>>{{1000, 'S'}, {1001, 'D'}}));
}

TEST(Mold, BuilderReproducesGolden) {
  const Bytes golden = mold_packet();
  uint8_t buf[128];
  mold::PacketBuilder pb(buf, sizeof buf, "SESSION001", 1000);
  ASSERT_TRUE(pb.add(golden.data() + 22, 12));
  ASSERT_TRUE(pb.add(golden.data() + 36, 19));
  ASSERT_EQ(pb.finish(), golden.size());
  EXPECT_EQ(std::vector<uint8_t>(buf, buf + golden.size()), golden.v);
  mold::PacketBuilder small(buf, 40, "S", 1);
  EXPECT_TRUE(small.add(golden.data() + 22, 12));
  EXPECT_FALSE(small.add(golden.data() + 36, 19));  // 20+14+21 > 40
  EXPECT_EQ(small.count(), 1);
}

namespace {
// A heartbeat and an end-of-session packet are the same 20-byte header without blocks, told apart
// by the count field: `encode` must write exactly `p` (header with `count`), which parses as `kind`.
void check_empty_packet(uint16_t count, std::size_t (*encode)(uint8_t*, std::string_view, uint64_t),
                        mold::Kind kind, Bytes& p, mold::PacketView& v) {
  p.a("SESSION001", 10).u64(5000).u16(count);
  uint8_t buf[20];
  ASSERT_EQ(encode(buf, "SESSION001", 5000), 20u);
  EXPECT_EQ(std::vector<uint8_t>(buf, buf + 20), p.v);
  ASSERT_EQ(mold::parse(p.data(), p.size(), v), mold::Error::kOk);
  EXPECT_EQ(v.kind(), kind);
  EXPECT_EQ(v.message_count(), 0);
  EXPECT_EQ(v.next_sequence(), 5000u);
}
}  // namespace

TEST(Mold, Heartbeat) {
  Bytes p;
  mold::PacketView v;
  ASSERT_NO_FATAL_FAILURE(check_empty_packet(0, mold::encode_heartbeat, mold::Kind::kHeartbeat, p, v));
  EXPECT_EQ(v.begin(), v.end());
}

TEST(Mold, EndOfSession) {
  Bytes p;
  mold::PacketView v;
  ASSERT_NO_FATAL_FAILURE(
      check_empty_packet(0xFFFF, mold::encode_end_of_session, mold::Kind::kEndOfSession, p, v));
  p.u16(0);  // end of session carries no blocks
  EXPECT_EQ(mold::parse(p.data(), p.size(), v), mold::Error::kTrailingBytes);
}

TEST(Mold, ReRequest) {
  Bytes p;
  p.a("SESSION001", 10).u64(123456789).u16(42);
  uint8_t buf[20];
  ASSERT_EQ(mold::encode_request(buf, "SESSION001", 123456789, 42), 20u);
  EXPECT_EQ(std::vector<uint8_t>(buf, buf + 20), p.v);
  mold::Request r;
  ASSERT_EQ(mold::parse_request(p.data(), p.size(), r), mold::Error::kOk);
  EXPECT_EQ(r.session_view(), "SESSION001");
  EXPECT_EQ(r.sequence, 123456789u);
  EXPECT_EQ(r.count, 42);
  EXPECT_EQ(mold::parse_request(p.data(), 19, r), mold::Error::kTruncated);
  p.u8(0);
  EXPECT_EQ(mold::parse_request(p.data(), p.size(), r), mold::Error::kTrailingBytes);
}

TEST(Mold, SessionPaddedWithSpaces) {
  uint8_t buf[20];
  mold::encode_heartbeat(buf, "AB", 1);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 10), "AB        ");
}

TEST(Mold, Malformed) {
  const Bytes good = mold_packet();
  mold::PacketView v;
  for (std::size_t n = 0; n < 20; ++n)
    EXPECT_EQ(mold::parse(good.data(), n, v), mold::Error::kTruncated) << n;
  EXPECT_EQ(mold::parse(good.data(), 21, v), mold::Error::kBadBlockLength);  // half a length prefix
  for (std::size_t n = 22; n < good.size(); ++n)
    EXPECT_EQ(mold::parse(good.data(), n, v), mold::Error::kBadBlockLength) << n;
  Bytes more = good;
  more.v[19] = 3;  // claims three blocks
  EXPECT_EQ(mold::parse(more.data(), more.size(), v), mold::Error::kBadBlockLength);
  Bytes fewer = good;
  fewer.v[19] = 1;  // claims one block: the second is trailing garbage
  EXPECT_EQ(mold::parse(fewer.data(), fewer.size(), v), mold::Error::kTrailingBytes);
  Bytes huge = good;
  huge.v[20] = 0xff;  // first block length 65292
  EXPECT_EQ(mold::parse(huge.data(), huge.size(), v), mold::Error::kBadBlockLength);
}

// ---------------- feed frame ----------------
TEST(Feed, DecodesMessagesInSequenceOrder) {
  const Bytes f = frame(mold_packet().v);
  feed::PacketInfo info;
  std::vector<std::pair<uint64_t, std::size_t>> got;
  ASSERT_EQ(
      feed::decode_frame(f.data(), f.size(), 26477, info,
                         [&](uint64_t seq, const uint8_t*, std::size_t len) { got.emplace_back(seq, len); }),
      feed::Error::kOk);
  EXPECT_EQ(got, (std::vector<std::pair<uint64_t, std::size_t>>{{1000, 12}, {1001, 19}}));
  EXPECT_EQ(info.kind(), mold::Kind::kData);
  EXPECT_EQ(info.next_sequence(), 1002u);
  EXPECT_EQ(info.udp.dst_port, 26477);
}

TEST(Feed, WrongPortAndNetworkReasons) {
  const Bytes f = frame(mold_packet().v, 26478);
  feed::PacketInfo info;
  int calls = 0;
  auto cb = [&](uint64_t, const uint8_t*, std::size_t) { ++calls; };
  EXPECT_EQ(feed::decode_frame(f.data(), f.size(), 26477, info, cb), feed::Error::kWrongPort);
  EXPECT_EQ(feed::decode_frame(f.data(), 10, 26477, info, cb), feed::Error::kTruncatedFrame);
  Bytes tcp = frame(mold_packet().v);
  tcp.v[23] = 6;
  EXPECT_EQ(feed::decode_frame(tcp.data(), tcp.size(), 26477, info, cb), feed::Error::kNotUdp);
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(feed::is_feed_error(feed::Error::kWrongPort));
  EXPECT_TRUE(feed::is_feed_error(feed::Error::kMoldTruncated));
}

TEST(Feed, AllOrNothingOnBadItch) {
  int calls = 0;
  auto cb = [&](uint64_t, const uint8_t*, std::size_t) { ++calls; };
  feed::PacketInfo info;
  Bytes p = mold_packet();
  p.v[36] = 'z';  // second message: unknown type
  Bytes f = frame(p.v);
  EXPECT_EQ(feed::decode_frame(f.data(), f.size(), 26477, info, cb), feed::Error::kItchUnknownType);
  p = mold_packet();
  p.v[35] = 18;  // second block length 18 (D needs 19) and one trailing byte
  f = frame(p.v);
  EXPECT_EQ(feed::decode_frame(f.data(), f.size(), 26477, info, cb), feed::Error::kMoldTrailingBytes);
  Bytes q;
  q.a("S", 10).u64(1).u16(2).u16(12).itch('S', 0, 0, 1).c('O').u16(0);  // empty block
  f = frame(q.v);
  EXPECT_EQ(feed::decode_frame(f.data(), f.size(), 26477, info, cb), feed::Error::kItchEmpty);
  Bytes r;
  r.a("S", 10).u64(1).u16(1).u16(13).itch('S', 0, 0, 1).c('O').c('X');  // S with 13 bytes
  f = frame(r.v);
  EXPECT_EQ(feed::decode_frame(f.data(), f.size(), 26477, info, cb), feed::Error::kItchBadLength);
  f = frame(std::vector<uint8_t>(10, 0));
  EXPECT_EQ(feed::decode_frame(f.data(), f.size(), 26477, info, cb), feed::Error::kMoldTruncated);
  EXPECT_EQ(calls, 0);  // the valid first message of a bad packet was never delivered
}

// validate_mold_itch checks framing and ITCH in one walk; the reason must still be the framing error
// anywhere in the packet first, then the first bad ITCH block (as if checked in that order).
TEST(Feed, FramingReasonFirstThenFirstBadItchBlock) {
  mold::PacketView v;
  Bytes p = mold_packet();
  p.v[22] = 'z';  // first message: unknown type ...
  p.v[19] = 3;    // ... and the header claims a third block that is not there
  EXPECT_EQ(feed::validate_mold_itch(p.data(), p.size(), v), feed::Error::kMoldBadBlockLength);
  p = mold_packet();
  p.v[22] = 'z';  // unknown type, then a short second block with a trailing byte
  p.v[35] = 18;
  EXPECT_EQ(feed::validate_mold_itch(p.data(), p.size(), v), feed::Error::kMoldTrailingBytes);
  p = mold_packet();
  p.v[22] = 'z';  // first block unknown type, second block 'S' with 19 bytes (bad length)
  p.v[36] = 'S';
  EXPECT_EQ(feed::validate_mold_itch(p.data(), p.size(), v), feed::Error::kItchUnknownType);
  p = mold_packet();
  p.v[22] = 'D';  // first block 'D' with 12 bytes (bad length), second block unknown type
  p.v[36] = 'z';
  EXPECT_EQ(feed::validate_mold_itch(p.data(), p.size(), v), feed::Error::kItchBadLength);
  p = mold_packet();
  EXPECT_EQ(feed::validate_mold_itch(p.data(), p.size(), v), feed::Error::kOk);
}

// decode_payload() delivers from offsets recorded while validating, up to kMaxIndexedMessages a packet,
// and walks the blocks again for larger (jumbo) packets: both must deliver the same sequence.
TEST(Feed, IndexedAndWalkedDeliveryAgree) {
  for (const std::size_t count :
       {std::size_t{1}, feed::kMaxIndexedMessages, feed::kMaxIndexedMessages + 1, std::size_t{300}}) {
    Bytes b;
    b.a("S", 10).u64(500).u16(static_cast<uint16_t>(count));
    for (std::size_t i = 0; i < count; ++i) {
      if (i % 2) {
        b.u16(19).itch('D', 7, 0, i).u64(i);
      } else {
        b.u16(12).itch('S', 0, 0, i).c('O');
      }
    }
    mold::PacketView v;
    std::vector<std::pair<uint64_t, std::size_t>> got;
    ASSERT_EQ(feed::decode_payload(b.data(), b.size(), v,
                                   [&](uint64_t seq, const uint8_t* m, std::size_t len) {
                                     got.emplace_back(seq, len);
                                     EXPECT_EQ(sf::itch::MessageView(m).timestamp(), seq - 500);
                                   }),
              feed::Error::kOk);
    ASSERT_EQ(got.size(), count);
    for (std::size_t i = 0; i < count; ++i)
      EXPECT_EQ(got[i], (std::pair<uint64_t, std::size_t>{500 + i, i % 2 ? 19 : 12})) << count << " " << i;
  }
}

TEST(Feed, HeartbeatAndEndOfSessionAreOk) {
  uint8_t hb[20];
  mold::encode_heartbeat(hb, "S", 77);
  const Bytes f = frame(std::vector<uint8_t>(hb, hb + 20));
  feed::PacketInfo info;
  int calls = 0;
  EXPECT_EQ(feed::decode_frame(f.data(), f.size(), 26477, info,
                               [&](uint64_t, const uint8_t*, std::size_t) { ++calls; }),
            feed::Error::kOk);
  EXPECT_EQ(info.kind(), mold::Kind::kHeartbeat);
  EXPECT_EQ(info.next_sequence(), 77u);
  EXPECT_EQ(calls, 0);
}

TEST(Feed, ReasonNamesAreUniqueAndLabelled) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < feed::kErrorCount; ++i)
    names.insert(feed::to_string(static_cast<feed::Error>(i)));
  EXPECT_EQ(names.size(), feed::kErrorCount);
  EXPECT_EQ(names.count("invalid"), 0u);
}

// #16: one rule for every reader: a frame longer than one mbuf's data room is frame_too_long, not decoded.
TEST(Feed, FrameLongerThanTheRuleIsDroppedByName) {
  std::vector<uint8_t> f(feed::kMaxFrameBytes + 1, 0);
  feed::PacketInfo info;
  EXPECT_EQ(feed::decode_frame(f.data(), f.size(), 26477, info, [](uint64_t, const uint8_t*, std::size_t) {}),
            feed::Error::kFrameTooLong);
  EXPECT_EQ(feed::to_string(feed::Error::kFrameTooLong), "frame_too_long");
  EXPECT_FALSE(feed::is_feed_error(feed::Error::kFrameTooLong));
}

TEST(Feed, ReasonNamesAreTheContractLabels) {
  const std::vector<std::string_view> expected = {"ok",
                                                  "truncated_frame",
                                                  "not_ipv4",
                                                  "bad_ip_header",
                                                  "bad_ip_length",
                                                  "fragment",
                                                  "not_udp",
                                                  "bad_udp_length",
                                                  "wrong_port",
                                                  "mold_truncated",
                                                  "mold_bad_block_length",
                                                  "mold_trailing_bytes",
                                                  "itch_empty",
                                                  "itch_unknown_type",
                                                  "itch_bad_length",
                                                  "frame_too_long"};
  ASSERT_EQ(expected.size(), feed::kErrorCount);
  for (std::size_t i = 0; i < feed::kErrorCount; ++i)
    EXPECT_EQ(feed::to_string(static_cast<feed::Error>(i)), expected[i]) << i;
  EXPECT_EQ(feed::to_string(feed::Error::kCount_), "invalid");
  EXPECT_EQ(feed::from_net(net::Error::kFragment), feed::Error::kFragment);
  EXPECT_EQ(feed::from_mold(mold::Error::kOk), feed::Error::kOk);
  EXPECT_EQ(feed::from_mold(mold::Error::kTruncated), feed::Error::kMoldTruncated);
  EXPECT_EQ(feed::from_mold(mold::Error::kTrailingBytes), feed::Error::kMoldTrailingBytes);
}
