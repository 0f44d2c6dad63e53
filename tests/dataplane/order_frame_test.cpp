#include "sniperforge/dataplane/order_frame.hpp"

#include <gtest/gtest.h>

#include <array>

namespace sf::dataplane {
namespace {

trade::OrderRequest sample() {
  trade::OrderRequest r;
  r.trigger_seq = 123456;
  r.price = 200500;
  r.shares = 100;
  r.user_ref_num = 77;
  r.side = 'B';
  r.tif = trade::kTifIoc;
  r.symbol = {'S', 'F', '0', '0', '0', '0', ' ', ' '};
  return r;
}

TEST(OrderFrame, DecodesWithTheProtocolParsers) {
  OrderSessionConfig c;
  const OrderFrameTemplate t(c, 1, true);
  std::array<uint8_t, kOrderFrameLength> f{};
  t.build(f.data(), sample());

  net::UdpDatagram udp;
  ASSERT_EQ(net::parse_udp(f.data(), f.size(), udp), net::Error::kOk);
  EXPECT_EQ(udp.src_port, c.src_port + 1);  // shard 1's session
  EXPECT_EQ(udp.dst_port, c.dst_port);
  EXPECT_EQ(udp.dst_ip, net::ipv4(10, 0, 0, 2));
  EXPECT_TRUE(net::ipv4_checksum_ok(f.data() + net::kEthernetHeaderLength, 20));
  EXPECT_TRUE(net::udp_checksum_ok(udp));

  // One SoupBinTCP Unsequenced Data packet: u16 length (type + message), 'U', the OUCH message.
  ASSERT_EQ(udp.payload_length, kOrderPayloadLength);
  EXPECT_EQ(proto::load_be16(udp.payload), kEnterOrderLength + 1);
  EXPECT_EQ(udp.payload[2], soupbintcp::type::kUnsequencedData);
  const uint8_t* msg = udp.payload + kSessionHeaderLength;
  ASSERT_EQ(ouch::inbound::validate(msg, kEnterOrderLength), ouch::Error::kOk);
  const ouch::inbound::views::EnterOrder o(msg, kEnterOrderLength);
  EXPECT_EQ(o.user_ref_num(), 77u);
  EXPECT_EQ(o.side(), 'B');
  EXPECT_EQ(o.quantity(), 100u);
  EXPECT_EQ(o.symbol(), "SF0000  ");
  EXPECT_EQ(o.price(), 200500u);
  EXPECT_EQ(o.time_in_force(), trade::kTifIoc);
  uint64_t seq = 0;
  ASSERT_TRUE(trigger_seq_from_cl_ord_id(o.cl_ord_id(), seq));
  EXPECT_EQ(seq, 123456u);
}

TEST(OrderFrame, ChecksumChangesWithTheOrder) {
  const OrderFrameTemplate t(OrderSessionConfig{}, 0, true);
  std::array<uint8_t, kOrderFrameLength> a{}, b{};
  auto r = sample();
  t.build(a.data(), r);
  r.user_ref_num = 78;
  t.build(b.data(), r);
  net::UdpDatagram ua, ub;
  ASSERT_EQ(net::parse_udp(a.data(), a.size(), ua), net::Error::kOk);
  ASSERT_EQ(net::parse_udp(b.data(), b.size(), ub), net::Error::kOk);
  EXPECT_TRUE(net::udp_checksum_ok(ua));
  EXPECT_TRUE(net::udp_checksum_ok(ub));
}

TEST(OrderFrame, ClOrdIdParsing) {
  uint64_t s = 0;
  EXPECT_TRUE(trigger_seq_from_cl_ord_id("00000000000042", s));
  EXPECT_EQ(s, 42u);
  EXPECT_FALSE(trigger_seq_from_cl_ord_id("0000000000004x", s));
  EXPECT_FALSE(trigger_seq_from_cl_ord_id("42", s));
}

}  // namespace
}  // namespace sf::dataplane
