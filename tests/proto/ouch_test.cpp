// OUCH 5.0 golden vectors (every inbound and outbound message, written field by field from the
// OUCH 5.0 specification), appendage TagValues, malformed cases.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bytes.hpp"
#include "sniperforge/proto/ouch.hpp"

using sf::test::Bytes;
namespace ouch = sf::ouch;
namespace in = sf::ouch::inbound;
namespace out = sf::ouch::outbound;

namespace {
constexpr uint64_t kTs = 34'200'000'000'123ull;

// Checks validate(), the typed struct round trip (encode reproduces the golden bytes) and that
// visit() picks View.
template <class Dir, class View, class Msg>
View check(const Bytes& b, std::size_t fixed_len, std::span<const uint8_t> appendage = {}) {
  EXPECT_EQ(View::kFixedLength, fixed_len);
  EXPECT_EQ(Dir::validate(b.data(), b.size()), ouch::Error::kOk);
  View v{b.data(), b.size()};
  const Msg m = Msg::from(v);
  uint8_t buf[256] = {};
  const std::size_t n = m.encode(buf, appendage);
  EXPECT_EQ(std::vector<uint8_t>(buf, buf + n), b.v);
  const bool same = Dir::visit(b.data(), b.size(), [](auto w) { return std::is_same_v<decltype(w), View>; });
  EXPECT_TRUE(same);
  return v;
}
struct In {
  static ouch::Error validate(const uint8_t* p, std::size_t n) { return in::validate(p, n); }
  template <class F>
  static decltype(auto) visit(const uint8_t* p, std::size_t n, F&& f) {
    return in::visit(p, n, std::forward<F>(f));
  }
};
struct Out {
  static ouch::Error validate(const uint8_t* p, std::size_t n) { return out::validate(p, n); }
  template <class F>
  static decltype(auto) visit(const uint8_t* p, std::size_t n, F&& f) {
    return out::visit(p, n, std::forward<F>(f));
  }
};
}  // namespace

// ---------------- inbound ----------------
TEST(OuchInbound, EnterOrderWithFirmAppendage) {
  const std::vector<uint8_t> app = {5, 2, 'L', 'I', 'M', 'E'};  // TagValue: len 5, tag 2 (Firm), "LIME"
  Bytes b;
  b.c('O').u32(1001).c('B').u32(300).a("AAPL", 8).u64(1'234'500).c('0').c('Y').c('A').c('N').c('N').a("CL-1",
                                                                                                      14);
  b.u16(app.size()).raw(app);
  ASSERT_EQ(b.size(), 53u);  // 47 + 6, as in the real capture
  auto v = check<In, in::views::EnterOrder, in::msg::EnterOrder>(b, 47, app);
  EXPECT_EQ(v.user_ref_num(), 1001u);
  EXPECT_EQ(v.side(), 'B');
  EXPECT_EQ(v.quantity(), 300u);
  EXPECT_EQ(v.symbol(), "AAPL    ");
  EXPECT_EQ(v.price(), 1'234'500u);
  EXPECT_EQ(v.time_in_force(), '0');
  EXPECT_EQ(v.display(), 'Y');
  EXPECT_EQ(v.capacity(), 'A');
  EXPECT_EQ(v.intermarket_sweep_eligibility(), 'N');
  EXPECT_EQ(v.cross_type(), 'N');
  EXPECT_EQ(v.cl_ord_id(), "CL-1          ");
  ouch::TagValue tv;
  ASSERT_TRUE(v.appendage().find(ouch::tag::kFirm, tv));
  EXPECT_EQ(std::string(tv.value.begin(), tv.value.end()), "LIME");
  EXPECT_FALSE(v.appendage().find(ouch::tag::kMinQty, tv));
}

TEST(OuchInbound, ReplaceOrderNoAppendage) {
  Bytes b;
  b.c('U').u32(1001).u32(1002).u32(200).u64(1'234'600).c('3').c('Y').c('N').a("CL-2", 14).u16(0);
  ASSERT_EQ(b.size(), 40u);
  auto v = check<In, in::views::ReplaceOrder, in::msg::ReplaceOrder>(b, 40);
  EXPECT_EQ(v.orig_user_ref_num(), 1001u);
  EXPECT_EQ(v.user_ref_num(), 1002u);
  EXPECT_EQ(v.quantity(), 200u);
  EXPECT_EQ(v.price(), 1'234'600u);
  EXPECT_EQ(v.time_in_force(), '3');
  EXPECT_EQ(v.display(), 'Y');
  EXPECT_EQ(v.intermarket_sweep_eligibility(), 'N');
  EXPECT_EQ(v.cl_ord_id(), "CL-2          ");
  EXPECT_TRUE(v.appendage().empty());
}

