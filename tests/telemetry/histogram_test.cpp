#include "sniperforge/telemetry/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

namespace sf::telemetry {
namespace {

using L = HistogramLayout;

TEST(Histogram, IndexIsMonotonicAndBoundsContainValue) {
  std::size_t prev = 0;
  for (uint64_t v = 0; v < 200000; v += (v < 1000 ? 1 : 97)) {
    const std::size_t i = L::index_of(v);
    ASSERT_GE(i, prev) << v;
    ASSERT_LE(L::lower_bound(i), v) << v;
    ASSERT_GT(L::upper_bound(i), v) << v;
    prev = i;
  }
  EXPECT_EQ(L::index_of((uint64_t{1} << 32) - 1), L::kOverflow - 1);
  EXPECT_EQ(L::index_of(uint64_t{1} << 32), L::kOverflow);
  EXPECT_EQ(L::index_of(UINT64_MAX), L::kOverflow);
}

TEST(Histogram, RelativeBucketWidthIsBounded) {
  for (std::size_t i = L::kSubCount; i < L::kOverflow; ++i) {
    const double lo = static_cast<double>(L::lower_bound(i));
    const double w = static_cast<double>(L::upper_bound(i) - L::lower_bound(i));
    ASSERT_LE(w / lo, 1.0 / 16 + 1e-12) << i;
  }
}

TEST(Histogram, PercentilesOfUniformSeries) {
  auto h = std::make_unique<LatencyHistogram>();
  for (uint64_t v = 1; v <= 10000; ++v) h->record(v);
  const HistogramSnapshot s = h->snapshot();
  EXPECT_EQ(s.total(), 10000u);
  EXPECT_EQ(s.sum, 10000u * 10001u / 2);
  EXPECT_EQ(s.max, 10000u);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double want = q * 10000;
    const double got = static_cast<double>(s.percentile(q));
    EXPECT_NEAR(got, want, want / 16) << q;
  }
  EXPECT_EQ(s.percentile(1.0), 10000u);
  EXPECT_EQ(s.percentile(0.0), 1u);
}

TEST(Histogram, SmallValuesAreExact) {
  auto h = std::make_unique<LatencyHistogram>();
  for (int i = 0; i < 99; ++i) h->record(3);
  h->record(7);
  const auto s = h->snapshot();
  EXPECT_EQ(s.percentile(0.5), 3u);
  EXPECT_EQ(s.percentile(0.99), 3u);
  EXPECT_EQ(s.percentile(1.0), 7u);
}

TEST(Histogram, MergeAndSinceAreInverse) {
  auto a = std::make_unique<LatencyHistogram>();
  auto b = std::make_unique<LatencyHistogram>();
  std::mt19937_64 rng(7);
  std::vector<uint64_t> all;
  for (int i = 0; i < 5000; ++i) {
    const uint64_t v = rng() % 1'000'000;
    (i % 2 ? a : b)->record(v);
    all.push_back(v);
  }
  HistogramSnapshot m = a->snapshot();
  const HistogramSnapshot before = m;
  m.merge(b->snapshot());
  EXPECT_EQ(m.total(), 5000u);
  std::sort(all.begin(), all.end());
  const double p99 = static_cast<double>(all[static_cast<std::size_t>(0.99 * 5000) - 1]);
  EXPECT_NEAR(static_cast<double>(m.percentile(0.99)), p99, p99 / 16);
  const HistogramSnapshot d = m.since(before);
  EXPECT_EQ(d.total(), b->snapshot().total());
  EXPECT_EQ(d.sum, b->snapshot().sum);
}

TEST(Histogram, OverflowAndEmpty) {
  auto h = std::make_unique<LatencyHistogram>();
  EXPECT_EQ(h->snapshot().percentile(0.99), 0u);
  h->record(uint64_t{1} << 40);
  const auto s = h->snapshot();
  EXPECT_EQ(s.counts[L::kOverflow], 1u);
  EXPECT_EQ(s.percentile(0.5), uint64_t{1} << 40);
  EXPECT_EQ(s.count_below(UINT64_MAX - 1), 0u);
}

TEST(Histogram, CountBelowIsBucketGranular) {
  auto h = std::make_unique<LatencyHistogram>();
  for (uint64_t v : {5u, 15u, 16u, 100u, 1000u}) h->record(v);
  const auto s = h->snapshot();
  EXPECT_EQ(s.count_below(16), 2u);
  EXPECT_EQ(s.count_below(17), 3u);
  EXPECT_EQ(s.count_below(1u << 20), 5u);
}

}  // namespace
}  // namespace sf::telemetry
