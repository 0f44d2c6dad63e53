// Retransmission timeout per RFC 6298: SRTT/RTTVAR from samples (the caller applies Karn's rule:
// no sample from a retransmitted segment), RTO = SRTT + max(G, 4 RTTVAR) clamped to [min, max],
// doubled on each expiry (exponential back-off) and recomputed from SRTT on the next sample.
// Times in nanoseconds from the caller's clock; this class never reads one.
#pragma once

#include <algorithm>
#include <cstdint>

namespace sf::net {

struct RtoLimits {
  uint64_t initial_ns = 1'000'000'000;  // RFC 6298 2.1: 1 s before the first sample
  uint64_t min_ns = 200'000'000;        // RFC says 1 s; 200 ms as Linux does on a LAN (docs/protocols.md)
  uint64_t max_ns = 60'000'000'000;     // RFC 6298 2.5: at least 60 s allowed
  uint64_t granularity_ns = 1'000;      // G: our clock ticks in ns; 1 µs keeps 4*RTTVAR from reaching 0
};

class RtoEstimator {
 public:
  explicit RtoEstimator(const RtoLimits& limits = {}) noexcept : limits_(limits) { reset(); }

  void reset() noexcept {
    srtt_ = rttvar_ = 0;
    has_sample_ = false;
    rto_ = limits_.initial_ns;
  }
  // One round-trip measurement (RFC 6298 2.2 / 2.3).
  void sample(uint64_t rtt_ns) noexcept {
    if (!has_sample_) {
      srtt_ = rtt_ns;
      rttvar_ = rtt_ns / 2;
      has_sample_ = true;
    } else {
      const uint64_t err = srtt_ > rtt_ns ? srtt_ - rtt_ns : rtt_ns - srtt_;
      rttvar_ = (3 * rttvar_ + err) / 4;
      srtt_ = (7 * srtt_ + rtt_ns) / 8;
    }
    rto_ = std::clamp(srtt_ + std::max(limits_.granularity_ns, 4 * rttvar_), limits_.min_ns, limits_.max_ns);
  }
  // The timer expired (RFC 6298 5.5).
  void back_off() noexcept { rto_ = std::min(rto_ * 2, limits_.max_ns); }

  [[nodiscard]] uint64_t rto_ns() const noexcept { return rto_; }
  [[nodiscard]] uint64_t srtt_ns() const noexcept { return srtt_; }
  [[nodiscard]] uint64_t rttvar_ns() const noexcept { return rttvar_; }
  [[nodiscard]] bool has_sample() const noexcept { return has_sample_; }

 private:
  RtoLimits limits_;
  uint64_t srtt_ = 0, rttvar_ = 0, rto_ = 0;
  bool has_sample_ = false;
};

}  // namespace sf::net