TEST(OuchInbound, CancelOrder) {
  Bytes b;
  b.c('X').u32(1002).u32(0);
  auto v = check<In, in::views::CancelOrder, in::msg::CancelOrder>(b, 9);
  EXPECT_EQ(v.user_ref_num(), 1002u);
  EXPECT_EQ(v.quantity(), 0u);
}

TEST(OuchInbound, ModifyOrder) {
  Bytes b;
  b.c('M').u32(1002).c('S').u32(50);
  auto v = check<In, in::views::ModifyOrder, in::msg::ModifyOrder>(b, 10);
  EXPECT_EQ(v.side(), 'S');
  EXPECT_EQ(v.quantity(), 50u);
}

// ---------------- outbound ----------------
TEST(OuchOutbound, SystemEvent) {
  Bytes b;
  b.c('S').u64(kTs).c('S');
  auto v = check<Out, out::views::SystemEvent, out::msg::SystemEvent>(b, 10);
  EXPECT_EQ(v.timestamp(), kTs);
  EXPECT_EQ(v.event_code(), 'S');
}

TEST(OuchOutbound, OrderAcceptedWithTwoTags) {
  const std::vector<uint8_t> app = {5, 2, 'M', 'L', 'R', 'O', 2, 18, '0'};  // Firm + BBO weight
  Bytes b;
  b.c('A').u64(kTs).u32(1001).c('B').u32(300).a("AAPL", 8).u64(1'234'500).c('0').c('Y').u64(
      0x1122334455667788ull);
  b.c('A').c('N').c('N').c('L').a("CL-1", 14).u16(app.size()).raw(app);
  ASSERT_EQ(b.size(), 73u);  // 64 + 9, as in the real capture
  auto v = check<Out, out::views::OrderAccepted, out::msg::OrderAccepted>(b, 64, app);
  EXPECT_EQ(v.timestamp(), kTs);
  EXPECT_EQ(v.user_ref_num(), 1001u);
  EXPECT_EQ(v.side(), 'B');
  EXPECT_EQ(v.quantity(), 300u);
  EXPECT_EQ(v.symbol(), "AAPL    ");
  EXPECT_EQ(v.price(), 1'234'500u);
  EXPECT_EQ(v.time_in_force(), '0');
  EXPECT_EQ(v.display(), 'Y');
  EXPECT_EQ(v.order_reference_number(), 0x1122334455667788ull);
  EXPECT_EQ(v.capacity(), 'A');
  EXPECT_EQ(v.intermarket_sweep_eligibility(), 'N');
  EXPECT_EQ(v.cross_type(), 'N');
  EXPECT_EQ(v.order_state(), 'L');
  EXPECT_EQ(v.cl_ord_id(), "CL-1          ");
  std::vector<uint8_t> tags;
  for (const ouch::TagValue tv : v.appendage()) tags.push_back(tv.tag);
  EXPECT_EQ(tags, (std::vector<uint8_t>{2, 18}));
  ouch::TagValue bbo;
  ASSERT_TRUE(v.appendage().find(ouch::tag::kBboWeightIndicator, bbo));
  ASSERT_EQ(bbo.value.size(), 1u);
  EXPECT_EQ(bbo.value[0], '0');
}

TEST(OuchOutbound, OrderReplaced) {
  Bytes b;
  b.c('U').u64(kTs).u32(1001).u32(1002).c('S').u32(100).a("MSFT", 8).u64(3'000'000).c('0').c('Y').u64(77);
  b.c('A').c('N').c('N').c('L').a("CL-2", 14).u16(0);
  ASSERT_EQ(b.size(), 68u);
  auto v = check<Out, out::views::OrderReplaced, out::msg::OrderReplaced>(b, 68);
  EXPECT_EQ(v.orig_user_ref_num(), 1001u);
  EXPECT_EQ(v.user_ref_num(), 1002u);
  EXPECT_EQ(v.side(), 'S');
  EXPECT_EQ(v.quantity(), 100u);
  EXPECT_EQ(v.symbol(), "MSFT    ");
  EXPECT_EQ(v.price(), 3'000'000u);
  EXPECT_EQ(v.order_reference_number(), 77u);
  EXPECT_EQ(v.order_state(), 'L');
}

TEST(OuchOutbound, OrderCanceled) {
  Bytes b;
  b.c('C').u64(kTs).u32(1002).u32(100).c('U');
  auto v = check<Out, out::views::OrderCanceled, out::msg::OrderCanceled>(b, 18);
  EXPECT_EQ(v.user_ref_num(), 1002u);
  EXPECT_EQ(v.quantity(), 100u);
  EXPECT_EQ(v.reason(), 'U');
}

