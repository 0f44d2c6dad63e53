// What the telemetry side reads: pointers to the per-lcore structs (read with relaxed loads at
// scrape / interval time) and callbacks for state owned elsewhere. Filled once by the app before
// the data plane starts; never changed afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sniperforge/telemetry/journal_health.hpp"
#include "sniperforge/telemetry/lcore_stats.hpp"
#include "sniperforge/telemetry/log_ring.hpp"
#include "sniperforge/telemetry/session_rows.hpp"
#include "sniperforge/telemetry/snapshot.hpp"

namespace sf::telemetry {

struct ControlStats;  // control_stats.hpp

struct TelemetrySources {
  struct Rx {
    uint32_t lcore = 0;
    const RxLcoreStats* stats = nullptr;
  };
  struct Executor {
    uint32_t lcore = 0;
    const ExecutorLcoreStats* stats = nullptr;
  };
  struct Log {
    uint32_t lcore = 0;
    std::string role;
    LogRing* ring = nullptr;  // drained by the stats thread only
  };
  std::vector<Rx> rx;
  std::vector<Executor> executors;
  std::vector<Log> logs;

  // Clock of the *_tsc fields (rte_rdtsc / rte_get_tsc_hz on the appliance; fakes in tests).
  std::function<uint64_t()> now_tsc;
  double tsc_hz = 1e9;

  // Optional. Trading engines (one per shard); called from the scrape and stats threads, so it
  // must only do relaxed loads of single-writer counters.
  std::function<void(std::vector<EngineStats>&)> read_engines;
  // Optional. Order session: return -1 when no session is configured, 0 down, 1 up.
  std::function<int()> order_session_state;
  // Optional. The SoupBinTCP sessions, one row per shard (relaxed loads of the sessions' counters); the
  // per-shard sniperforge_session_* families and /ready's names of the sessions not logged in.
  std::function<void(std::vector<SessionRow>&)> read_sessions;
  // Optional. The journal ([journal]); unset without one.
  std::function<JournalHealth()> journal;
  // Optional. The control plane's command and refused-peer counts (control_stats.hpp).
  const ControlStats* control = nullptr;
};

}  // namespace sf::telemetry
