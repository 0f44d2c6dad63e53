// Start mid-session ([feed.snapshot], issue #12): after the data plane is built and before anything else
// runs (telemetry, journal, lcores), the main thread takes a GLIMPSE 5.0 snapshot over a kernel TCP socket
// into every shard's engine and tells the RX lcores where the live feed takes over.
#pragma once

#include "runtime.hpp"
#include "sniperforge/snapshot/config.hpp"

namespace sf::app {

// False (the reason on stderr) when no complete snapshot was loaded: the appliance must not trade on such
// books. On success one line on stderr says what was loaded (unless `quiet`).
bool start_from_snapshot(const snapshot::SnapshotConfig& cfg, dataplane::Runtime& rt, bool quiet);

}  // namespace sf::app
