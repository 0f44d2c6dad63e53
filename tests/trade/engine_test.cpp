#include <gtest/gtest.h>

#include <array>

#include "../book/itch_builder.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "sniperforge/trade/engine.hpp"
#include "trading_config_fixture.hpp"

using namespace sf::trade;
using sf::book::Side;
using sf::test::ItchBuilder;

namespace {

TradingConfig parse(std::string_view text, std::vector<std::string>* errs = nullptr) {
  std::vector<std::string> errors;
  const toml::table root = toml::parse(text);
  TradingConfig cfg = parse_trading_config(root, errors);
  if (errs)
    *errs = errors;
  else
    EXPECT_TRUE(errors.empty()) << errors.front();
  return cfg;
}

const std::string kConfig = sf::testing::with_two_snipers(sf::testing::shards_and_book(1));

struct Harness {
  explicit Harness(const TradingConfig& cfg, uint32_t shard = 0) : engine(cfg, shard), sink(storage) {}
  void feed(const ItchBuilder& b, uint64_t first_seq = 1) {
    for (std::size_t i = 0; i < b.size(); ++i) {
      sink.clear();
      engine.on_itch(b[i], first_seq + i, 0, sink);
      for (const OrderRequest& r : sink) sent.push_back(r);
    }
  }
  Engine engine;
  std::array<OrderRequest, 16> storage{};
  OrderSink sink;
  std::vector<OrderRequest> sent;
};

}  // namespace

TEST(Engine, ShardOfAndRoute) {
  EXPECT_EQ(shard_of(7, 1), 0u);
  EXPECT_EQ(shard_of(7, 4), 3u);
  uint8_t buf[64]{};
  sf::itch::msg::AddOrder a;
  a.stock_locate = 6;
  a.encode(buf);
  EXPECT_EQ(route(sf::itch::MessageView{buf}, 4), 2u);
  sf::itch::msg::StockDirectory r;
  r.stock_locate = 6;
  r.encode(buf);
  EXPECT_EQ(route(sf::itch::MessageView{buf}, 4), kAllShards);
  sf::itch::msg::SystemEvent s;
  s.encode(buf);
  EXPECT_EQ(route(sf::itch::MessageView{buf}, 4), kAllShards);
}

TEST(Engine, SniperBuysWhenAskCrossesLimit) {
  Harness h(parse(kConfig));
  ItchBuilder b;
  b.directory(1, "SF0000").add(1, 1, 'B', 100, 200000).add(1, 2, 'S', 100, 200600);  // ask above limit
  h.feed(b);
  EXPECT_TRUE(h.sent.empty());
  ItchBuilder c;
  c.ts = 2000;
  c.add(1, 3, 'S', 70, 200500);  // ask at limit: fire 70 (available)
  h.feed(c, 10);
  ASSERT_EQ(h.sent.size(), 1u);
  const OrderRequest& r = h.sent[0];
  EXPECT_EQ(r.trigger_seq, 10u);
  EXPECT_EQ(r.user_ref_num, 10u);
  EXPECT_EQ(r.side, 'B');
  EXPECT_EQ(r.shares, 70u);
  EXPECT_EQ(r.price, 200500u);
  EXPECT_EQ(r.tif, kTifIoc);
  EXPECT_EQ(std::string_view(r.symbol.data(), 8), "SF0000  ");
  // Within the cooldown nothing more, after it the next shot.
  ItchBuilder d;
  d.ts = 2500;
  d.add(1, 4, 'S', 500, 200400);
  d.ts = 3100;
  d.add(1, 5, 'S', 1, 200400);
  h.feed(d, 11);
  ASSERT_EQ(h.sent.size(), 2u);
  EXPECT_EQ(h.sent[1].trigger_seq, 12u);
  EXPECT_EQ(h.sent[1].shares, 100u);  // shares per shot
  EXPECT_EQ(h.engine.risk().committed_position(1), 170);
}

