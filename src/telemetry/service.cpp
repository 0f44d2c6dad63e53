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
  const LcoreTotals totals = sample_lcores(*snap);
  sample_platform(*snap);
  update_anomalies(*snap, totals, elapsed);
  log_health_transition();
  drain_->drain();
  collector_->publish(std::move(snap));
  ticks_.fetch_add(1, std::memory_order_relaxed);
}

// Busy ratio per lcore over the interval; the feed's message and gap totals and the merged tick-to-trade.
StatsService::LcoreTotals StatsService::sample_lcores(SystemSnapshot& snap) {
  std::size_t slot = 0;
  auto busy = [&](uint32_t lcore, const char* role, uint64_t polls, uint64_t busy_polls) {
    auto& [pp, pb] = prev_polls_[slot++];
    const uint64_t dp = polls - pp, db = busy_polls - pb;
    pp = polls;
    pb = busy_polls;
    snap.lcores.push_back(
        {lcore, role, dp > 0 ? static_cast<double>(db) / static_cast<double>(dp) : 0.0, dp});
  };
  LcoreTotals t;
  for (const auto& r : src_.rx) {
    if (r.stats == nullptr) {
      ++slot;
      continue;
    }
    busy(r.lcore, "rx", r.stats->polls.load(), r.stats->busy_polls.load());
    t.messages += r.stats->messages.load();
    t.gaps += r.stats->gaps.load();
  }
  for (const auto& e : src_.executors) {
    if (e.stats == nullptr) {
      ++slot;
      continue;
    }
    busy(e.lcore, "executor", e.stats->polls.load(), e.stats->busy_polls.load());
    t.tick_to_trade.merge(e.stats->tick_to_trade.snapshot());
  }
  return t;
}

// Platform (NIC, mempools, rings), with each ring's high water since start.
void StatsService::sample_platform(SystemSnapshot& snap) {
  if (sampler_) sampler_(snap);
  for (auto& r : snap.rings) {
    uint64_t& hw = ring_high_water_[r.name];
    hw = std::max({hw, r.count, r.high_water});
    r.high_water = hw;
  }
}

// Interval rates into the anomaly detectors (from the second tick on); episodes logged as they start and end.
void StatsService::update_anomalies(SystemSnapshot& snap, const LcoreTotals& t, double elapsed) {
  uint64_t rejects = 0;
  if (src_.read_engines) {
    std::vector<EngineStats> engines;
    src_.read_engines(engines);
    for (const auto& e : engines)
      for (const auto& [reason, n] : e.rejects) rejects += n;
  }
  if (have_prev_) {
    snap.feed_message_rate = static_cast<double>(t.messages - prev_messages_) / elapsed;
    snap.gap_rate = static_cast<double>(t.gaps - prev_gaps_) / elapsed;
    snap.reject_rate = static_cast<double>(rejects - prev_rejects_) / elapsed;
    const HistogramSnapshot d = t.tick_to_trade.since(prev_t2t_);
    if (d.total() > 0) last_p99_ = static_cast<double>(d.percentile(0.99)) / src_.tsc_hz;
    snap.tick_to_trade_p99_seconds = last_p99_;
    const auto ev = anomaly_.update(
        {snap.feed_message_rate, snap.gap_rate, snap.reject_rate, snap.tick_to_trade_p99_seconds * 1e6});
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
    snap.anomalies[k] = anomaly_.detector(static_cast<AnomalyKind>(k)).state();
  prev_messages_ = t.messages;
  prev_gaps_ = t.gaps;
  prev_rejects_ = rejects;
  prev_t2t_ = t.tick_to_trade;
  have_prev_ = true;
}

// Health transitions are logged once per episode.
void StatsService::log_health_transition() {
  const Status h = evaluate_health(src_, cfg_, src_.now_tsc ? src_.now_tsc() : 0);
  if (h.ok != was_healthy_) {
    if (h.ok)
      log_->info("health: ok");
    else
      log_->error("health: {}", h.reason);
    was_healthy_ = h.ok;
  }
}

}  // namespace sf::telemetry
