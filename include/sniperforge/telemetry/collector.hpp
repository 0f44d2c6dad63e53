// prometheus-cpp Collectable that reads the per-lcore structs at scrape time (relaxed loads) and
// the latest SystemSnapshot published by the stats thread (NIC, mempools, rings, busy ratios,
// anomalies). Collect() runs on a civetweb thread; it never writes to data-plane memory.
//
// Families (all prefixed sniperforge_): see docs/observability.md for the full list.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "sniperforge/common/version.hpp"
#include "sniperforge/telemetry/config.hpp"
#include "sniperforge/telemetry/snapshot.hpp"
#include "sniperforge/telemetry/sources.hpp"

namespace sf::telemetry {

// The same values --version prints (sniperforge/common/version.hpp).
using BuildInfo = sf::BuildInfo;
[[nodiscard]] BuildInfo this_build() noexcept;

// Upper bounds of the exported latency histogram buckets, in seconds (10 ns .. 10 ms, 1-2-5).
[[nodiscard]] const std::vector<double>& latency_bucket_bounds_seconds();

class MetricsCollector : public prometheus::Collectable {
 public:
  MetricsCollector(TelemetrySources sources, TelemetryConfig cfg, BuildInfo build = this_build());

  std::vector<prometheus::MetricFamily> Collect() const override;

  void publish(std::shared_ptr<const SystemSnapshot> snap);
  [[nodiscard]] std::shared_ptr<const SystemSnapshot> latest() const;

  [[nodiscard]] Status health() const;
  [[nodiscard]] Status ready() const;

  [[nodiscard]] const TelemetrySources& sources() const noexcept { return src_; }
  [[nodiscard]] const TelemetryConfig& config() const noexcept { return cfg_; }
  [[nodiscard]] uint64_t scrapes() const noexcept { return scrapes_.load(std::memory_order_relaxed); }

 private:
  [[nodiscard]] uint64_t now_tsc() const;

  TelemetrySources src_;
  TelemetryConfig cfg_;
  BuildInfo build_;
  std::chrono::steady_clock::time_point start_;
  double start_unix_seconds_;
  mutable std::mutex mu_;
  std::shared_ptr<const SystemSnapshot> snap_;
  mutable std::atomic<uint64_t> scrapes_{0};
};

// Text exposition of a collectable (what /metrics serves), for tests and `--dump-metrics`.
[[nodiscard]] std::string serialize_text(const prometheus::Collectable& c);

}  // namespace sf::telemetry
