// Takes a GLIMPSE 5.0 snapshot over an ordinary kernel TCP socket, on the calling thread (the appliance's
// main thread before its lcores start: never a data-plane core). The SoupBinTCP side is the order
// session's own ClientSession (login with requested sequence 1, heartbeats, the server's silence timeout);
// every Sequenced Data message goes to a SnapshotLoader. Done when the Snapshot message and End of
// Session have arrived; a connection lost before that, a rejected login, a load that failed or the overall
// timeout is an error: books half loaded must not be traded on.
#pragma once

#include <cstdint>
#include <string>

#include "sniperforge/snapshot/config.hpp"
#include "sniperforge/snapshot/loader.hpp"

namespace sf::snapshot {

struct FetchResult {
  bool ok = false;
  std::string error;      // why not, when !ok (never contains the password)
  uint64_t messages = 0;  // Sequenced Data messages received
  uint64_t bytes = 0;     // from the server
  double seconds = 0;     // connect to End of Session
};

// Reads the password file, connects to cfg.server, logs in and loads the snapshot into `loader`.
FetchResult fetch_snapshot(const SnapshotConfig& cfg, SnapshotLoader& loader);

}  // namespace sf::snapshot
