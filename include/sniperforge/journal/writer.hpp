// The journal writer: one thread on the housekeeping side drains one SPSC ring per producer (each
// executor, the control plane) and appends the records to the segment files, assigning each its sequence
// number and CRC. Producers only push a ring slot: no syscall, lock or allocation on their side.
// fsync policy ([journal] fsync): "group" fdatasyncs when the oldest unsynced record is group_us old or
// the rings ran dry, at most once per group_us, and one at a time: a second thread (the syncer) waits in
// fdatasync while the writer goes on draining the rings into the page cache, so the rings do not fill
// during a sync; "every" after each record (on the writer), "none" never (only when a segment is left
// and at stop). Records are read where they lie in the ring slots. The thread runs where
// it was started (the appliance starts it on the housekeeping cpu, whose affinity it inherits) and
// sleeps when the rings are empty, 20 us at first, up to 200 us while they stay empty.
// A failure (disk full, I/O error) stops the writer: failed() turns true with the reason, producers stop
// their orders (see accepting()), and nothing already written is touched.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/common/spsc_ring.hpp"
#include "sniperforge/journal/config.hpp"
#include "sniperforge/journal/entry.hpp"
#include "sniperforge/journal/scan.hpp"
#include "sniperforge/journal/segment_store.hpp"

namespace sf::journal {

using EntryRing = SpscRing<Entry>;

struct alignas(kCacheLine) WriterStats {
  Counter records;
  Counter bytes;
  Counter syncs;
  Counter bad_entries;  // a slot whose length is not a record's (a producer bug): counted, not written
};

class Writer {
 public:
  explicit Writer(const JournalConfig& cfg) : cfg_(cfg) {}
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Scans the directory (cutting off a torn tail: see scan.hpp), hands every good record to `visit`
  // (the restart's reconciliation), then opens it for appending. False: failure() says why.
  bool open(ScanReport& recovered, const RecordVisitor& visit = {});
  // A ring for one producer thread; only before start().
  EntryRing& add_producer(std::size_t capacity);
  void start();
  // Drains every ring, syncs, joins the thread.
  void stop();

  // Appends one record on the calling thread (when no writer thread runs: a backtest, the start marker
  // before start(), the stop marker after stop()). Applies the fsync policy.
  bool write(Entry& e);

  // The producers' test before they let their engine send: the writer works and `ring` has room for
  // `reserve` more records (the orders one input may trigger plus the venue messages in flight).
  [[nodiscard]] bool accepting(EntryRing& ring, std::size_t reserve) const noexcept {
    return !failed() && ring.has_room(reserve);
  }
  [[nodiscard]] bool failed() const noexcept { return failed_.load(std::memory_order_acquire); }
  // The alert text once failed() (e.g. "journal: preallocate ...: No space left on device").
  [[nodiscard]] const std::string& failure() const noexcept { return failure_; }
  // Every record up to this sequence is on disk (fdatasync returned), or handed to the page cache with
  // fsync = "none".
  [[nodiscard]] uint64_t synced_sequence() const noexcept { return synced_.load(std::memory_order_acquire); }
  [[nodiscard]] uint64_t next_sequence() const noexcept { return next_seq_; }
  [[nodiscard]] const WriterStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const JournalConfig& config() const noexcept { return cfg_; }

 private:
  static constexpr std::chrono::microseconds kIdleSleepMin{20};
  static constexpr std::chrono::microseconds kIdleSleepMax{200};
  void run();
  std::size_t drain_rings();  // up to a batch from each ring: records taken
  bool append(Entry& e);      // sequence + CRC + store, no sync
  bool sync();
  void set_failed();
  // "group": hands the written records' fdatasync to the syncer thread; false if it is still busy with
  // the last one (or the journal failed).
  bool start_group_sync();
  void run_syncer();

  JournalConfig cfg_;
  SegmentStore store_;
  std::vector<std::unique_ptr<EntryRing>> rings_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::string failure_;
  std::atomic<uint64_t> synced_{0};
  uint64_t next_seq_ = 1;
  // The syncer's hand-off: a dup of the segment's fd (the writer may leave the segment meanwhile) and
  // the last sequence written to it.
  std::thread syncer_;
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  int sync_fd_ = -1;  // pending request, -1: none
  uint64_t sync_seq_ = 0;
  bool sync_busy_ = false;  // a request pending or in fdatasync
  bool syncer_stop_ = false;
  std::atomic<int> sync_errno_{0};
  WriterStats stats_;
};

// CLOCK_REALTIME in ns (a record's timestamp).
[[nodiscard]] uint64_t wall_clock_ns() noexcept;

}  // namespace sf::journal
