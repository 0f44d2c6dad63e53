#include "sniperforge/telemetry/collector.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <deque>
#include <iterator>
#include <sstream>
#include <string_view>
#include <utility>

#include "metric_families.hpp"
#include "sniperforge/telemetry/health.hpp"

namespace sf::telemetry {
using families::Families;
using prometheus::MetricFamily;
using prometheus::MetricType;

BuildInfo this_build() noexcept {
  return sf::build_info();
}

const std::vector<double>& latency_bucket_bounds_seconds() {
  static const std::vector<double> b = [] {
    std::vector<double> v;
    for (double decade = 1e-8; decade < 1e-2 * 1.5; decade *= 10)
      for (double m : {1.0, 2.0, 5.0})
        if (decade * m <= 1e-2 * 1.0001) v.push_back(decade * m);
    return v;
  }();
  return b;
}

MetricsCollector::MetricsCollector(TelemetrySources sources, TelemetryConfig cfg, BuildInfo build)
    : src_(std::move(sources)),
      cfg_(std::move(cfg)),
      build_(std::move(build)),
      start_(std::chrono::steady_clock::now()),
      start_unix_seconds_(
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()),
      snap_(std::make_shared<SystemSnapshot>()) {
  if (!(src_.tsc_hz > 0)) src_.tsc_hz = 1e9;
}

void MetricsCollector::publish(std::shared_ptr<const SystemSnapshot> snap) {
  std::lock_guard lock(mu_);
  snap_ = std::move(snap);
}

std::shared_ptr<const SystemSnapshot> MetricsCollector::latest() const {
  std::lock_guard lock(mu_);
  return snap_;
}

uint64_t MetricsCollector::now_tsc() const {
  return src_.now_tsc ? src_.now_tsc() : 0;
}

Status MetricsCollector::health() const {
  return evaluate_health(src_, cfg_, now_tsc());
}

Status MetricsCollector::ready() const {
  std::vector<EngineStats> engines;
  if (src_.read_engines) src_.read_engines(engines);
  return evaluate_ready(src_, cfg_, now_tsc(), engines);
}

std::vector<MetricFamily> MetricsCollector::Collect() const {
  scrapes_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t now = now_tsc();
  const double hz = src_.tsc_hz;
  const auto snap = latest();
  Families fs;
  families::add_process_families(
      fs, {build_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(),
           start_unix_seconds_, scrapes_.load(std::memory_order_relaxed), cfg_.latency_slo_us});
  families::add_lcore_families(fs, src_, *snap, now, hz);
  families::add_latency_families(fs, src_, hz);
  families::add_feed_recovery_families(fs, src_, hz);
  families::add_log_families(fs, src_);
  families::add_device_families(fs, *snap);
  std::vector<EngineStats> engines;
  if (src_.read_engines) src_.read_engines(engines);
  families::add_trading_families(fs, src_, engines);
  std::vector<SessionRow> sessions;
  if (src_.read_sessions) src_.read_sessions(sessions);
  families::add_session_families(fs, sessions);
  families::add_anomaly_families(fs, *snap);
  const Status h = evaluate_health(src_, cfg_, now);
  const Status r = evaluate_ready(src_, cfg_, now, engines);
  families::add_value(fs.family("sniperforge_health_ok", "1 when /health answers 200", MetricType::Gauge), {},
                      h.ok ? 1 : 0);
  families::add_value(fs.family("sniperforge_ready", "1 when /ready answers 200", MetricType::Gauge), {},
                      r.ok ? 1 : 0);

  // Drop families without samples: they only add noise to the exposition.
  std::vector<MetricFamily> out = fs.take();
  if (src_.journal) append_journal_families(src_.journal(), out);
  std::erase_if(out, [](const MetricFamily& f) { return f.metric.empty(); });
  return out;
}

std::string serialize_text(const prometheus::Collectable& c) {
  std::ostringstream os;
  prometheus::TextSerializer{}.Serialize(os, c.Collect());
  return os.str();
}

}  // namespace sf::telemetry
