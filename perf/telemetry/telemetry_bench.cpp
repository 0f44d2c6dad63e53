// Hot-side costs of the telemetry primitives, and the scrape cost of the collector.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <vector>

#include "sniperforge/telemetry/collector.hpp"
#include "sniperforge/telemetry/lcore_stats.hpp"
#include "sniperforge/telemetry/log_ring.hpp"

namespace sf::telemetry {
namespace {

void BM_CounterAdd(benchmark::State& st) {
  auto c = std::make_unique<Counter>();
  for (auto _ : st) {
    c->add();
    benchmark::DoNotOptimize(c.get());
  }
}
BENCHMARK(BM_CounterAdd);

void BM_RxCountMessage(benchmark::State& st) {
  auto rx = std::make_unique<RxLcoreStats>();
  const char types[] = "AAAEEXDUPFCR";
  std::size_t i = 0;
  for (auto _ : st) {
    rx->count_message(types[i++ % 12]);
    benchmark::DoNotOptimize(rx.get());
  }
}
BENCHMARK(BM_RxCountMessage);

void BM_HistogramRecord(benchmark::State& st) {
  auto h = std::make_unique<LatencyHistogram>();
  std::mt19937_64 rng(1);
  std::vector<uint64_t> v(4096);
  for (auto& x : v) x = 50 + rng() % 20000;  // ~50 ticks .. 20k ticks
  std::size_t i = 0;
  for (auto _ : st) {
    h->record(v[i++ & 4095]);
    benchmark::DoNotOptimize(h.get());
  }
}
BENCHMARK(BM_HistogramRecord);

void BM_LogRingPushPop(benchmark::State& st) {
  auto r = std::make_unique<LogRing>();
  LogRecord rec;
  uint64_t i = 0;
  for (auto _ : st) {
    r->push(i, LogCode::kSeqGap, i, i + 1, 1u);
    r->pop(rec);
    ++i;
  }
  benchmark::DoNotOptimize(rec);
}
BENCHMARK(BM_LogRingPushPop);

void BM_HistogramSnapshotPercentile(benchmark::State& st) {
  auto h = std::make_unique<LatencyHistogram>();
  for (uint64_t v = 1; v < 100000; v += 7) h->record(v);
  for (auto _ : st) {
    const HistogramSnapshot s = h->snapshot();
    benchmark::DoNotOptimize(s.percentile(0.99));
  }
}
BENCHMARK(BM_HistogramSnapshotPercentile);

// A full /metrics body for 1 RX + 2 executor lcores (what one scrape costs the stats side).
void BM_CollectAndSerialize(benchmark::State& st) {
  auto rx = std::make_unique<RxLcoreStats>();
  auto ex0 = std::make_unique<ExecutorLcoreStats>();
  auto ex1 = std::make_unique<ExecutorLcoreStats>();
  TelemetrySources src;
  src.rx.push_back({1, rx.get()});
  src.executors.push_back({2, ex0.get()});
  src.executors.push_back({3, ex1.get()});
  src.now_tsc = [] { return uint64_t{1}; };
  MetricsCollector c(src, TelemetryConfig{});
  std::size_t bytes = 0;
  for (auto _ : st) {
    const std::string s = serialize_text(c);
    bytes = s.size();
    benchmark::DoNotOptimize(s.data());
  }
  st.counters["body_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_CollectAndSerialize)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sf::telemetry

BENCHMARK_MAIN();
