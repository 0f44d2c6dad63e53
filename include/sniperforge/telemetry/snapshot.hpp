// Plain-data view of everything the stats side samples on its interval (NIC, mempools, rings,
// trading engines, derived rates). Produced by the stats thread, read by the collector and the
// health checks; no pointers into the data plane.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sniperforge/telemetry/config.hpp"

namespace sf::telemetry {

struct PortStats {
  uint16_t port_id = 0;
  std::string name;  // label value, e.g. "0" or the devargs name
  uint64_t ipackets = 0, opackets = 0, ibytes = 0, obytes = 0;
  uint64_t imissed = 0, ierrors = 0, oerrors = 0, rx_nombuf = 0;
  std::vector<std::pair<std::string, uint64_t>> xstats;  // driver counters (bounded by the PMD)
};

struct MempoolStats {
  std::string name;
  uint64_t in_use = 0, available = 0, capacity = 0;
};

struct RingStats {
  std::string name;
  uint64_t count = 0, capacity = 0;
  uint64_t high_water = 0;  // max sampled occupancy since start
};

// Trading engine counters (one engine = one shard), copied from sf::trade by an adapter.
struct InstrumentStats {
  std::string symbol;         // configured instruments only (bounded label)
  int64_t position = 0;       // shares, + long / - short
  double position_usage = 0;  // |position| / [risk] max_position
  double pnl_dollars = 0;
  double realized_pnl_dollars = 0;  // closed trades only (average cost), as the venue's fills say
};
struct EngineStats {
  uint32_t shard = 0;
  uint64_t orders = 0, fills = 0, filled_shares = 0, open_orders = 0;
  bool kill_switch = false;
  uint8_t trading_state = 0;        // trade::TradingState: 0 active, 1 reducing, 2 halted
  double gross_notional_usage = 0;  // gross notional / [risk] max_gross_notional
  uint64_t stale_books = 0;
  std::vector<std::pair<std::string, uint64_t>> rejects;  // by reason
  bool venue_inconsistent = false;                        // shard stopped by a refused venue response
  std::vector<std::pair<std::string, uint64_t>> venue_check_failures;  // refused responses by reason
  std::vector<std::pair<std::string, uint64_t>> book_drops;            // book messages not applied, by reason
  std::vector<InstrumentStats> instruments;
};

struct Status {
  bool ok = true;
  std::string reason;  // empty when ok
};

struct AnomalyState {
  double value = 0, mean = 0, stddev = 0, z = 0;
  bool active = false;
  uint64_t episodes = 0;
};

struct LcoreRuntime {
  uint32_t lcore = 0;
  std::string role;       // "rx" | "executor"
  double busy_ratio = 0;  // busy polls / polls over the last interval
  uint64_t polls_in_interval = 0;
};

struct SystemSnapshot {
  uint64_t sequence = 0;  // increments per published snapshot
  std::vector<LcoreRuntime> lcores;
  std::vector<PortStats> ports;
  std::vector<MempoolStats> mempools;
  std::vector<RingStats> rings;
  std::array<AnomalyState, kAnomalyKindCount> anomalies{};
  // Interval rates (per second) the anomaly detector saw.
  double feed_message_rate = 0, gap_rate = 0, reject_rate = 0, tick_to_trade_p99_seconds = 0;
};

}  // namespace sf::telemetry
