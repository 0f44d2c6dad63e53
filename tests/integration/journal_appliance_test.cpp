// The appliance's journal seen from outside (issue #13): the real sniperforge replays an sf-feedgen feed
// with --hold, a [journal], a [control] socket and the exporter, and is inspected through /ready,
// /metrics, the real sf-ctl and sf-journal.
//  - Disk full: the journal's directory is a small tmpfs (mounted here) holding a journal whose last
//    segment is all but full, so the next segment cannot be preallocated: the shard stops its orders
//    (journal_full), /ready says why, sniperforge_journal_failed is 1 (the alert's input), the run exits
//    1 naming the reason, and the journal verifies clean.
//  - Audit: every sf-ctl command that changes something (and a refused one) is a "control" record with
//    the caller's uid and user name, the command, old -> new and the result, in sf-journal dump.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sf_test_process.hpp"
#include "sniperforge/journal/writer.hpp"

namespace {

using namespace sf::testing::process;
class JournalAppliance : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_REPLAY_CONFIG", "SF_JOURNAL", "SF_CTL"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    tag_ = std::to_string(getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = fs::temp_directory_path() / ("sf-jappl-" + tag_);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 30000 -o " +
                  (dir_ / "feed.pcap").string()),
              0);
  }
  void TearDown() override {
    kill_child(app_);
    if (mounted_) umount2(mount_.c_str(), MNT_DETACH);
    if (!HasFailure() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir_);
  }
  // The shipped replay config (own EAL file prefix) with [journal] at `journal` and a control socket.
  void write_config(const fs::path& journal) {
    std::string cfg = read_file(env("SF_REPLAY_CONFIG"));
    const std::string prefix = "file_prefix = \"sf_replay\"";
    cfg.replace(cfg.find(prefix), prefix.size(),
                "file_prefix = \"sfjappl_" + std::to_string(getpid()) + "\"");
    std::ofstream(dir_ / "sf.toml") << cfg << "\n[journal]\npath = \"" << journal.string()
                                    << "\"\nfsync = \"group\"\ngroup_us = 200\nsegment_mb = 1\n"
                                    << "\n[control]\nsocket = \"" << (dir_ / "ctl.sock").string()
                                    << "\"\nallow_uids = [0]\n";
  }
  void start_appliance() {
    const fs::path log = dir_ / "app.log";
    app_ = start_logged(env("SNIPERFORGE"),
                        {"--config", (dir_ / "sf.toml").string(), "--rx-pcap", (dir_ / "feed.pcap").string(),
                         "--tx-pcap", (dir_ / "tx.pcap").string(), "--stats-file",
                         (dir_ / "app.stats").string(), "--metrics-addr", "127.0.0.1:0", "--hold", "--quiet"},
                        log);
    ASSERT_GT(app_, 0);
    metrics_port_ = wait_for_ready_port(log, 30);
    ASSERT_FALSE(metrics_port_.empty()) << read_file(log);
    ASSERT_TRUE(wait_for([&] { return ctl("status") == 0; }, 30)) << read_file(log);
  }
  std::string curl(const std::string& path) {
    const fs::path out = dir_ / "curl.txt";
    run("curl -s -w '\\n%{http_code}' http://127.0.0.1:" + metrics_port_ + path + " > " + out.string());
    return read_file(out);
  }
  int ctl(const std::string& args) {
    return run(env("SF_CTL") + " --socket " + (dir_ / "ctl.sock").string() + " " + args + " >> " +
               (dir_ / "ctl.log").string() + " 2>&1");
  }
  // SIGTERM; the exit status.
  int stop_appliance() {
    kill(app_, SIGTERM);
    int status = 0;
    EXPECT_TRUE(wait_for([&] { return waitpid(app_, &status, WNOHANG) == app_; }, 20)) << "no exit";
    app_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // Output of a shell pipeline on `sf-journal dump DIR`.
  std::string dump(const fs::path& journal, const std::string& pipeline) {
    const fs::path out = dir_ / "dump.txt";
    EXPECT_EQ(run(env("SF_JOURNAL") + " dump " + journal.string() + pipeline + " > " + out.string()), 0);
    return read_file(out);
  }

  std::string tag_;
  fs::path dir_;
  std::string mount_;
  bool mounted_ = false;
  pid_t app_ = -1;
  std::string metrics_port_;
};

