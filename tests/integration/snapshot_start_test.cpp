// Start mid-session (issue #12): a GLIMPSE server (snapshot::GlimpseServer on a thread of this test, over
// loopback kernel TCP) serves the snapshot at sequence N of an sf-feedgen feed; the real sniperforge with
// [feed.snapshot] takes it before its lcores start and replays only the feed from shortly before N (the
// packets below N are dropped as duplicates, the one straddling N applied from N): its book dump equals a
// full replay's, byte for byte. Without a server it refuses to start; a bad [feed.snapshot] is refused by
// --check-config.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "sf_test_process.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/feed.hpp"
#include "sniperforge/snapshot/server.hpp"

namespace {

using namespace sf::testing::process;
// The feed's ITCH messages by sequence number, read back from the pcap.
class PcapStore final : public sf::snapshot::MessageSource {
 public:
  bool load(const fs::path& pcap) {
    sf::io::PcapReader r;
    if (!r.open(pcap.string())) return false;
    sf::io::PcapPacket p;
    while (r.next(p)) {
      sf::feed::PacketInfo info;
      (void)sf::feed::decode_frame(p.data, p.caplen, 26477, info,
                                   [&](uint64_t seq, const uint8_t* m, std::size_t n) {
                                     if (seq != next_sequence()) return;  // duplicates: keep the first copy
                                     offsets_.push_back(bytes_.size());
                                     bytes_.insert(bytes_.end(), m, m + n);
                                   });
    }
    return !offsets_.empty();
  }
  [[nodiscard]] uint64_t next_sequence() const override { return offsets_.size() + 1; }
  [[nodiscard]] std::span<const uint8_t> message(uint64_t seq) const override {
    const std::size_t i = seq - 1, end = i + 1 < offsets_.size() ? offsets_[i + 1] : bytes_.size();
    return {bytes_.data() + offsets_[i], end - offsets_[i]};
  }

 private:
  std::vector<uint8_t> bytes_;
  std::vector<std::size_t> offsets_;
};

// Copies the frames whose messages reach `from` or beyond, plus `before` whole packets ahead of them.
uint64_t write_tail(const fs::path& in, const fs::path& out, uint64_t from, uint64_t before) {
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> frames;
  std::vector<uint64_t> ends;  // next sequence after each frame's messages
  sf::io::PcapReader r;
  EXPECT_TRUE(r.open(in.string()));
  sf::io::PcapPacket p;
  while (r.next(p)) {
    sf::feed::PacketInfo info;
    if (sf::feed::decode_frame(p.data, p.caplen, 26477, info, [](uint64_t, const uint8_t*, std::size_t) {}) !=
        sf::feed::Error::kOk)
      continue;
    frames.emplace_back(p.ts_ns, std::vector<uint8_t>(p.data, p.data + p.caplen));
    ends.push_back(info.next_sequence());
  }
  std::size_t first = 0;
  while (first < frames.size() && ends[first] <= from) ++first;
  first = first > before ? first - before : 0;
  sf::io::PcapWriter w;
  EXPECT_TRUE(w.open(out.string()));
  for (std::size_t i = first; i < frames.size(); ++i)
    w.write(frames[i].first, frames[i].second.data(), static_cast<uint32_t>(frames[i].second.size()));
  EXPECT_TRUE(w.close());
  return frames.size() - first;
}

std::string replay_config() {
  return read_file(env("SF_REPLAY_CONFIG"));
}

class SnapshotStart : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_REPLAY_CONFIG"}) ASSERT_FALSE(env(v).empty()) << v;
    dir_ = fs::path("/tmp") / ("sf-snapshot-start-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    password_ = dir_ / "GLMPS0";
    std::ofstream(password_) << "glimpse1\n";
    chmod(password_.c_str(), 0600);
  }
  void TearDown() override {
    std::error_code ec;
    if (env("SF_KEEP_TMP").empty()) fs::remove_all(dir_, ec);
  }
  std::string snapshot_table(uint16_t port) const {
    return "\n[feed.snapshot]\nserver = \"127.0.0.1:" + std::to_string(port) + "\"\nusername = \"GLMPS0\"\n" +
           "password_file = \"" + password_.string() + "\"\ntimeout_ms = 20000\n";
  }
  // Runs sniperforge on `pcap` with `extra` appended to the replay config; exit code, books, stats, log.
  int appliance(const std::string& tag, const std::string& extra, const fs::path& pcap, std::string& books,
                std::map<std::string, uint64_t>& stats, std::string& log) {
    const fs::path cfg = dir_ / (tag + ".toml"), b = dir_ / (tag + ".books.csv"), s = dir_ / (tag + ".stats"),
                   l = dir_ / (tag + ".log");
    std::ofstream(cfg) << replay_config() << extra;
    const int rc = run(env("SNIPERFORGE") + " --config " + cfg.string() + " --rx-pcap " + pcap.string() +
                       " --tx-pcap " + (dir_ / (tag + ".tx.pcap")).string() + " --dump-books " + b.string() +
                       " --stats-file " + s.string() + " > " + l.string() + " 2>&1");
    books = read_file(b);
    stats = read_stats(s);
    log = read_file(l);
    return rc;
  }
  fs::path dir_, password_;
};

}  // namespace

