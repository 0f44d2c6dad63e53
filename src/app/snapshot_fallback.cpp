#include "snapshot_fallback.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "sniperforge/snapshot/client.hpp"
#include "sniperforge/snapshot/loader.hpp"

namespace sf::app {

SnapshotFallback::SnapshotFallback(const snapshot::SnapshotConfig& cfg, dataplane::Runtime& rt,
                                   dataplane::SnapshotHandoff& handoff, bool quiet)
    : cfg_(cfg), rt_(rt), handoff_(handoff), quiet_(quiet) {
  thread_ = std::thread([this] { run(); });
}

SnapshotFallback::~SnapshotFallback() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void SnapshotFallback::run() {
  while (!stop_.load(std::memory_order_relaxed)) {
    if (handoff_.take()) take_snapshot();
    (void)handoff_.finish_if_swapped();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// The engines' BookConfig (what only their own lcore writes is never read here: the config is const).
void SnapshotFallback::take_snapshot() {
  std::vector<std::unique_ptr<book::BookSet>> books;
  std::vector<book::BookSet*> raw;
  try {
    for (const auto& e : rt_.engines()) {
      books.push_back(std::make_unique<book::BookSet>(e->books().config()));
      raw.push_back(books.back().get());
    }
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "sniperforge: GLIMPSE fallback: cannot allocate the books: %s\n", ex.what());
    return handoff_.fail();
  }
  snapshot::SnapshotLoader loader = snapshot::SnapshotLoader::into_books(raw);
  const snapshot::FetchResult r = snapshot::fetch_snapshot(cfg_, loader);
  if (!r.ok) {
    std::fprintf(stderr, "sniperforge: GLIMPSE fallback failed: %s; the books stay stale\n", r.error.c_str());
    return handoff_.fail();
  }
  if (!quiet_)
    std::fprintf(stderr,
                 "sniperforge: GLIMPSE fallback: %s, %llu bytes in %.3f s; the feed continues at %llu\n",
                 loader.describe().c_str(), static_cast<unsigned long long>(r.bytes), r.seconds,
                 static_cast<unsigned long long>(loader.next_sequence()));
  handoff_.publish(std::move(books), loader.next_sequence());
}

std::unique_ptr<SnapshotFallback> start_snapshot_fallback(const snapshot::SnapshotConfig& cfg,
                                                          dataplane::Runtime& rt, bool quiet) {
  if (!cfg.enabled) return nullptr;
  dataplane::SnapshotHandoff* h = rt.enable_snapshot_fallback();
  return h ? std::make_unique<SnapshotFallback>(cfg, rt, *h, quiet) : nullptr;
}

}  // namespace sf::app
