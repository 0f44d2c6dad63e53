// The GLIMPSE fallback of a running appliance ([feed.snapshot] with [feed.rewind], issue #12): a
// housekeeping thread (this cpu, never a data-plane core) that serves the RX lcore's requests of
// dataplane::SnapshotHandoff: it takes the snapshot over a kernel TCP socket (snapshot::fetch_snapshot,
// the start-up path's client) into fresh BookSets allocated here, publishes them for the executors to swap
// in between two polls, and frees the old books once every executor has swapped.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "runtime.hpp"
#include "sniperforge/snapshot/config.hpp"

namespace sf::app {

class SnapshotFallback {
 public:
  SnapshotFallback(const snapshot::SnapshotConfig& cfg, dataplane::Runtime& rt,
                   dataplane::SnapshotHandoff& handoff, bool quiet);
  ~SnapshotFallback();  // stops and joins the thread
  SnapshotFallback(const SnapshotFallback&) = delete;
  SnapshotFallback& operator=(const SnapshotFallback&) = delete;

 private:
  void run();
  void take_snapshot();

  const snapshot::SnapshotConfig& cfg_;
  dataplane::Runtime& rt_;
  dataplane::SnapshotHandoff& handoff_;
  bool quiet_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Before launch(): the fallback's thread when [feed.snapshot] and [feed.rewind] are both configured, else
// nullptr (without [feed.rewind] a gap leaves the books stale, as before).
std::unique_ptr<SnapshotFallback> start_snapshot_fallback(const snapshot::SnapshotConfig& cfg,
                                                          dataplane::Runtime& rt, bool quiet);

}  // namespace sf::app
