#include "sniperforge/dataplane/trade_adapter.hpp"

#include <gtest/gtest.h>

#include <array>

#include "../book/itch_builder.hpp"
#include "sniperforge/telemetry/collector.hpp"
#include "sniperforge/telemetry/health.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "sniperforge/trade/engine.hpp"
#include "trading_config_fixture.hpp"

namespace sf::telemetry {
namespace {

using dataplane::read_engine_stats;

const std::string kConfig = sf::testing::with_two_snipers(R"(
[book]
max_orders = 1000
max_instruments = 16
max_levels_per_side = 64
max_levels_total = 1024
)");

TEST(TradeAdapter, ReadsOrdersRejectsAndConfiguredInstruments) {
  std::vector<std::string> errors;
  const trade::TradingConfig cfg = trade::parse_trading_config(toml::parse(kConfig), errors);
  ASSERT_TRUE(errors.empty()) << errors.front();
  trade::Engine engine(cfg, 0);
  std::array<trade::OrderRequest, 16> storage{};
  trade::OrderSink sink(storage);
  sf::test::ItchBuilder b;
  b.directory(1, "SF0000").add(1, 1, 'B', 100, 200000).add(1, 2, 'S', 100, 200600);
  b.ts = 2000;
  b.add(1, 3, 'S', 70, 200500);  // ask at the buy limit: the sniper fires
  for (std::size_t i = 0; i < b.size(); ++i) {
    sink.clear();
    engine.on_itch(b[i], 1 + i, 0, sink);
  }
  engine.set_kill_switch(true);

  std::vector<EngineStats> out;
  read_engine_stats({&engine, nullptr}, out);
  ASSERT_EQ(out.size(), 1u);
  const EngineStats& s = out[0];
  EXPECT_EQ(s.shard, 0u);
  EXPECT_EQ(s.orders, 1u);
  EXPECT_TRUE(s.kill_switch);
  EXPECT_EQ(s.rejects.size(), static_cast<std::size_t>(trade::Reject::kCount) - 1);
  EXPECT_EQ(s.rejects.front().first, "killed");
  ASSERT_EQ(s.instruments.size(), 2u);  // configured instruments only, even before they appear
  EXPECT_EQ(s.instruments[0].symbol, "SF0000");
  EXPECT_EQ(s.instruments[1].symbol, "SF0001");
  EXPECT_EQ(s.instruments[0].position, 0);  // no fill yet
  EXPECT_EQ(s.stale_books, 0u);
  engine.mark_stale(trade::StaleReason::kGap);
  read_engine_stats({&engine}, out);
  EXPECT_GT(out[0].stale_books, 0u);  // feeds /ready ("stale book(s)") and sniperforge_books_stale
  TelemetrySources ready_src;
  std::vector<EngineStats> engines = out;
  const Status r = evaluate_ready(ready_src, TelemetryConfig{}, 0, engines);
  EXPECT_NE(r.reason.find("stale book"), std::string::npos) << r.reason;
  engine.clear_stale();
  read_engine_stats({&engine}, out);
  EXPECT_EQ(out[0].stale_books, 0u);

  // A fill moves the published position and P&L (the adapter reads only what the engine published).
  ASSERT_EQ(sink.size(), 1u);  // the sniper's order, from the last message
  const uint32_t sent_urn = sink.begin()->user_ref_num;
  engine.on_venue_event({.type = trade::VenueEventType::kAccepted,
                         .user_ref_num = sent_urn,
                         .shares = 70,  // as sent: the 70 shares at the limit
                         .price = 200500,
                         .side = 'B',
                         .symbol = {'S', 'F', '0', '0', '0', '0', ' ', ' '}});
  engine.on_venue_event({.type = trade::VenueEventType::kExecuted,
                         .user_ref_num = sent_urn,
                         .shares = 60,
                         .price = 200500,
                         .match_number = 9});
  read_engine_stats({&engine}, out);
  EXPECT_EQ(out[0].fills, 1u);
  EXPECT_EQ(out[0].instruments[0].position, 60);
  EXPECT_EQ(out[0].filled_shares, 60u);
  // Mid (200000 + 200500) / 2 = 200250 after the ask at 200500; bought 60 @ 200500: -250 x 60 raw.
  EXPECT_DOUBLE_EQ(out[0].instruments[0].pnl_dollars, -250.0 * 60 / 10000.0);
  EXPECT_DOUBLE_EQ(out[0].instruments[0].realized_pnl_dollars, 0.0);  // nothing closed yet
  EXPECT_EQ(out[0].open_orders, engine.risk().open_orders());
  // Limit usage (#14): the position of its max_position, the gross notional of max_gross_notional; an
  // sf-ctl limit change or state change shows in the next scrape.
  const trade::RiskConfig& limits = engine.config().risk;
  EXPECT_DOUBLE_EQ(out[0].instruments[0].position_usage, 60.0 / static_cast<double>(limits.max_position));
  EXPECT_DOUBLE_EQ(out[0].gross_notional_usage, static_cast<double>(engine.risk().gross_notional()) /
                                                    static_cast<double>(limits.max_gross_notional));
  {
    std::array<trade::CancelRequest, 4> cancels{};
    trade::RiskLimits halved = trade::limits_of(limits);
    halved.max_position = 120;
    engine.apply({.op = trade::ControlOp::kSetLimits, .limits = halved}, cancels);
    engine.apply({.op = trade::ControlOp::kSetState, .state = trade::TradingState::kHalted}, cancels);
    TelemetrySources usage_src;
    usage_src.read_engines = [&](std::vector<EngineStats>& o) { read_engine_stats({&engine}, o); };
    MetricsCollector uc(usage_src, TelemetryConfig{});
    const std::string t = serialize_text(uc);
    EXPECT_NE(t.find("sniperforge_trade_limit_usage{shard=\"0\",symbol=\"SF0000\",limit=\"position\"} 0.5"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("sniperforge_trade_state{shard=\"0\"} 2"), std::string::npos) << t;
    EXPECT_NE(t.find("sniperforge_trade_limit_usage{shard=\"0\",limit=\"gross_notional\"}"),
              std::string::npos);
    engine.apply({.op = trade::ControlOp::kSetState, .state = trade::TradingState::kActive}, cancels);
  }

  TelemetrySources src;
  src.read_engines = [&](std::vector<EngineStats>& o) { read_engine_stats({&engine}, o); };
  MetricsCollector c(src, TelemetryConfig{});
  const std::string text = serialize_text(c);
  EXPECT_NE(text.find("sniperforge_trade_orders_total{shard=\"0\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("sniperforge_trade_kill_switch{shard=\"0\"} 1"), std::string::npos);
  EXPECT_NE(text.find("sniperforge_trade_position_shares{shard=\"0\",symbol=\"SF0001\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("sniperforge_trade_venue_inconsistent{shard=\"0\"} 0"), std::string::npos) << text;
  EXPECT_NE(text.find("sniperforge_trade_venue_check_failures_total{shard=\"0\",reason=\"overfill\"} 0"),
            std::string::npos)
      << text;

  // A response the checks refuse (the same execution again) is exported by reason, stops the shard,
  // and makes /ready fail until the operator clears it.
  engine.on_venue_event({.type = trade::VenueEventType::kExecuted,
                         .user_ref_num = sent_urn,
                         .shares = 10,
                         .price = 200500,
                         .match_number = 9});
  read_engine_stats({&engine}, out);
  EXPECT_TRUE(out[0].venue_inconsistent);
  EXPECT_EQ(out[0].instruments[0].position, 60);
  const std::string after = serialize_text(c);
  EXPECT_NE(after.find("sniperforge_trade_venue_inconsistent{shard=\"0\"} 1"), std::string::npos) << after;
  EXPECT_NE(
      after.find("sniperforge_trade_venue_check_failures_total{shard=\"0\",reason=\"duplicate_match\"} 1"),
      std::string::npos)
      << after;
  const Status stopped = evaluate_ready(ready_src, TelemetryConfig{}, 0, out);
  EXPECT_NE(stopped.reason.find("shard 0 stopped: venue inconsistent"), std::string::npos) << stopped.reason;
  engine.clear_venue_inconsistent();
  read_engine_stats({&engine}, out);
  EXPECT_FALSE(out[0].venue_inconsistent);
}

}  // namespace
}  // namespace sf::telemetry