TEST(Engine, SniperRespectsMaxPositionAndHalts) {
  Harness h(parse(kConfig));
  ItchBuilder b;
  b.directory(2, "SF0001").add(2, 1, 'S', 100, 210000).add(2, 2, 'B', 500, 209600);  // bid above 209500
  h.feed(b);
  ASSERT_EQ(h.sent.size(), 1u);
  EXPECT_EQ(h.sent[0].side, 'S');
  EXPECT_EQ(h.sent[0].shares, 50u);
  ItchBuilder c;
  c.ts = 5000;
  c.add(2, 3, 'B', 500, 209700);  // max position 50 already sent
  h.feed(c, 10);
  EXPECT_EQ(h.sent.size(), 1u);
  // Halted: no shot for the other strategy.
  ItchBuilder d;
  d.directory(1, "SF0000").trading_action(1, "SF0000", 'H').add(1, 5, 'S', 100, 200000);
  h.feed(d, 20);
  EXPECT_EQ(h.sent.size(), 1u);
  ItchBuilder e;
  e.trading_action(1, "SF0000", 'T').add(1, 6, 'S', 1, 200000);
  h.feed(e, 30);
  ASSERT_EQ(h.sent.size(), 2u);
  EXPECT_EQ(h.sent[1].trigger_seq, 30u);  // fires as soon as trading resumes
}

// The sniper's allowance is max_position minus the shares committed on its side, so venue answers move
// it: an IOC cancelled unfilled gives its shares back, a fill keeps them.
TEST(Engine, SniperAllowanceFollowsVenueAnswers) {
  Harness h(parse(kConfig));  // SF0001: sell 50 per shot, max_position 50, no cooldown
  ItchBuilder b;
  b.directory(2, "SF0001").add(2, 1, 'S', 100, 210000).add(2, 2, 'B', 500, 209600);
  h.feed(b);
  ASSERT_EQ(h.sent.size(), 1u);
  // Another bid through the sell limit, at feed time `ts`.
  auto bid_through = [&h](uint64_t ts, uint64_t ref, uint32_t price, uint64_t seq) {
    ItchBuilder c;
    c.ts = ts;
    c.add(2, ref, 'B', 500, price);
    h.feed(c, seq);
  };
  auto accepted = [&h](uint32_t urn) {
    h.engine.on_venue_event({.type = VenueEventType::kAccepted,
                             .user_ref_num = urn,
                             .shares = 50,
                             .price = 209500,
                             .side = 'S',
                             .symbol = {'S', 'F', '0', '0', '0', '1', ' ', ' '}});
  };
  bid_through(5000, 3, 209700, 10);
  EXPECT_EQ(h.sent.size(), 1u) << "50 shares open: the allowance is used up";

  accepted(h.sent[0].user_ref_num);
  h.engine.on_venue_event(
      {.type = VenueEventType::kCanceled, .user_ref_num = h.sent[0].user_ref_num, .shares = 50});
  EXPECT_EQ(h.engine.risk().open_sells(2), 0);
  bid_through(6000, 4, 209800, 20);
  ASSERT_EQ(h.sent.size(), 2u) << "the IOC died unfilled: its 50 shares are free again";

  accepted(h.sent[1].user_ref_num);
  h.engine.on_venue_event({.type = VenueEventType::kExecuted,
                           .user_ref_num = h.sent[1].user_ref_num,
                           .shares = 50,
                           .price = 209500,
                           .match_number = 1});
  EXPECT_EQ(h.engine.orders().position(2).shares, -50);
  bid_through(7000, 5, 209900, 30);
  EXPECT_EQ(h.sent.size(), 2u) << "short 50 filled: max_position reached";
}

TEST(Engine, KilledSymbolsFromConfig) {
  TradingConfig cfg = parse(kConfig);
  cfg.risk.killed_symbols = {"SF0000"};
  Harness h(cfg);
  ItchBuilder b;
  b.directory(1, "SF0000").directory(2, "SF0001").add(1, 1, 'S', 100, 200000).add(2, 2, 'B', 100, 209600);
  h.feed(b);
  ASSERT_EQ(h.sent.size(), 1u);  // only SF0001's sniper; SF0000 is killed
  EXPECT_EQ(h.sent[0].locate, 2u);
  EXPECT_TRUE(h.engine.risk().instrument_killed(1));
  EXPECT_EQ(h.engine.risk().rejects(Reject::kInstrumentKilled), 1u);
  h.engine.set_instrument_killed(1, false);
  ItchBuilder c;
  c.ts = 1'000'000;
  c.add(1, 3, 'S', 100, 200000);
  h.feed(c, 10);
  EXPECT_EQ(h.sent.size(), 2u);
}

TEST(Engine, StrategiesBindOnlyInOwningShard) {
  TradingConfig cfg = parse(kConfig);
  cfg.shards = 2;
  Harness s0(cfg, 0), s1(cfg, 1);
  ItchBuilder b;
  b.directory(1, "SF0000").directory(2, "SF0001");
  s0.feed(b);
  s1.feed(b);
  EXPECT_EQ(s1.engine.strategy_locate(0), 1u);  // SF0000: locate 1 -> shard 1
  EXPECT_EQ(s0.engine.strategy_locate(0), 0u);
  EXPECT_EQ(s0.engine.strategy_locate(1), 2u);
  EXPECT_EQ(s1.engine.strategy_locate(1), 0u);
}