// Fills segment 1 of a new journal at `dir` up to `room` bytes from its end (1 MiB segments).
void journal_nearly_full(const fs::path& dir, std::size_t room) {
  sf::journal::JournalConfig cfg;
  cfg.enabled = true;
  cfg.path = dir.string();
  cfg.segment_mb = 1;
  cfg.fsync = sf::journal::FsyncPolicy::kNone;
  sf::journal::Writer w(cfg);
  sf::journal::ScanReport rep;
  ASSERT_TRUE(w.open(rep)) << w.failure();
  const std::string text(200, 'x');  // a start marker with 200 bytes of text: 228 bytes
  std::size_t used = 0;
  sf::journal::Entry e;
  while (used + 228 + room < (1u << 20)) {
    ASSERT_TRUE(sf::journal::make_marker(e, sf::journal::RecordType::kStart, 1, text));
    ASSERT_TRUE(w.write(e)) << w.failure();
    used += 228;
  }
  w.stop();
}

}  // namespace

TEST_F(JournalAppliance, DiskFullStopsOrdersReadySaysWhyAndTheJournalVerifies) {
  mount_ = (dir_ / "tmpfs").string();
  fs::create_directories(mount_);
  // 1.2 MiB: the first 1 MiB segment fits, a second cannot be preallocated.
  if (mount("tmpfs", mount_.c_str(), "tmpfs", 0, "size=1200k") != 0) {
    if (geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root (CI runs as root)";
    FAIL() << "mount tmpfs: " << std::strerror(errno);
  }
  mounted_ = true;
  const fs::path journal = fs::path(mount_) / "journal";
  journal_nearly_full(journal, 300);  // a start marker and two orders, then the segment is full
  write_config(journal);
  start_appliance();
  ASSERT_TRUE(wait_for([&] { return curl("/ready").find("journal failed") != std::string::npos; }, 20))
      << curl("/ready");
  const std::string ready = curl("/ready");
  EXPECT_NE(ready.find("trading stopped"), std::string::npos) << ready;
  EXPECT_NE(ready.find("No space left on device"), std::string::npos) << ready;
  EXPECT_NE(ready.find("\n503"), std::string::npos) << ready;
  const std::string metrics = curl("/metrics");
  EXPECT_NE(metrics.find("\nsniperforge_journal_failed 1"), std::string::npos) << metrics;
  EXPECT_EQ(stop_appliance(), 1);
  EXPECT_NE(read_file(dir_ / "app.log").find("No space left on device (trading was stopped)"),
            std::string::npos)
      << read_file(dir_ / "app.log");
  EXPECT_GT(sf::testing::read_stats(dir_ / "app.stats")["reject_journal_full"], 0u);
  EXPECT_EQ(run(env("SF_JOURNAL") + " verify " + journal.string() + " > /dev/null"), 0);
}

TEST_F(JournalAppliance, EverySfCtlChangeIsAControlRecord) {
  const fs::path journal = dir_ / "journal";
  write_config(journal);
  start_appliance();
  const std::string metrics = curl("/metrics");
  EXPECT_EQ(metrics.find("\nsniperforge_journal_failed 1"), std::string::npos);
  // The start-up check of the journal disk's interrupts (which value depends on this machine's disk and
  // placement): a 1 comes with its warning in the log.
  EXPECT_NE(metrics.find("\nsniperforge_journal_disk_irq_on_lcore "), std::string::npos) << metrics;
  if (metrics.find("\nsniperforge_journal_disk_irq_on_lcore 1") != std::string::npos) {
    EXPECT_NE(read_file(dir_ / "app.log").find("journal warning: the journal disk"), std::string::npos);
  }
  ASSERT_EQ(ctl("limits set max_position=500"), 0) << read_file(dir_ / "ctl.log");
  ASSERT_EQ(ctl("state halted --symbol SF0000"), 0) << read_file(dir_ / "ctl.log");
  ASSERT_EQ(ctl("limits set max_position=-1"), 2);  // refused: audited, changes nothing
  ASSERT_EQ(ctl("status"), 0);                      // reads only: not audited
  ctl("kill");  // a replay has no venue: its cancels stay unanswered (exit 1), the kill itself took effect
  ASSERT_EQ(ctl("unkill"), 0);
  EXPECT_EQ(stop_appliance(), 0) << read_file(dir_ / "app.log");
  const std::string records =
      dump(journal, " | jq -c 'select(.type == \"control\") | [.uid, .user, .command, .old, .new, .result]'");
  EXPECT_EQ(records,
            "[0,\"root\",\"limits set max_position=500\",\"max_position: 10000\",\"500\",\"ok\"]\n"
            "[0,\"root\",\"state halted --symbol SF0000\",\"SF0000\",\"halted\",\"ok\"]\n"
            "[0,\"root\",\"limits set max_position=-1\",\"\",\"\",\"invalid\"]\n"
            "[0,\"root\",\"kill\",\"not killed\",\"killed\",\"orders_still_open\"]\n"
            "[0,\"root\",\"unkill\",\"killed\",\"not killed\",\"ok\"]\n")
      << read_file(dir_ / "ctl.log");
  EXPECT_EQ(run(env("SF_JOURNAL") + " verify " + journal.string() + " > /dev/null"), 0);
}
