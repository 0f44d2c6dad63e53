// transport "none": the synthetic SoupBinTCP stream's frames parse as TCP with valid checksums and
// consistent sequence numbers, and the TX-capture decoder reads its orders back once each, whether a
// segment is repeated or a SoupBinTCP packet is split across segments.
#include "sniperforge/dataplane/replay_order_stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

#include "sniperforge/dataplane/tx_capture.hpp"

namespace sf::dataplane {
namespace {

trade::OrderRequest order(uint32_t urn) {
  trade::OrderRequest r;
  r.trigger_seq = 1000 + urn;
  r.price = 200500;
  r.shares = 100;
  r.user_ref_num = urn;
  r.symbol = {'S', 'F', '0', '0', '0', '1', ' ', ' '};
  return r;
}

using Frame = std::vector<uint8_t>;

// The [order_session] of transport "none" (the only one that writes this stream), as the session layer
// parses `transport = "none"`, `local_ip = "10.9.0.1"`, `venue = "10.9.0.2:15000"`.
OrderSessionConfig transport_none() {
  OrderSessionConfig c;
  c.soupbintcp.transport = sf::order_session::TransportKind::kNone;
  c.soupbintcp.local_ip = {10, 9, 0, 1};
  c.soupbintcp.venue_ip = {10, 9, 0, 2};
  c.soupbintcp.venue_port = 15000;
  return c;
}

Frame handshake(ReplayOrderStream& s, unsigned i) {
  Frame f(kReplayHandshakeFrameLength);
  f.resize(s.handshake(i, f.data()));
  return f;
}

TEST(ReplayOrderStream, HandshakeThenOrdersWithConsistentSequenceNumbers) {
  const OrderSessionConfig c = transport_none();
  ReplayOrderStream s(c, 1);
  net::TcpSegment syn, synack, ack;
  const Frame f0 = handshake(s, 0), f1 = handshake(s, 1), f2 = handshake(s, 2);
  ASSERT_EQ(net::parse_tcp_frame(f0.data(), f0.size(), syn), net::TcpParseError::kOk);
  ASSERT_EQ(net::parse_tcp_frame(f1.data(), f1.size(), synack), net::TcpParseError::kOk);
  ASSERT_EQ(net::parse_tcp_frame(f2.data(), f2.size(), ack), net::TcpParseError::kOk);
  EXPECT_EQ(f0.size(), kReplayHandshakeFrameLength);
  EXPECT_EQ(syn.flags, net::tcp_flag::kSyn);
  EXPECT_EQ(syn.mss, 1460);
  EXPECT_EQ(syn.src_port, c.src_port + 1);        // shard 1
  EXPECT_EQ(syn.src_ip, net::ipv4(10, 9, 0, 1));  // local_ip
  EXPECT_EQ(syn.dst_ip, net::ipv4(10, 9, 0, 2));  // venue
  EXPECT_EQ(syn.dst_port, 15000);
  EXPECT_EQ(syn.payload_length, 0u);
  EXPECT_EQ(synack.flags, net::tcp_flag::kSyn | net::tcp_flag::kAck);
  EXPECT_EQ(synack.ack, syn.seq + 1);
  EXPECT_EQ(synack.src_port, 15000);
  EXPECT_EQ(synack.src_ip, net::ipv4(10, 9, 0, 2));
  EXPECT_EQ(ack.flags, net::tcp_flag::kAck);
  EXPECT_EQ(ack.seq, syn.seq + 1);
  EXPECT_EQ(ack.ack, synack.seq + 1);

  uint32_t expect_seq = syn.seq + 1;
  for (uint32_t urn = 1; urn <= 3; ++urn) {
    std::array<uint8_t, kReplayOrderFrameLength> f{};
    const uint8_t* ouch = nullptr;
    ASSERT_EQ(s.enter_order(f.data(), order(urn), ouch), f.size());
    net::TcpSegment seg;
    ASSERT_EQ(net::parse_tcp_frame(f.data(), f.size(), seg), net::TcpParseError::kOk);
    EXPECT_EQ(seg.seq, expect_seq);
    EXPECT_EQ(seg.ack, synack.seq + 1);
    ASSERT_EQ(seg.payload_length, kOrderPayloadLength);
    EXPECT_EQ(seg.payload[2], 'U');
    EXPECT_EQ(ouch, seg.payload + kSessionHeaderLength);
    EXPECT_EQ(ouch::inbound::validate(ouch, kEnterOrderLength), ouch::Error::kOk);
    expect_seq += static_cast<uint32_t>(kOrderPayloadLength);
  }
  std::array<uint8_t, kReplayCancelFrameLength> x{};
  ASSERT_EQ(s.cancel_order(x.data(), 2, 0), x.size());
  net::TcpSegment seg;
  ASSERT_EQ(net::parse_tcp_frame(x.data(), x.size(), seg), net::TcpParseError::kOk);
  EXPECT_EQ(seg.seq, expect_seq);
  EXPECT_EQ(seg.payload[3], 'X');
  EXPECT_EQ(s.next_seq(), expect_seq + kCancelPayloadLength);
}

// The frames' MACs: ours fixed, the venue's `gateway_mac` when configured, else fixed (no key of the
// retired UDP session is read: the config has none left).
TEST(ReplayOrderStream, MacsAreFixedOrTheGatewayMac) {
  OrderSessionConfig c = transport_none();
  ReplayOrderStream plain(c, 0);
  Frame f = handshake(plain, 0);
  EXPECT_TRUE(std::equal(kReplayVenueMac.begin(), kReplayVenueMac.end(), f.begin()));      // destination
  EXPECT_TRUE(std::equal(kReplayLocalMac.begin(), kReplayLocalMac.end(), f.begin() + 6));  // source
  c.soupbintcp.gateway_mac = net::Mac{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
  ReplayOrderStream gw(c, 0);
  f = handshake(gw, 0);
  EXPECT_TRUE(std::equal(c.soupbintcp.gateway_mac->begin(), c.soupbintcp.gateway_mac->end(), f.begin()));
}

TEST(TxCaptureDecoder, ReadsEachOrderOnceAcrossRepeatsAndSplits) {
  ReplayOrderStream s(transport_none(), 0);
  std::vector<Frame> frames = {handshake(s, 0), handshake(s, 1), handshake(s, 2)};
  for (uint32_t urn = 1; urn <= 4; ++urn) {
    Frame f(kReplayOrderFrameLength);
    const uint8_t* ouch = nullptr;
    (void)s.enter_order(f.data(), order(urn), ouch);
    frames.push_back(f);
  }
  frames.push_back(frames[4]);  // a retransmission of order 2
  std::vector<uint32_t> urns;
  TxCaptureDecoder d;
  for (const Frame& f : frames)
    d.frame(f.data(), f.size(), [&](std::span<const uint8_t> m) {
      ASSERT_EQ(ouch::inbound::validate(m.data(), m.size()), ouch::Error::kOk);
      urns.push_back(ouch::inbound::views::EnterOrder(m.data(), m.size()).user_ref_num());
    });
  EXPECT_EQ(urns, (std::vector<uint32_t>{1, 2, 3, 4}));
  EXPECT_EQ(d.counts().messages, 4u);
  EXPECT_EQ(d.counts().skipped, 4u);  // three handshake frames and the repeat

  // Order 5's segment cut in two (as a real TCP may): one message, once both halves are in.
  Frame f(kReplayOrderFrameLength);
  const uint8_t* ouch = nullptr;
  (void)s.enter_order(f.data(), order(5), ouch);
  net::TcpSegment seg;
  ASSERT_EQ(net::parse_tcp_frame(f.data(), f.size(), seg), net::TcpParseError::kOk);
  auto half = [&](std::size_t from, std::size_t n) {
    net::OutSegment o;
    o.src_ip = seg.src_ip;
    o.dst_ip = seg.dst_ip;
    o.src_port = seg.src_port;
    o.dst_port = seg.dst_port;
    o.seq = seg.seq + static_cast<uint32_t>(from);
    o.ack = seg.ack;
    o.flags = seg.flags;
    o.payload = seg.payload + from;
    o.payload_length = n;
    Frame h(200);
    h.resize(net::build_tcp_frame(h.data(), h.size(), net::L2Spec{}, o));
    return h;
  };
  const Frame a = half(0, 20), b = half(20, seg.payload_length - 20);
  urns.clear();
  auto collect = [&](std::span<const uint8_t> m) {
    urns.push_back(ouch::inbound::views::EnterOrder(m.data(), m.size()).user_ref_num());
  };
  d.frame(a.data(), a.size(), collect);
  EXPECT_TRUE(urns.empty());
  d.frame(b.data(), b.size(), collect);
  EXPECT_EQ(urns, (std::vector<uint32_t>{5}));
}

TEST(TxCaptureDecoder, SkipsTheRetiredUdpOrderSession) {
  // A 'U' packet with an Enter Order in a UDP datagram (the retired UDP session's frame): not ours.
  std::array<uint8_t, kOrderPayloadLength> payload{};
  write_unsequenced_header(payload.data(), kEnterOrderLength);
  encode_enter_order(payload.data() + kSessionHeaderLength, order(9));
  std::array<uint8_t, 256> f{};
  const std::size_t n =
      net::build_udp_frame(f.data(), f.size(), net::UdpFrameSpec{}, payload.data(), payload.size());
  ASSERT_GT(n, 0u);
  TxCaptureDecoder d;
  d.frame(f.data(), n, [&](std::span<const uint8_t>) { ADD_FAILURE() << "a UDP frame delivered an order"; });
  EXPECT_EQ(d.counts().messages, 0u);
  EXPECT_EQ(d.counts().skipped, 1u);
}

}  // namespace
}  // namespace sf::dataplane
