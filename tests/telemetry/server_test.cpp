#include "sniperforge/telemetry/service.hpp"
#include "sniperforge/trade/venue_check.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <sstream>
#include <thread>
#include <vector>

#include "sniperforge/telemetry/log_drain.hpp"
#include "test_support.hpp"

namespace sf::telemetry {
namespace {

using testing::FakePlane;
using testing::http_get;

TelemetryConfig loopback_config() {
  TelemetryConfig cfg;
  cfg.metrics_addr = "127.0.0.1:0";
  cfg.interval_ms = 10;
  cfg.heartbeat_timeout_ms = 500;
  cfg.feed_stale_ms = 1000;
  return cfg;
}

std::shared_ptr<spdlog::logger> capture(std::ostringstream& os) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(os);
  auto lg = std::make_shared<spdlog::logger>("test", sink);
  lg->set_level(spdlog::level::debug);
  lg->set_pattern("%l %v");
  return lg;
}

TEST(MetricsServer, ServesMetricsHealthAndReadyOnAFreePort) {
  FakePlane p;
  std::ostringstream logs;
  StatsService svc(p.sources(), loopback_config(), {}, capture(logs));
  svc.start();
  const uint16_t port = svc.metrics_port();
  ASSERT_NE(port, 0);

  // Nothing has beaten yet: 503 with the reason.
  auto h = http_get(port, "/health");
  EXPECT_EQ(h.status, 503);
  EXPECT_NE(h.body.find("has not started"), std::string::npos) << h.body;

  p.beat();
  p.rx->last_feed_tsc.set(p.now->load());
  p.rx->count_message('A');
  h = http_get(port, "/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");
  EXPECT_EQ(http_get(port, "/ready").status, 200);

  const auto m = http_get(port, "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("sniperforge_feed_messages_total{lcore=\"1\",type=\"A\"} 1"), std::string::npos);

  // Executor stalls: /health 503 naming it; the feed goes quiet: /ready 503.
  p.advance_ms(1200);
  p.rx->heartbeat_tsc.set(p.now->load());
  h = http_get(port, "/health");
  EXPECT_EQ(h.status, 503);
  EXPECT_NE(h.body.find("lcore 2 (executor) stalled"), std::string::npos) << h.body;
  p.ex->heartbeat_tsc.set(p.now->load());
  EXPECT_EQ(http_get(port, "/health").status, 200);
  const auto r = http_get(port, "/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("feed quiet"), std::string::npos) << r.body;

  EXPECT_EQ(http_get(port, "/nope").status, 404);
  svc.stop();
  EXPECT_EQ(http_get(port, "/metrics").status, 0);  // closed
}

// #16: two idle connections blinded the exporter (civetweb had two worker threads and no request timeout).
// With 50 slow clients open (connected, half a request line, never finished), /health answers within 1 s,
// and a slow client is cut off by the request timeout instead of holding its thread for ever.
TEST(MetricsServer, HealthAnswersWithFiftySlowClientsOpen) {
  FakePlane p;
  std::ostringstream logs;
  StatsService svc(p.sources(), loopback_config(), {}, capture(logs));
  svc.start();
  const uint16_t port = svc.metrics_port();
  ASSERT_NE(port, 0);
  std::vector<int> slow;
  for (int i = 0; i < 50; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    if (i % 2) (void)!::send(fd, "GET /metrics HTTP/1.1\r\nHost:", 29, 0);  // slowloris; the others idle
    slow.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // every slow client holds a thread now
  const auto t0 = std::chrono::steady_clock::now();
  const auto h = http_get(port, "/health");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(h.status, 503) << "answered (nothing has beaten yet)";
  EXPECT_LT(seconds, 1.0);
  // The request timeout closes a client that never finishes its request.
  const timeval limit{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(slow[1], SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  char buf[256];
  const auto t1 = std::chrono::steady_clock::now();
  while (::recv(slow[1], buf, sizeof buf, 0) > 0) {
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count(), 8.0);
  for (int fd : slow) ::close(fd);
  svc.stop();
}

TEST(MetricsServer, BusyAddressIsAClearError) {
  FakePlane p;
  auto c = std::make_shared<MetricsCollector>(p.sources(), TelemetryConfig{});
  MetricsServer first("127.0.0.1:0", c);
  const std::string addr = "127.0.0.1:" + std::to_string(first.port());
  try {
    MetricsServer second(addr, c);
    FAIL() << "second server bound " << addr;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on " + addr), std::string::npos) << e.what();
  }
  EXPECT_EQ(http_get(first.port(), "/health").status, 503);  // first one still serves
}

TEST(StatsService, TickComputesBusyRatioRatesAndDrainsLogs) {
  FakePlane p;
  std::ostringstream logs;
  TelemetryConfig cfg = loopback_config();
  cfg.enabled = false;
  StatsService svc(
      p.sources(), cfg,
      [](SystemSnapshot& s) {
        s.rings.push_back({"rx0_to_ex0", 7, 1023, 0});
      },
      capture(logs));
  p.beat();
  svc.tick(0.1);
  p.rx->polls.add(100);
  p.rx->busy_polls.add(25);
  for (int i = 0; i < 50; ++i) p.rx->count_message('A');
  p.rx_log->push(p.now->load(), LogCode::kSeqGap, 10u, 15u, 5u);
  svc.tick(0.5);
  const auto snap = svc.collector().latest();
  ASSERT_EQ(snap->lcores.size(), 2u);
  EXPECT_DOUBLE_EQ(snap->lcores[0].busy_ratio, 0.25);
  EXPECT_DOUBLE_EQ(snap->feed_message_rate, 100.0);  // 50 messages / 0.5 s
  ASSERT_EQ(snap->rings.size(), 1u);
  EXPECT_EQ(snap->rings[0].high_water, 7u);
  svc.stop();
  const std::string text = logs.str();
  EXPECT_NE(text.find("warning [lcore 1 rx +"), std::string::npos) << text;
  EXPECT_NE(text.find("feed gap: expected seq 10, got 15 (5 messages missing)"), std::string::npos) << text;
}

TEST(StatsService, AnomalyIsLoggedOncePerEpisode) {
  FakePlane p;
  std::ostringstream logs;
  TelemetryConfig cfg = loopback_config();
  cfg.enabled = false;
  cfg.anomaly.warmup_samples = 5;
  StatsService svc(p.sources(), cfg, {}, capture(logs));
  p.beat();
  for (int i = 0; i < 40; ++i) {
    p.rx->messages.add(1000 + static_cast<uint64_t>(i % 3) * 10);
    svc.tick(1.0);
  }
  for (int i = 0; i < 10; ++i) svc.tick(1.0);  // feed stops: rate 0 for ten intervals
  const std::string text = logs.str();
  std::size_t n = 0;
  for (auto pos = text.find("anomaly started: feed_rate"); pos != std::string::npos;
       pos = text.find("anomaly started: feed_rate", pos + 1))
    ++n;
  EXPECT_EQ(n, 1u) << text;
  EXPECT_TRUE(svc.collector().latest()->anomalies[0].active);
}

TEST(LogDrain, FormatsEveryCodeWithoutThrowing) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(LogCode::kCount); ++i) {
    LogRecord r;
    r.code = static_cast<LogCode>(i);
    r.tsc = 2'500'000'000;
    r.nargs = 1;
    r.args[0] = 42;
    const std::string s = format_record(r, 3, "executor", 1e9, 1'000'000'000);
    EXPECT_EQ(s.rfind("[lcore 3 executor +1.500000 s] ", 0), 0u) << s;
  }
}

TEST(LogDrain, EnumeratedArgumentsAreRenderedByName) {
  LogRecord r;
  r.code = LogCode::kLcoreStarted;
  r.nargs = 2;
  r.args = {1, 0, 0, 0};
  EXPECT_NE(format_record(r, 2, "executor", 1e9, 0).find("lcore started (executor 0)"), std::string::npos);
  r.code = LogCode::kFeedDrop;
  r.args = {static_cast<uint64_t>(FeedDropReason::kWrongPort), 60, 0, 0};
  EXPECT_NE(format_record(r, 1, "rx", 1e9, 0).find("feed drop: reason wrong_port, frame length 60"),
            std::string::npos);
  r.args = {999, 60, 0, 0};  // out of range: the number, never an out-of-bounds read
  EXPECT_NE(format_record(r, 1, "rx", 1e9, 0).find("reason 999"), std::string::npos);
  r.code = LogCode::kVenueInconsistent;
  r.nargs = 4;
  r.args = {static_cast<uint64_t>(trade::VenueCheck::kDuplicateMatch), 1, 77, 12};
  EXPECT_NE(format_record(r, 2, "executor", 1e9, 0)
                .find("venue response refused (duplicate_match): shard 1, user_ref_num 77, value 12"),
            std::string::npos);
}

TEST(LogDrain, ReportsOverflowOnce) {
  auto ring = std::make_unique<BasicLogRing<1024>>();
  for (int i = 0; i < 1030; ++i) ring->push(0, LogCode::kUser, 1u);
  std::ostringstream os;
  LogDrain d({{5, "rx", ring.get()}}, 1e9, 0, capture(os));
  EXPECT_EQ(d.drain(), 1024u);
  EXPECT_EQ(d.drain(), 0u);
  const std::string text = os.str();
  EXPECT_NE(text.find("log ring overflow: 6 records lost"), std::string::npos) << text;
  EXPECT_EQ(text.find("overflow", text.find("overflow") + 1), std::string::npos);
}

}  // namespace
}  // namespace sf::telemetry