TEST_F(SnapshotStart, MidSessionEqualsFullReplay) {
  const fs::path full = dir_ / "full.pcap", tail = dir_ / "tail.pcap";
  ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --messages 60000 --instruments 40 -o " + full.string()), 0);
  PcapStore store;
  ASSERT_TRUE(store.load(full));
  const uint64_t n = 31'234;  // inside a packet: the packet holding it is applied from n on
  ASSERT_GT(write_tail(full, tail, n, 300), 300u);
  sf::snapshot::GlimpseServerOptions o;
  o.passwords["GLMPS0"] = "glimpse1";
  o.snapshot_at = n;
  sf::snapshot::GlimpseServer server(o, store);
  std::string error;
  ASSERT_TRUE(server.start(error)) << error;
  std::atomic<bool> stop{false};
  std::thread serve([&] {
    while (!stop.load()) server.poll_once(5);
  });
  std::string want, got, log_full, log_mid;
  std::map<std::string, uint64_t> stats_full, stats_mid;
  const int rc_mid = appliance("mid", snapshot_table(server.port()), tail, got, stats_mid, log_mid);
  stop.store(true);
  serve.join();
  ASSERT_EQ(rc_mid, 0) << log_mid;
  ASSERT_EQ(appliance("full", "", full, want, stats_full, log_full), 0) << log_full;
  EXPECT_NE(log_mid.find("GLIMPSE snapshot from 127.0.0.1:"), std::string::npos) << log_mid;
  EXPECT_NE(log_mid.find("the live feed is applied from sequence " + std::to_string(n)), std::string::npos)
      << log_mid;
  EXPECT_EQ(server.counts().snapshots, 1u);
  EXPECT_GT(std::count(want.begin(), want.end(), '\n'), 30);
  EXPECT_EQ(got, want) << "mid-session books differ from the full replay's";
  EXPECT_EQ(stats_mid["gaps"], 0u);
  EXPECT_EQ(stats_mid["gap_messages"], 0u);
  EXPECT_EQ(stats_mid["duplicate_packets"], 300u) << "the packets below the snapshot are dropped";
  EXPECT_EQ(stats_mid["late_packets"], 1u) << "the packet straddling the snapshot is applied from it on";
}

