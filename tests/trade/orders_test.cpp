// Order state machine: one test per legal transition, the OUCH outbound adapter, positions/P&L. Each check
// that refuses a response has its own test in venue_checks_test.cpp.
#include <gtest/gtest.h>

#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/trade/orders.hpp"
#include "sniperforge/trade/venue_event.hpp"

using namespace sf::trade;

namespace {

class OrdersTest : public ::testing::Test {
 protected:
  OrderRequest sent(uint32_t urn, uint32_t shares = 100, char side = 'B', char tif = kTifIoc) {
    OrderRequest r;
    r.user_ref_num = urn;
    r.shares = shares;
    r.side = side;
    r.tif = tif;
    r.price = 200'000;
    r.locate = 1;
    r.symbol = {'A', 'A', 'A', ' ', ' ', ' ', ' ', ' '};
    tracker.on_sent(r);
    return r;
  }
  VenueVerdict apply(VenueEvent e) { return tracker.on_event(e, closed); }
  // Accepted and Replaced describe the order as sent (side, symbol) unless a test changes them.
  VenueEvent ev(VenueEventType t, uint32_t urn, uint32_t shares = 0, uint64_t price = 200'000,
                uint64_t match = 0) const {
    VenueEvent e;
    e.type = t;
    e.user_ref_num = urn;
    e.shares = shares;
    e.price = price;
    e.match_number = match;
    e.order_state = 'L';
    if (const OrderRecord* o = tracker.find(urn)) {
      e.side = o->side;
      e.symbol = o->symbol;
    }
    return e;
  }
  OrderState state(uint32_t urn) const { return tracker.find(urn)->state; }
  uint64_t illegal() const { return tracker.failures(); }

  OrderTracker tracker{64};
  bool closed = false;
};

}  // namespace

TEST_F(OrdersTest, SentIsPendingNew) {
  sent(1);
  EXPECT_EQ(state(1), OrderState::kPendingNew);
  EXPECT_EQ(tracker.find(1)->leaves, 100u);
}

TEST_F(OrdersTest, PendingNewToLiveOnAccepted) {
  sent(1);
  apply(ev(VenueEventType::kAccepted, 1, 100));
  EXPECT_EQ(state(1), OrderState::kLive);
  EXPECT_EQ(illegal(), 0u);
}

TEST_F(OrdersTest, PendingNewToRejected) {
  sent(1, 100, 'B', kTifDay);
  apply(ev(VenueEventType::kRejected, 1));
  EXPECT_EQ(state(1), OrderState::kRejected);
  EXPECT_TRUE(closed);  // a resting order's open-order slot is freed
  EXPECT_EQ(illegal(), 0u);
}

