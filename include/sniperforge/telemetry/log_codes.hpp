// Codes of the binary log records pushed by the hot lcores, with their severity and the
// fmt format string the stats lcore uses to render them ("{}" per argument, in order).
// Adding a code: append to SF_LOG_CODES (never reorder; the value is the code).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sf::telemetry {

enum class LogLevel : uint8_t { kDebug, kInfo, kWarn, kError };

// X(enum, level, format)
#define SF_LOG_CODES(X)                                                                             \
  X(kNone, kDebug, "none")                                                                          \
  X(kLcoreStarted, kInfo, "lcore started ({} {})")   /* LcoreRole, index */                         \
  X(kLcoreStopping, kInfo, "lcore stopping ({} {})") /* LcoreRole, index */                         \
  X(kSeqGap, kWarn, "feed gap: expected seq {}, got {} ({} messages missing)")                      \
  X(kSeqDuplicate, kDebug, "feed duplicate packet: seq {} count {} (expected {})")                  \
  X(kSeqLate, kInfo, "feed late packet: seq {} count {} (expected {})")                             \
  X(kFeedDrop, kDebug, "feed drop: reason {}, frame length {}")                                     \
  X(kRingFull, kWarn, "ring to executor {} full: {} messages dropped, books marked stale")          \
  X(kBookStale, kWarn, "book stale: stock locate {}")                                               \
  X(kBookRecovered, kInfo, "book recovered: stock locate {}")                                       \
  X(kOrderSent, kDebug, "order sent: user_ref_num {}, locate {}, shares {}, price {}")              \
  X(kTxUnsent, kWarn, "tx queue full: {} frames unsent on port {}")                                 \
  X(kRiskReject, kInfo, "risk reject: reason {}, locate {}, shares {}, price {}")                   \
  X(kKillSwitch, kError, "kill switch engaged: reason {}")                                          \
  X(kSessionState, kInfo, "order session state {} -> {}")                                           \
  X(kFeedQuiet, kWarn, "feed quiet for {} ms")                                                      \
  X(kFeedResumed, kInfo, "feed resumed at seq {}")                                                  \
  X(kUser, kInfo, "event {}: {} {} {}")                                                             \
  X(kVenueInconsistent, kError,                                                                     \
    "venue response refused ({}): shard {}, user_ref_num {}, value {}; shard stops sending orders") \
  X(kVenueLogSuppressed, kWarn, "{} more refused venue responses not logged (rate limit)")

// First argument of kLcoreStarted / kLcoreStopping (rendered by name).
enum class LcoreRole : uint8_t { kRx = 0, kExecutor = 1, kRunToCompletion = 2 };
[[nodiscard]] constexpr std::string_view to_string(LcoreRole r) noexcept {
  switch (r) {
    case LcoreRole::kRx:
      return "rx";
    case LcoreRole::kExecutor:
      return "executor";
    case LcoreRole::kRunToCompletion:
      return "run_to_completion";
  }
  return "unknown_role";
}

enum class LogCode : uint16_t {
#define SF_X(e, l, f) e,
  SF_LOG_CODES(SF_X)
#undef SF_X
      kCount
};

struct LogCodeInfo {
  std::string_view name;
  LogLevel level;
  std::string_view format;
};

inline constexpr LogCodeInfo kLogCodeInfo[] = {
#define SF_X(e, l, f) LogCodeInfo{#e, LogLevel::l, f},
    SF_LOG_CODES(SF_X)
#undef SF_X
};
static_assert(sizeof(kLogCodeInfo) / sizeof(kLogCodeInfo[0]) == static_cast<std::size_t>(LogCode::kCount));

[[nodiscard]] constexpr const LogCodeInfo& info(LogCode c) noexcept {
  const auto i = static_cast<std::size_t>(c);
  return kLogCodeInfo[i < static_cast<std::size_t>(LogCode::kCount) ? i : 0];
}

}  // namespace sf::telemetry
