#include "sniperforge/telemetry/service.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "sniperforge/telemetry/health.hpp"

namespace sf::telemetry {

StatsService::StatsService(TelemetrySources sources, TelemetryConfig cfg, Sampler sampler,
                           std::shared_ptr<spdlog::logger> logger)
    : src_(std::move(sources)),
      cfg_(std::move(cfg)),
      sampler_(std::move(sampler)),
      log_(logger ? std::move(logger) : housekeeping_logger(cfg_)),
      collector_(std::make_shared<MetricsCollector>(src_, cfg_)),
      anomaly_(cfg_.anomaly) {
  if (!(src_.tsc_hz > 0)) src_.tsc_hz = 1e9;
  const uint64_t origin = src_.now_tsc ? src_.now_tsc() : 0;
  drain_ = std::make_unique<LogDrain>(src_.logs, src_.tsc_hz, origin, log_);
  prev_polls_.assign(src_.rx.size() + src_.executors.size(), {0, 0});
}

StatsService::~StatsService() {
  stop();
}

void StatsService::start() {
  if (thread_.joinable()) return;
  if (cfg_.enabled) {
    server_ = std::make_unique<MetricsServer>(cfg_.metrics_addr, collector_);
    log_->info("telemetry: /metrics /health /ready on port {} (requested {})", server_->port(),
               cfg_.metrics_addr);
  }
  {
    std::lock_guard lock(mu_);
    stop_requested_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void StatsService::stop() {
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  if (log_) log_->flush();
}

void StatsService::run() {
  using clock = std::chrono::steady_clock;
  auto last = clock::now();
  const auto period = std::chrono::milliseconds(cfg_.interval_ms);
  std::unique_lock lock(mu_);
  for (;;) {
    const bool stopping = cv_.wait_for(lock, period, [this] { return stop_requested_; });
    lock.unlock();
    const auto now = clock::now();
    tick(std::chrono::duration<double>(now - last).count());
    last = now;
    lock.lock();
    if (stopping) break;
  }
}

void StatsService::tick(double elapsed) {
  if (!(elapsed > 0)) elapsed = cfg_.interval_ms / 1000.0;
  auto snap = std::make_shared<SystemSnapshot>();
  snap->sequence = ++sequence_;

  // Busy ratio per lcore over the interval.
  std::size_t slot = 0;
  auto busy = [&](uint32_t lcore, const char* role, uint64_t polls, uint64_t busy_polls) {
    auto& [pp, pb] = prev_polls_[slot++];
    const uint64_t dp = polls - pp, db = busy_polls - pb;
    pp = polls;
    pb = busy_polls;
    snap->lcores.push_back(
        {lcore, role, dp > 0 ? static_cast<double>(db) / static_cast<double>(dp) : 0.0, dp});
  };
  uint64_t messages = 0, gaps = 0;
  for (const auto& r : src_.rx) {
    if (r.stats == nullptr) {
      ++slot;
      continue;
    }
    busy(r.lcore, "rx", r.stats->polls.load(), r.stats->busy_polls.load());
    messages += r.stats->messages.load();
    gaps += r.stats->gaps.load();
  }
  HistogramSnapshot t2t;
  for (const auto& e : src_.executors) {
    if (e.stats == nullptr) {
      ++slot;
      continue;
    }
    busy(e.lcore, "executor", e.stats->polls.load(), e.stats->busy_polls.load());
    t2t.merge(e.stats->tick_to_trade.snapshot());
  }

  // Platform (NIC, mempools, rings).
  if (sampler_) sampler_(*snap);
  for (auto& r : snap->rings) {
    uint64_t& hw = ring_high_water_[r.name];
    hw = std::max({hw, r.count, r.high_water});
    r.high_water = hw;
  }

  // Interval rates for the anomaly detectors.
  uint64_t rejects = 0;
  if (src_.read_engines) {
    std::vector<EngineStats> engines;
    src_.read_engines(engines);
    for (const auto& e : engines)
      for (const auto& [reason, n] : e.rejects) rejects += n;
  }
  if (have_prev_) {
    snap->feed_message_rate = static_cast<double>(messages - prev_messages_) / elapsed;
    snap->gap_rate = static_cast<double>(gaps - prev_gaps_) / elapsed;
    snap->reject_rate = static_cast<double>(rejects - prev_rejects_) / elapsed;
    const HistogramSnapshot d = t2t.since(prev_t2t_);
    if (d.total() > 0) last_p99_ = static_cast<double>(d.percentile(0.99)) / src_.tsc_hz;
    snap->tick_to_trade_p99_seconds = last_p99_;
    const auto ev = anomaly_.update(
        {snap->feed_message_rate, snap->gap_rate, snap->reject_rate, snap->tick_to_trade_p99_seconds * 1e6});
    for (std::size_t k = 0; k < kAnomalyKindCount; ++k) {
      const auto& st = anomaly_.detector(static_cast<AnomalyKind>(k)).state();
      if (ev[k] == EwmaDetector::Event::kStarted)
        log_->warn("anomaly started: {} = {:.6g} (mean {:.6g}, stddev {:.6g}, z {:.2f})",
                   kAnomalyKindNames[k], st.value, st.mean, st.stddev, st.z);
      else if (ev[k] == EwmaDetector::Event::kEnded)
        log_->info("anomaly ended: {} = {:.6g} (mean {:.6g})", kAnomalyKindNames[k], st.value, st.mean);
    }
  }
  for (std::size_t k = 0; k < kAnomalyKindCount; ++k)
    snap->anomalies[k] = anomaly_.detector(static_cast<AnomalyKind>(k)).state();
  prev_messages_ = messages;
  prev_gaps_ = gaps;
  prev_rejects_ = rejects;
  prev_t2t_ = t2t;
  have_prev_ = true;

  // Health transitions are logged once per episode.
  const Status h = evaluate_health(src_, cfg_, src_.now_tsc ? src_.now_tsc() : 0);
  if (h.ok != was_healthy_) {
    if (h.ok)
      log_->info("health: ok");
    else
      log_->error("health: {}", h.reason);
    was_healthy_ = h.ok;
  }

  drain_->drain();
  collector_->publish(std::move(snap));
  ticks_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace sf::telemetry
