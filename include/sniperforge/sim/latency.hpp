// Latency of the simulated venue's links: a fixed delay, or draws from a recorded latency histogram with a
// seeded generator (SplitMix64: the same seed gives the same draws on every platform and standard library,
// unlike std::*_distribution).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sf::sim {

// SplitMix64 (Steele, Lea, Flood 2014): one 64-bit state, full period, passes BigCrush; enough for drawing
// latencies and cheap to seed per shard.
class Rng {
 public:
  explicit Rng(uint64_t seed) noexcept : s_(seed) {}
  uint64_t next() noexcept {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (n > 0); the modulo bias is below 2^-40 for the bucket counts used here.
  uint64_t below(uint64_t n) noexcept { return next() % n; }

 private:
  uint64_t s_;
};

// A delay in ns. With no histogram it is `fixed_ns`; with one, a draw picks bucket i with probability
// counts[i] / sum(counts) and then a uniform value in (bounds[i-1], bounds[i]] (bounds[-1] = 0), plus
// `fixed_ns` (e.g. a constant wire time added to a recorded gateway distribution).
struct LatencyModel {
  uint64_t fixed_ns = 0;
  std::vector<uint64_t> bounds_ns;  // ascending bucket upper bounds
  std::vector<uint64_t> counts;     // same length; at least one non-zero

  [[nodiscard]] bool is_histogram() const noexcept { return !bounds_ns.empty(); }
  [[nodiscard]] uint64_t total() const noexcept {
    uint64_t t = 0;
    for (uint64_t c : counts) t += c;
    return t;
  }
  // Expected value of a draw (what the report states as the assumption).
  [[nodiscard]] double mean_ns() const noexcept {
    if (!is_histogram()) return static_cast<double>(fixed_ns);
    double sum = 0;
    uint64_t lo = 0;
    for (std::size_t i = 0; i < bounds_ns.size(); ++i) {
      // Uniform on the integers lo+1..hi: mean (lo + 1 + hi) / 2.
      sum += static_cast<double>(counts[i]) * (static_cast<double>(lo + 1 + bounds_ns[i]) / 2.0);
      lo = bounds_ns[i];
    }
    return static_cast<double>(fixed_ns) + sum / static_cast<double>(total());
  }
  [[nodiscard]] uint64_t draw(Rng& rng) const noexcept {
    if (!is_histogram()) return fixed_ns;
    uint64_t pick = rng.below(total());
    uint64_t lo = 0;
    for (std::size_t i = 0; i < bounds_ns.size(); ++i) {
      if (pick < counts[i]) return fixed_ns + lo + 1 + rng.below(bounds_ns[i] - lo);
      pick -= counts[i];
      lo = bounds_ns[i];
    }
    return fixed_ns + bounds_ns.back();  // not reached: pick < total()
  }
  // nullptr when valid, else why not.
  [[nodiscard]] const char* invalid() const noexcept {
    if (!is_histogram()) return nullptr;
    if (counts.size() != bounds_ns.size()) return "bounds_ns and counts must have the same length";
    uint64_t prev = 0;
    for (std::size_t i = 0; i < bounds_ns.size(); ++i) {
      if (bounds_ns[i] <= prev) return "bounds_ns must be ascending and > 0";
      prev = bounds_ns[i];
    }
    if (total() == 0) return "counts must not all be zero";
    return nullptr;
  }
};

}  // namespace sf::sim