TEST(OuchOutbound, AiqCanceled) {
  Bytes b;
  b.c('D').u64(kTs).u32(1002).u32(100).c('Q').u32(60).u64(1'234'500).c('A').c('O');
  auto v = check<Out, out::views::AiqCanceled, out::msg::AiqCanceled>(b, 32);
  EXPECT_EQ(v.decrement_shares(), 100u);
  EXPECT_EQ(v.reason(), 'Q');
  EXPECT_EQ(v.quantity_prevented_from_trading(), 60u);
  EXPECT_EQ(v.execution_price(), 1'234'500u);
  EXPECT_EQ(v.liquidity_flag(), 'A');
  EXPECT_EQ(v.aiq_strategy(), 'O');
}

TEST(OuchOutbound, OrderExecuted) {
  Bytes b;
  b.c('E').u64(kTs).u32(1001).u32(100).u64(1'234'500).c('R').u64(0xDEADBEEFull).u16(0);
  auto v = check<Out, out::views::OrderExecuted, out::msg::OrderExecuted>(b, 36);
  EXPECT_EQ(v.user_ref_num(), 1001u);
  EXPECT_EQ(v.quantity(), 100u);
  EXPECT_EQ(v.price(), 1'234'500u);
  EXPECT_EQ(v.liquidity_flag(), 'R');
  EXPECT_EQ(v.match_number(), 0xDEADBEEFull);
}

TEST(OuchOutbound, BrokenTrade) {
  Bytes b;
  b.c('B').u64(kTs).u32(1001).u64(0xDEADBEEFull).c('E').a("CL-1", 14);
  auto v = check<Out, out::views::BrokenTrade, out::msg::BrokenTrade>(b, 36);
  EXPECT_EQ(v.match_number(), 0xDEADBEEFull);
  EXPECT_EQ(v.reason(), 'E');
  EXPECT_EQ(v.cl_ord_id(), "CL-1          ");
}

TEST(OuchOutbound, Rejected) {
  Bytes b;
  b.c('J').u64(kTs).u32(1003).u16(0x0102).a("CL-3", 14);
  auto v = check<Out, out::views::Rejected, out::msg::Rejected>(b, 29);
  EXPECT_EQ(v.user_ref_num(), 1003u);
  EXPECT_EQ(v.reason(), 0x0102);
}

TEST(OuchOutbound, CancelPendingAndCancelReject) {
  Bytes p, i;
  p.c('P').u64(kTs).u32(7);
  i.c('I').u64(kTs).u32(8);
  EXPECT_EQ((check<Out, out::views::CancelPending, out::msg::CancelPending>(p, 13).user_ref_num()), 7u);
  EXPECT_EQ((check<Out, out::views::CancelReject, out::msg::CancelReject>(i, 13).user_ref_num()), 8u);
}

TEST(OuchOutbound, OrderPriorityUpdate) {
  Bytes b;
  b.c('T').u64(kTs).u32(1001).u64(1'234'400).c('Y').u64(99);
  auto v = check<Out, out::views::OrderPriorityUpdate, out::msg::OrderPriorityUpdate>(b, 30);
  EXPECT_EQ(v.price(), 1'234'400u);
  EXPECT_EQ(v.display(), 'Y');
  EXPECT_EQ(v.order_reference_number(), 99u);
}

TEST(OuchOutbound, OrderModified) {
  Bytes b;
  b.c('M').u64(kTs).u32(1001).c('B').u32(10);
  auto v = check<Out, out::views::OrderModified, out::msg::OrderModified>(b, 18);
  EXPECT_EQ(v.side(), 'B');
  EXPECT_EQ(v.quantity(), 10u);
}

TEST(OuchOutbound, OrderRestatedWithUnknownTagSkipped) {
  const std::vector<uint8_t> app = {3, 200, 0xAA, 0xBB, 2, 18, '1'};  // unknown tag 200 (2 bytes), BBO weight
  Bytes b;
  b.c('R').u64(kTs).u32(1001).c('P').u16(app.size()).raw(app);
  auto v = check<Out, out::views::OrderRestated, out::msg::OrderRestated>(b, 16, app);
  EXPECT_EQ(v.reason(), 'P');
  ouch::TagValue tv;
  ASSERT_TRUE(v.appendage().find(ouch::tag::kBboWeightIndicator, tv));
  EXPECT_EQ(tv.value[0], '1');
}

