// [telemetry] (+ [telemetry.anomaly]) configuration and its validating parser.
//
//   [telemetry]
//   enabled = true                   # start the exporter and the stats thread
//   metrics_addr = "127.0.0.1:9470"  # HOST:PORT; port 0 picks a free port (--metrics-addr overrides)
//   interval_ms = 100                # stats thread wake-up period (sleep, not a busy poll)
//   heartbeat_timeout_ms = 1000      # /health: every lcore heart-beat within this time
//   feed_stale_ms = 2000             # /ready: a feed packet within this time
//   log_level = "info"               # trace|debug|info|warn|error|off (housekeeping spdlog logger)
//   log_file = ""                    # empty: stderr
//   latency_slo_us = 50              # tick-to-trade p99 SLO (exported for the alert rule)
//   [telemetry.anomaly]
//   enabled = true
//   alpha = 0.05                     # EWMA weight of the newest sample
//   warmup_samples = 30              # samples before any anomaly can fire
//   z_threshold = 6.0                # |z| at which an episode starts (default for every kind)
//   z_clear = 3.0                    # |z| below which it ends (hysteresis)
//   min_stddev = 1.0                 # floor of the stddev (units of the series) so flat series do not fire
//   on noise feed_rate_z = 6.0                # optional per-kind override of z_threshold (also gap_rate_z,
//                                    # reject_rate_z, tick_to_trade_p99_z)
//
// Unknown keys in [telemetry] / [telemetry.anomaly] are errors; other tables are ignored.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace sf::telemetry {

enum class AnomalyKind : uint8_t { kFeedRate = 0, kGapRate, kRejectRate, kTickToTradeP99 };
inline constexpr std::size_t kAnomalyKindCount = 4;
inline constexpr std::array<std::string_view, kAnomalyKindCount> kAnomalyKindNames = {
    "feed_rate", "gap_rate", "reject_rate", "tick_to_trade_p99"};

struct AnomalyConfig {
  bool enabled = true;
  double alpha = 0.05;
  uint32_t warmup_samples = 30;
  double z_clear = 3.0;
  double min_stddev = 1.0;
  std::array<double, kAnomalyKindCount> z_threshold{6.0, 6.0, 6.0, 6.0};
};

struct TelemetryConfig {
  bool enabled = true;
  std::string metrics_addr = "127.0.0.1:9470";
  uint32_t interval_ms = 100;
  uint32_t heartbeat_timeout_ms = 1000;
  uint32_t feed_stale_ms = 2000;
  std::string log_level = "info";
  std::string log_file;
  double latency_slo_us = 50.0;
  AnomalyConfig anomaly;
};

// Reads root["telemetry"] (absent -> defaults). Appends one message per problem to `errors`
// ("telemetry.interval_ms: must be in [1, 60000]"); the returned config holds defaults for
// every rejected key.
[[nodiscard]] TelemetryConfig parse_telemetry_config(const toml::table& root,
                                                     std::vector<std::string>& errors);

// "HOST:PORT" -> true when well formed (port 0..65535, non-empty host; "[::1]:9470" accepted).
[[nodiscard]] bool valid_listen_address(std::string_view addr) noexcept;

}  // namespace sf::telemetry
