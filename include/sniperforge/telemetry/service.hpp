// The stats thread: wakes every telemetry.interval_ms (condition-variable sleep, never a busy
// poll), samples platform state through a Sampler (the DPDK side fills NIC, mempool and ring
// stats), computes busy ratios and interval rates, runs the anomaly detectors, drains the
// binary log rings into spdlog, publishes a SystemSnapshot for the collector, and owns the
// HTTP server (/metrics, /health, /ready). DPDK-free; see dataplane/stats_lcore.hpp for the appliance glue.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sniperforge/telemetry/anomaly.hpp"
#include "sniperforge/telemetry/collector.hpp"
#include "sniperforge/telemetry/config.hpp"
#include "sniperforge/telemetry/http_server.hpp"
#include "sniperforge/telemetry/log_drain.hpp"
#include "sniperforge/telemetry/sources.hpp"

namespace sf::telemetry {

class StatsService {
 public:
  using Sampler = std::function<void(SystemSnapshot&)>;

  StatsService(TelemetrySources sources, TelemetryConfig cfg, Sampler sampler = {},
               std::shared_ptr<spdlog::logger> logger = {});
  ~StatsService();
  StatsService(const StatsService&) = delete;
  StatsService& operator=(const StatsService&) = delete;

  // Binds the HTTP server (when cfg.enabled) and starts the thread. Throws on bind failure.
  void start();
  // Stops the thread (final tick: logs drained) and the HTTP server. Idempotent.
  void stop();

  // One interval of work with an explicit elapsed time (tests drive this directly).
  void tick(double elapsed_seconds);

  [[nodiscard]] uint16_t metrics_port() const noexcept { return server_ ? server_->port() : 0; }
  [[nodiscard]] MetricsCollector& collector() noexcept { return *collector_; }
  [[nodiscard]] const AnomalyMonitor& anomalies() const noexcept { return anomaly_; }
  [[nodiscard]] uint64_t ticks() const noexcept { return ticks_.load(std::memory_order_relaxed); }

 private:
  void run();
  // tick(), step by step.
  struct LcoreTotals {
    uint64_t messages = 0, gaps = 0;
    HistogramSnapshot tick_to_trade;
  };
  LcoreTotals sample_lcores(SystemSnapshot& snap);
  void sample_platform(SystemSnapshot& snap);
  void update_anomalies(SystemSnapshot& snap, const LcoreTotals& t, double elapsed);
  void log_health_transition();

  TelemetrySources src_;
  TelemetryConfig cfg_;
  Sampler sampler_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<MetricsCollector> collector_;
  std::unique_ptr<MetricsServer> server_;
  AnomalyMonitor anomaly_;
  std::unique_ptr<LogDrain> drain_;

  // Previous values for interval deltas.
  std::vector<std::pair<uint64_t, uint64_t>> prev_polls_;  // rx..., executors...
  uint64_t prev_messages_ = 0, prev_gaps_ = 0, prev_rejects_ = 0;
  HistogramSnapshot prev_t2t_;
  bool have_prev_ = false;
  double last_p99_ = 0;
  std::map<std::string, uint64_t> ring_high_water_;
  bool was_healthy_ = true;
  uint64_t sequence_ = 0;

  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  std::atomic<uint64_t> ticks_{0};
};

}  // namespace sf::telemetry