TEST(OuchSchema, LengthsAndTiling) {
  const std::string in_types = "OUXM";
  const int in_len[] = {47, 40, 9, 10};
  const std::string out_types = "SAUCDEBJPITMR";
  const int out_len[] = {10, 64, 68, 18, 32, 36, 36, 29, 13, 13, 30, 18, 16};
  auto tiles = [](const ouch::MessageSchema& s) {
    std::size_t off = 1;
    for (const auto& f : s.fields) {
      if (f.offset != off) return false;
      off += f.size;
    }
    return off + (s.has_appendage ? 2 : 0) == s.fixed_length;
  };
  for (std::size_t i = 0; i < in_types.size(); ++i) {
    const auto* s = in::schema_for(in_types[i]);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->fixed_length, in_len[i]);
    EXPECT_TRUE(tiles(*s)) << in_types[i];
  }
  for (std::size_t i = 0; i < out_types.size(); ++i) {
    const auto* s = out::schema_for(out_types[i]);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->fixed_length, out_len[i]);
    EXPECT_TRUE(tiles(*s)) << out_types[i];
  }
}

TEST(OuchMalformed, LengthsTypesAndAppendages) {
  uint8_t buf[128] = {};
  EXPECT_EQ(in::validate(buf, 0), ouch::Error::kEmpty);
  buf[0] = 'Z';
  EXPECT_EQ(in::validate(buf, 9), ouch::Error::kUnknownType);
  EXPECT_EQ(out::validate(buf, 9), ouch::Error::kUnknownType);
  buf[0] = 'X';
  EXPECT_EQ(in::validate(buf, 8), ouch::Error::kTruncated);
  EXPECT_EQ(in::validate(buf, 10), ouch::Error::kBadLength);
  buf[0] = 'O';
  EXPECT_EQ(in::validate(buf, 46), ouch::Error::kTruncated);
  EXPECT_EQ(in::validate(buf, 47), ouch::Error::kOk);
  EXPECT_EQ(in::validate(buf, 48), ouch::Error::kBadLength);  // appendage length says 0
  buf[46] = 6;                                                // appendage length 6
  EXPECT_EQ(in::validate(buf, 50), ouch::Error::kTruncated);
  buf[47] = 5;
  buf[48] = 2;
  EXPECT_EQ(in::validate(buf, 53), ouch::Error::kOk);
  buf[47] = 6;  // TagValue runs past the appendage
  EXPECT_EQ(in::validate(buf, 53), ouch::Error::kBadAppendage);
  buf[47] = 0;  // zero-length TagValue (no tag byte)
  EXPECT_EQ(in::validate(buf, 53), ouch::Error::kBadAppendage);
  // Every type, every short length.
  for (const auto& s : out::kSchemas) {
    std::vector<uint8_t> m(s.fixed_length, 0);
    m[0] = static_cast<uint8_t>(s.type);
    EXPECT_EQ(out::validate(m.data(), m.size()), ouch::Error::kOk) << s.type;
    for (std::size_t n = 1; n < m.size(); ++n) EXPECT_EQ(out::validate(m.data(), n), ouch::Error::kTruncated);
  }
}

TEST(OuchMalformed, ReasonNames) {
  const std::vector<std::string_view> expected = {"ok",        "empty",      "unknown_type",
                                                  "truncated", "bad_length", "bad_appendage"};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(ouch::to_string(static_cast<ouch::Error>(i)), expected[i]) << i;
  EXPECT_EQ(ouch::to_string(static_cast<ouch::Error>(expected.size())), "invalid");
}

TEST(OuchAppendage, BuilderAndIteration) {
  uint8_t buf[32];
  ouch::AppendageBuilder ab(buf, sizeof buf);
  ASSERT_TRUE(ab.add_alpha(ouch::tag::kFirm, "LIME"));
  ASSERT_TRUE(ab.add_u32(ouch::tag::kMinQty, 100));
  ASSERT_TRUE(ab.add_char(ouch::tag::kBboWeightIndicator, '2'));
  EXPECT_EQ(std::vector<uint8_t>(ab.bytes().begin(), ab.bytes().end()),
            (std::vector<uint8_t>{5, 2, 'L', 'I', 'M', 'E', 5, 3, 0, 0, 0, 100, 2, 18, '2'}));
  ouch::Appendage a(ab.bytes().data(), ab.bytes().size());
  ASSERT_TRUE(a.well_formed());
  ouch::TagValue tv;
  ASSERT_TRUE(a.find(ouch::tag::kMinQty, tv));
  EXPECT_EQ(sf::proto::load_be32(tv.value.data()), 100u);
  uint8_t small[4];
  ouch::AppendageBuilder full(small, sizeof small);
  EXPECT_FALSE(full.add_alpha(ouch::tag::kFirm, "LIME"));
}
