// Every venue check (venue_check.hpp) against the order tracker: the response is refused, counted under
// its reason, and leaves the order record, the position and the remembered executions as they were. Then
// the Engine: a refused response stops the shard (risk reason venue_inconsistent) until it is cleared.
#include <gtest/gtest.h>

#include <array>

#include "../book/itch_builder.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/trade/engine.hpp"
#include "sniperforge/trade/orders.hpp"

using namespace sf::trade;

namespace {

constexpr std::array<char, 8> kSym{'A', 'A', 'A', ' ', ' ', ' ', ' ', ' '};

class VenueChecks : public ::testing::Test {
 protected:
  void sent(uint32_t urn, uint32_t shares = 100, char side = 'B', uint64_t price = 200'000) {
    OrderRequest r;
    r.user_ref_num = urn;
    r.shares = shares;
    r.side = side;
    r.price = price;
    r.locate = 1;
    r.symbol = kSym;
    tracker.on_sent(r);
  }
  // An event that passes every check against `urn` as sent (Accepted describes it in full).
  VenueEvent ev(VenueEventType t, uint32_t urn, uint32_t shares = 0, uint64_t price = 200'000) {
    VenueEvent e;
    e.type = t;
    e.user_ref_num = urn;
    e.shares = shares;
    e.price = price;
    e.match_number = ++match;
    e.order_state = 'L';
    e.side = 'B';
    e.symbol = kSym;
    if (const OrderRecord* o = tracker.find(urn)) {
      e.side = o->side;
      if (t == VenueEventType::kAccepted) {
        e.shares = o->quantity;
        e.price = o->price;
      }
    }
    return e;
  }
  void ok(const VenueEvent& e) { ASSERT_TRUE(tracker.on_event(e, closed).ok()); }
  // Applies `e`, expects it refused for `why`, and checks nothing changed.
  void refused(const VenueEvent& e, VenueCheck why) {
    const uint32_t urn = e.type == VenueEventType::kReplaced ? e.orig_user_ref_num : e.user_ref_num;
    const OrderRecord* o = tracker.find(urn);
    const OrderRecord before = o ? *o : OrderRecord{};
    const Position pos = tracker.position(1);
    const uint64_t fills = tracker.fills(), n = tracker.failures(why), size = tracker.size();
    const VenueVerdict v = tracker.on_event(e, closed);
    EXPECT_EQ(v.check, why) << to_string(v.check);
    EXPECT_EQ(v.user_ref_num, urn);
    EXPECT_EQ(tracker.failures(why), n + 1);
    EXPECT_FALSE(closed);
    EXPECT_EQ(tracker.size(), size);
    EXPECT_EQ(tracker.fills(), fills);
    if (o) {
      EXPECT_EQ(o->state, before.state);
      EXPECT_EQ(o->quantity, before.quantity);
      EXPECT_EQ(o->leaves, before.leaves);
      EXPECT_EQ(o->filled, before.filled);
      EXPECT_EQ(o->price, before.price);
    }
    EXPECT_EQ(tracker.position(1).shares, pos.shares);
    EXPECT_EQ(tracker.position(1).cost, pos.cost);
    EXPECT_EQ(tracker.position(1).realized, pos.realized);
  }

  OrderTracker tracker{64, 8};
  bool closed = false;
  uint64_t match = 0;
};

}  // namespace

TEST_F(VenueChecks, UnknownUserRefNum) {
  sent(5);
  refused(ev(VenueEventType::kAccepted, 4), VenueCheck::kUnknownUserRefNum);
  refused(ev(VenueEventType::kExecuted, 6, 10), VenueCheck::kUnknownUserRefNum);
  VenueEvent r = ev(VenueEventType::kReplaced, 7, 10);
  r.orig_user_ref_num = 3;
  refused(r, VenueCheck::kUnknownUserRefNum);
}