// The same through the real sf-rewind binary (--glimpse-listen, loading the pcap into its message store).
TEST_F(SnapshotStart, SfRewindServesTheSnapshot) {
  ASSERT_FALSE(env("SF_REWIND").empty());
  const fs::path full = dir_ / "full.pcap", tail = dir_ / "tail.pcap", log = dir_ / "rewind.log";
  ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 9 --messages 40000 --instruments 30 -o " + full.string()), 0);
  const uint64_t n = 17'777;
  ASSERT_GT(write_tail(full, tail, n, 50), 50u);
  const pid_t rewind = start_logged(env("SF_REWIND"),
                                    {"--pcap", full.string(), "--listen", "127.0.0.1:0", "--glimpse-listen",
                                     "127.0.0.1:0", "--glimpse-username", "GLMPS0", "--glimpse-password-file",
                                     password_.string(), "--snapshot-at", std::to_string(n)},
                                    log);
  ASSERT_GT(rewind, 0);
  std::string port;
  const std::string marker = "listening on 127.0.0.1:";
  ASSERT_TRUE(wait_for(
      [&] {
        const std::string text = read_file(log);
        const auto at = text.find("GLIMPSE session");
        const auto p = at == std::string::npos ? at : text.find(marker, at);
        if (p == std::string::npos || text.find('\n', p) == std::string::npos) return false;
        port = text.substr(p + marker.size(), text.find('\n', p) - p - marker.size());
        return true;
      },
      20))
      << read_file(log);
  std::string want, got, log_full, log_mid;
  std::map<std::string, uint64_t> stats_full, stats_mid;
  const int rc_mid = appliance("rewind_mid", snapshot_table(static_cast<uint16_t>(std::stoi(port))), tail,
                               got, stats_mid, log_mid);
  kill(rewind, SIGTERM);
  int status = 0;
  waitpid(rewind, &status, 0);
  ASSERT_EQ(rc_mid, 0) << log_mid;
  ASSERT_EQ(appliance("rewind_full", "", full, want, stats_full, log_full), 0) << log_full;
  EXPECT_EQ(got, want) << "mid-session books differ from the full replay's";
  EXPECT_EQ(stats_mid["gaps"], 0u);
  EXPECT_EQ(stats_mid["duplicate_packets"], 50u);
  EXPECT_NE(read_file(log).find("GLIMPSE: 1 logins, 0 rejected, 1 snapshots"), std::string::npos)
      << read_file(log);
}

TEST_F(SnapshotStart, NoServerRefusesToStart) {
  const fs::path full = dir_ / "small.pcap";
  ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --messages 2000 -o " + full.string()), 0);
  std::string books, log;
  std::map<std::string, uint64_t> stats;
  // Port 1 on loopback: nothing listens there.
  EXPECT_EQ(appliance("noserver", snapshot_table(1), full, books, stats, log), 1);
  EXPECT_NE(log.find("GLIMPSE snapshot from 127.0.0.1:1 failed: connect"), std::string::npos) << log;
  EXPECT_EQ(stats["messages"], 0u) << "no lcore ran";
}

TEST_F(SnapshotStart, CheckConfigValidatesTheTable) {
  const fs::path cfg = dir_ / "bad.toml";
  chmod(password_.c_str(), 0644);
  std::ofstream(cfg)
      << replay_config()
      << "\n[feed.snapshot]\nserver = \"10.0.0.2\"\nusername = \"TOOLONGNAME\"\npassword_file = \""
      << password_.string() << "\"\ncolour = 1\nat_start = 3\n";
  const fs::path out = dir_ / "check.txt", pcap = dir_ / "any.pcap";
  std::ofstream(pcap) << "";  // --check-config wants the rx_pcap file to exist, not to be read
  EXPECT_EQ(run(env("SNIPERFORGE") + " --check-config --config " + cfg.string() + " --rx-pcap " +
                pcap.string() + " > " + out.string() + " 2>&1"),
            2);
  const std::string text = read_file(out);
  for (const char* want :
       {"[feed.snapshot].server: expected \"IPv4:PORT\"", "[feed.snapshot].username: 1 to 6",
        "[feed.snapshot].password_file:", "has mode 0644", "[feed.snapshot].colour: unknown key",
        "[feed.snapshot].at_start: expected true or false"})
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  chmod(password_.c_str(), 0600);
  std::ofstream(cfg) << replay_config() << snapshot_table(17000);
  EXPECT_EQ(run(env("SNIPERFORGE") + " --check-config --config " + cfg.string() + " --rx-pcap " +
                pcap.string() + " > " + out.string() + " 2>&1"),
            0)
      << read_file(out);
}
