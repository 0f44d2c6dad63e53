// Runs the sf-backtest binary: outputs byte-identical for 1, 2 and 4 threads; pcap and BinaryFILE inputs of
// the same feed give the same outputs; the dump of a real sample day equals an in-process BookSet's; bad
// configs are rejected with a clear message; piped input is read whole.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sniperforge/book/book_set.hpp"
#include "sniperforge/book/dump.hpp"
#include "sniperforge/io/binary_file.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/feed.hpp"

namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

// Runs a shell command; stderr goes to the test log unless the command redirects it itself.
int run(const std::string& cmd) {
  const bool own_stderr = cmd.find("2>") != std::string::npos;
  const int rc = std::system((own_stderr ? cmd : cmd + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

class Backtest : public ::testing::Test {
 protected:
  void SetUp() override {
    exe_ = env("SF_BACKTEST");
    feedgen_ = env("SF_FEEDGEN");
    ASSERT_FALSE(exe_.empty()) << "SF_BACKTEST not set (run through meson test)";
    dir_ = fs::temp_directory_path() / ("sf-backtest-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    config_ = slurp(env("SF_BACKTEST_CONFIG"));
    ASSERT_FALSE(config_.empty()) << "SF_BACKTEST_CONFIG not set or unreadable";
    std::ofstream(dir_ / "cfg.toml") << config_;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string p(const std::string& name) const { return (dir_ / name).string(); }
  void feedgen(const std::string& out, const std::string& args) {
    ASSERT_FALSE(feedgen_.empty()) << "SF_FEEDGEN not set";
    ASSERT_EQ(run(feedgen_ + " -o " + p(out) + " " + args + " >/dev/null"), 0);
  }
  int backtest(const std::string& args) { return run(exe_ + " " + args); }

  std::string exe_, feedgen_, config_;  // config_: tests/support/backtest_snipers.toml
  fs::path dir_;
};

}  // namespace

TEST_F(Backtest, OutputsIdenticalForAnyThreadCount) {
  feedgen("feed.pcap", "--messages 300000 --instruments 200 --seed 3");
  for (const char* n : {"1", "2", "4"}) {
    ASSERT_EQ(
        backtest(std::string("--config ") + p("cfg.toml") + " --threads " + n + " --orders " +
                 p("o" + std::string(n)) + " --dump-books " + p("d" + std::string(n)) + " " + p("feed.pcap")),
        0);
  }
  const std::string o1 = slurp(p("o1")), d1 = slurp(p("d1"));
  EXPECT_EQ(o1.rfind("seq,symbol,side,shares,price,user_ref_num\n", 0), 0u);
  EXPECT_EQ(d1.rfind("symbol,bid_px,bid_qty,ask_px,ask_qty,orders\n", 0), 0u);
  EXPECT_GT(std::count(o1.begin(), o1.end(), '\n'), 20) << "the snipers should fire on this feed";
  EXPECT_EQ(std::count(d1.begin(), d1.end(), '\n'), 201);
  EXPECT_EQ(slurp(p("o2")), o1);
  EXPECT_EQ(slurp(p("o4")), o1);
  EXPECT_EQ(slurp(p("d2")), d1);
  EXPECT_EQ(slurp(p("d4")), d1);
}

TEST_F(Backtest, BookDumpDoesNotDependOnShardCount) {
  feedgen("feed.itch", "--messages 200000 --instruments 100 --seed 5 --format binaryfile");
  std::ofstream(p("one.toml")) << "[trading]\nshards = 1\n[risk]\ndefaults = true\n";
  std::ofstream(p("seven.toml")) << "[trading]\nshards = 7\n[risk]\ndefaults = true\n";
  ASSERT_EQ(backtest("--config " + p("one.toml") + " --dump-books " + p("d1") + " " + p("feed.itch")), 0);
  ASSERT_EQ(
      backtest("--config " + p("seven.toml") + " --threads 2 --dump-books " + p("d7") + " " + p("feed.itch")),
      0);
  const std::string d1 = slurp(p("d1"));
  EXPECT_EQ(d1, slurp(p("d7")));
  EXPECT_EQ(std::count(d1.begin(), d1.end(), '\n'), 101);
}

TEST_F(Backtest, PcapAndBinaryFileOfTheSameFeedAgree) {
  feedgen("feed.pcap", "--messages 150000 --instruments 50 --seed 9");
  feedgen("feed.itch", "--messages 150000 --instruments 50 --seed 9 --format binaryfile");
  const std::string cfg = " --config " + p("cfg.toml");
  ASSERT_EQ(backtest(cfg + " --orders " + p("op") + " --dump-books " + p("dp") + " " + p("feed.pcap")), 0);
  ASSERT_EQ(
      backtest(cfg + " --threads 3 --orders " + p("ob") + " --dump-books " + p("db") + " " + p("feed.itch")),
      0);
  EXPECT_EQ(slurp(p("op")), slurp(p("ob")));
  EXPECT_EQ(slurp(p("dp")), slurp(p("db")));
  EXPECT_GT(slurp(p("op")).size(), 60u);
}

// A pipe can be read only once: the input type detection must not eat its first bytes.
TEST_F(Backtest, PipedInputsGiveTheSameOutputsAsFiles) {
  feedgen("feed.pcap", "--messages 100000 --instruments 50 --seed 9");
  feedgen("feed.itch", "--messages 100000 --instruments 50 --seed 9 --format binaryfile");
  const std::string cfg = " --config " + p("cfg.toml");
  for (const char* in : {"feed.pcap", "feed.itch"}) {
    SCOPED_TRACE(in);
    ASSERT_EQ(backtest(cfg + " --orders " + p("of") + " --dump-books " + p("df") + " " + p(in)), 0);
    ASSERT_EQ(run("cat " + p(in) + " | " + exe_ + cfg + " --orders " + p("op") + " --dump-books " + p("dp") +
                  " /dev/stdin"),
              0);
    EXPECT_EQ(slurp(p("op")), slurp(p("of")));
    EXPECT_EQ(slurp(p("dp")), slurp(p("df")));
    EXPECT_GT(slurp(p("df")).size(), 60u);
  }
}

TEST_F(Backtest, RealSampleDayDumpMatchesBookSet) {
  const std::string path = env("SF_SHARED_DATA") + "/itch/ritch/ex20101224.TEST_ITCH_50.lenprefix.itch";
  if (env("SF_SHARED_DATA").empty() || !fs::exists(path)) GTEST_SKIP() << "shared data not found: " << path;
  ASSERT_EQ(backtest("--threads 2 --dump-books " + p("d") + " " + path), 0);
  sf::io::BinaryFileReader reader;
  ASSERT_TRUE(reader.open(path));
  sf::book::BookSet books(sf::book::BookConfig{});
  const uint8_t* msg = nullptr;
  uint16_t len = 0;
  while (reader.next(msg, len)) books.apply(sf::itch::MessageView{msg});
  std::vector<sf::book::BookRow> rows;
  books.dump_rows(rows);
  std::ostringstream want;
  sf::book::write_book_dump(want, rows);
  EXPECT_EQ(slurp(p("d")), want.str());
  EXPECT_EQ(rows.size(), 3u);  // ALC, BOB, CHAR
}

TEST_F(Backtest, BadConfigIsAClearError) {
  std::ofstream(p("bad.toml")) << "[risk]\ncollar_bps = -1\n[[strategy]]\nname = \"nope\"\n";
  feedgen("feed.itch", "--messages 1000 --format binaryfile");
  EXPECT_EQ(backtest("--config " + p("bad.toml") + " " + p("feed.itch") + " 2>" + p("err")), 2);
  const std::string err = slurp(p("err"));
  EXPECT_NE(err.find("risk.collar_bps: must be in 0..10000"), std::string::npos) << err;
  EXPECT_NE(err.find("unknown strategy name 'nope'"), std::string::npos) << err;
  EXPECT_NE(backtest(p("does-not-exist.pcap") + " 2>/dev/null"), 0);
}

// #16: a config without [risk] is refused exactly as the appliance refuses it (one shared check):
// exit 2 naming the missing table, unless `[risk] defaults = true` accepts the built-in limits.
TEST_F(Backtest, MissingRiskSectionIsRefusedAsByTheAppliance) {
  feedgen("feed.itch", "--messages 1000 --format binaryfile");
  std::string no_risk = config_;
  const auto at = no_risk.find("[risk]");
  no_risk.erase(at, no_risk.find("[[strategy]]") - at);
  std::ofstream(p("norisk.toml")) << no_risk;
  EXPECT_EQ(backtest("--config " + p("norisk.toml") + " " + p("feed.itch") + " 2>" + p("err")), 2);
  const std::string err = slurp(p("err"));
  EXPECT_NE(err.find("risk: missing"), std::string::npos) << err;
  EXPECT_NE(err.find("defaults = true"), std::string::npos) << err;
  std::ofstream(p("defaults.toml")) << no_risk << "\n[risk]\ndefaults = true\n";
  EXPECT_EQ(backtest("--config " + p("defaults.toml") + " " + p("feed.itch") + " 2>/dev/null"), 0);
}

// #16: INPUTs are one feed in time order. A capture split into two files gives the same orders and books as
// the whole file; a second day (its feed time starts again) is refused with a message, where before its
// sequences were silently read as duplicates of the day before and it traded nothing.
TEST_F(Backtest, InputsAreOneFeedInTimeOrderAndAnotherDayIsRefused) {
  feedgen("day1.pcap", "--messages 100000 --instruments 50 --seed 9");
  feedgen("day2.pcap", "--messages 100000 --instruments 50 --seed 4");
  sf::io::PcapReader in;
  ASSERT_TRUE(in.open(p("day1.pcap")));
  sf::io::PcapWriter first, second;
  ASSERT_TRUE(first.open(p("part1.pcap")));
  ASSERT_TRUE(second.open(p("part2.pcap")));
  sf::io::PcapPacket pkt;
  for (std::size_t i = 0; in.next(pkt); ++i)
    (i < 3000 ? first : second).write(pkt.ts_ns, pkt.data, pkt.caplen);
  ASSERT_TRUE(first.close());
  ASSERT_TRUE(second.close());
  const std::string cfg = "--config " + p("cfg.toml");
  ASSERT_EQ(backtest(cfg + " --orders " + p("o1") + " --dump-books " + p("d1") + " " + p("day1.pcap")), 0);
  ASSERT_EQ(backtest(cfg + " --orders " + p("op") + " --dump-books " + p("dp") + " " + p("part1.pcap") + " " +
                     p("part2.pcap")),
            0);
  EXPECT_EQ(slurp(p("op")), slurp(p("o1")));
  EXPECT_EQ(slurp(p("dp")), slurp(p("d1")));
  EXPECT_GT(slurp(p("o1")).size(), 60u);
  for (const char* order : {"day1.pcap day2.pcap", "part2.pcap part1.pcap"}) {
    SCOPED_TRACE(order);
    const std::string days = p(std::string(order).substr(0, std::string(order).find(' '))) + " " +
                             p(std::string(order).substr(std::string(order).find(' ') + 1));
    EXPECT_EQ(backtest(cfg + " " + days + " 2>" + p("err")), 1);
    const std::string err = slurp(p("err"));
    EXPECT_NE(err.find("before the inputs before it ended"), std::string::npos) << err;
    EXPECT_NE(err.find("--sweep"), std::string::npos) << err;
  }
}

// A MoldUDP64 gap makes every engine stale (as the appliance's RX lcore does): the orders before the gap are
// exactly those of the clean feed, and none follows it; the gap is reported.
TEST_F(Backtest, NoOrderAfterAFeedGap) {
  feedgen("feed.pcap", "--messages 300000 --instruments 200 --seed 3");
  // Copy the capture without one data packet in the middle.
  sf::io::PcapReader in;
  ASSERT_TRUE(in.open(p("feed.pcap")));
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> frames;
  sf::io::PcapPacket pkt;
  while (in.next(pkt)) frames.emplace_back(pkt.ts_ns, std::vector<uint8_t>(pkt.data, pkt.data + pkt.caplen));
  uint64_t gap_seq = 0;
  std::size_t data_frames = 0;
  for (std::size_t i = 0; i < frames.size() && gap_seq == 0; ++i) {
    sf::feed::PacketInfo info;
    const auto e =
        sf::feed::decode_frame(frames[i].second.data(), frames[i].second.size(), sf::feed::kDefaultPort, info,
                               [](uint64_t, const uint8_t*, std::size_t) {});
    if (e != sf::feed::Error::kOk || info.kind() != sf::mold::Kind::kData) continue;
    if (++data_frames == frames.size() / 2) {
      gap_seq = info.sequence();
      frames.erase(frames.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  ASSERT_NE(gap_seq, 0u);
  {
    sf::io::PcapWriter out;
    ASSERT_TRUE(out.open(p("gap.pcap")));
    for (const auto& [ts, f] : frames) out.write(ts, f.data(), static_cast<uint32_t>(f.size()));
    ASSERT_TRUE(out.close());
  }
  const std::string cfg = "--config " + p("cfg.toml") + " --threads 2";
  ASSERT_EQ(backtest(cfg + " --orders " + p("clean") + " " + p("feed.pcap") + " 2>/dev/null"), 0);
  ASSERT_EQ(backtest(cfg + " --orders " + p("gap") + " " + p("gap.pcap") + " 2>" + p("err")), 0);
  // Expected: the clean orders triggered before the gap.
  std::istringstream clean(slurp(p("clean")));
  std::string line, want;
  std::size_t before = 0, after = 0;
  std::getline(clean, line);
  want = line + "\n";
  while (std::getline(clean, line)) {
    if (std::stoull(line.substr(0, line.find(','))) < gap_seq) {
      want += line + "\n";
      ++before;
    } else {
      ++after;
    }
  }
  EXPECT_GT(before, 5u) << "the snipers should fire before the gap";
  EXPECT_GT(after, 5u) << "the snipers would fire after the gap on the clean feed";
  EXPECT_EQ(slurp(p("gap")), want);
  const std::string err = slurp(p("err"));
  EXPECT_NE(err.find("feed gaps: 1"), std::string::npos) << err;
  EXPECT_NE(err.find("risk reject stale:"), std::string::npos) << err;
}
