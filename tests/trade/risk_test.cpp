// Risk gate: one test per rejection reason, exposure released by venue cancels/rejects/fills, and a
// randomized property test through the Engine: across millions of random orders, book changes, halts, kill
// switches, stale marks and venue fills/cancels/rejects, no accepted order breaches any limit (checked by an
// independent oracle), and real positions stay within the limits too.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <deque>
#include <map>
#include <random>

#include "../book/itch_builder.hpp"
#include "sniperforge/trade/engine.hpp"

using namespace sf::trade;
using sf::book::Side;
using sf::test::ItchBuilder;

namespace {

RiskConfig limits() {
  RiskConfig r;
  r.max_order_shares = 1'000;
  r.max_order_notional = 100'000ull * 10'000;  // $100k
  r.collar_bps = 100;                          // 1 %
  r.max_position = 2'000;
  r.max_gross_notional = 1'000'000ull * 10'000;  // $1M
  r.max_open_orders = 3;
  r.max_orders_per_second = 10;
  r.throttle_burst = 5;
  return r;
}

struct Fixture {
  Fixture() : books(book_cfg()), gate(limits()) {
    ItchBuilder b;
    b.directory(1, "AAA").add(1, 1, 'B', 500, 199'900).add(1, 2, 'S', 500, 200'000);
    b.directory(2, "BBB").trading_action(2, "BBB", 'H').add(2, 3, 'S', 500, 100'000);
    for (std::size_t i = 0; i < b.size(); ++i) books.apply(b[i]);
  }
  static sf::book::BookConfig book_cfg() {
    sf::book::BookConfig c;
    c.max_orders = 100;
    c.max_instruments = 8;
    c.max_levels_total = 1024;
    return c;
  }
  OrderRequest order(char side, uint32_t shares, uint64_t price, uint16_t locate = 1, char tif = kTifIoc) {
    OrderRequest r;
    r.side = side;
    r.shares = shares;
    r.price = price;
    r.locate = locate;
    r.tif = tif;
    r.user_ref_num = ++urn;
    return r;
  }
  Reject check(const OrderRequest& r, uint64_t ts = 1'000) {
    return gate.check_and_commit(r, books.find(r.locate), ts);
  }
  sf::book::BookSet books;
  RiskGate gate;
  uint32_t urn = 0;
};

}  // namespace

TEST(Risk, AcceptsAnOrderWithinAllLimits) {
  Fixture f;
  EXPECT_EQ(f.check(f.order('B', 100, 200'000)), Reject::kNone);
  EXPECT_EQ(f.gate.committed_position(1), 100);
  EXPECT_EQ(f.gate.gross_notional(), 100u * 200'000);
  EXPECT_EQ(f.gate.accepted(), 1u);
}

TEST(Risk, KillSwitchGlobalAndPerInstrument) {
  Fixture f;
  f.gate.set_kill_switch(true);
  EXPECT_EQ(f.check(f.order('B', 1, 200'000)), Reject::kKillSwitch);
  f.gate.set_kill_switch(false);
  f.gate.set_instrument_killed(1, true);
  EXPECT_EQ(f.check(f.order('B', 1, 200'000)), Reject::kInstrumentKilled);
  f.gate.set_instrument_killed(1, false);
  EXPECT_EQ(f.check(f.order('B', 1, 200'000)), Reject::kNone);
  EXPECT_EQ(f.gate.rejects(Reject::kKillSwitch), 1u);
  EXPECT_EQ(f.gate.rejects(Reject::kInstrumentKilled), 1u);
}

TEST(Risk, NotTradingWhenHaltedOrUnknown) {
  Fixture f;
  EXPECT_EQ(f.check(f.order('B', 1, 100'000, 2)), Reject::kNotTrading);
  OrderRequest r = f.order('B', 1, 100'000, 3);
  EXPECT_EQ(f.gate.check_and_commit(r, nullptr, 0), Reject::kNotTrading);
}

TEST(Risk, BadOrders) {
  Fixture f;
  EXPECT_EQ(f.check(f.order('B', 0, 200'000)), Reject::kBadOrder);
  EXPECT_EQ(f.check(f.order('B', 1, 0)), Reject::kBadOrder);
  EXPECT_EQ(f.check(f.order('X', 1, 200'000)), Reject::kBadOrder);
}

TEST(Risk, MaxOrderSharesAndNotional) {
  Fixture f;
  EXPECT_EQ(f.check(f.order('B', 1'001, 200'000)), Reject::kMaxOrderShares);
  RiskConfig c = limits();
  c.max_order_notional = 1'000ull * 10'000;  // $1k: 100 shares at $20 = $2k
  RiskGate g(c);
  OrderRequest r = f.order('B', 100, 200'000);
  EXPECT_EQ(g.check_and_commit(r, f.books.find(1), 0), Reject::kMaxOrderNotional);
}

TEST(Risk, PriceCollarAgainstTheSideTaken) {
  Fixture f;
  EXPECT_EQ(f.check(f.order('B', 1, 202'000)), Reject::kNone);  // ask 200000 + 1 % = 202000
  EXPECT_EQ(f.check(f.order('B', 1, 202'001)), Reject::kPriceCollar);
  EXPECT_EQ(f.check(f.order('S', 1, 197'901)), Reject::kNone);  // bid 199900 - 1 % = 197901
  EXPECT_EQ(f.check(f.order('S', 1, 197'900)), Reject::kPriceCollar);
}

TEST(Risk, NoReferencePriceOnEmptySide) {
  Fixture f;
  ItchBuilder b;
  b.del(1, 2);
  f.books.apply(b[0]);
  EXPECT_EQ(f.check(f.order('B', 1, 200'000)), Reject::kNoReferencePrice);
}

TEST(Risk, MaxPositionCountsOpenOrdersPerSide) {
  Fixture f;
  for (int i = 0; i < 2; ++i) EXPECT_EQ(f.check(f.order('B', 1'000, 200'000), 1'000 + i), Reject::kNone);
  EXPECT_EQ(f.check(f.order('B', 1, 200'000), 2'000), Reject::kMaxPosition);
  EXPECT_EQ(f.check(f.order('S', 1'000, 199'900), 3'000), Reject::kNone);
  // An unfilled sell does not make room for more buys: the buys may all fill and the sell not at all.
  EXPECT_EQ(f.check(f.order('B', 1, 200'000), 4'000), Reject::kMaxPosition);
  EXPECT_EQ(f.gate.committed_position(1), 1'000);
  EXPECT_EQ(f.gate.open_sells(1), 1'000);
  EXPECT_EQ(f.gate.worst_long(1), 2'000);
  EXPECT_EQ(f.gate.worst_short(1), 1'000);
}

namespace {
// An engine with one tradable instrument (locate 1, "AAA", bid 199900 / ask 200000) and the venue driven
// by hand.
struct VenueHarness {
  VenueHarness() : engine(config()), sink(storage) {
    ItchBuilder b;
    b.directory(1, "AAA").add(1, 1, 'B', 5'000, 199'900).add(1, 2, 'S', 5'000, 200'000);
    for (std::size_t i = 0; i < b.size(); ++i) engine.on_itch(b[i], ++seq, 0, sink);
  }
  static TradingConfig config() {
    TradingConfig c;
    c.book.max_orders = 100;
    c.book.max_instruments = 8;
    c.book.max_levels_total = 1024;
    c.risk = limits();
    c.risk.max_orders_per_second = 1'000;
    c.risk.throttle_burst = 1'000;
    return c;
  }
  // Submits an order; returns its UserRefNum (0 if rejected), `why` gets the verdict.
  uint32_t order(char side, uint32_t shares, Reject* why = nullptr) {
    sink.clear();
    const Intent in{side == 'B' ? Side::kBuy : Side::kSell, side == 'B' ? 200'000u : 199'900u, shares,
                    kTifIoc};
    const Reject rj = engine.submit(in, 1, ++seq, 0, sink);
    if (why) *why = rj;
    return rj == Reject::kNone ? sink[0].user_ref_num : 0;
  }
  void venue(VenueEventType t, uint32_t urn, uint32_t shares, uint64_t price = 0) {
    VenueEvent e;
    e.type = t;
    e.user_ref_num = urn;
    e.shares = shares;
    e.price = price;
    e.match_number = ++match;
    if (const OrderRecord* o = engine.orders().find(urn)) {  // Accepted describes the order as sent
      e.side = o->side;
      e.symbol = o->symbol;
    }
    EXPECT_TRUE(engine.on_venue_event(e).ok()) << "venue event refused";
  }
  Engine engine;
  std::array<OrderRequest, 4> storage{};
  OrderSink sink;
  uint64_t seq = 0, match = 0;
};
}  // namespace

TEST(Risk, CancelAndRejectFreeRoomForNewOrders) {
  VenueHarness h;
  const uint32_t a = h.order('B', 1'000), b = h.order('B', 1'000);
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  Reject why{};
  EXPECT_EQ(h.order('B', 1, &why), 0u);
  EXPECT_EQ(why, Reject::kMaxPosition);
  // IOC remainder canceled by the venue: its 1000 shares are free again.
  h.venue(VenueEventType::kAccepted, a, 1'000, 200'000);
  h.venue(VenueEventType::kCanceled, a, 1'000);
  EXPECT_EQ(h.engine.risk().open_buys(1), 1'000);
  EXPECT_EQ(h.engine.risk().gross_notional(), 1'000u * 200'000);
  const uint32_t c = h.order('B', 1'000);
  EXPECT_NE(c, 0u);
  EXPECT_EQ(h.order('B', 1, &why), 0u);
  EXPECT_EQ(why, Reject::kMaxPosition);
  // A venue reject frees room the same way.
  h.venue(VenueEventType::kRejected, b, 0);
  EXPECT_EQ(h.engine.risk().open_buys(1), 1'000);
  EXPECT_NE(h.order('B', 1'000), 0u);
  EXPECT_EQ(h.engine.risk().worst_long(1), 2'000);
  // Events for final orders release nothing twice (and stop the shard: venue_checks_test.cpp).
  VenueEvent again{.type = VenueEventType::kCanceled, .user_ref_num = a, .shares = 1'000};
  EXPECT_EQ(h.engine.on_venue_event(again).check, VenueCheck::kOrderFinal);
  EXPECT_EQ(h.engine.risk().open_buys(1), 2'000);
}

TEST(Risk, FillsMoveThePositionAndASellFillReducesALong) {
  VenueHarness h;
  const uint32_t a = h.order('B', 1'000);
  h.venue(VenueEventType::kAccepted, a, 1'000, 200'000);
  h.venue(VenueEventType::kExecuted, a, 1'000, 200'000);
  EXPECT_EQ(h.engine.risk().position(1), 1'000);
  EXPECT_EQ(h.engine.risk().open_buys(1), 0);
  EXPECT_EQ(h.engine.risk().gross_notional(), 1'000u * 200'000);  // filled: now cost basis, not open
  EXPECT_NE(h.order('B', 1'000), 0u);                             // worst long 2000
  Reject why{};
  EXPECT_EQ(h.order('B', 1, &why), 0u);
  EXPECT_EQ(why, Reject::kMaxPosition);
  // Sell 600 and get it filled: the long shrinks to 400, so 600 more may be bought.
  const uint32_t s = h.order('S', 600);
  ASSERT_NE(s, 0u);
  EXPECT_EQ(h.engine.risk().worst_short(1), 600 - 1'000);
  h.venue(VenueEventType::kAccepted, s, 600, 199'900);
  h.venue(VenueEventType::kExecuted, s, 600, 199'900);
  EXPECT_EQ(h.engine.risk().position(1), 400);
  EXPECT_EQ(h.engine.risk().open_sells(1), 0);
  EXPECT_EQ(h.engine.risk().worst_long(1), 1'400);
  EXPECT_EQ(h.engine.risk().gross_notional(), 400u * 200'000 + 1'000u * 200'000);
  EXPECT_NE(h.order('B', 600), 0u);
  EXPECT_EQ(h.order('B', 1, &why), 0u);
  EXPECT_EQ(why, Reject::kMaxPosition);
  // Short side: the long lets us sell up to 2000 + 400 shares.
  EXPECT_NE(h.order('S', 1'000), 0u);
  EXPECT_NE(h.order('S', 1'000), 0u);
  EXPECT_NE(h.order('S', 400), 0u);
  EXPECT_EQ(h.order('S', 1, &why), 0u);
  EXPECT_EQ(why, Reject::kMaxPosition);
}

TEST(Risk, MaxGrossNotional) {
  RiskConfig c = limits();
  c.max_gross_notional = 50'000ull * 10'000;  // $50k: two orders of 1000 @ $20
  Fixture f;
  RiskGate g(c);
  EXPECT_EQ(g.check_and_commit(f.order('B', 1'000, 200'000), f.books.find(1), 1), Reject::kNone);
  EXPECT_EQ(g.check_and_commit(f.order('S', 1'000, 199'900), f.books.find(1), 2), Reject::kNone);
  EXPECT_EQ(g.check_and_commit(f.order('B', 1'000, 200'000), f.books.find(1), 3), Reject::kMaxGrossNotional);
}

TEST(Risk, MaxOpenOrdersForRestingOrders) {
  Fixture f;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(f.check(f.order('B', 1, 199'000, 1, kTifDay), 10 + i), Reject::kNone);
  EXPECT_EQ(f.check(f.order('B', 1, 199'000, 1, kTifDay), 20), Reject::kMaxOpenOrders);
  EXPECT_EQ(f.check(f.order('B', 1, 200'000, 1, kTifIoc), 21), Reject::kNone);  // IOC never rests
  f.gate.on_order_closed();
  EXPECT_EQ(f.check(f.order('B', 1, 199'000, 1, kTifDay), 22), Reject::kNone);
}

TEST(Risk, ThrottleTokenBucketOnFeedTime) {
  Fixture f;
  const uint64_t t0 = 10'000'000'000;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(f.check(f.order('B', 1, 200'000), t0), Reject::kNone);  // burst 5
  EXPECT_EQ(f.check(f.order('B', 1, 200'000), t0), Reject::kThrottle);
  EXPECT_EQ(f.check(f.order('B', 1, 200'000), t0 + 99'000'000), Reject::kThrottle);  // 0.99 token
  EXPECT_EQ(f.check(f.order('B', 1, 200'000), t0 + 100'000'000), Reject::kNone);     // 10/s: one per 100 ms
  EXPECT_EQ(f.check(f.order('B', 1, 200'000), t0 + 100'000'000), Reject::kThrottle);
}

TEST(Risk, UserRefNumMustStrictlyIncrease) {
  Fixture f;
  OrderRequest r = f.order('B', 1, 200'000);
  EXPECT_EQ(f.check(r), Reject::kNone);
  EXPECT_EQ(f.check(r, 2'000'000'000), Reject::kUserRefNum);  // same again
  r.user_ref_num -= 1;
  EXPECT_EQ(f.check(r, 4'000'000'000), Reject::kUserRefNum);
  r.user_ref_num = 0;
  EXPECT_EQ(f.check(r, 6'000'000'000), Reject::kUserRefNum);
}

struct SegmentResult {
  uint64_t accepted = 0, rejected = 0;
  std::array<uint64_t, static_cast<std::size_t>(Reject::kCount)> reasons{};
};

// One trading day: a fresh engine, random feed/orders/venue events, every accepted order checked.
void run_segment(uint64_t seed, int steps, SegmentResult& out) {
  TradingConfig cfg;
  cfg.book.max_orders = 4096;
  cfg.book.max_instruments = 16;
  cfg.book.max_levels_total = 1 << 16;
  cfg.risk = limits();
  cfg.risk.max_position = 50'000;
  cfg.risk.max_order_notional = 30'000ull * 10'000;
  cfg.risk.max_open_orders = 20;
  cfg.risk.max_orders_per_second = 1'000;
  cfg.risk.throttle_burst = 50;
  cfg.risk.max_gross_notional = 8'000'000ull * 10'000;
  cfg.max_tracked_orders = 1 << 17;  // orders stay open until the venue closes them: never evict
  Engine engine(cfg);
  std::array<OrderRequest, 4> storage{};
  OrderSink sink(storage);
  std::mt19937_64 rng(seed);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };

  constexpr int kInstruments = 4;
  constexpr const char* kSyms[] = {"", "S1", "S2", "S3", "S4"};
  std::array<bool, kInstruments + 1> halted{}, killed{};
  bool kill = false, stale = false;
  std::map<uint64_t, int> live_refs;  // feed orders per ref -> locate
  uint64_t next_ref = 1, seq = 0, ts = 1'000'000'000;
  ItchBuilder b;
  for (uint16_t l = 1; l <= kInstruments; ++l) b.directory(l, kSyms[l]);
  for (std::size_t i = 0; i < b.size(); ++i) engine.on_itch(b[i], ++seq, 0, sink);

  // Oracle state: filled positions (the Position bookkeeping is tested in orders_test) and open shares.
  std::array<Position, kInstruments + 1> pos{};
  std::array<int64_t, kInstruments + 1> open_buy{}, open_sell{};
  int64_t open_notional = 0;
  auto filled_notional = [&] {
    int64_t n = 0;
    for (const Position& p : pos) n += p.cost < 0 ? -p.cost : p.cost;
    return n;
  };
  auto release = [&](const OrderRequest& o, uint32_t shares) {
    (o.side == 'B' ? open_buy : open_sell)[o.locate] -= shares;
    open_notional -= static_cast<int64_t>(shares * o.price);
  };
  int64_t open_resting = 0;
  uint32_t last_urn = 0;
  std::deque<uint64_t> accepted_times;
  struct Open {
    OrderRequest r;
    bool accepted = false;
    uint32_t leaves = 0;
  };
  std::vector<Open> unfilled;  // sent orders not yet final
  uint64_t accepted = 0, rejected = 0, fills = 0;

  for (int step = 0; step < steps; ++step) {
    const int64_t what = uni(0, 99);
    if (what < 30) {  // feed: move the book, halts
      b.clear();
      b.ts = ts += static_cast<uint64_t>(uni(0, 2'000'000));
      const uint16_t l = static_cast<uint16_t>(uni(1, kInstruments));
      const int64_t k = uni(0, 99);
      if (k < 2 && (halted[l] || uni(0, 9) == 0)) {  // rare halts, resumed at the next chance
        halted[l] = !halted[l];
        b.trading_action(l, kSyms[l], halted[l] ? 'H' : 'T');
      } else if (k < 55 || live_refs.size() < 8) {
        const char side = uni(0, 1) ? 'B' : 'S';
        const int64_t mid = 100'000 * l + uni(-500, 500);
        const uint32_t px =
            static_cast<uint32_t>(side == 'B' ? mid - uni(1, 20) * 100 : mid + uni(1, 20) * 100);
        b.add(l, next_ref, side, static_cast<uint32_t>(uni(1, 500)), px);
        live_refs[next_ref++] = l;
      } else {
        auto it = live_refs.lower_bound(static_cast<uint64_t>(uni(1, static_cast<int64_t>(next_ref))));
        if (it == live_refs.end()) it = live_refs.begin();
        b.del(static_cast<uint16_t>(it->second), it->first);
        live_refs.erase(it);
      }
      engine.on_itch(b[0], ++seq, 0, sink);
    } else if (what < 32) {  // kill switches and stale books
      // Mostly off: switched on rarely, off again at the next chance.
      const int64_t which = uni(0, 4);
      if (which == 4) {
        if (stale) {
          engine.clear_stale();
        } else if (uni(0, 19) == 0) {
          engine.mark_stale(uni(0, 1) ? StaleReason::kGap : StaleReason::kRingFull);
        }
        stale = engine.stale();
      } else if (which >= 2) {
        if (kill || uni(0, 19) == 0) engine.set_kill_switch(kill = !kill);
      } else {
        const uint16_t l = static_cast<uint16_t>(uni(1, kInstruments));
        if (killed[l] || uni(0, 9) == 0) engine.set_instrument_killed(l, killed[l] = !killed[l]);
      }
    } else if (what < 45 && !unfilled.empty()) {  // venue: reject, or accept and fill/cancel some
      const std::size_t i = static_cast<std::size_t>(uni(0, static_cast<int64_t>(unfilled.size()) - 1));
      Open& o = unfilled[i];
      VenueEvent e;
      e.user_ref_num = o.r.user_ref_num;
      bool final_state = false;
      if (!o.accepted && uni(0, 4) == 0) {
        e.type = VenueEventType::kRejected;
        engine.on_venue_event(e);
        release(o.r, o.leaves);
        final_state = true;
      } else {
        if (!o.accepted) {
          e.type = VenueEventType::kAccepted;
          e.shares = o.r.shares;
          e.price = o.r.price;
          e.side = o.r.side;
          e.symbol = o.r.symbol;
          engine.on_venue_event(e);
          o.accepted = true;
        }
        const uint32_t filled = static_cast<uint32_t>(uni(0, o.leaves));
        if (filled) {
          e.type = VenueEventType::kExecuted;
          e.shares = filled;
          e.price = o.r.price - (o.r.side == 'B' ? uni(0, 2) * 100 : -uni(0, 2) * 100);  // at or better
          e.match_number = ++fills;
          engine.on_venue_event(e);
          release(o.r, filled);
          pos[o.r.locate].fill(o.r.side, filled, e.price);
          o.leaves -= filled;
        }
        if (o.leaves == 0) {
          final_state = true;
        } else if (uni(0, 1)) {  // cancel the rest (IOC remainder or a cancel of a resting order)
          e.type = VenueEventType::kCanceled;
          e.shares = o.leaves;
          engine.on_venue_event(e);
          release(o.r, o.leaves);
          o.leaves = 0;
          final_state = true;
        }
      }
      if (final_state) {
        if (o.r.tif != kTifIoc) --open_resting;
        unfilled[i] = unfilled.back();
        unfilled.pop_back();
      }
      for (uint16_t l = 1; l <= kInstruments; ++l) {
        const int64_t real = engine.orders().position(l).shares;
        ASSERT_EQ(real, pos[l].shares)
            << "step " << step << " l " << l << " refused " << engine.orders().failures() << " evicted "
            << engine.orders().evicted();
        ASSERT_LE(real > 0 ? real : -real, cfg.risk.max_position) << "real position beyond the limit";
        ASSERT_EQ(engine.risk().open_buys(l), open_buy[l]);
        ASSERT_EQ(engine.risk().open_sells(l), open_sell[l]);
      }
    } else {  // an order
      const uint16_t l = static_cast<uint16_t>(uni(1, kInstruments));
      const sf::book::OrderBook* book = engine.books().find(l);
      Intent in;
      in.side = uni(0, 1) ? Side::kBuy : Side::kSell;
      const int64_t ref_px = 100'000 * l;
      in.price = static_cast<uint32_t>(std::max<int64_t>(0, ref_px + uni(-3'000, 3'000)));
      in.shares = static_cast<uint32_t>(uni(0, 1'200));
      in.tif = uni(0, 3) ? kTifIoc : kTifDay;
      sink.clear();
      const Reject rj = engine.submit(in, l, seq, 0, sink);
      if (rj != Reject::kNone) {
        ++rejected;
        ASSERT_TRUE(sink.empty());
        continue;
      }
      ++accepted;
      ASSERT_EQ(sink.size(), 1u);
      const OrderRequest& r = sink[0];
      // Independent checks of every limit.
      ASSERT_FALSE(kill);
      ASSERT_FALSE(stale);
      ASSERT_FALSE(killed[l]);
      ASSERT_FALSE(halted[l]);
      ASSERT_TRUE(book != nullptr && book->can_trade());
      ASSERT_GT(r.user_ref_num, last_urn);
      last_urn = r.user_ref_num;
      ASSERT_GT(r.shares, 0u);
      ASSERT_LE(r.shares, cfg.risk.max_order_shares);
      ASSERT_LE(static_cast<double>(r.shares) * static_cast<double>(r.price),
                static_cast<double>(cfg.risk.max_order_notional));
      const Side take = r.side == 'B' ? Side::kSell : Side::kBuy;
      ASSERT_FALSE(book->empty(take));
      const double best = book->best_price(take), bps = cfg.risk.collar_bps / 10'000.0;
      if (r.side == 'B') {
        ASSERT_LE(static_cast<double>(r.price), best * (1 + bps) + 1e-6);
      } else {
        ASSERT_GE(static_cast<double>(r.price), best * (1 - bps) - 1e-6);
      }
      (r.side == 'B' ? open_buy : open_sell)[l] += r.shares;
      open_notional += static_cast<int64_t>(r.shares * r.price);
      // Worst case over any venue behaviour from here: every open buy fills and no sell, or the reverse.
      ASSERT_LE(pos[l].shares + open_buy[l], cfg.risk.max_position);
      ASSERT_LE(open_sell[l] - pos[l].shares, cfg.risk.max_position);
      ASSERT_LE(filled_notional() + open_notional, static_cast<int64_t>(cfg.risk.max_gross_notional));
      if (r.tif != kTifIoc) {
        ASSERT_LE(++open_resting, int64_t{cfg.risk.max_open_orders});
      }
      // Token bucket: within any window of 1 s at most burst + rate orders.
      accepted_times.push_back(ts);
      while (accepted_times.front() + 1'000'000'000 <= ts) accepted_times.pop_front();
      ASSERT_LE(accepted_times.size(), cfg.risk.throttle_burst + cfg.risk.max_orders_per_second);
      unfilled.push_back(Open{r, false, r.shares});
    }
  }
  out.accepted += accepted;
  out.rejected += rejected;
  for (std::size_t i = 0; i < out.reasons.size(); ++i)
    out.reasons[i] += engine.risk().rejects(static_cast<Reject>(i));
  EXPECT_EQ(engine.orders().failures(), 0u);
  EXPECT_EQ(engine.orders().evicted(), 0u);
}

TEST(Risk, PropertyNoAcceptedOrderBreachesALimit) {
  SegmentResult r;
  for (uint64_t day = 0; day < 20 && !::testing::Test::HasFatalFailure(); ++day)
    run_segment(42 + day, 100'000, r);
  // 2 M steps in all; the random mix must exercise both outcomes and most reasons.
  EXPECT_GT(r.accepted, 10'000u);
  EXPECT_GT(r.rejected, 100'000u);
  int reasons = 0;
  for (std::size_t i = 1; i < r.reasons.size(); ++i) {
    reasons += r.reasons[i] > 0;
    std::printf("%s %llu\n", std::string(to_string(static_cast<Reject>(i))).c_str(),
                static_cast<unsigned long long>(r.reasons[i]));
  }
  std::printf("accepted %llu rejected %llu\n", static_cast<unsigned long long>(r.accepted),
              static_cast<unsigned long long>(r.rejected));
  EXPECT_GE(reasons, 11);
  EXPECT_GT(r.reasons[static_cast<std::size_t>(Reject::kStale)], 0u);
}