TEST(Engine, VenueResponsesDriveOrdersAndPositions) {
  Harness h(parse(kConfig));
  ItchBuilder b;
  b.directory(1, "SF0000").add(1, 1, 'B', 100, 200000).add(1, 2, 'S', 100, 200500);
  h.feed(b);
  ASSERT_EQ(h.sent.size(), 1u);
  const uint32_t urn = h.sent[0].user_ref_num;
  VenueEvent acc{.type = VenueEventType::kAccepted,
                 .user_ref_num = urn,
                 .shares = 100,
                 .price = 200500,
                 .side = 'B',
                 .symbol = {'S', 'F', '0', '0', '0', '0', ' ', ' '}};
  EXPECT_TRUE(h.engine.on_venue_event(acc).ok());
  EXPECT_EQ(h.engine.orders().find(urn)->state, OrderState::kLive);
  VenueEvent ex{.type = VenueEventType::kExecuted,
                .user_ref_num = urn,
                .shares = 60,
                .price = 200500,
                .match_number = 77};
  h.engine.on_venue_event(ex);
  EXPECT_EQ(h.engine.orders().find(urn)->state, OrderState::kPartiallyFilled);
  VenueEvent cx{.type = VenueEventType::kCanceled, .user_ref_num = urn, .shares = 40};
  h.engine.on_venue_event(cx);
  EXPECT_EQ(h.engine.orders().find(urn)->state, OrderState::kCanceled);
  EXPECT_EQ(h.engine.orders().position(1).shares, 60);
  // Mid = (200000 + 200500) / 2 = 200250; bought 60 @ 200500 -> -250 * 60.
  EXPECT_EQ(h.engine.unrealized_pnl(1), -250 * 60);
}

TEST(Config, ErrorsAreClear) {
  std::vector<std::string> errors;
  parse(R"(
[trading]
shards = 0
bogus = 1
[risk]
collar_bps = "x"
[[strategy]]
name = "nope"
symbol = "TOOLONGSYM"
side = "up"
limit_price = 1
extra = true
[eal]
anything = 1
)",
        &errors);
  ASSERT_EQ(errors.size(), 7u);
  auto has = [&](std::string_view s) {
    for (const auto& e : errors)
      if (e.find(s) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("trading.shards: must be in 1..256"));
  EXPECT_TRUE(has("trading: unknown key 'bogus'"));
  EXPECT_TRUE(has("risk.collar_bps: must be an integer"));
  EXPECT_TRUE(has("unknown strategy name 'nope'"));
  EXPECT_TRUE(has("symbol must be 1..8"));
  EXPECT_TRUE(has("side must be"));
  EXPECT_TRUE(has("strategy[0]: unknown key 'extra'"));
}

