// The two forged venue streams of issue #19, as OUCH 5.0 bytes through Engine::on_venue (the path the
// executor lcore takes). Before the venue checks they made UBSan report a signed overflow in
// Position::fill and showed a $244 T P&L (forged executions), and let the engine buy 45,818 shares against
// a 10,000-share limit (Rejected for live orders, then executions for them). The sanitizer run of CI runs
// this file too: no input here may reach undefined behaviour.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "../book/itch_builder.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/trade/engine.hpp"

using namespace sf::trade;
namespace out = sf::ouch::outbound;
using sf::test::ItchBuilder;

namespace {

TradingConfig config() {
  TradingConfig c;
  c.book.max_orders = 100;
  c.book.max_instruments = 8;
  c.book.max_levels_total = 1024;
  c.risk.max_order_shares = 1'000;
  c.risk.max_position = 10'000;
  c.risk.max_gross_notional = ~uint64_t{0} / 2;  // only the position limit matters here
  c.risk.max_orders_per_second = 1'000'000;
  c.risk.throttle_burst = 1'000'000;
  return c;
}

struct Venue {
  Venue() : engine(config()), sink(storage) {
    ItchBuilder b;
    b.directory(1, "AAA").add(1, 1, 'B', 5'000, 199'900).add(1, 2, 'S', 5'000, 200'000);
    for (std::size_t i = 0; i < b.size(); ++i) engine.on_itch(b[i], ++seq, 0, sink);
  }
  // Buys `shares` at $20 through the risk gate; returns the UserRefNum, 0 if refused.
  uint32_t buy(uint32_t shares) {
    sink.clear();
    const Intent in{sf::book::Side::kBuy, 200'000, shares, kTifIoc};
    if (engine.submit(in, 1, ++seq, 0, sink) != Reject::kNone) return 0;
    return sink[0].user_ref_num;
  }
  void deliver(std::size_t n) { (void)engine.on_venue(buf.data(), n, 0, sink); }
  void accepted(uint32_t urn, uint32_t shares) {
    out::msg::OrderAccepted a;
    a.user_ref_num = urn;
    a.side = 'B';
    a.quantity = shares;
    a.symbol = "AAA";
    a.price = 200'000;
    a.order_state = 'L';
    deliver(a.encode(buf.data()));
  }
  void executed(uint32_t urn, uint32_t shares, uint64_t price) {
    out::msg::OrderExecuted x;
    x.user_ref_num = urn;
    x.quantity = shares;
    x.price = price;
    x.match_number = ++match;
    deliver(x.encode(buf.data()));
  }
  void rejected(uint32_t urn) {
    out::msg::Rejected j;
    j.user_ref_num = urn;
    j.reason = 1;
    deliver(j.encode(buf.data()));
  }
  [[nodiscard]] int64_t position() const { return engine.orders().position(1).shares; }

  Engine engine;
  std::array<OrderRequest, 4> storage{};
  OrderSink sink;
  std::array<uint8_t, 256> buf{};
  uint64_t seq = 0, match = 0;
};

}  // namespace

TEST(VenueForgery, TwoExecutionsOfFourBillionSharesAtALargePrice) {
  Venue v;
  const uint32_t urn = v.buy(100);
  ASSERT_NE(urn, 0u);
  v.accepted(urn, 100);
  v.executed(urn, 4'000'000'000u, 2'000'000'000);  // $200,000 a share
  v.executed(urn, 4'000'000'000u, 2'000'000'000);
  // Neither is believed: the order had 100 shares open at a $20 limit.
  EXPECT_EQ(v.position(), 0);
  EXPECT_EQ(v.engine.orders().position(1).cost, 0);
  EXPECT_EQ(v.engine.orders().position(1).realized, 0);
  EXPECT_EQ(v.engine.unrealized_pnl(1), 0);
  EXPECT_LE(v.engine.risk().worst_long(1), config().risk.max_position);
  EXPECT_EQ(v.buy(100), 0u) << "the shard stops after a response it cannot believe";
}

TEST(VenueForgery, PositionArithmeticNeverOverflows) {
  // The expression UBSan caught (cost += q x price, twice), on Position directly: the second fill would
  // take the cost basis past int64, so it is refused and the position stays as it was.
  Position p;
  p.fill('B', 4'000'000'000u, 2'000'000'000);
  const Position after_first = p;
  p.fill('B', 4'000'000'000u, 2'000'000'000);
  EXPECT_EQ(p.shares, after_first.shares);
  EXPECT_EQ(p.cost, after_first.cost);
  EXPECT_GE(p.unrealized(~uint32_t{0}), -INT64_MAX);  // mark x shares - cost, clamped, defined
  // Closing against an extreme cost basis, both ways.
  p.fill('S', 4'000'000'000u, ~uint64_t{0});
  p.fill('S', 4'000'000'000u, 1);
  EXPECT_LE(p.realized, INT64_MAX);
}

TEST(VenueForgery, RejectedForLiveOrdersCannotBuyPastTheLimit) {
  Venue v;
  const int64_t limit = config().risk.max_position;
  std::vector<uint32_t> all;
  for (int round = 0; round < 5; ++round) {
    // Buy up to the limit (orders not yet answered count in full) ...
    std::vector<uint32_t> batch;
    while (const uint32_t urn = v.buy(1'000)) batch.push_back(urn);
    // ... then the forger rejects them all, which frees the room, and executes every order it ever
    // rejected: shares bought that the gate had been told were never bought.
    for (const uint32_t urn : batch) v.rejected(urn);
    all.insert(all.end(), batch.begin(), batch.end());
    for (const uint32_t urn : all) v.executed(urn, 1'000, 200'000);
    ASSERT_LE(v.position(), limit) << "round " << round;
    ASSERT_LE(v.engine.risk().worst_long(1), limit) << "round " << round;
  }
}
