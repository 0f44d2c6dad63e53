// Start mid-session ([feed.snapshot], issue #12): after the data plane is built and before anything else
// runs (telemetry, journal, lcores), the main thread takes a GLIMPSE 5.0 snapshot over a kernel TCP socket
// into every shard's engine and tells the RX lcores where the live feed takes over.
#pragma once

#include <string>

#include "runtime.hpp"
#include "sniperforge/snapshot/config.hpp"

namespace sf::app {

// False with `error` when no complete snapshot was loaded: the appliance must not trade on such books.
// On success `note` says what was loaded.
bool start_from_snapshot(const snapshot::SnapshotConfig& cfg, dataplane::Runtime& rt, std::string& note,
                         std::string& error);

}  // namespace sf::app
