#include "sniperforge/telemetry/health.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

namespace sf::telemetry {
namespace {

double age_seconds(uint64_t now, uint64_t then, double hz) {
  if (then >= now) return 0;
  return static_cast<double>(now - then) / hz;
}

std::string fmt_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

}  // namespace

Status evaluate_health(const TelemetrySources& src, const TelemetryConfig& cfg, uint64_t now_tsc) {
  // Freshest heartbeat per lcore id, with the role(s) it plays.
  std::map<uint32_t, std::pair<uint64_t, std::string>> lcores;
  auto note = [&](uint32_t lcore, uint64_t hb, const char* role) {
    auto [it, fresh] = lcores.try_emplace(lcore, hb, role);
    if (!fresh) {
      it->second.first = std::max(it->second.first, hb);
      it->second.second += "+";
      it->second.second += role;
    }
  };
  for (const auto& r : src.rx)
    if (r.stats != nullptr) note(r.lcore, r.stats->heartbeat_tsc.load(), "rx");
  for (const auto& e : src.executors)
    if (e.stats != nullptr) note(e.lcore, e.stats->heartbeat_tsc.load(), "executor");

  const double limit = cfg.heartbeat_timeout_ms / 1000.0;
  Status st;
  for (const auto& [lcore, v] : lcores) {
    const auto& [hb, role] = v;
    std::string problem;
    if (hb == 0) {
      problem = "lcore " + std::to_string(lcore) + " (" + role + ") has not started";
    } else if (const double age = age_seconds(now_tsc, hb, src.tsc_hz); age > limit) {
      problem = "lcore " + std::to_string(lcore) + " (" + role + ") stalled: heartbeat " + fmt_seconds(age) +
                " old (limit " + fmt_seconds(limit) + ")";
    }
    if (!problem.empty()) {
      st.ok = false;
      if (!st.reason.empty()) st.reason += "; ";
      st.reason += problem;
    }
  }
  if (lcores.empty()) {
    st.ok = false;
    st.reason = "no data-plane lcore registered";
  }
  return st;
}

double feed_age_seconds(const TelemetrySources& src, uint64_t now_tsc) {
  uint64_t newest = 0;
  for (const auto& r : src.rx)
    if (r.stats != nullptr) newest = std::max(newest, r.stats->last_feed_tsc.load());
  if (newest == 0) return -1;
  return age_seconds(now_tsc, newest, src.tsc_hz);
}

Status evaluate_ready(const TelemetrySources& src, const TelemetryConfig& cfg, uint64_t now_tsc,
                      const std::vector<EngineStats>& engines) {
  Status st = evaluate_health(src, cfg, now_tsc);
  auto add = [&](const std::string& p) {
    st.ok = false;
    if (!st.reason.empty()) st.reason += "; ";
    st.reason += p;
  };
  const double age = feed_age_seconds(src, now_tsc);
  const double limit = cfg.feed_stale_ms / 1000.0;
  if (age < 0) {
    add("no feed packet received yet");
  } else if (age > limit) {
    add("feed quiet: last packet " + fmt_seconds(age) + " ago (limit " + fmt_seconds(limit) + ")");
  }
  // The engines and the executors' gauge describe the same books: take the larger, never the sum.
  uint64_t stale_engines = 0, stale_executors = 0;
  for (const auto& e : engines) stale_engines += e.stale_books;
  for (const auto& x : src.executors)
    if (x.stats != nullptr) stale_executors += x.stats->books_stale.load();
  const uint64_t stale = std::max(stale_engines, stale_executors);
  if (stale > 0) add(std::to_string(stale) + " stale book(s)");
  for (const auto& e : engines)
    if (e.venue_inconsistent) add("shard " + std::to_string(e.shard) + " stopped: venue inconsistent");
  for (const auto& r : src.rx) {
    if (r.stats == nullptr) continue;
    const auto failed = static_cast<RecoveryFailure>(r.stats->recovery.failed.load());
    if (failed != RecoveryFailure::kNone)
      add(std::string("feed gap not recovered (") +
          (failed == RecoveryFailure::kRetries  ? "re-request server did not answer within the retries"
           : failed == RecoveryFailure::kBuffer ? "gap larger than max_held_messages"
                                                : "the feed restarted while recovering") +
          (r.stats->recovery.snapshot_state.load() == 1
               ? "): taking a GLIMPSE snapshot, books stale until then"
           : r.stats->recovery.snapshot_state.load() == 2 ? "): the GLIMPSE snapshot failed, books stale"
                                                          : "): books stale until a snapshot or a restart"));
    else if (r.stats->recovery.recovering.load())
      add("recovering a feed gap by re-request");
  }
  if (src.order_session_state) {
    const int s = src.order_session_state();
    // Name each session that is not logged in when the rows are there (not yet started: all of them).
    std::vector<SessionRow> rows;
    if (s == 0 && src.read_sessions) src.read_sessions(rows);
    const std::string named = sessions_down_problem(rows);
    if (s == 0) add(named.empty() ? "order session down" : named);
  }
  if (src.journal)
    if (const std::string j = journal_ready_problem(src.journal()); !j.empty()) add(j);
  return st;
}

}  // namespace sf::telemetry
