// The appliance's end-of-run summary, from the same (key, value) list --stats-file writes (the
// descriptor tables plus the trading totals) and the executors' merged latency histograms. Pure text
// formatting, no DPDK: unit-tested on its own.
#pragma once

#include <string>

#include "sniperforge/telemetry/histogram.hpp"
#include "sniperforge/telemetry/stat_tables.hpp"

namespace sf::telemetry {

struct SummaryLatency {
  HistogramSnapshot tick_to_trade;  // TSC ticks
  HistogramSnapshot ring_hop;
  HistogramSnapshot processing;
  double tsc_hz = 1e9;
  unsigned processing_sample_every = 64;  // one ITCH event in N is timed
};

// Every non-zero counter appears: the named lines first, then "also:" with any the lines above did
// not show (a counter added to a descriptor table is in the summary without a change here).
[[nodiscard]] std::string format_summary(const CounterList& counters, const SummaryLatency& latency,
                                         bool replay);

}  // namespace sf::telemetry
