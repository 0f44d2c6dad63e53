#include "sniperforge/telemetry/health.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace sf::telemetry {
namespace {

using testing::FakePlane;

TEST(Health, NotStartedLcoreIsUnhealthy) {
  FakePlane p;
  const Status s = evaluate_health(p.sources(), TelemetryConfig{}, p.now->load());
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("has not started"), std::string::npos) << s.reason;
}

TEST(Health, StalledLcoreIsNamedInTheReason) {
  FakePlane p;
  TelemetryConfig cfg;
  cfg.heartbeat_timeout_ms = 500;
  p.beat();
  p.advance_ms(100);
  EXPECT_TRUE(evaluate_health(p.sources(), cfg, p.now->load()).ok);
  p.rx->heartbeat_tsc.set(p.now->load());  // rx keeps beating, the executor stalls
  p.advance_ms(450);
  p.rx->heartbeat_tsc.set(p.now->load());
  const Status s = evaluate_health(p.sources(), cfg, p.now->load());
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("lcore 2 (executor) stalled"), std::string::npos) << s.reason;
  EXPECT_EQ(s.reason.find("lcore 1"), std::string::npos) << s.reason;
}

TEST(Health, RunToCompletionLcoreUsesItsFreshestHeartbeat) {
  FakePlane p;
  auto src = p.sources();
  src.executors[0].lcore = 1;  // same lcore does RX and execution
  p.rx->heartbeat_tsc.set(p.now->load());
  EXPECT_TRUE(evaluate_health(src, TelemetryConfig{}, p.now->load()).ok);
}

TEST(Ready, NeedsFreshFeedNoStaleBooksAndSessionUp) {
  FakePlane p;
  TelemetryConfig cfg;
  cfg.feed_stale_ms = 1000;
  p.beat();
  std::vector<EngineStats> engines(1);
  Status s = evaluate_ready(p.sources(), cfg, p.now->load(), engines);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("no feed packet"), std::string::npos);

  p.rx->last_feed_tsc.set(p.now->load());
  EXPECT_TRUE(evaluate_ready(p.sources(), cfg, p.now->load(), engines).ok);

  engines[0].stale_books = 2;
  s = evaluate_ready(p.sources(), cfg, p.now->load(), engines);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("2 stale book"), std::string::npos);
  p.ex->books_stale.set(2);  // the executor reports the same two books: not four
  s = evaluate_ready(p.sources(), cfg, p.now->load(), engines);
  EXPECT_NE(s.reason.find("2 stale book"), std::string::npos) << s.reason;
  p.ex->books_stale.set(0);
  engines[0].stale_books = 0;

  p.session = 0;
  s = evaluate_ready(p.sources(), cfg, p.now->load(), engines);
  EXPECT_NE(s.reason.find("order session down"), std::string::npos);
  p.session = 1;
  EXPECT_TRUE(evaluate_ready(p.sources(), cfg, p.now->load(), engines).ok);

  p.advance_ms(1500);
  p.beat();
  s = evaluate_ready(p.sources(), cfg, p.now->load(), engines);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("feed quiet"), std::string::npos) << s.reason;
  EXPECT_NEAR(feed_age_seconds(p.sources(), p.now->load()), 1.5, 1e-9);
}

}  // namespace
}  // namespace sf::telemetry
