// Reads the trading engines' counters (sf::trade) into EngineStats for the collector.
//
// Counters (rejects, orders, fills) are sf::Counter: relaxed loads, race-free. Positions, open
// orders and the kill switch are plain single-writer fields of the engine read from the stats
// thread: aligned word loads, so a value may be one update old but never torn (a formal data race
// that T could remove by making them sf::Counter). Only configured instruments get a label.
#pragma once

#include <vector>

#include "sniperforge/telemetry/snapshot.hpp"

namespace sf::trade {
class Engine;
}

namespace sf::dataplane {

void read_engine_stats(const std::vector<const trade::Engine*>& engines,
                       std::vector<telemetry::EngineStats>& out);

}  // namespace sf::dataplane
