#include "sniperforge/telemetry/anomaly.hpp"

#include <gtest/gtest.h>

#include <random>

namespace sf::telemetry {
namespace {

using Event = EwmaDetector::Event;

TEST(Anomaly, NoiseAroundAStableMeanNeverFires) {
  EwmaDetector d(0.05, 30, 6.0, 3.0, 1.0);
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(10000, 100);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(d.update(noise(rng)), Event::kNone) << i;
  EXPECT_NEAR(d.state().mean, 10000, 50);
  EXPECT_NEAR(d.state().stddev, 100, 30);
}

TEST(Anomaly, StepChangeStartsOneEpisodeAndRecoveryEndsIt) {
  EwmaDetector d(0.05, 30, 6.0, 3.0, 1.0);
  std::mt19937 rng(2);
  std::normal_distribution<double> noise(0, 100);
  for (int i = 0; i < 200; ++i) d.update(10000 + noise(rng));
  int started = 0, ended = 0;
  for (int i = 0; i < 50; ++i) {  // feed rate collapses
    const auto ev = d.update(100 + noise(rng));
    started += ev == Event::kStarted;
    ended += ev == Event::kEnded;
  }
  EXPECT_EQ(started, 1);  // logged once per episode, not every interval
  EXPECT_EQ(ended, 0);
  EXPECT_TRUE(d.state().active);
  EXPECT_LT(d.state().z, -6);
  EXPECT_NEAR(d.state().mean, 10000, 100);  // the baseline did not learn the anomaly
  for (int i = 0; i < 20; ++i) {
    const auto ev = d.update(10000 + noise(rng));
    ended += ev == Event::kEnded;
  }
  EXPECT_EQ(ended, 1);
  EXPECT_FALSE(d.state().active);
  EXPECT_EQ(d.state().episodes, 1u);
}

TEST(Anomaly, WarmupSuppressesEarlyAlarms) {
  EwmaDetector d(0.05, 30, 6.0, 3.0, 1.0);
  d.update(0);
  for (int i = 0; i < 28; ++i) EXPECT_EQ(d.update(i % 2 ? 1e6 : 0), Event::kNone);
}

TEST(Anomaly, MinStddevKeepsFlatSeriesQuiet) {
  EwmaDetector d(0.05, 5, 6.0, 3.0, 1.0);
  for (int i = 0; i < 100; ++i) d.update(0);  // no gaps at all
  EXPECT_EQ(d.update(3), Event::kNone);       // a small blip below 6 * min_stddev
  EXPECT_EQ(d.update(50), Event::kStarted);   // a gap burst
}

TEST(Anomaly, MonitorUsesPerKindThresholdsAndCanBeDisabled) {
  AnomalyConfig cfg;
  cfg.warmup_samples = 5;
  cfg.z_threshold = {6, 1000, 6, 6};
  AnomalyMonitor m(cfg);
  for (int i = 0; i < 50; ++i) m.update({100, 0, 0, 10});
  const auto ev = m.update({100, 50, 0, 10});
  EXPECT_EQ(ev[static_cast<int>(AnomalyKind::kGapRate)], Event::kNone);  // threshold 1000
  cfg.enabled = false;
  AnomalyMonitor off(cfg);
  for (int i = 0; i < 50; ++i) off.update({100, 0, 0, 10});
  const auto ev2 = off.update({1e9, 1e9, 1e9, 1e9});
  for (auto e : ev2) EXPECT_EQ(e, Event::kNone);
}

TEST(Anomaly, TickToTradeP99SpikeIsDetected) {
  AnomalyConfig cfg;
  cfg.warmup_samples = 10;
  AnomalyMonitor m(cfg);
  std::mt19937 rng(3);
  std::normal_distribution<double> p99_us(5.0, 0.5);
  for (int i = 0; i < 100; ++i) m.update({1000, 0, 0, p99_us(rng)});
  const auto ev = m.update({1000, 0, 0, 80.0});
  EXPECT_EQ(ev[static_cast<int>(AnomalyKind::kTickToTradeP99)], Event::kStarted);
}

}  // namespace
}  // namespace sf::telemetry
