// The OUCH 5.0 orders every transport sends (dataplane/ouch_order.hpp).
#include "sniperforge/dataplane/ouch_order.hpp"

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

// One SoupBinTCP Unsequenced Data packet: u16 length (type + message), 'U', the OUCH message, read back
// with the proto layer's parsers.
TEST(OuchOrder, EnterOrderDecodesWithTheProtocolParsers) {
  std::array<uint8_t, kOrderPayloadLength> p{};
  write_unsequenced_header(p.data(), kEnterOrderLength);
  encode_enter_order(p.data() + kSessionHeaderLength, sample());
  EXPECT_EQ(proto::load_be16(p.data()), kEnterOrderLength + 1);
  EXPECT_EQ(p[2], soupbintcp::type::kUnsequencedData);
  const uint8_t* msg = p.data() + kSessionHeaderLength;
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

TEST(OuchOrder, CancelOrderDecodesWithTheProtocolParsers) {
  std::array<uint8_t, kCancelPayloadLength> p{};
  write_unsequenced_header(p.data(), kCancelOrderLength);
  encode_cancel_order(p.data() + kSessionHeaderLength, {77, 0, 0});
  EXPECT_EQ(proto::load_be16(p.data()), kCancelOrderLength + 1);
  const uint8_t* msg = p.data() + kSessionHeaderLength;
  ASSERT_EQ(ouch::inbound::validate(msg, kCancelOrderLength), ouch::Error::kOk);
  EXPECT_EQ(msg[0], 'X');
  EXPECT_EQ(proto::load_be32(msg + 1), 77u);  // UserRefNum
  EXPECT_EQ(proto::load_be32(msg + 5), 0u);   // quantity 0: cancel what is left
}

TEST(OuchOrder, ClOrdIdParsing) {
  uint64_t s = 0;
  EXPECT_TRUE(trigger_seq_from_cl_ord_id("00000000000042", s));
  EXPECT_EQ(s, 42u);
  EXPECT_FALSE(trigger_seq_from_cl_ord_id("0000000000004x", s));
  EXPECT_FALSE(trigger_seq_from_cl_ord_id("42", s));
}

}  // namespace
}  // namespace sf::dataplane
