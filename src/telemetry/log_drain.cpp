#include "sniperforge/telemetry/log_drain.hpp"

#include "sniperforge/telemetry/feed_labels.hpp"
#include "sniperforge/trade/venue_check.hpp"

#include <fmt/args.h>
#include <fmt/format.h>
#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace sf::telemetry {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

std::shared_ptr<spdlog::logger> housekeeping_logger(const TelemetryConfig& cfg) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::shared_ptr<spdlog::logger> lg = spdlog::get("sniperforge");
  if (!lg) {
    if (!spdlog::thread_pool()) spdlog::init_thread_pool(8192, 1);
    spdlog::sink_ptr sink;
    if (cfg.log_file.empty()) {
      sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(cfg.log_file);
    }
    lg = std::make_shared<spdlog::async_logger>("sniperforge", sink, spdlog::thread_pool(),
                                                spdlog::async_overflow_policy::overrun_oldest);
    spdlog::register_logger(lg);
  }
  lg->set_level(spdlog::level::from_str(cfg.log_level));
  lg->flush_on(spdlog::level::warn);
  return lg;
}

std::string format_record(const LogRecord& r, uint32_t lcore, const std::string& role, double tsc_hz,
                          uint64_t tsc_origin) {
  const LogCodeInfo& in = info(r.code);
  fmt::dynamic_format_arg_store<fmt::format_context> store;
  const std::size_t n = r.nargs < kMaxLogArgs ? r.nargs : kMaxLogArgs;
  for (std::size_t i = 0; i < n; ++i) {
    // Enumerated first arguments are rendered by name (out-of-range values stay numbers).
    if (i == 0 && (r.code == LogCode::kLcoreStarted || r.code == LogCode::kLcoreStopping) && r.args[0] <= 2) {
      store.push_back(std::string{to_string(static_cast<LcoreRole>(r.args[0]))});
    } else if (i == 0 && r.code == LogCode::kFeedDrop && r.args[0] < kFeedDropReasonCount) {
      store.push_back(std::string{kFeedDropReasonNames[r.args[0]]});
    } else if (i == 0 && r.code == LogCode::kVenueInconsistent &&
               r.args[0] < trade::kVenueCheckNames.size()) {
      store.push_back(std::string{trade::kVenueCheckNames[r.args[0]]});
    } else {
      store.push_back(r.args[i]);
    }
  }
  // Formats with fewer arguments than placeholders must not throw: pad with zeros.
  for (std::size_t i = n; i < kMaxLogArgs; ++i) store.push_back(uint64_t{0});
  std::string msg;
  try {
    msg = fmt::vformat(in.format, store);
  } catch (const fmt::format_error&) {
    msg = fmt::format("{} (unformattable args)", in.name);
  }
  const double t = r.tsc >= tsc_origin ? static_cast<double>(r.tsc - tsc_origin) / tsc_hz : 0.0;
  return fmt::format("[lcore {} {} +{:.6f} s] {}", lcore, role, t, msg);
}

LogDrain::LogDrain(std::vector<TelemetrySources::Log> rings, double tsc_hz, uint64_t tsc_origin,
                   std::shared_ptr<spdlog::logger> logger)
    : rings_(std::move(rings)),
      overflow_seen_(rings_.size(), 0),
      tsc_hz_(tsc_hz > 0 ? tsc_hz : 1e9),
      tsc_origin_(tsc_origin),
      logger_(std::move(logger)) {}

std::size_t LogDrain::drain(std::size_t max_per_ring) {
  std::size_t n = 0;
  LogRecord rec;
  for (std::size_t i = 0; i < rings_.size(); ++i) {
    auto& src = rings_[i];
    if (src.ring == nullptr) continue;
    for (std::size_t k = 0; k < max_per_ring && src.ring->pop(rec); ++k) {
      if (logger_)
        logger_->log(to_spdlog(info(rec.code).level),
                     format_record(rec, src.lcore, src.role, tsc_hz_, tsc_origin_));
      ++n;
    }
    const uint64_t ovf = src.ring->overflow();
    if (ovf != overflow_seen_[i]) {
      if (logger_)
        logger_->warn("[lcore {} {}] log ring overflow: {} records lost ({} in total)", src.lcore, src.role,
                      ovf - overflow_seen_[i], ovf);
      overflow_seen_[i] = ovf;
    }
  }
  written_ += n;
  return n;
}

}  // namespace sf::telemetry
