// The operator's commands as the trading core applies them (control.hpp) and the off-lcore validation of
// typed values (limits_edit.hpp), which is the config file's parser.
#include <gtest/gtest.h>

#include <array>

#include "../book/itch_builder.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "sniperforge/trade/engine.hpp"
#include "sniperforge/trade/limits_edit.hpp"
#include "trading_config_fixture.hpp"

using namespace sf::trade;
using sf::book::Side;
using sf::test::ItchBuilder;

namespace {

const std::string kConfig =
    sf::testing::config({sf::testing::kBook, sf::testing::kRisk, sf::testing::kSniper});

TradingConfig parse(std::string_view text) {
  std::vector<std::string> errors;
  const toml::table root = toml::parse(text);
  TradingConfig cfg = parse_trading_config(root, errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  return cfg;
}

constexpr std::array<char, 8> kSF0000{'S', 'F', '0', '0', '0', '0', ' ', ' '};
constexpr std::array<char, 8> kSF0001{'S', 'F', '0', '0', '0', '1', ' ', ' '};

struct Harness {
  Harness() : engine(parse(kConfig)), sink(storage) {
    ItchBuilder b;  // SF0000 (locate 1) bid 200000 ask 200600; SF0001 (locate 2) bid 209600 ask 210000
    b.directory(1, "SF0000").add(1, 1, 'B', 100, 200000).add(1, 2, 'S', 100, 200600);
    b.directory(2, "SF0001").add(2, 3, 'B', 100, 209600).add(2, 4, 'S', 100, 210000);
    feed(b, 1);
  }
  void feed(const ItchBuilder& b, uint64_t seq) {
    for (std::size_t i = 0; i < b.size(); ++i) {
      sink.clear();
      engine.on_itch(b[i], seq + i, 0, sink);
      for (const OrderRequest& r : sink) sent.push_back(r);
    }
  }
  // An ask at the sniper's limit (it fires unless refused), at feed time `ts`.
  void trigger(uint64_t ts, uint64_t ref, uint64_t seq) {
    ItchBuilder b;
    b.ts = ts;
    b.add(1, ref, 'S', 10, 200500);
    feed(b, seq);
  }
  Reject submit(Side side, uint32_t price, uint32_t shares, uint16_t locate = 2) {
    sink.clear();
    const Reject r = engine.submit(Intent{side, price, shares, kTifDay}, locate, ++seq, 0, sink);
    for (const OrderRequest& o : sink) sent.push_back(o);
    return r;
  }
  void accept(const OrderRequest& o) {
    engine.on_venue_event({.type = VenueEventType::kAccepted,
                           .user_ref_num = o.user_ref_num,
                           .shares = o.shares,
                           .price = o.price,
                           .side = o.side,
                           .symbol = o.symbol});
  }
  ControlReply apply(ControlCommand c) { return engine.apply(c, cancels); }
  Engine engine;
  std::array<OrderRequest, 16> storage{};
  OrderSink sink;
  std::vector<OrderRequest> sent;
  std::array<CancelRequest, 4> cancels{};
  uint64_t seq = 1000;
};

}  // namespace

TEST(Control, KillRefusesEveryOrderAndCancelsEveryOpenOne) {
  Harness h;
  ASSERT_EQ(h.submit(Side::kBuy, 210000, 10), Reject::kNone);
  ASSERT_EQ(h.submit(Side::kSell, 209600, 10), Reject::kNone);
  h.accept(h.sent[0]);
  h.accept(h.sent[1]);
  h.engine.on_venue_event({.type = VenueEventType::kCanceled,
                           .user_ref_num = h.sent[1].user_ref_num,
                           .shares = 10});  // closed: no Cancel for it
  const ControlReply r = h.apply({.id = 7, .op = ControlOp::kKill});
  EXPECT_EQ(r.id, 7u);
  EXPECT_EQ(r.result, ControlResult::kOk);
  EXPECT_TRUE(r.killed);
  EXPECT_TRUE(h.engine.published().kill_switch.get());
  ASSERT_EQ(r.cancels, 1u);
  EXPECT_EQ(r.open_orders, 1u);
  EXPECT_EQ(h.cancels[0].user_ref_num, h.sent[0].user_ref_num);
  EXPECT_EQ(h.cancels[0].quantity, 0u);

  h.trigger(5000, 10, 100);
  EXPECT_EQ(h.sent.size(), 2u) << "the sniper's shot is refused";
  EXPECT_EQ(h.engine.risk().rejects(Reject::kKillSwitch), 1u);
  EXPECT_EQ(to_string(Reject::kKillSwitch), "killed");

  // The venue acknowledges the Cancel: nothing left open, cancel_open writes nothing.
  h.engine.on_venue_event(
      {.type = VenueEventType::kCanceled, .user_ref_num = h.sent[0].user_ref_num, .shares = 10});
  const ControlReply again = h.apply({.op = ControlOp::kCancelOpen});
  EXPECT_EQ(again.cancels, 0u);
  EXPECT_EQ(again.open_orders, 0u);

  EXPECT_FALSE(h.apply({.op = ControlOp::kUnkill}).killed);
  h.trigger(6000, 11, 200);
  EXPECT_EQ(h.sent.size(), 3u) << "unkill resumes";
}

TEST(Control, CancelsBeyondTheBufferComeFromTheSweepEachOpenOrderOnce) {
  Harness h;
  for (int i = 0; i < 6; ++i) ASSERT_EQ(h.submit(Side::kBuy, 210000, 1), Reject::kNone);
  const ControlReply r = h.apply({.op = ControlOp::kKill});
  EXPECT_EQ(r.cancels, 4u);  // the buffer's size
  EXPECT_EQ(r.open_orders, 6u);
  EXPECT_TRUE(r.cancels_owed);
  EXPECT_EQ(r.open_sample[0], h.sent[0].user_ref_num);
  std::vector<uint32_t> urns;
  for (uint32_t i = 0; i < r.cancels; ++i) urns.push_back(h.cancels[i].user_ref_num);
  // The executor continues the sweep as it has room: one slot, then what is left.
  ASSERT_TRUE(h.engine.cancels_owed());
  ASSERT_EQ(h.engine.next_cancels(std::span(h.cancels).first(1)), 1u);
  urns.push_back(h.cancels[0].user_ref_num);
  EXPECT_TRUE(h.engine.cancels_owed());
  ASSERT_EQ(h.engine.next_cancels(h.cancels), 1u);
  urns.push_back(h.cancels[0].user_ref_num);
  EXPECT_FALSE(h.engine.cancels_owed());
  EXPECT_EQ(h.engine.next_cancels(h.cancels), 0u);
  ASSERT_EQ(urns.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(urns[i], h.sent[i].user_ref_num) << i;
  const ControlReply s = h.apply({.op = ControlOp::kStatus});
  EXPECT_EQ(s.cancels_swept, 6u);
  EXPECT_FALSE(s.cancels_owed);
  // An order the venue closed meanwhile is not cancelled again by a second sweep.
  h.accept(h.sent[0]);
  h.engine.on_venue_event(
      {.type = VenueEventType::kCanceled, .user_ref_num = h.sent[0].user_ref_num, .shares = 1});
  EXPECT_EQ(h.apply({.op = ControlOp::kCancelOpen}).cancels, 4u);
  EXPECT_EQ(h.engine.next_cancels(h.cancels), 1u);
  EXPECT_EQ(h.cancels[0].user_ref_num, h.sent[5].user_ref_num);
}

TEST(Control, HaltedRefusesEverythingAndIsCounted) {
  Harness h;
  const ControlReply r = h.apply({.op = ControlOp::kSetState, .state = TradingState::kHalted});
  EXPECT_EQ(r.state, TradingState::kHalted);
  EXPECT_EQ(h.engine.published().trading_state.get(), static_cast<uint8_t>(TradingState::kHalted));
  h.trigger(5000, 10, 100);
  EXPECT_EQ(h.submit(Side::kSell, 209600, 10), Reject::kHalted);
  EXPECT_TRUE(h.sent.empty());
  EXPECT_EQ(h.engine.risk().rejects(Reject::kHalted), 2u);
  h.apply({.op = ControlOp::kSetState, .state = TradingState::kActive});
  h.trigger(6000, 11, 200);
  EXPECT_EQ(h.sent.size(), 1u);
}

TEST(Control, ReducingLetsOnlyPositionShrinkingOrdersThrough) {
  Harness h;
  ASSERT_EQ(h.submit(Side::kSell, 209600, 10), Reject::kNone);
  h.accept(h.sent[0]);
  h.engine.on_venue_event({.type = VenueEventType::kExecuted,
                           .user_ref_num = h.sent[0].user_ref_num,
                           .shares = 10,
                           .price = 209600,
                           .match_number = 1});
  ASSERT_EQ(h.engine.risk().position(2), -10);
  h.apply({.op = ControlOp::kSetState, .state = TradingState::kReducing});
  EXPECT_EQ(h.submit(Side::kSell, 209600, 1), Reject::kReducing) << "would grow the short";
  EXPECT_EQ(h.submit(Side::kBuy, 210000, 11), Reject::kReducing) << "would flip to long";
  EXPECT_EQ(h.submit(Side::kBuy, 210000, 6), Reject::kNone);
  EXPECT_EQ(h.submit(Side::kBuy, 210000, 5), Reject::kReducing) << "6 open + 5 > the 10 short";
  EXPECT_EQ(h.submit(Side::kBuy, 210000, 4), Reject::kNone);
  EXPECT_EQ(h.engine.risk().rejects(Reject::kReducing), 3u);
  EXPECT_EQ(h.submit(Side::kBuy, 200600, 1, 1), Reject::kReducing) << "flat SF0000 cannot open";
}

TEST(Control, PerSymbolStateAndUnknownSymbol) {
  Harness h;
  ControlCommand c{.op = ControlOp::kSetState, .state = TradingState::kHalted, .symbol = kSF0001};
  EXPECT_EQ(h.apply(c).result, ControlResult::kOk);
  EXPECT_EQ(h.apply(c).state, TradingState::kActive) << "the shard stays active";
  EXPECT_EQ(h.submit(Side::kSell, 209600, 1), Reject::kHalted);
  EXPECT_EQ(h.submit(Side::kBuy, 210000, 1, 1), Reject::kPriceCollar) << "SF0000 is not halted";
  c.symbol = {'N', 'O', 'P', 'E', ' ', ' ', ' ', ' '};
  c.state = TradingState::kActive;
  EXPECT_EQ(h.apply(c).result, ControlResult::kUnknownSymbol);
  EXPECT_EQ(h.engine.risk().instrument_state(2), TradingState::kHalted) << "nothing changed";
  (void)kSF0000;
}

// limits set KEY=VALUE --symbol S: that instrument's own limits; an order obeys the stricter of them and the
// shard's, the other instruments only the shard's; an unknown symbol changes nothing.
TEST(Control, PerSymbolLimitsTightenOneInstrumentOnly) {
  Harness h;
  InstrumentLimits l;
  l.max_order_shares = 3;
  l.max_position = 4;
  EXPECT_EQ(h.apply({.op = ControlOp::kSetLimits, .symbol = kSF0001, .instrument_limits = l}).result,
            ControlResult::kOk);
  EXPECT_EQ(h.engine.risk().instrument_limits(2), l);
  EXPECT_EQ(h.engine.risk().config().max_order_shares, 1000u) << "the shard's limits are unchanged";
  EXPECT_EQ(h.submit(Side::kSell, 209600, 4), Reject::kMaxOrderShares);
  EXPECT_EQ(h.submit(Side::kSell, 209600, 3), Reject::kNone);
  EXPECT_EQ(h.submit(Side::kSell, 209600, 2), Reject::kMaxPosition) << "3 + 2 open shares > 4";
  EXPECT_EQ(h.submit(Side::kBuy, 200600, 20, 1), Reject::kNone) << "SF0000 keeps the shard's limits";
  // Looser than the shard's: the shard's still applies.
  l = {};
  l.collar_bps = 10'000;
  EXPECT_EQ(h.apply({.op = ControlOp::kSetLimits, .symbol = kSF0000, .instrument_limits = l}).result,
            ControlResult::kOk);
  EXPECT_EQ(h.submit(Side::kBuy, 210000, 1, 1), Reject::kPriceCollar);
  l.max_order_shares = 1;
  EXPECT_EQ(h.apply({.op = ControlOp::kSetLimits,
                     .symbol = {'N', 'O', 'P', 'E', ' ', ' ', ' ', ' '},
                     .instrument_limits = l})
                .result,
            ControlResult::kUnknownSymbol);
  EXPECT_EQ(h.engine.risk().instrument_limits(1).max_order_shares, InstrumentLimits{}.max_order_shares);
  EXPECT_EQ(h.engine.risk().instrument_limits(2).max_order_shares, 3u) << "nothing changed";
}

TEST(Control, LimitsAreValidatedByTheConfigParserAndAppliedAtOnce) {
  Harness h;
  const RiskLimits now = limits_of(h.engine.risk().config());
  std::string error;
  EXPECT_FALSE(edit_limits(now, "max_position=-1", error));
  EXPECT_NE(error.find("risk.max_position: must be in 0.."), std::string::npos) << error;
  EXPECT_FALSE(edit_limits(now, "max_position=abc", error));
  EXPECT_NE(error.find("not a number"), std::string::npos) << error;
  EXPECT_FALSE(edit_limits(now, "collar_bps=10001", error));
  EXPECT_NE(error.find("risk.collar_bps: must be in 0..10000"), std::string::npos) << error;
  EXPECT_FALSE(edit_limits(now, "max_order_shares=1.5", error));
  EXPECT_NE(error.find("must be an integer"), std::string::npos) << error;
  EXPECT_FALSE(edit_limits(now, "kill_switch=true", error));
  EXPECT_NE(error.find("unknown key 'kill_switch'"), std::string::npos) << error;
  EXPECT_FALSE(edit_limits(now, "max_position", error));
  EXPECT_FALSE(edit_limits(now, "max_gross_notional=-5", error));
  EXPECT_NE(error.find("dollars"), std::string::npos) << error;

  const auto next = edit_limits(now, "max_order_shares=5", error);
  ASSERT_TRUE(next) << error;
  RiskLimits expected = now;
  expected.max_order_shares = 5;
  EXPECT_EQ(*next, expected) << "dollar limits survive the round trip";
  const auto dollars = edit_limits(now, "max_gross_notional=2500.5", error);
  ASSERT_TRUE(dollars) << error;
  EXPECT_EQ(dollars->max_gross_notional, 25'005'000u);

  const ControlReply r = h.apply({.op = ControlOp::kSetLimits, .limits = *next});
  EXPECT_EQ(r.limits.max_order_shares, 5u);
  EXPECT_EQ(h.submit(Side::kSell, 209600, 6), Reject::kMaxOrderShares);
  EXPECT_EQ(h.submit(Side::kSell, 209600, 5), Reject::kNone);
}

TEST(Control, StrategyDisableAndSet) {
  Harness h;
  std::string error;
  const StrategyConfig& sc = h.engine.config().strategies[0];
  auto off = edit_strategy(sc, "enabled=false", error);
  ASSERT_TRUE(off) << error;
  EXPECT_EQ(h.apply({.op = ControlOp::kSetStrategy, .strategy = 0, .params = *off}).result,
            ControlResult::kOk);
  h.trigger(5000, 10, 100);
  EXPECT_TRUE(h.sent.empty());
  EXPECT_FALSE(edit_strategy(sc, "shares=0", error));
  EXPECT_NE(error.find("strategy[0].shares: must be in 1..1000000"), std::string::npos) << error;
  EXPECT_FALSE(edit_strategy(sc, "symbol=\"X\"", error));
  auto on = edit_strategy(h.engine.config().strategies[0], "enabled=true", error);
  auto smaller = edit_strategy(StrategyConfig{sc.name, sc.symbol, sc.side, on->limit_price, on->shares,
                                              on->max_position, on->cooldown_ns, true},
                               "shares=3", error);
  ASSERT_TRUE(smaller) << error;
  h.apply({.op = ControlOp::kSetStrategy, .strategy = 0, .params = *smaller});
  h.trigger(6000, 11, 200);
  ASSERT_EQ(h.sent.size(), 1u);
  EXPECT_EQ(h.sent[0].shares, 3u);
  EXPECT_EQ(h.apply({.op = ControlOp::kSetStrategy, .strategy = 9}).result, ControlResult::kUnknownStrategy);
}

TEST(Control, ClearVenueInconsistent) {
  Harness h;
  h.engine.on_venue_event({.type = VenueEventType::kCanceled, .user_ref_num = 4242, .shares = 1});
  ASSERT_TRUE(h.engine.venue_inconsistent());
  EXPECT_TRUE(h.apply({.op = ControlOp::kStatus}).venue_inconsistent);
  EXPECT_FALSE(h.apply({.op = ControlOp::kClearVenueInconsistent}).venue_inconsistent);
}

TEST(Control, ReloadAllOrNothing) {
  const TradingConfig cur = parse(kConfig);
  std::vector<std::string> errors;
  std::string changed(kConfig);
  changed.replace(changed.find("max_position = 500"), 18, "max_position = 400");
  changed.replace(changed.find("\nshares = 100"), 13, "\nshares = 50");
  auto plan = plan_reload(cur, toml::parse(changed), errors);
  ASSERT_TRUE(plan) << errors.front();
  EXPECT_EQ(plan->limits.max_position, 400);
  EXPECT_EQ(plan->strategies.at(0).shares, 50u);
  ASSERT_EQ(plan->changes.size(), 2u);
  EXPECT_EQ(plan->changes[0], "risk.max_position: 500 -> 400");
  EXPECT_EQ(plan->changes[1], "strategy[0].shares: 100 -> 50");

  std::string bad = changed;
  bad.replace(bad.find("collar_bps = 100"), 16, "collar_bps = -1 ");
  EXPECT_FALSE(plan_reload(cur, toml::parse(bad), errors));
  EXPECT_NE(errors.back().find("risk.collar_bps"), std::string::npos);

  errors.clear();
  std::string moved = changed;
  moved.replace(moved.find("SF0000"), 6, "SF0009");
  EXPECT_FALSE(plan_reload(cur, toml::parse(moved), errors));
  EXPECT_NE(errors.back().find("strategy[0] name/symbol/side"), std::string::npos);
}