TEST_F(VenueChecks, ResponsesForFinalOrders) {
  sent(1);  // filled
  ok(ev(VenueEventType::kAccepted, 1));
  ok(ev(VenueEventType::kExecuted, 1, 100));
  sent(2);  // canceled
  ok(ev(VenueEventType::kAccepted, 2));
  ok(ev(VenueEventType::kCanceled, 2, 100));
  sent(3);  // rejected
  ok(ev(VenueEventType::kRejected, 3));
  for (uint32_t urn = 1; urn <= 3; ++urn) {
    refused(ev(VenueEventType::kExecuted, urn, 1), VenueCheck::kOrderFinal);
    refused(ev(VenueEventType::kCanceled, urn, 1), VenueCheck::kOrderFinal);
    refused(ev(VenueEventType::kAccepted, urn), VenueCheck::kOrderFinal);
    refused(ev(VenueEventType::kRejected, urn), VenueCheck::kOrderFinal);
  }
  EXPECT_EQ(tracker.position(1).shares, 100);
}

TEST_F(VenueChecks, OverfillBeyondOpenShares) {
  sent(1);
  ok(ev(VenueEventType::kAccepted, 1));
  ok(ev(VenueEventType::kExecuted, 1, 60));
  refused(ev(VenueEventType::kExecuted, 1, 41), VenueCheck::kOverfill);
  ok(ev(VenueEventType::kExecuted, 1, 40));  // exactly what is open
  EXPECT_EQ(tracker.find(1)->state, OrderState::kFilled);
  EXPECT_EQ(tracker.position(1).shares, 100);
}

