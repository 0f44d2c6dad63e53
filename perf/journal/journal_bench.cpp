// Journal writer throughput (issue #13: at least 1 M records/s to this machine's disk). One producer
// thread pushes order records (95 bytes: 24 header + 24 order fields + 47 OUCH bytes) into its SPSC ring
// as fast as the ring takes them; the writer thread appends them to preallocated segments with the
// configured fsync policy. Reported: records/s from the first push until stop() returned (everything
// written and, for group/every, fdatasync'ed), and the syncs it took.
//   perf-journal [DIR] [RECORDS]   (DIR default: a directory under ./, on this machine's disk)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "sniperforge/journal/writer.hpp"

namespace sj = sf::journal;

namespace {

double run(const std::string& dir, sj::FsyncPolicy policy, uint64_t records, uint64_t& syncs) {
  std::filesystem::remove_all(dir);
  sj::JournalConfig cfg;
  cfg.enabled = true;
  cfg.path = dir;
  cfg.fsync = policy;
  cfg.group_us = 500;
  cfg.segment_mb = 256;
  sj::Writer w(cfg);
  sj::ScanReport rep;
  if (!w.open(rep)) {
    std::fprintf(stderr, "perf-journal: %s\n", w.failure().c_str());
    std::exit(1);
  }
  sj::EntryRing& ring = w.add_producer(1 << 14);
  w.start();
  uint8_t ouch[47] = {'O'};
  const auto t0 = std::chrono::steady_clock::now();
  sj::Entry e;
  for (uint64_t i = 1; i <= records;) {
    (void)sj::make_order(e, 0, 1, {static_cast<uint32_t>(i), 1, 0, i, i, {ouch, sizeof ouch}});
    if (ring.push(e)) ++i;
  }
  w.stop();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (w.failed() || w.stats().records.load() != records) {
    std::fprintf(stderr, "perf-journal: %s\n", w.failed() ? w.failure().c_str() : "records missing");
    std::exit(1);
  }
  syncs = w.stats().syncs.load();
  std::filesystem::remove_all(dir);
  return static_cast<double>(records) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "perf-journal-" + std::to_string(::getpid());
  const uint64_t records = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 5'000'000;
  for (sj::FsyncPolicy p : {sj::FsyncPolicy::kGroup, sj::FsyncPolicy::kNone}) {
    for (int rep = 0; rep < 3; ++rep) {
      uint64_t syncs = 0;
      const double rate = run(dir, p, records, syncs);
      std::printf("fsync=%-5s records=%llu  %.2f M records/s  (%.0f MB/s, %llu fdatasync)\n",
                  std::string(sj::to_string(p)).c_str(), static_cast<unsigned long long>(records), rate / 1e6,
                  rate * 95 / 1e6, static_cast<unsigned long long>(syncs));
    }
  }
  return 0;
}
