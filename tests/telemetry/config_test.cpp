#include "sniperforge/telemetry/config.hpp"

#include <gtest/gtest.h>

namespace sf::telemetry {
namespace {

TelemetryConfig parse(std::string_view text, std::vector<std::string>& errors) {
  const toml::table root = toml::parse(text);
  return parse_telemetry_config(root, errors);
}

TEST(TelemetryConfig, DefaultsWhenAbsent) {
  std::vector<std::string> errors;
  const auto c = parse("[feed]\nport = 1\n", errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(c.metrics_addr, "127.0.0.1:9470");
  EXPECT_EQ(c.interval_ms, 100u);
  EXPECT_TRUE(c.anomaly.enabled);
}

TEST(TelemetryConfig, ReadsEveryKey) {
  std::vector<std::string> errors;
  const auto c = parse(R"(
[telemetry]
enabled = false
metrics_addr = "0.0.0.0:0"
interval_ms = 50
heartbeat_timeout_ms = 500
feed_stale_ms = 3000
log_level = "debug"
log_file = "/tmp/x.log"
latency_slo_us = 20
[telemetry.anomaly]
enabled = false
alpha = 0.2
warmup_samples = 5
z_threshold = 4.0
z_clear = 2
min_stddev = 0.5
gap_rate_z = 8.5
)",
                       errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0]);
  EXPECT_FALSE(c.enabled);
  EXPECT_EQ(c.metrics_addr, "0.0.0.0:0");
  EXPECT_EQ(c.interval_ms, 50u);
  EXPECT_EQ(c.heartbeat_timeout_ms, 500u);
  EXPECT_EQ(c.feed_stale_ms, 3000u);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.log_file, "/tmp/x.log");
  EXPECT_DOUBLE_EQ(c.latency_slo_us, 20.0);
  EXPECT_FALSE(c.anomaly.enabled);
  EXPECT_DOUBLE_EQ(c.anomaly.alpha, 0.2);
  EXPECT_EQ(c.anomaly.warmup_samples, 5u);
  EXPECT_DOUBLE_EQ(c.anomaly.z_threshold[static_cast<int>(AnomalyKind::kFeedRate)], 4.0);
  EXPECT_DOUBLE_EQ(c.anomaly.z_threshold[static_cast<int>(AnomalyKind::kGapRate)], 8.5);
  EXPECT_DOUBLE_EQ(c.anomaly.z_clear, 2.0);
}

TEST(TelemetryConfig, RejectsBadValuesAndUnknownKeys) {
  std::vector<std::string> errors;
  const auto c = parse(R"(
[telemetry]
metrics_addr = "localhost"
interval_ms = 0
log_level = "loud"
colour = "blue"
[telemetry.anomaly]
alpha = 2.0
z_threshold = "high"
bogus = 1
)",
                       errors);
  EXPECT_EQ(errors.size(), 7u);
  for (const auto& e : errors) EXPECT_EQ(e.rfind("telemetry.", 0), 0u) << e;
  EXPECT_EQ(c.metrics_addr, "127.0.0.1:9470");
  EXPECT_EQ(c.interval_ms, 100u);
}

TEST(TelemetryConfig, ListenAddress) {
  EXPECT_TRUE(valid_listen_address("127.0.0.1:9470"));
  EXPECT_TRUE(valid_listen_address("127.0.0.1:0"));
  // IPv6 and host names: civetweb (Debian) binds IPv4 literals only (#16: "[::1]" passed the check).
  EXPECT_FALSE(valid_listen_address("[::1]:9470"));
  EXPECT_FALSE(valid_listen_address("localhost:9470"));
  EXPECT_FALSE(valid_listen_address("127.0.0.1"));
  EXPECT_FALSE(valid_listen_address(":9470"));
  EXPECT_FALSE(valid_listen_address("127.0.0.1:70000"));
  EXPECT_FALSE(valid_listen_address("127.0.0.1:x"));
  EXPECT_FALSE(valid_listen_address("::1:9470"));
}

}  // namespace
}  // namespace sf::telemetry