TEST_F(VenueChecks, ExecutionPriceWorseThanTheLimit) {
  sent(1, 100, 'B', 200'000);
  ok(ev(VenueEventType::kAccepted, 1));
  refused(ev(VenueEventType::kExecuted, 1, 10, 200'001), VenueCheck::kPriceWorseThanLimit);  // buy above
  ok(ev(VenueEventType::kExecuted, 1, 10, 199'900));                                         // better: fine
  ok(ev(VenueEventType::kExecuted, 1, 10, 200'000));  // at the limit: fine
  sent(2, 100, 'S', 200'000);
  ok(ev(VenueEventType::kAccepted, 2));
  refused(ev(VenueEventType::kExecuted, 2, 10, 199'999), VenueCheck::kPriceWorseThanLimit);  // sell below
  ok(ev(VenueEventType::kExecuted, 2, 10, 200'100));
}

TEST_F(VenueChecks, DuplicateMatchNumber) {
  sent(1);
  ok(ev(VenueEventType::kAccepted, 1));
  VenueEvent x = ev(VenueEventType::kExecuted, 1, 30);
  ok(x);
  refused(x, VenueCheck::kDuplicateMatch);  // the same execution again, 70 shares still open
  sent(2);
  ok(ev(VenueEventType::kAccepted, 2));
  x.user_ref_num = 2;  // the same match number on another order
  refused(x, VenueCheck::kDuplicateMatch);
  EXPECT_EQ(tracker.position(1).shares, 30);
}

TEST_F(VenueChecks, DuplicateMemoryIsBoundedToTheLastExecutions) {
  // The tracker remembers 8 executions: the 9th forgets the 1st, whose duplicate is then judged by the
  // other checks only (it can fill at most what its order still has open).
  sent(1, 1'000);
  ok(ev(VenueEventType::kAccepted, 1));
  VenueEvent first = ev(VenueEventType::kExecuted, 1, 1);
  ok(first);
  for (int i = 0; i < 7; ++i) ok(ev(VenueEventType::kExecuted, 1, 1));
  refused(first, VenueCheck::kDuplicateMatch);
  ok(ev(VenueEventType::kExecuted, 1, 1));  // 9th
  ok(first);                                // forgotten: accepted as a new execution of an open order
  EXPECT_EQ(tracker.position(1).shares, 10);
}

TEST_F(VenueChecks, AcceptedMustDescribeTheOrderSent) {
  sent(1, 100, 'B', 200'000);
  VenueEvent a = ev(VenueEventType::kAccepted, 1);
  VenueEvent side = a, symbol = a, price = a, qty = a;
  side.side = 'S';
  symbol.symbol[0] = 'B';
  price.price = 200'100;
  qty.shares = 1'000;
  for (const VenueEvent& e : {side, symbol, price, qty}) refused(e, VenueCheck::kAcceptedMismatch);
  EXPECT_EQ(tracker.find(1)->state, OrderState::kPendingNew);
  ok(a);
}

TEST_F(VenueChecks, CancelDecrementBeyondOpenShares) {
  sent(1);
  ok(ev(VenueEventType::kAccepted, 1));
  ok(ev(VenueEventType::kExecuted, 1, 30));
  refused(ev(VenueEventType::kCanceled, 1, 71), VenueCheck::kCancelExceedsOpen);
  // An AIQ Canceled is parsed into the same event (its decrement): the same check applies.
  sf::ouch::outbound::msg::AiqCanceled d;
  d.user_ref_num = 1;
  d.decrement_shares = 71;
  std::array<uint8_t, 64> buf{};
  VenueEvent aiq;
  ASSERT_EQ(parse_ouch_outbound(buf.data(), d.encode(buf.data()), aiq), VenueParse::kOk);
  refused(aiq, VenueCheck::kCancelExceedsOpen);
  ok(ev(VenueEventType::kCanceled, 1, 70));
  EXPECT_EQ(tracker.find(1)->state, OrderState::kCanceled);
}

TEST_F(VenueChecks, RejectedAfterAccepted) {
  sent(1);
  ok(ev(VenueEventType::kAccepted, 1));
  refused(ev(VenueEventType::kRejected, 1), VenueCheck::kRejectedAfterAccepted);
  ok(ev(VenueEventType::kExecuted, 1, 50));
  refused(ev(VenueEventType::kRejected, 1), VenueCheck::kRejectedAfterAccepted);
  EXPECT_EQ(tracker.find(1)->leaves, 50u);  // still open: exposure kept
}

TEST_F(VenueChecks, TransitionsTheStateMachineDoesNotAllow) {
  sent(1);
  refused(ev(VenueEventType::kExecuted, 1, 10), VenueCheck::kOutOfOrder);  // before Accepted
  refused(ev(VenueEventType::kCanceled, 1, 10), VenueCheck::kOutOfOrder);  // before Accepted
  VenueEvent r = ev(VenueEventType::kReplaced, 1, 50);
  r.orig_user_ref_num = 1;
  r.user_ref_num = 9;
  refused(r, VenueCheck::kOutOfOrder);  // replacing an order not yet accepted
  ok(ev(VenueEventType::kAccepted, 1));
  refused(ev(VenueEventType::kAccepted, 1), VenueCheck::kOutOfOrder);  // accepted twice
  sent(2);
  r.user_ref_num = 2;  // the replacement's UserRefNum must be new and above every one held
  refused(r, VenueCheck::kOutOfOrder);
  r.user_ref_num = 3;
  r.side = 'S';
  refused(r, VenueCheck::kAcceptedMismatch);
  r.side = 'B';
  ok(r);
  EXPECT_EQ(tracker.find(1)->state, OrderState::kReplaced);
  EXPECT_EQ(tracker.find(3)->state, OrderState::kLive);
}

TEST_F(VenueChecks, BrokenTradeOfAnUnknownExecution) {
  sent(1);
  sent(2);
  ok(ev(VenueEventType::kAccepted, 1));
  const VenueEvent x = ev(VenueEventType::kExecuted, 1, 100);
  ok(x);
  VenueEvent b = ev(VenueEventType::kBrokenTrade, 2);
  b.match_number = x.match_number;  // an execution of order 1, named as order 2's
  refused(b, VenueCheck::kUnknownMatch);
  b.match_number = 12'345;
  b.user_ref_num = 1;
  refused(b, VenueCheck::kUnknownMatch);
  b.match_number = x.match_number;
  ok(b);  // a filled order's execution may be broken
  EXPECT_EQ(tracker.position(1).shares, 0);
  refused(b, VenueCheck::kUnknownMatch);  // broken once only
}

TEST_F(VenueChecks, ArithmeticOverflowIsRefused) {
  // A sell may execute above its limit; at an absurd price the cost basis would leave int64.
  sent(1, 4'000'000'000u, 'S', 1);
  ok(ev(VenueEventType::kAccepted, 1));
  ok(ev(VenueEventType::kExecuted, 1, 2'000'000'000u, 4'000'000'000));  // 8e18: fits
  refused(ev(VenueEventType::kExecuted, 1, 2'000'000'000u, 4'000'000'000), VenueCheck::kArithmeticOverflow);
  EXPECT_EQ(tracker.position(1).shares, -2'000'000'000);
}

// ---- Engine: a refused response stops the shard until an operator clears it ----

TEST(VenueInconsistent, StopsTheShardUntilCleared) {
  TradingConfig cfg;
  cfg.book.max_orders = 100;
  cfg.book.max_instruments = 8;
  cfg.book.max_levels_total = 1024;
  Engine engine(cfg);
  std::array<OrderRequest, 4> storage{};
  OrderSink sink(storage);
  sf::test::ItchBuilder b;
  b.directory(1, "AAA").add(1, 1, 'B', 500, 199'900).add(1, 2, 'S', 500, 200'000);
  uint64_t seq = 0;
  for (std::size_t i = 0; i < b.size(); ++i) engine.on_itch(b[i], ++seq, 0, sink);
  const Intent buy{sf::book::Side::kBuy, 200'000, 100, kTifIoc};
  ASSERT_EQ(engine.submit(buy, 1, ++seq, 0, sink), Reject::kNone);
  const OrderRequest sent = sink[0];
  const int64_t open_before = engine.risk().open_buys(1);
  EXPECT_FALSE(engine.venue_inconsistent());

  VenueEvent rej{.type = VenueEventType::kExecuted, .user_ref_num = sent.user_ref_num, .shares = 50};
  rej.price = sent.price;
  const VenueVerdict v = engine.on_venue_event(rej);  // executed before Accepted
  EXPECT_EQ(v.check, VenueCheck::kOutOfOrder);
  EXPECT_TRUE(engine.venue_inconsistent());
  EXPECT_TRUE(engine.published().venue_inconsistent.get());
  EXPECT_EQ(engine.last_venue_failure().check, VenueCheck::kOutOfOrder);
  EXPECT_EQ(engine.last_venue_failure().user_ref_num, sent.user_ref_num);
  EXPECT_EQ(engine.risk().open_buys(1), open_before) << "exposure untouched";
  EXPECT_EQ(engine.orders().position(1).shares, 0);

  sink.clear();
  EXPECT_EQ(engine.submit(buy, 1, ++seq, 0, sink), Reject::kVenueInconsistent);
  EXPECT_TRUE(sink.empty());
  EXPECT_EQ(engine.risk().rejects(Reject::kVenueInconsistent), 1u);
  EXPECT_EQ(to_string(Reject::kVenueInconsistent), "venue_inconsistent");

  // Valid responses are still applied while stopped (the position stays true).
  VenueEvent acc{.type = VenueEventType::kAccepted,
                 .user_ref_num = sent.user_ref_num,
                 .shares = sent.shares,
                 .price = sent.price,
                 .side = 'B',
                 .order_state = 'L',
                 .symbol = sent.symbol};
  EXPECT_TRUE(engine.on_venue_event(acc).ok());
  EXPECT_TRUE(engine.venue_inconsistent());

  engine.clear_venue_inconsistent();
  EXPECT_FALSE(engine.venue_inconsistent());
  EXPECT_EQ(engine.submit(buy, 1, ++seq, 0, sink), Reject::kNone);
}
