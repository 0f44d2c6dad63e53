#include "sniperforge/journal/writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "sniperforge/journal/crc32c.hpp"

namespace sf::journal {

uint64_t wall_clock_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

Writer::~Writer() {
  stop();
}

bool Writer::open(ScanReport& recovered, const RecordVisitor& visit) {
  std::string error;
  if (!scan_journal(cfg_.path, visit, /*repair=*/true, recovered, error)) {
    failure_ = "journal: " + error;
    failed_.store(true, std::memory_order_release);
    return false;
  }
  next_seq_ = recovered.records == 0 ? 1 : recovered.last_sequence + 1;
  synced_.store(next_seq_ - 1, std::memory_order_release);
  if (!store_.open(cfg_.path, cfg_.segment_bytes(), recovered.end_segment, recovered.end_offset,
                   cfg_.fsync != FsyncPolicy::kNone)) {
    set_failed();
    return false;
  }
  return true;
}

EntryRing& Writer::add_producer(std::size_t capacity) {
  rings_.push_back(std::make_unique<EntryRing>(capacity));
  return *rings_.back();
}

void Writer::set_failed() {
  if (failed()) return;
  failure_ = store_.error();
  failed_.store(true, std::memory_order_release);
}

bool Writer::append(Entry& e) {
  if (failed()) return false;
  const std::size_t len = e.size();
  if (len < kMinRecordSize || len > kMaxRecordSize) {
    stats_.bad_entries.add();
    return true;
  }
  uint8_t* p = e.bytes.data();
  store_le<uint64_t>(p + 8, next_seq_);
  if (load_le<uint64_t>(p + 16) == 0) store_le<uint64_t>(p + 16, wall_clock_ns());
  store_le<uint32_t>(p + len - kCrcSize, crc32c(p, len - kCrcSize));
  if (!store_.append(p, len)) {
    set_failed();
    return false;
  }
  ++next_seq_;
  stats_.records.add();
  stats_.bytes.add(len);
  return true;
}

bool Writer::sync() {
  const bool ok = cfg_.fsync == FsyncPolicy::kNone ? store_.flush() : store_.sync();
  if (!ok) {
    set_failed();
    return false;
  }
  if (cfg_.fsync != FsyncPolicy::kNone) stats_.syncs.add();
  synced_.store(next_seq_ - 1, std::memory_order_release);
  return true;
}

bool Writer::write(Entry& e) {
  if (!append(e)) return false;
  return cfg_.fsync == FsyncPolicy::kEvery ? sync() : true;
}

void Writer::start() {
  stop_.store(false, std::memory_order_relaxed);
  syncer_stop_ = false;
  if (cfg_.fsync == FsyncPolicy::kGroup) syncer_ = std::thread([this] { run_syncer(); });
  thread_ = std::thread([this] { run(); });
}

void Writer::stop() {
  if (thread_.joinable()) {
    stop_.store(true, std::memory_order_release);
    thread_.join();
  }
  if (syncer_.joinable()) {
    {
      std::lock_guard lock(sync_mu_);
      syncer_stop_ = true;
    }
    sync_cv_.notify_one();
    syncer_.join();
  }
  if (!failed()) (void)sync();
}

bool Writer::start_group_sync() {
  {
    std::lock_guard lock(sync_mu_);
    if (sync_busy_) return false;
  }
  if (!store_.flush()) {  // the records into the page cache: the fdatasync below covers them
    set_failed();
    return false;
  }
  const int fd = ::dup(store_.fd());
  if (fd < 0) {
    sync_errno_.store(errno, std::memory_order_release);
    return false;
  }
  {
    std::lock_guard lock(sync_mu_);
    sync_fd_ = fd;
    sync_seq_ = next_seq_ - 1;
    sync_busy_ = true;
  }
  sync_cv_.notify_one();
  return true;
}

// The syncer thread ("group"): one fdatasync per request; what it covers is synced_sequence() after.
// A failure is left in sync_errno_ for the writer, which stops (set_failed).
void Writer::run_syncer() {
  std::unique_lock lock(sync_mu_);
  for (;;) {
    sync_cv_.wait(lock, [this] { return sync_fd_ >= 0 || syncer_stop_; });
    if (sync_fd_ < 0) return;  // stopping, nothing pending
    const int fd = sync_fd_;
    const uint64_t seq = sync_seq_;
    lock.unlock();
    const int rc = ::fdatasync(fd);
    const int err = errno;
    ::close(fd);
    if (rc == 0) {
      stats_.syncs.add();
      synced_.store(seq, std::memory_order_release);
    } else {
      sync_errno_.store(err, std::memory_order_release);
    }
    lock.lock();
    sync_fd_ = -1;
    sync_busy_ = false;
  }
}

std::size_t Writer::drain_rings() {
  std::size_t taken = 0;
  for (auto& ring : rings_) {
    // A bounded batch per ring so one busy producer cannot starve the others. Each record is stamped,
    // checked and copied into the segment buffer where it lies in the ring, then its slot is released.
    for (int i = 0; i < 256 && !failed(); ++i) {
      Entry* e = ring->front();
      if (!e) break;
      const bool ok = append(*e);
      ring->release();
      if (!ok) break;
      ++taken;
      if (cfg_.fsync == FsyncPolicy::kEvery) (void)sync();
    }
  }
  return taken;
}

void Writer::run() {
  using Clock = std::chrono::steady_clock;
  const auto group = std::chrono::microseconds(cfg_.group_us);
  Clock::time_point oldest_unsynced{}, last_sync{};
  bool unsynced = false;
  auto idle_sleep = kIdleSleepMin;
  for (;;) {
    const bool stopping = stop_.load(std::memory_order_acquire);
    const std::size_t taken = drain_rings();
    if (failed()) return;  // the rings fill; producers see failed() and stop their orders
    Clock::time_point now = Clock::now();
    if (taken > 0 && !unsynced) {
      unsynced = true;
      oldest_unsynced = now;
    }
    // "group": one fdatasync once the oldest unsynced record is group_us old, or as soon as the rings
    // ran dry if the last one began group_us ago. So no record waits longer than group_us for its sync,
    // and at most one sync begins per group_us: each is disk I/O whose completion interrupt may land
    // on an lcore's cpu (docs/performance.md, "Journal writer").
    const bool idle = taken == 0;
    if (const int err = sync_errno_.load(std::memory_order_acquire); err != 0) {
      failure_ = std::string("journal: fdatasync: ") + std::strerror(err);
      failed_.store(true, std::memory_order_release);
      return;
    }
    if (unsynced && (now - oldest_unsynced >= group || (idle && now - last_sync >= group))) {
      // "group": the syncer waits in fdatasync, this thread goes on draining; if the last sync is still
      // under way, this one starts at a later turn.
      if (cfg_.fsync != FsyncPolicy::kGroup) {
        if (!sync()) return;
        last_sync = now;
        unsynced = false;
      } else if (start_group_sync()) {
        last_sync = now;
        unsynced = false;
      } else if (failed()) {
        return;
      }
    }
    if (!idle) {
      idle_sleep = kIdleSleepMin;
      continue;
    }
    if (stopping) return;
    // Idle: sleep, longer each time the rings stay empty (the producers cannot wake this thread: no
    // syscall on an lcore), but not past a pending sync's moment.
    auto nap = idle_sleep;
    if (unsynced)
      nap = std::min(nap, std::chrono::duration_cast<std::chrono::microseconds>(
                              std::min(last_sync, oldest_unsynced) + group - now));
    std::this_thread::sleep_for(std::max(nap, kIdleSleepMin));
    idle_sleep = std::min(idle_sleep * 2, kIdleSleepMax);
  }
}

}  // namespace sf::journal
