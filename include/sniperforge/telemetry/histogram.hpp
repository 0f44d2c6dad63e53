// Log-linear (HDR-style) latency histogram: one writer lcore, any number of readers.
//
// Values are unit-less integers (the writer records TSC ticks or nanoseconds, the reader converts).
// Buckets: values below 2^kSubBits are exact; above, each power of two is split into 2^kSubBits
// linear sub-buckets (relative error <= 1/16 = 6.25 %). With kMaxExponent = 32 the range covers
// 1 .. ~4.3e9 units (TSC at 3 GHz: 0.3 ns .. 1.4 s; ns: 1 ns .. 4.3 s), so ~10 ns .. ~10 ms fits
// with room to spare; larger values land in the last (overflow) bucket.
//
// record() is a relaxed load + relaxed store per bucket and for the sum: plain `add`/`mov`
// on x86-64, no lock prefix (see docs/observability.md for the objdump).
// Readers take a snapshot() with relaxed loads (possibly a few records behind, never torn),
// then merge/subtract/percentile on the snapshot.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "sniperforge/common/counter.hpp"

namespace sf::telemetry {

struct HistogramLayout {
  static constexpr unsigned kSubBits = 4;
  static constexpr uint64_t kSubCount = uint64_t{1} << kSubBits;  // 16 linear sub-buckets
  static constexpr unsigned kMaxExponent = 32;                    // values < 2^32 are bucketed exactly
  // Groups: group 0 = [0, 16) exact, group g >= 1 covers [2^(g+3), 2^(g+4)).
  static constexpr std::size_t kGroups = kMaxExponent - kSubBits + 1;
  static constexpr std::size_t kBuckets = kGroups * kSubCount + 1;  // + overflow bucket
  static constexpr std::size_t kOverflow = kBuckets - 1;

  [[nodiscard]] static constexpr std::size_t index_of(uint64_t v) noexcept {
    if (v < kSubCount) return static_cast<std::size_t>(v);
    if (v >> kMaxExponent) [[unlikely]]
      return kOverflow;
    const unsigned msb = 63u - static_cast<unsigned>(std::countl_zero(v));  // >= kSubBits
    const unsigned shift = msb - kSubBits;
    const uint64_t group = shift + 1;
    const uint64_t sub = (v >> shift) & (kSubCount - 1);
    return static_cast<std::size_t>(group * kSubCount + sub);
  }
  // Smallest value that maps to bucket i.
  [[nodiscard]] static constexpr uint64_t lower_bound(std::size_t i) noexcept {
    if (i < kSubCount) return i;
    if (i >= kOverflow) return uint64_t{1} << kMaxExponent;
    const uint64_t group = i / kSubCount;
    const uint64_t sub = i % kSubCount;
    return (kSubCount + sub) << (group - 1);
  }
  // One past the largest value that maps to bucket i (UINT64_MAX for the overflow bucket).
  [[nodiscard]] static constexpr uint64_t upper_bound(std::size_t i) noexcept {
    if (i >= kOverflow) return UINT64_MAX;
    return lower_bound(i + 1);
  }
};

// Reader-side copy of a histogram: plain integers, mergeable.
struct HistogramSnapshot {
  std::array<uint64_t, HistogramLayout::kBuckets> counts{};
  uint64_t sum = 0;  // sum of recorded values (wraps only after ~1.8e19 units)
  uint64_t max = 0;  // largest recorded value (since start)

  [[nodiscard]] uint64_t total() const noexcept {
    uint64_t t = 0;
    for (uint64_t c : counts) t += c;
    return t;
  }
  void merge(const HistogramSnapshot& o) noexcept {
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += o.counts[i];
    sum += o.sum;
    if (o.max > max) max = o.max;
  }
  // this - older: the records made between two snapshots of the same histogram.
  [[nodiscard]] HistogramSnapshot since(const HistogramSnapshot& older) const noexcept {
    HistogramSnapshot d;
    for (std::size_t i = 0; i < counts.size(); ++i)
      d.counts[i] = counts[i] >= older.counts[i] ? counts[i] - older.counts[i] : 0;
    d.sum = sum >= older.sum ? sum - older.sum : 0;
    d.max = max;
    return d;
  }
  // Value at quantile q in [0, 1]: the midpoint of the bucket holding the ceil(q * total)-th record
  // (exact for values < 16; within 1/32 relative otherwise; the exact max for the last record).
  // 0 when empty.
  [[nodiscard]] uint64_t percentile(double q) const noexcept {
    const uint64_t n = total();
    if (n == 0) return 0;
    if (q < 0) q = 0;
    if (q > 1) q = 1;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(n) + 0.999999999);
    if (rank == 0) rank = 1;
    if (rank >= n && max != 0) return max;  // the top record is known exactly
    uint64_t seen = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      seen += counts[i];
      if (seen >= rank) {
        if (i == HistogramLayout::kOverflow) return max;
        const uint64_t lo = HistogramLayout::lower_bound(i);
        const uint64_t hi = HistogramLayout::upper_bound(i);
        const uint64_t mid = lo + (hi - lo - 1) / 2;
        return (max != 0 && mid > max) ? max : mid;
      }
    }
    return max;
  }
  // Number of records with value < bound (bucket-granular: counts whole buckets whose upper
  // bound is <= bound). Used to build Prometheus `le` buckets.
  [[nodiscard]] uint64_t count_below(uint64_t bound) const noexcept {
    uint64_t c = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      if (HistogramLayout::upper_bound(i) > bound) break;
      c += counts[i];
    }
    return c;
  }
};

class alignas(kCacheLine) LatencyHistogram {
 public:
  using Layout = HistogramLayout;

  // Writer (owning lcore) only.
  void record(uint64_t v) noexcept {
    Counter& c = counts_[Layout::index_of(v)];
    c.add(1);
    sum_.add(v);
    max_.max(v);
  }

  // Any thread.
  [[nodiscard]] HistogramSnapshot snapshot() const noexcept {
    HistogramSnapshot s;
    for (std::size_t i = 0; i < Layout::kBuckets; ++i) s.counts[i] = counts_[i].load();
    s.sum = sum_.load();
    s.max = max_.load();
    return s;
  }

 private:
  Counter sum_;
  Counter max_;
  std::array<Counter, Layout::kBuckets> counts_{};
};

}  // namespace sf::telemetry
