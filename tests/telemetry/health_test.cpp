#include "sniperforge/telemetry/health.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

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

// /ready names each SoupBinTCP session that is not logged in: shard, user and state; the logged-in ones not.
TEST(Ready, NamesEachSessionNotLoggedIn) {
  FakePlane p;
  p.beat();
  p.rx->last_feed_tsc.set(p.now->load());
  std::vector<EngineStats> engines(1);
  p.session = 0;
  p.sessions = {{.shard = 0, .user = "SNIPE0", .state = 4, .state_name = "logged_in", .logged_in = true},
                {.shard = 1, .user = "SNIPE1", .state = 1, .state_name = "backoff"},
                {.shard = 2, .user = "", .state = 2, .state_name = "connecting"}};
  Status s = evaluate_ready(p.sources(), TelemetryConfig{}, p.now->load(), engines);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("order session down: shard 1 (SNIPE1) backoff, shard 2 connecting"),
            std::string::npos)
      << s.reason;
  EXPECT_EQ(s.reason.find("shard 0"), std::string::npos) << s.reason;
  p.sessions.clear();  // not started yet: no rows, the plain reason
  s = evaluate_ready(p.sources(), TelemetryConfig{}, p.now->load(), engines);
  EXPECT_NE(s.reason.find("order session down"), std::string::npos) << s.reason;
  SessionRow up;
  up.logged_in = true;
  EXPECT_EQ(sessions_down_problem({up}), "");
}

// The journal (#13): /ready says "reconciling" until every shard has reconciled and why trading stopped
// once the writer failed; /metrics carries the gauges the alert rules read.
TEST(Ready, JournalReconcilingAndFailureAreNamed) {
  FakePlane p;
  p.beat();
  p.rx->last_feed_tsc.set(p.now->load());
  std::vector<EngineStats> engines(1);
  JournalHealth h;
  h.phase = JournalHealth::Phase::kReconciling;
  h.reason = "waiting for the order sessions' replay";
  auto src = p.sources();
  src.journal = [&h] { return h; };
  Status s = evaluate_ready(src, TelemetryConfig{}, p.now->load(), engines);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, "reconciling: waiting for the order sessions' replay");

  h.phase = JournalHealth::Phase::kRunning;
  EXPECT_TRUE(evaluate_ready(src, TelemetryConfig{}, p.now->load(), engines).ok);

  h.phase = JournalHealth::Phase::kFailed;
  h.reason = "journal: write 0000000002.seg: No space left on device";
  h.records = 7;
  s = evaluate_ready(src, TelemetryConfig{}, p.now->load(), engines);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason,
            "journal failed, trading stopped: journal: write 0000000002.seg: No space left on device");

  std::vector<prometheus::MetricFamily> fams;
  append_journal_families(h, fams);
  std::map<std::string, double> v;
  for (const auto& f : fams)
    v[f.name] =
        f.type == prometheus::MetricType::Counter ? f.metric.at(0).counter.value : f.metric.at(0).gauge.value;
  EXPECT_EQ(v["sniperforge_journal_failed"], 1);
  EXPECT_EQ(v["sniperforge_journal_reconciling"], 0);
  EXPECT_EQ(v["sniperforge_journal_records_total"], 7);
  EXPECT_EQ(v["sniperforge_journal_disk_irq_on_lcore"], 0);
  h.disk_irq_on_lcore = true;  // a warning in /metrics, not a /ready problem
  h.phase = JournalHealth::Phase::kRunning;
  EXPECT_TRUE(evaluate_ready(src, TelemetryConfig{}, p.now->load(), engines).ok);
  fams.clear();
  append_journal_families(h, fams);
  const auto irq = std::find_if(fams.begin(), fams.end(), [](const auto& f) {
    return f.name == "sniperforge_journal_disk_irq_on_lcore";
  });
  ASSERT_NE(irq, fams.end());
  EXPECT_EQ(irq->metric.at(0).gauge.value, 1);
}

}  // namespace
}  // namespace sf::telemetry
