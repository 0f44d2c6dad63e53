// Disk full: the journal on a small tmpfs (mounted here, unique to this process). The writer fails with a
// clear reason when the next segment cannot be preallocated, producers are told to stop their orders
// (accepting() is false), and the journal already written verifies clean and is restartable.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "sniperforge/journal/scan.hpp"
#include "sniperforge/journal/writer.hpp"

namespace fs = std::filesystem;
using namespace sf::journal;

namespace {

class SmallTmpfs : public ::testing::Test {
 protected:
  void SetUp() override {
    mount_point_ = (fs::temp_directory_path() / ("sf-journal-full-" + std::to_string(::getpid()))).string();
    fs::create_directories(mount_point_);
    // 2.5 MiB: two 1 MiB segments fit, the third cannot be preallocated.
    if (::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=2560k") != 0) {
      const int e = errno;
      fs::remove(mount_point_);
      if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root (CI runs as root)";
      FAIL() << "mount tmpfs: " << std::strerror(e);
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount2(mount_point_.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(mount_point_, ec);
  }
  std::string mount_point_;
  bool mounted_ = false;
};

Entry order_entry(uint32_t urn) {
  Entry e;
  uint8_t ouch[47];
  std::memset(ouch, 'O', sizeof ouch);
  (void)make_order(e, 0, 0, {urn, 1, 0, urn, urn, {ouch, sizeof ouch}});
  return e;
}

}  // namespace

TEST_F(SmallTmpfs, WriterStopsWithAnAlertAndTheJournalVerifiesClean) {
  JournalConfig cfg;
  cfg.enabled = true;
  cfg.path = mount_point_ + "/journal";
  cfg.fsync = FsyncPolicy::kGroup;
  cfg.group_us = 100;
  cfg.segment_mb = 1;
  Writer w(cfg);
  ScanReport rep;
  ASSERT_TRUE(w.open(rep)) << w.failure();
  EntryRing& ring = w.add_producer(256);
  w.start();
  // The producer stops handing over orders as soon as the writer is no longer accepting.
  uint32_t pushed = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!w.accepting(ring, 8)) {
      if (w.failed()) break;
      std::this_thread::yield();
      continue;
    }
    if (ring.push(order_entry(pushed + 1))) ++pushed;
  }
  ASSERT_TRUE(w.failed()) << "the writer never hit the full disk";
  EXPECT_FALSE(w.accepting(ring, 1));
  EXPECT_NE(w.failure().find("No space left on device"), std::string::npos) << w.failure();
  EXPECT_NE(w.failure().find("segment-00000003.sfj"), std::string::npos) << w.failure();
  const uint64_t written = w.stats().records.load();
  w.stop();
  EXPECT_GT(written, 20000u);  // two segments' worth of ~99-byte records
  EXPECT_LE(written, pushed);

  std::string err;
  uint64_t seen = 0;
  ASSERT_TRUE(scan_journal(
      cfg.path, [&](const RecordView&) { ++seen; }, false, rep, err))
      << err;
  EXPECT_FALSE(rep.torn) << rep.torn_at << ": " << rep.torn_why;
  EXPECT_EQ(seen, written);
  EXPECT_EQ(rep.last_sequence, written);
  EXPECT_EQ(rep.segments, 2u);
}
