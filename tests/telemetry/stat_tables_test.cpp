// The descriptor tables are the one list of per-lcore counters: every row reaches /metrics, the
// (key, value) list that --stats-file writes and rte_telemetry serves, and the run summary.
#include "sniperforge/telemetry/stat_tables.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "sniperforge/telemetry/collector.hpp"
#include "sniperforge/telemetry/control_stats.hpp"
#include "sniperforge/telemetry/summary.hpp"
#include "test_support.hpp"

namespace sf::telemetry {
namespace {

using testing::FakePlane;

CounterList counters_of(const FakePlane& p, std::size_t executors = 1) {
  const RxLcoreStats* rx[] = {p.rx.get()};
  const ExecutorLcoreStats* ex[] = {p.ex.get()};
  CounterList c;
  add_lcore_counters(rx, ex, executors, c);
  return c;
}

// "\n<metric>{": the start of a labelled sample line in a text exposition.
std::string sample_start(std::string_view metric) {
  std::string s;
  s += '\n';
  s += metric;
  s += '{';
  return s;
}

TEST(StatTables, KeysAndMetricsAreUniqueAndNamed) {
  std::set<std::string> keys;
  std::size_t n = 0;
  for (const auto& [k, v] : counters_of(FakePlane{})) {
    keys.insert(k);
    ++n;
    EXPECT_FALSE(k.empty());
  }
  EXPECT_EQ(keys.size(), n) << "two rows give the same summary key";
  for (const char* k : {"packets", "messages", "drop_not_udp", "drops", "gaps", "duplicate_packets",
                        "ring_enqueued", "orders_buy", "orders_sell", "executor_events", "tx_packets",
                        "misrouted", "mbuf_alloc_failed", "venue_bad_messages", "stale_events"})
    EXPECT_EQ(keys.count(k), 1u) << k;
  for (const auto& d : rx_stat_descs()) EXPECT_TRUE(d.metric.starts_with("sniperforge_")) << d.key;
  for (const auto& d : executor_stat_descs()) EXPECT_TRUE(d.metric.starts_with("sniperforge_")) << d.key;
}

TEST(StatTables, SumsOverLcoresAndSlots) {
  FakePlane a, b;
  a.rx->count_message('A');
  b.rx->count_message('E');
  b.rx->count_drop(FeedDropReason::kNotUdp);
  a.rx->ring_enqueued[0].add(2);
  b.rx->ring_enqueued[1].add(3);
  a.rx->next_expected_seq.set(10);
  b.rx->next_expected_seq.set(7);
  a.ex->misrouted.add();
  b.ex->count_order(Side::kSell);
  const RxLcoreStats* rx[] = {a.rx.get(), b.rx.get()};
  const ExecutorLcoreStats* ex[] = {a.ex.get(), b.ex.get()};
  CounterList c;
  add_lcore_counters(rx, ex, 2, c);
  std::map<std::string, uint64_t> m(c.begin(), c.end());
  EXPECT_EQ(m["messages"], 2u);
  EXPECT_EQ(m["drop_not_udp"], 1u);
  EXPECT_EQ(m["drops"], 1u);
  EXPECT_EQ(m["ring_enqueued"], 5u);
  EXPECT_EQ(m["next_expected_seq"], 10u);  // a gauge: the highest, not the sum
  EXPECT_EQ(m["misrouted"], 1u);
  EXPECT_EQ(m["orders_sell"], 1u);
}

TEST(StatTables, EveryRowIsInMetricsAndItsValueInTheSummary) {
  FakePlane p;
  p.beat();
  MetricsCollector collector(p.sources(), TelemetryConfig{});
  const std::string text = serialize_text(collector);
  for (const auto& d : rx_stat_descs())
    EXPECT_NE(text.find(sample_start(d.metric)), std::string::npos) << d.metric;
  for (const auto& d : executor_stat_descs())
    EXPECT_NE(text.find(sample_start(d.metric)), std::string::npos) << d.metric;
  // The executor counters that used to be summary-only are labelled per lcore like the rest.
  EXPECT_NE(text.find("sniperforge_executor_misrouted_total{lcore=\"2\"} 0"), std::string::npos);

  // Each key alone non-zero (an unmistakable value): the summary shows that value.
  const CounterList all = counters_of(p);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CounterList one = all;
    one[i].second = 7654321;
    const std::string s = format_summary(one, SummaryLatency{}, false);
    EXPECT_NE(s.find("7654321"), std::string::npos) << all[i].first << "\n" << s;
  }
}

// The control plane's table (issue #14): every command x result and the refused peers reach /metrics,
// labelled by command and result, without an lcore label (one control thread writes them).
TEST(StatTables, ControlCommandsAndRefusedPeersAreInMetrics) {
  FakePlane p;
  ControlStats control;
  control.count("kill", "ok");
  control.count("limits_set", "invalid");
  control.count("limits_set", "invalid");
  control.count("frobnicate", "ok");  // not a command: counted as "unknown"
  control.refused_peers.add(3);
  control.ring_full[1].add(2);
  TelemetrySources src = p.sources();
  src.control = &control;
  MetricsCollector collector(std::move(src), TelemetryConfig{});
  const std::string text = serialize_text(collector);
  for (const auto& d : control_stat_descs()) {  // labelled or not ("\n<metric> 3")
    std::string start = "\n";
    start.append(d.metric).push_back(d.is_array() ? '{' : ' ');
    EXPECT_NE(text.find(start), std::string::npos) << d.metric;
  }
  for (const std::string_view line :
       {"sniperforge_control_commands_total{command=\"kill\",result=\"ok\"} 1",
        "sniperforge_control_commands_total{command=\"limits_set\",result=\"invalid\"} 2",
        "sniperforge_control_commands_total{command=\"unknown\",result=\"ok\"} 1",
        "sniperforge_control_commands_total{command=\"reload\",result=\"timeout\"} 0",
        "sniperforge_control_refused_peers_total 3",
        "sniperforge_control_ring_full_total{ring=\"request\"} 0",
        "sniperforge_control_ring_full_total{ring=\"reply\"} 2"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text.substr(0, 400);
  std::size_t samples = 0;
  for (std::size_t at = 0; (at = text.find("\nsniperforge_control_commands_total{", at)) != std::string::npos;
       ++at)
    ++samples;
  EXPECT_EQ(samples, kControlCommands * kControlResults);
  // Without a control plane (tests, tools) the families are absent, not zero.
  MetricsCollector none(p.sources(), TelemetryConfig{});
  EXPECT_EQ(serialize_text(none).find("sniperforge_control_"), std::string::npos);
}

}  // namespace
}  // namespace sf::telemetry
