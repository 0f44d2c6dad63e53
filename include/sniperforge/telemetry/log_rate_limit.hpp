// Rate limit for one kind of log record pushed by a hot lcore (a token bucket on the TSC): at most `burst`
// records at once, then one per `interval` ticks. What it holds back is counted, so the next record that
// is allowed can say how many were not logged (loss is never silent). Single-threaded: the owning lcore's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

namespace sf::telemetry {

class LogRateLimit {
 public:
  LogRateLimit() = default;
  LogRateLimit(uint64_t interval_ticks, uint64_t burst) noexcept
      : interval_(interval_ticks), burst_(burst), tokens_(burst) {}

  // True if a record may be pushed at TSC `now`; false (and counted) otherwise. interval 0: always true.
  bool allow(uint64_t now) noexcept {
    if (interval_ == 0) return true;
    if (now > refill_) {  // a TSC read on another cpu may lag: never refill backwards
      const uint64_t earned = (now - refill_) / interval_;
      if (earned > 0) {
        tokens_ = std::min(burst_, tokens_ + std::min(earned, burst_));
        refill_ += earned * interval_;
      }
    }
    if (tokens_ == 0) {
      ++suppressed_;
      return false;
    }
    --tokens_;
    return true;
  }
  // Records held back since the last call (then reset).
  uint64_t take_suppressed() noexcept { return std::exchange(suppressed_, 0); }

 private:
  uint64_t interval_ = 0;
  uint64_t burst_ = 0;
  uint64_t tokens_ = 0;
  uint64_t refill_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace sf::telemetry