TEST_F(OrdersTest, LiveToPartiallyFilledToFilled) {
  sent(1);
  apply(ev(VenueEventType::kAccepted, 1, 100));
  apply(ev(VenueEventType::kExecuted, 1, 40, 199'900, 1));
  EXPECT_EQ(state(1), OrderState::kPartiallyFilled);
  EXPECT_EQ(tracker.find(1)->leaves, 60u);
  apply(ev(VenueEventType::kExecuted, 1, 60, 200'000, 2));
  EXPECT_EQ(state(1), OrderState::kFilled);
  EXPECT_EQ(tracker.find(1)->filled, 100u);
  EXPECT_EQ(tracker.position(1).shares, 100);
  EXPECT_EQ(tracker.fills(), 2u);
  EXPECT_EQ(illegal(), 0u);
}

TEST_F(OrdersTest, LiveToFilledInOneExecution) {
  sent(1);
  apply(ev(VenueEventType::kAccepted, 1, 100));
  apply(ev(VenueEventType::kExecuted, 1, 100));
  EXPECT_EQ(state(1), OrderState::kFilled);
}

TEST_F(OrdersTest, LiveToCanceled) {
  sent(1);
  apply(ev(VenueEventType::kAccepted, 1, 100));
  apply(ev(VenueEventType::kCanceled, 1, 100));
  EXPECT_EQ(state(1), OrderState::kCanceled);
  EXPECT_FALSE(closed);  // IOC orders never held an open-order slot
}

TEST_F(OrdersTest, PartialCancelKeepsOrderLive) {
  sent(1, 100, 'B', kTifDay);
  apply(ev(VenueEventType::kAccepted, 1, 100));
  apply(ev(VenueEventType::kCanceled, 1, 30));
  EXPECT_EQ(state(1), OrderState::kLive);
  EXPECT_EQ(tracker.find(1)->leaves, 70u);
  EXPECT_FALSE(closed);
}

TEST_F(OrdersTest, PartiallyFilledToCanceled) {
  sent(1, 100, 'S');
  apply(ev(VenueEventType::kAccepted, 1, 100));
  apply(ev(VenueEventType::kExecuted, 1, 30));
  apply(ev(VenueEventType::kCanceled, 1, 70));
  EXPECT_EQ(state(1), OrderState::kCanceled);
  EXPECT_EQ(tracker.position(1).shares, -30);
  EXPECT_EQ(illegal(), 0u);
}

TEST_F(OrdersTest, LiveToReplacedContinuesUnderNewUserRefNum) {
  sent(1, 100, 'B', kTifDay);
  apply(ev(VenueEventType::kAccepted, 1, 100));
  VenueEvent r = ev(VenueEventType::kReplaced, 1, 50, 199'000);
  r.user_ref_num = 2;
  r.orig_user_ref_num = 1;
  apply(r);
  EXPECT_EQ(state(1), OrderState::kReplaced);
  EXPECT_EQ(state(2), OrderState::kLive);
  EXPECT_EQ(tracker.find(2)->leaves, 50u);
  EXPECT_EQ(tracker.find(2)->price, 199'000u);
  EXPECT_FALSE(closed);
  EXPECT_EQ(illegal(), 0u);
}

TEST_F(OrdersTest, BrokenTradeReversesTheFill) {
  sent(1);
  apply(ev(VenueEventType::kAccepted, 1, 100));
  apply(ev(VenueEventType::kExecuted, 1, 100, 200'000, 55));
  EXPECT_EQ(tracker.position(1).shares, 100);
  apply(ev(VenueEventType::kBrokenTrade, 1, 0, 0, 55));
  EXPECT_EQ(tracker.position(1).shares, 0);
  EXPECT_EQ(tracker.position(1).realized, 0);
  EXPECT_EQ(tracker.find(1)->filled, 0u);
  apply(ev(VenueEventType::kBrokenTrade, 1, 0, 0, 56));
  EXPECT_EQ(tracker.failures(VenueCheck::kUnknownMatch), 1u);
}

TEST_F(OrdersTest, AcceptedDeadIsFinalAtOnce) {
  sent(1, 100, 'B', kTifDay);
  VenueEvent a = ev(VenueEventType::kAccepted, 1, 100);
  a.order_state = 'D';
  EXPECT_TRUE(apply(a).ok());
  EXPECT_EQ(state(1), OrderState::kCanceled);
  EXPECT_EQ(tracker.find(1)->leaves, 0u);
  EXPECT_TRUE(closed);
}

TEST_F(OrdersTest, RingEvictsOldestAndCountsLiveOnes) {
  OrderTracker small(4);
  bool c = false;
  for (uint32_t u = 1; u <= 6; ++u) {
    OrderRequest r;
    r.user_ref_num = u;
    r.shares = 1;
    small.on_sent(r);
  }
  EXPECT_EQ(small.evicted(), 2u);
  EXPECT_EQ(small.find(1), nullptr);
  ASSERT_NE(small.find(6), nullptr);
  VenueEvent e;
  e.user_ref_num = 3;
  e.side = 'B';
  e.shares = 1;
  EXPECT_TRUE(small.on_event(e, c).ok());
  EXPECT_EQ(small.find(3)->state, OrderState::kLive);
}

TEST(Position, AverageCostRealizedAndUnrealized) {
  Position p;
  p.fill('B', 100, 200'000);
  p.fill('B', 100, 210'000);
  EXPECT_EQ(p.shares, 200);
  EXPECT_DOUBLE_EQ(p.average_cost(), 205'000.0);
  EXPECT_EQ(p.unrealized(206'000), 200 * 1'000);
  p.fill('S', 50, 215'000);  // realize 50 * 10'000
  EXPECT_EQ(p.realized, 500'000);
  EXPECT_EQ(p.shares, 150);
  EXPECT_DOUBLE_EQ(p.average_cost(), 205'000.0);
  p.fill('S', 250, 200'000);  // close 150 (loss 150 * 5'000) and open short 100 @ 200'000
  EXPECT_EQ(p.realized, 500'000 - 750'000);
  EXPECT_EQ(p.shares, -100);
  EXPECT_DOUBLE_EQ(p.average_cost(), 200'000.0);
  EXPECT_EQ(p.unrealized(190'000), 100 * 10'000);
  p.fill('B', 100, 190'000);
  EXPECT_EQ(p.shares, 0);
  EXPECT_EQ(p.realized, 500'000 - 750'000 + 1'000'000);
  EXPECT_EQ(p.unrealized(1), 0);
}

TEST(VenueAdapter, ParsesOuchOutboundMessages) {
  namespace out = sf::ouch::outbound;
  uint8_t buf[128];
  VenueEvent e;

  out::msg::OrderAccepted a;
  a.timestamp = 5;
  a.user_ref_num = 42;
  a.side = 'B';
  a.quantity = 300;
  a.price = 200'500;
  a.order_reference_number = 999;
  std::size_t n = a.encode(buf);
  ASSERT_EQ(parse_ouch_outbound(buf, n, e), VenueParse::kOk);
  EXPECT_EQ(e.type, VenueEventType::kAccepted);
  EXPECT_EQ(e.user_ref_num, 42u);
  EXPECT_EQ(e.shares, 300u);
  EXPECT_EQ(e.price, 200'500u);
  EXPECT_EQ(e.order_ref, 999u);
  EXPECT_EQ(e.side, 'B');
  EXPECT_EQ(e.timestamp, 5u);
  EXPECT_EQ(parse_ouch_outbound(buf, n - 1, e), VenueParse::kBadLength);

  out::msg::OrderExecuted x;
  x.user_ref_num = 42;
  x.quantity = 100;
  x.price = 200'400;
  x.match_number = 7;
  n = x.encode(buf);
  ASSERT_EQ(parse_ouch_outbound(buf, n, e), VenueParse::kOk);
  EXPECT_EQ(e.type, VenueEventType::kExecuted);
  EXPECT_EQ(e.match_number, 7u);

  out::msg::OrderCanceled c;
  c.user_ref_num = 42;
  c.quantity = 200;
  c.reason = 'U';
  n = c.encode(buf);
  ASSERT_EQ(parse_ouch_outbound(buf, n, e), VenueParse::kOk);
  EXPECT_EQ(e.type, VenueEventType::kCanceled);
  EXPECT_EQ(e.shares, 200u);
  EXPECT_EQ(e.reason, 'U');

  out::msg::AiqCanceled d;  // an AIQ cancel is a cancel of its decrement
  d.timestamp = 9;
  d.user_ref_num = 42;
  d.decrement_shares = 50;
  d.reason = 'Q';
  n = d.encode(buf);
  ASSERT_EQ(parse_ouch_outbound(buf, n, e), VenueParse::kOk);
  EXPECT_EQ(e.type, VenueEventType::kCanceled);
  EXPECT_EQ(e.timestamp, 9u);
  EXPECT_EQ(e.user_ref_num, 42u);
  EXPECT_EQ(e.shares, 50u);
  EXPECT_EQ(e.reason, 'Q');

  out::msg::Rejected j;
  j.user_ref_num = 43;
  j.reason = 3;
  n = j.encode(buf);
  ASSERT_EQ(parse_ouch_outbound(buf, n, e), VenueParse::kOk);
  EXPECT_EQ(e.type, VenueEventType::kRejected);
  EXPECT_EQ(e.reject_reason, 3u);

  out::msg::OrderReplaced u;
  u.orig_user_ref_num = 42;
  u.user_ref_num = 44;
  u.quantity = 10;
  u.side = 'S';
  u.price = 201'000;
  u.order_reference_number = 1001;
  n = u.encode(buf);
  ASSERT_EQ(parse_ouch_outbound(buf, n, e), VenueParse::kOk);
  EXPECT_EQ(e.type, VenueEventType::kReplaced);
  EXPECT_EQ(e.side, 'S');
  EXPECT_EQ(e.shares, 10u);
  EXPECT_EQ(e.price, 201'000u);
  EXPECT_EQ(e.order_ref, 1001u);
  EXPECT_EQ(e.orig_user_ref_num, 42u);
  EXPECT_EQ(e.user_ref_num, 44u);

  out::msg::BrokenTrade b;
  b.user_ref_num = 42;
  b.match_number = 7;
  n = b.encode(buf);
  ASSERT_EQ(parse_ouch_outbound(buf, n, e), VenueParse::kOk);
  EXPECT_EQ(e.type, VenueEventType::kBrokenTrade);
  EXPECT_EQ(e.match_number, 7u);

  out::msg::SystemEvent s;
  n = s.encode(buf);
  EXPECT_EQ(parse_ouch_outbound(buf, n, e), VenueParse::kIgnored);
  buf[0] = 'z';
  EXPECT_EQ(parse_ouch_outbound(buf, n, e), VenueParse::kUnknownType);
  EXPECT_EQ(parse_ouch_outbound(buf, 0, e), VenueParse::kUnknownType);
}