TEST(Config, DefaultsWithoutTables) {
  std::vector<std::string> errors;
  const TradingConfig cfg = parse("", &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(cfg.shards, 1u);
  EXPECT_TRUE(cfg.strategies.empty());
  const TradingConfig c2 = parse(kConfig);
  ASSERT_EQ(c2.strategies.size(), 2u);
  EXPECT_EQ(c2.strategies[1].side, Side::kSell);
  EXPECT_EQ(c2.risk.max_order_notional, 100000ull * 10000);
  EXPECT_TRUE(c2.strategies[1].enabled);
}

// ---- a user strategy in one file: define, register by name, use from config ----
namespace {
class EveryAddBuysOne final : public Strategy {
 public:
  using Strategy::Strategy;
  void on_book(StrategyContext& ctx) noexcept override {
    const sf::book::OrderBook& b = ctx.book();
    if (b.live_orders() > seen_ && !b.empty(Side::kSell))
      ctx.send(Intent{Side::kBuy, b.best_price(Side::kSell), 1, kTifIoc});
    seen_ = b.live_orders();
  }

 private:
  uint32_t seen_ = 0;
};
SF_REGISTER_STRATEGY("test_every_add_buys_one", EveryAddBuysOne);
}  // namespace

TEST(StrategyRegistry, UserStrategyByName) {
  EXPECT_TRUE(strategy_registered("sniper"));
  EXPECT_TRUE(strategy_registered("test_every_add_buys_one"));
  EXPECT_FALSE(register_strategy("sniper", nullptr));  // names are unique
  Harness h(parse(R"(
[[strategy]]
name = "test_every_add_buys_one"
symbol = "SF0000"
side = "buy"
limit_price = 1
)"));
  ItchBuilder b;
  b.directory(1, "SF0000")
      .add(1, 1, 'S', 100, 200000)
      .add(1, 2, 'S', 100, 200100)
      .add(1, 3, 'B', 100, 199000);
  h.feed(b);
  ASSERT_EQ(h.sent.size(), 3u);
  EXPECT_EQ(h.sent[0].price, 200000u);
  EXPECT_EQ(h.sent[0].shares, 1u);
  EXPECT_EQ(h.sent[2].trigger_seq, 4u);
  EXPECT_EQ(h.engine.strategy(0).config().name, "test_every_add_buys_one");
}

TEST(Engine, SessionDownRefusesOrdersUntilLoggedInAgain) {
  Harness h(parse(kConfig));
  ItchBuilder b;
  b.directory(1, "SF0000").add(1, 1, 'B', 100, 200000).add(1, 2, 'S', 100, 200600);
  h.feed(b);
  EXPECT_TRUE(h.engine.session_up());
  h.engine.set_session_up(false);
  EXPECT_EQ(h.engine.submit(Intent{Side::kBuy, 200600, 10, kTifIoc}, 1, 11, 0, h.sink), Reject::kSessionDown);
  EXPECT_TRUE(h.sink.empty());
  EXPECT_EQ(h.engine.risk().rejects(Reject::kSessionDown), 1u);
  EXPECT_EQ(to_string(Reject::kSessionDown), "session_down");
  h.engine.set_session_up(true);
  EXPECT_EQ(h.engine.submit(Intent{Side::kBuy, 200600, 10, kTifIoc}, 1, 12, 0, h.sink), Reject::kNone);
  EXPECT_FALSE(h.sink.empty());
}

TEST(Engine, StaleSuppressesOrdersWhileBooksKeepUpdating) {
  Harness h(parse(kConfig));
  ItchBuilder b;
  b.directory(1, "SF0000").add(1, 1, 'B', 100, 200000).add(1, 2, 'S', 100, 200600);
  h.feed(b);
  EXPECT_FALSE(h.engine.stale());
  EXPECT_EQ(h.engine.stale_books(), 0u);
  h.engine.mark_stale(StaleReason::kGap);
  EXPECT_TRUE(h.engine.stale());
  EXPECT_EQ(h.engine.stale_books(), 1u);
  EXPECT_EQ(h.engine.stale_marks(), 1u);
  ItchBuilder c;
  c.ts = 2000;
  c.add(1, 3, 'S', 70, 200500);  // would fire (see SniperBuysWhenAskCrossesLimit)
  h.feed(c, 10);
  EXPECT_TRUE(h.sent.empty());
  EXPECT_EQ(h.engine.risk().rejects(Reject::kStale), 1u);
  EXPECT_EQ(h.engine.risk().accepted(), 0u);
  EXPECT_EQ(to_string(Reject::kStale), "stale");
  // The book still applied the message.
  const sf::book::OrderBook* book = h.engine.books().find(1);
  ASSERT_NE(book, nullptr);
  EXPECT_EQ(book->best_price(Side::kSell), 200500u);
  EXPECT_EQ(book->live_orders(), 3u);
  // Direct orders are suppressed too, and a second reason counts separately.
  h.engine.mark_stale(StaleReason::kRingFull);
  EXPECT_EQ(h.engine.stale_marks(), 2u);
  EXPECT_EQ(h.engine.stats().stale_ring_full.load(), 1u);
  EXPECT_EQ(h.engine.stats().stale_gap.load(), 1u);
  h.sink.clear();
  EXPECT_EQ(h.engine.submit(Intent{Side::kBuy, 200500, 10, kTifIoc}, 1, 11, 0, h.sink), Reject::kStale);
  EXPECT_TRUE(h.sink.empty());
  // Recovery clears it: the next crossing fires again.
  h.engine.clear_stale();
  EXPECT_FALSE(h.engine.stale());
  ItchBuilder d;
  d.ts = 5000;
  d.add(1, 4, 'S', 30, 200400);
  h.feed(d, 20);
  ASSERT_EQ(h.sent.size(), 1u);
  EXPECT_EQ(h.sent[0].trigger_seq, 20u);
}

// A feed gap being recovered by re-request (#12): the messages applied meanwhile are history, so nothing
// fires (reason recovering) while the books keep applying; trading resumes when the recovery ends.
TEST(Engine, RecoveringAppliesTheFeedButRefusesOrders) {
  Harness h(parse(kConfig));
  ItchBuilder b;
  b.directory(1, "SF0000").add(1, 1, 'B', 100, 200000).add(1, 2, 'S', 100, 200600);
  h.feed(b);
  h.engine.set_recovering(true);
  EXPECT_TRUE(h.engine.recovering());
  ItchBuilder c;
  c.ts = 2000;
  c.add(1, 3, 'S', 70, 200500);  // would fire
  h.feed(c, 10);
  EXPECT_TRUE(h.sent.empty());
  EXPECT_EQ(h.engine.risk().rejects(Reject::kRecovering), 1u);
  EXPECT_EQ(to_string(Reject::kRecovering), "recovering");
  EXPECT_EQ(h.engine.books().find(1)->best_price(Side::kSell), 200500u);
  h.engine.set_recovering(false);
  ItchBuilder d;
  d.ts = 5000;
  d.add(1, 4, 'S', 30, 200400);
  h.feed(d, 20);
  ASSERT_EQ(h.sent.size(), 1u);
  EXPECT_EQ(h.sent[0].trigger_seq, 20u);
}

namespace {

// #16: two rules of one strategy on the same symbol and side would both fire: refused.
TEST(TradingConfigChecks, DuplicateStrategiesAreRefused) {
  std::vector<std::string> errors;
  const std::string rule =
      "[[strategy]]\nname = \"sniper\"\nsymbol = \"SF0000\"\nside = \"buy\"\nlimit_price = 1\n";
  (void)parse(rule + rule, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("duplicate of strategy[0]"), std::string::npos) << errors[0];
  (void)parse(
      rule + "[[strategy]]\nname = \"sniper\"\nsymbol = \"SF0000\"\nside = \"sell\"\nlimit_price = 1\n",
      &errors);
  EXPECT_TRUE(errors.empty()) << "the other side is another rule";
}

// #16: a whole configuration without [risk] ran on built-in limits nobody chose.
TEST(TradingConfigChecks, RiskSectionMustBeExplicit) {
  for (const char* text : {"[trading]\nshards = 1\n", "[risk]\n"}) {
    std::vector<std::string> errors;
    require_risk_section(toml::parse(text), errors);
    ASSERT_EQ(errors.size(), 1u) << text;
    EXPECT_NE(errors[0].find("defaults = true"), std::string::npos);
  }
  for (const char* text : {"[risk]\ndefaults = true\n", "[risk]\nmax_position = 10\n"}) {
    std::vector<std::string> errors;
    require_risk_section(toml::parse(text), errors);
    (void)parse(text, &errors);
    EXPECT_TRUE(errors.empty()) << text << errors.front();
  }
}

}  // namespace

namespace {

// #16: a book that lost an order to capacity (more live orders or price levels than configured) is wrong:
// the loss is counted by reason, the book is marked stale and nothing trades on it (before, nothing was
// stale and the sniper fired on a best price that did not exist).
TEST(Engine, ABookThatOverflowedItsCapacityIsStaleAndDoesNotTrade) {
  std::string text(kConfig);
  text.replace(text.find("max_orders = 10000"), 18, "max_orders = 3");
  Harness h(parse(text));
  ItchBuilder b;
  b.directory(1, "SF0000").directory(2, "SF0001");
  b.add(1, 1, 'B', 100, 200000).add(2, 2, 'S', 100, 209000).add(1, 3, 'S', 100, 200600);
  b.add(1, 4, 'S', 100, 200400);  // the 4th live order: dropped (a better ask the book does not show)
  h.feed(b);
  EXPECT_EQ(h.engine.books().drops(sf::book::Drop::kOrderCapacity), 1u);
  EXPECT_EQ(h.engine.books().capacity_stale_books(), 1u);
  EXPECT_TRUE(h.engine.books().book(h.engine.books().index_of(1)).capacity_lost());
  EXPECT_FALSE(h.engine.books().book(h.engine.books().index_of(2)).capacity_lost());
  EXPECT_EQ(h.engine.stale_books(), 1u);
  ItchBuilder c;
  c.ts = 5000;
  c.exec(1, 3, 100).add(1, 5, 'S', 70, 200500);  // room again; the ask at the limit would fire
  h.feed(c, 10);
  EXPECT_TRUE(h.sent.empty()) << "an order on a book known to be incomplete";
  EXPECT_GE(h.engine.risk().rejects(Reject::kStale), 1u);
}

}  // namespace
