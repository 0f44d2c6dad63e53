#include "sniperforge/telemetry/collector.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "sniperforge/common/version.hpp"
#include "sniperforge/telemetry/health.hpp"
#include "test_support.hpp"

namespace sf::telemetry {
namespace {

using testing::FakePlane;

// Value of the sample `name{labels}` in a text exposition (labels as serialized, in order).
double sample(const std::string& text, const std::string& series) {
  const auto pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return -12345;
  return std::stod(text.substr(pos + series.size() + 2));
}

void fill(FakePlane& p) {
  p.beat();
  for (int i = 0; i < 10; ++i) p.rx->count_message('A');
  p.rx->count_message('E');
  p.rx->packets.add(7);
  p.rx->bytes.add(700);
  p.rx->feed_packets.add(6);
  p.rx->count_drop(FeedDropReason::kWrongPort);
  p.rx->gaps.add();
  p.rx->gap_messages.add(3);
  p.rx->ring_enqueued[0].add(11);
  p.rx->last_feed_tsc.set(p.now->load());
  p.ex->events.add(11);
  p.ex->count_order(Side::kBuy);
  p.ex->count_order(Side::kBuy);
  p.ex->count_order(Side::kSell);
  for (uint64_t v = 1; v <= 1000; ++v) p.ex->tick_to_trade.record(v * 100);  // 100 ns .. 100 us
  EngineStats e;
  e.shard = 0;
  e.orders = 3;
  e.rejects = {{"max_position", 2}};
  e.instruments = {{"SF0000", 100, -1.5}};
  p.engines = {e};
}

TEST(Collector, ExportsLiveCountersWithPrometheusNames) {
  FakePlane p;
  fill(p);
  MetricsCollector c(p.sources(), TelemetryConfig{});
  const std::string text = serialize_text(c);
  EXPECT_EQ(sample(text, "sniperforge_feed_packets_total{lcore=\"1\"}"), 7);
  EXPECT_EQ(sample(text, "sniperforge_feed_bytes_total{lcore=\"1\"}"), 700);
  EXPECT_EQ(sample(text, "sniperforge_feed_messages_total{lcore=\"1\",type=\"A\"}"), 10);
  EXPECT_EQ(sample(text, "sniperforge_feed_messages_total{lcore=\"1\",type=\"E\"}"), 1);
  EXPECT_EQ(sample(text, "sniperforge_feed_drops_total{lcore=\"1\",reason=\"wrong_port\"}"), 1);
  EXPECT_EQ(sample(text, "sniperforge_feed_gaps_total{lcore=\"1\"}"), 1);
  EXPECT_EQ(sample(text, "sniperforge_feed_gap_messages_total{lcore=\"1\"}"), 3);
  EXPECT_EQ(sample(text, "sniperforge_ring_enqueued_total{lcore=\"1\",executor=\"0\"}"), 11);
  EXPECT_EQ(sample(text, "sniperforge_orders_sent_total{lcore=\"2\",side=\"buy\"}"), 2);
  EXPECT_EQ(sample(text, "sniperforge_orders_sent_total{lcore=\"2\",side=\"sell\"}"), 1);
  EXPECT_EQ(sample(text, "sniperforge_trade_rejects_total{shard=\"0\",reason=\"max_position\"}"), 2);
  EXPECT_EQ(sample(text, "sniperforge_trade_position_shares{shard=\"0\",symbol=\"SF0000\"}"), 100);
  EXPECT_EQ(sample(text, "sniperforge_latency_seconds_count{lcore=\"2\",stage=\"tick_to_trade\"}"), 1000);
  EXPECT_NEAR(sample(text, "sniperforge_latency_seconds_sum{lcore=\"2\",stage=\"tick_to_trade\"}"),
              100e-9 * 1000 * 1001 / 2, 1e-9);
  // 100 ns .. 100 us in 100 ns steps: 500 records at or below 50 us (bucket-granular lower bound).
  const double le50us =
      sample(text, "sniperforge_latency_seconds_bucket{lcore=\"2\",stage=\"tick_to_trade\",le=\"5e-05\"}");
  EXPECT_GE(le50us, 460);
  EXPECT_LE(le50us, 500);
  EXPECT_NEAR(sample(text, "sniperforge_latency_p99_seconds{lcore=\"2\",stage=\"tick_to_trade\"}"), 99e-6,
              99e-6 / 16);
  EXPECT_EQ(sample(text, "sniperforge_health_ok"), 1);
  EXPECT_EQ(sample(text, "sniperforge_anomaly{kind=\"feed_rate\"}"), 0);
  // The same values every binary's --version prints (one source: sf::build_info()).
  const sf::BuildInfo& b = sf::build_info();
  EXPECT_EQ(sample(text, "sniperforge_build_info{version=\"" + b.version + "\",compiler=\"" + b.compiler +
                             "\",buildtype=\"" + b.buildtype + "\",dpdk=\"" + b.dpdk + "\"}"),
            1);
  EXPECT_NE(text.find("# TYPE sniperforge_feed_packets_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE sniperforge_latency_seconds histogram"), std::string::npos);
}

// One sample per shard and row of session_row_table(), labelled shard and user, the TCP figures too (both
// transports have them: our TCP's own, or the kernel socket's TCP_INFO; 0 before the first sample);
// nothing without sessions.
TEST(Collector, SessionRowsArePerShardSeries) {
  FakePlane p;
  fill(p);
  {
    MetricsCollector none(p.sources(), TelemetryConfig{});
    EXPECT_EQ(serialize_text(none).find("sniperforge_session_state"), std::string::npos);
  }
  p.sessions = {{.shard = 0,
                 .user = "A",
                 .state = 4,
                 .state_name = "logged_in",
                 .logged_in = true,
                 .reconnects = 0,
                 .heartbeats_sent = 5,
                 .heartbeats_received = 6,
                 .bytes_in = 700,
                 .bytes_out = 800,
                 .tcp_retransmits = 2,
                 .tcp_srtt_ns = 45000},
                {.shard = 1, .user = "B", .state = 1, .state_name = "backoff", .reconnects = 3}};
  MetricsCollector c(p.sources(), TelemetryConfig{});
  const std::string text = serialize_text(c);
  EXPECT_EQ(sample(text, "sniperforge_session_state{shard=\"0\",user=\"A\"}"), 4) << text;
  EXPECT_EQ(sample(text, "sniperforge_session_state{shard=\"1\",user=\"B\"}"), 1);
  EXPECT_EQ(sample(text, "sniperforge_session_up{shard=\"0\",user=\"A\"}"), 1);
  EXPECT_EQ(sample(text, "sniperforge_session_up{shard=\"1\",user=\"B\"}"), 0);
  EXPECT_EQ(sample(text, "sniperforge_session_shard_reconnects_total{shard=\"0\",user=\"A\"}"), 0);
  EXPECT_EQ(sample(text, "sniperforge_session_shard_reconnects_total{shard=\"1\",user=\"B\"}"), 3);
  EXPECT_EQ(sample(text, "sniperforge_session_shard_heartbeats_sent_total{shard=\"0\",user=\"A\"}"), 5);
  EXPECT_EQ(sample(text, "sniperforge_session_shard_heartbeats_received_total{shard=\"0\",user=\"A\"}"), 6);
  EXPECT_EQ(sample(text, "sniperforge_session_shard_bytes_received_total{shard=\"0\",user=\"A\"}"), 700);
  EXPECT_EQ(sample(text, "sniperforge_session_shard_bytes_sent_total{shard=\"0\",user=\"A\"}"), 800);
  EXPECT_EQ(
      sample(text, "sniperforge_session_shard_tcp_retransmitted_segments_total{shard=\"0\",user=\"A\"}"), 2);
  EXPECT_EQ(sample(text, "sniperforge_session_shard_tcp_rtt_smoothed{shard=\"0\",user=\"A\"}"), 45000);
  EXPECT_EQ(sample(text, "sniperforge_session_shard_tcp_rtt_smoothed{shard=\"1\",user=\"B\"}"), 0) << text;
  EXPECT_NE(text.find("# TYPE sniperforge_session_shard_reconnects_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE sniperforge_session_state gauge"), std::string::npos);
  // Every row of the table has its own family name, and the counters end in _total.
  for (const SessionRowDesc& d : session_row_table()) {
    EXPECT_NE(text.find("# TYPE " + std::string{d.metric} + " "), std::string::npos) << d.metric;
    EXPECT_EQ(d.kind == StatKind::kCounter, std::string_view{d.metric}.ends_with("_total")) << d.metric;
  }
}

TEST(Collector, ScrapeNeverWritesDataPlaneCounters) {
  FakePlane p;
  fill(p);
  MetricsCollector c(p.sources(), TelemetryConfig{});
  const uint64_t msgs = p.rx->messages.load(), polls = p.rx->polls.load(),
                 t2t = p.ex->tick_to_trade.snapshot().total();
  for (int i = 0; i < 50; ++i) (void)c.Collect();
  EXPECT_EQ(p.rx->messages.load(), msgs);
  EXPECT_EQ(p.rx->polls.load(), polls);
  EXPECT_EQ(p.ex->tick_to_trade.snapshot().total(), t2t);
  EXPECT_EQ(c.scrapes(), 50u);
}

TEST(Collector, PublishedSnapshotFeedsNicMempoolRingFamilies) {
  FakePlane p;
  fill(p);
  MetricsCollector c(p.sources(), TelemetryConfig{});
  auto s = std::make_shared<SystemSnapshot>();
  PortStats port;
  port.name = "0";
  port.imissed = 42;
  port.xstats = {{"rx_good_packets", 9}};
  s->ports.push_back(port);
  s->mempools.push_back({"mbuf_pool_0", 100, 900, 1000});
  s->rings.push_back({"rx0_to_ex0", 5, 1023, 17});
  s->lcores.push_back({1, "rx", 0.25, 100});
  s->anomalies[1].active = true;
  c.publish(s);
  const std::string text = serialize_text(c);
  EXPECT_EQ(sample(text, "sniperforge_nic_rx_missed_total{port=\"0\"}"), 42);
  EXPECT_EQ(sample(text, "sniperforge_nic_xstat{port=\"0\",name=\"rx_good_packets\"}"), 9);
  EXPECT_EQ(sample(text, "sniperforge_mempool_in_use{pool=\"mbuf_pool_0\"}"), 100);
  EXPECT_EQ(sample(text, "sniperforge_ring_high_water{ring=\"rx0_to_ex0\"}"), 17);
  EXPECT_EQ(sample(text, "sniperforge_lcore_busy_ratio{lcore=\"1\",role=\"rx\"}"), 0.25);
  EXPECT_EQ(sample(text, "sniperforge_anomaly{kind=\"gap_rate\"}"), 1);
}

// The exposition passes `promtool check metrics` (Prometheus' own linter).
TEST(Collector, PromtoolCheckMetricsAcceptsTheExposition) {
  const char* promtool = std::getenv("SF_PROMTOOL");
  if (promtool == nullptr || *promtool == '\0')
    GTEST_SKIP() << "SF_PROMTOOL not set (promtool not found by meson)";
  FakePlane p;
  fill(p);
  MetricsCollector c(p.sources(), TelemetryConfig{});
  auto s = std::make_shared<SystemSnapshot>();
  s->ports.push_back(PortStats{0, "0", 1, 2, 3, 4, 5, 6, 7, 8, {{"rx_q0_packets", 1}}});
  s->mempools.push_back({"mbuf_pool_0", 1, 2, 3});
  s->rings.push_back({"rx0_to_ex0", 1, 2, 3});
  c.publish(s);
  const std::string text = serialize_text(c);
  char path[] = "/tmp/sf_metrics_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << text;
  const std::string cmd = std::string(promtool) + " check metrics < " + path + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe)) out += buf;
  const int rc = pclose(pipe);
  std::remove(path);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "") << out;  // no lint warning either
}

}  // namespace
}  // namespace sf::telemetry
