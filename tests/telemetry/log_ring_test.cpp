#include "sniperforge/telemetry/log_ring.hpp"

#include <gtest/gtest.h>

#include "sniperforge/telemetry/log_rate_limit.hpp"

#include <atomic>
#include <memory>
#include <thread>

namespace sf::telemetry {
namespace {

TEST(LogRing, PushPopPreservesRecord) {
  auto r = std::make_unique<BasicLogRing<8>>();
  ASSERT_TRUE(r->push(123, LogCode::kSeqGap, 10u, 15u, 5u));
  LogRecord rec;
  ASSERT_TRUE(r->pop(rec));
  EXPECT_EQ(rec.tsc, 123u);
  EXPECT_EQ(rec.code, LogCode::kSeqGap);
  EXPECT_EQ(rec.nargs, 3);
  EXPECT_EQ(rec.args[0], 10u);
  EXPECT_EQ(rec.args[2], 5u);
  EXPECT_FALSE(r->pop(rec));
}

TEST(LogRing, OverflowIsCountedNotOverwritten) {
  auto r = std::make_unique<BasicLogRing<4>>();
  for (uint64_t i = 0; i < 10; ++i) r->push(i, LogCode::kUser, i);
  EXPECT_EQ(r->overflow(), 6u);
  EXPECT_EQ(r->size(), 4u);
  LogRecord rec;
  for (uint64_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(r->pop(rec));
    EXPECT_EQ(rec.args[0], i);
  }
  EXPECT_FALSE(r->pop(rec));
  EXPECT_TRUE(r->push(99, LogCode::kUser, 99u));
}

TEST(LogRing, ConcurrentProducerConsumerLosesNothingButOverflow) {
  auto r = std::make_unique<BasicLogRing<64>>();
  constexpr uint64_t kN = 200000;
  std::atomic<uint64_t> accepted{0};
  std::atomic<bool> done{false};
  std::thread producer([&] {
    uint64_t n = 0;
    for (uint64_t i = 0; i < kN; ++i) n += r->push(i, LogCode::kUser, i) ? 1 : 0;
    accepted.store(n);
    done.store(true);
  });
  uint64_t popped = 0, last = 0;
  bool ordered = true;
  LogRecord rec;
  for (;;) {
    if (r->pop(rec)) {
      if (popped > 0 && rec.args[0] <= last) ordered = false;
      last = rec.args[0];
      ++popped;
      continue;
    }
    if (done.load()) {
      while (r->pop(rec)) ++popped;
      break;
    }
    std::this_thread::yield();
  }
  producer.join();
  EXPECT_TRUE(ordered);
  EXPECT_EQ(popped + r->overflow(), kN);
  EXPECT_EQ(popped, accepted.load());
}

TEST(LogCodes, EveryCodeHasAFormatWithMatchingPlaceholders) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(LogCode::kCount); ++i) {
    const auto& in = info(static_cast<LogCode>(i));
    EXPECT_FALSE(in.name.empty());
    std::size_t n = 0;
    for (std::size_t p = in.format.find("{}"); p != std::string_view::npos; p = in.format.find("{}", p + 2))
      ++n;
    EXPECT_LE(n, kMaxLogArgs) << in.name;
  }
}

TEST(LogRateLimit, BurstThenOnePerIntervalAndCountsWhatItHeldBack) {
  LogRateLimit l(100, 3);
  uint64_t t = 1'000;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(l.allow(t));
  EXPECT_FALSE(l.allow(t));
  EXPECT_FALSE(l.allow(t + 50));
  EXPECT_EQ(l.take_suppressed(), 2u);
  EXPECT_EQ(l.take_suppressed(), 0u);
  EXPECT_TRUE(l.allow(t + 100));  // one interval later: one more
  EXPECT_FALSE(l.allow(t + 150));
  EXPECT_FALSE(l.allow(t - 500));  // a TSC behind the last refill earns nothing
  t += 10'000;                     // a long quiet spell refills the burst, not more
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(l.allow(t));
  EXPECT_FALSE(l.allow(t));
  EXPECT_EQ(l.take_suppressed(), 3u);
  LogRateLimit unlimited;
  EXPECT_TRUE(unlimited.allow(0));
}

}  // namespace
}  // namespace sf::telemetry
