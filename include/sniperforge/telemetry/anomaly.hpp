// EWMA mean/variance z-score detector with hysteresis: an episode starts when |z| >= threshold
// (after warm-up) and ends when |z| < z_clear. Samples taken during an episode do not update the
// baseline, so a long anomaly does not become the new normal.
#pragma once

#include <array>
#include <cstdint>

#include "sniperforge/telemetry/config.hpp"
#include "sniperforge/telemetry/snapshot.hpp"

namespace sf::telemetry {

class EwmaDetector {
 public:
  enum class Event : uint8_t { kNone, kStarted, kEnded };

  EwmaDetector() = default;
  EwmaDetector(double alpha, uint32_t warmup, double z_threshold, double z_clear, double min_stddev) noexcept
      : alpha_(alpha),
        warmup_(warmup),
        z_threshold_(z_threshold),
        z_clear_(z_clear),
        min_stddev_(min_stddev) {}

  Event update(double x) noexcept;

  [[nodiscard]] const AnomalyState& state() const noexcept { return s_; }
  [[nodiscard]] uint64_t samples() const noexcept { return n_; }

 private:
  double alpha_ = 0.05;
  uint32_t warmup_ = 30;
  double z_threshold_ = 6, z_clear_ = 3, min_stddev_ = 1;
  double var_ = 0;
  uint64_t n_ = 0;
  AnomalyState s_;
};

// The four series of issue 5, one detector each.
class AnomalyMonitor {
 public:
  explicit AnomalyMonitor(const AnomalyConfig& cfg) noexcept;
  // Returns, per kind, the event of this sample.
  std::array<EwmaDetector::Event, kAnomalyKindCount> update(
      const std::array<double, kAnomalyKindCount>& samples) noexcept;
  [[nodiscard]] const EwmaDetector& detector(AnomalyKind k) const noexcept {
    return d_[static_cast<std::size_t>(k)];
  }
  [[nodiscard]] bool enabled() const noexcept { return enabled_; }

 private:
  bool enabled_;
  std::array<EwmaDetector, kAnomalyKindCount> d_;
};

}  // namespace sf::telemetry
