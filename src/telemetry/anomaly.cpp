#include "sniperforge/telemetry/anomaly.hpp"

#include <cmath>

namespace sf::telemetry {

EwmaDetector::Event EwmaDetector::update(double x) noexcept {
  if (!std::isfinite(x)) return Event::kNone;
  s_.value = x;
  if (n_ == 0) {
    s_.mean = x;
    var_ = 0;
    s_.stddev = 0;
    s_.z = 0;
    ++n_;
    return Event::kNone;
  }
  const double sd = std::max(std::sqrt(var_), min_stddev_);
  const double diff = x - s_.mean;
  s_.z = sd > 0 ? diff / sd : 0;
  ++n_;
  const bool warmed = n_ > warmup_;
  Event ev = Event::kNone;
  if (!s_.active) {
    if (warmed && std::fabs(s_.z) >= z_threshold_) {
      s_.active = true;
      ++s_.episodes;
      ev = Event::kStarted;
    }
  } else if (std::fabs(s_.z) < z_clear_) {
    s_.active = false;
    ev = Event::kEnded;
  }
  if (!s_.active) {
    // West's incremental EWMA variance.
    const double incr = alpha_ * diff;
    s_.mean += incr;
    var_ = (1 - alpha_) * (var_ + diff * incr);
  }
  s_.stddev = std::sqrt(var_);
  return ev;
}

AnomalyMonitor::AnomalyMonitor(const AnomalyConfig& cfg) noexcept : enabled_(cfg.enabled) {
  for (std::size_t i = 0; i < kAnomalyKindCount; ++i)
    d_[i] = EwmaDetector(cfg.alpha, cfg.warmup_samples, cfg.z_threshold[i], cfg.z_clear, cfg.min_stddev);
}

std::array<EwmaDetector::Event, kAnomalyKindCount> AnomalyMonitor::update(
    const std::array<double, kAnomalyKindCount>& samples) noexcept {
  std::array<EwmaDetector::Event, kAnomalyKindCount> ev{};
  if (!enabled_) return ev;
  for (std::size_t i = 0; i < kAnomalyKindCount; ++i) ev[i] = d_[i].update(samples[i]);
  return ev;
}

}  // namespace sf::telemetry
