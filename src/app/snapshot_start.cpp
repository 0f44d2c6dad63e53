#include "snapshot_start.hpp"

#include <cstdio>

#include "sniperforge/snapshot/client.hpp"
#include "sniperforge/snapshot/loader.hpp"

namespace sf::app {

bool start_from_snapshot(const snapshot::SnapshotConfig& cfg, dataplane::Runtime& rt, bool quiet) {
  std::vector<trade::Engine*> engines;
  for (const auto& e : rt.engines()) engines.push_back(e.get());
  snapshot::SnapshotLoader loader(std::move(engines));
  const snapshot::FetchResult r = snapshot::fetch_snapshot(cfg, loader);
  const auto& ip = cfg.server_ip;
  const std::string server = std::to_string(ip[0]) + "." + std::to_string(ip[1]) + "." +
                             std::to_string(ip[2]) + "." + std::to_string(ip[3]) + ":" +
                             std::to_string(cfg.server_port);
  if (!r.ok) {
    std::fprintf(stderr, "sniperforge: GLIMPSE snapshot from %s failed: %s\n", server.c_str(),
                 r.error.c_str());
    return false;
  }
  rt.start_feed_at(loader.next_sequence());
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", r.seconds);
  if (!quiet)
    std::fprintf(
        stderr,
        "sniperforge: GLIMPSE snapshot from %s: %s, %llu bytes in %s s; the live feed is applied from "
        "sequence %llu\n",
        server.c_str(), loader.describe().c_str(), static_cast<unsigned long long>(r.bytes), secs,
        static_cast<unsigned long long>(loader.next_sequence()));
  return true;
}

}  // namespace sf::app
