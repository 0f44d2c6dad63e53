// What MetricsCollector::Collect() (collector.cpp) writes /metrics with: the families in first-use order,
// and one function per group of families (process, lcores, latency, feed recovery, logs, devices,
// trading, anomalies). Private to src/telemetry.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <deque>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "sniperforge/telemetry/collector.hpp"

namespace sf::telemetry::families {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

class Families {
 public:
  // The family of that name (created on first use: descriptor rows of two tables may share one).
  MetricFamily& family(std::string name, std::string help, MetricType type) {
    for (MetricFamily& f : out_)
      if (f.name == name) return f;
    out_.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
    return out_.back();
  }
  std::vector<MetricFamily> take() {
    return {std::make_move_iterator(out_.begin()), std::make_move_iterator(out_.end())};
  }

 private:
  std::deque<MetricFamily> out_;  // references stay valid while families are added
};

inline void add_value(MetricFamily& f, Labels labels, double v) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
  f.metric.push_back(std::move(m));
}

inline std::string u(uint64_t v) {
  return std::to_string(v);
}

// The process-wide values the collector holds.
struct ProcessInfo {
  const BuildInfo& build;
  double uptime_seconds;
  double start_unix_seconds;
  uint64_t scrapes;
  double latency_slo_us;
};

void add_process_families(Families& fs, const ProcessInfo& p);
void add_lcore_families(Families& fs, const TelemetrySources& src, const SystemSnapshot& snap, uint64_t now,
                        double hz);
void add_latency_families(Families& fs, const TelemetrySources& src, double hz);
void add_feed_recovery_families(Families& fs, const TelemetrySources& src, double hz);
void add_log_families(Families& fs, const TelemetrySources& src);
void add_device_families(Families& fs, const SystemSnapshot& snap);
void add_trading_families(Families& fs, const TelemetrySources& src, const std::vector<EngineStats>& engines);
void add_session_families(Families& fs, const std::vector<SessionRow>& rows);
void add_anomaly_families(Families& fs, const SystemSnapshot& snap);

}  // namespace sf::telemetry::families
