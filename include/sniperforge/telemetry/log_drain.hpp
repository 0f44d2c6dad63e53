// Housekeeping side of the binary log rings: drains every lcore's ring and writes one formatted
// line per record through an spdlog async logger. Never called from a data-plane lcore.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sniperforge/telemetry/config.hpp"
#include "sniperforge/telemetry/log_ring.hpp"
#include "sniperforge/telemetry/sources.hpp"

namespace spdlog {
class logger;
}

namespace sf::telemetry {

// The process-wide async logger "sniperforge" (stderr or telemetry.log_file, level from config);
// created on first call, reconfigured (level) on later calls.
std::shared_ptr<spdlog::logger> housekeeping_logger(const TelemetryConfig& cfg);

// "[lcore 3 rx +12.345678 s] feed gap: expected seq 10, got 15 (5 messages missing)"
[[nodiscard]] std::string format_record(const LogRecord& r, uint32_t lcore, const std::string& role,
                                        double tsc_hz, uint64_t tsc_origin);

class LogDrain {
 public:
  LogDrain(std::vector<TelemetrySources::Log> rings, double tsc_hz, uint64_t tsc_origin,
           std::shared_ptr<spdlog::logger> logger);
  // Drains up to `max_per_ring` records of each ring; returns the number written.
  std::size_t drain(std::size_t max_per_ring = 4096);
  [[nodiscard]] uint64_t written() const noexcept { return written_; }

 private:
  std::vector<TelemetrySources::Log> rings_;
  std::vector<uint64_t> overflow_seen_;
  double tsc_hz_;
  uint64_t tsc_origin_;
  std::shared_ptr<spdlog::logger> logger_;
  uint64_t written_ = 0;
};

}  // namespace sf::telemetry
