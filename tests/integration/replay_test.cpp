// The real sniperforge binary replaying sf-feedgen pcaps through net_pcap: every lcore layout gives
// the same books and orders (and the same as sf-backtest when it is built), faults are counted by
// reason without a crash, the CLI validates, and SIGTERM drains and exits 0.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "replay_run.hpp"
#include "sf_test_process.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/feed.hpp"

namespace {

using namespace sf::testing::process;

// dpdk-config/replay.toml with [lcores] mode/executors and [trading] shards replaced (and
// [lcores] ring_size, when given).
std::string make_config(const std::string& mode, int executors, int shards, int ring_size = 0) {
  std::istringstream in(read_file(env("SF_REPLAY_CONFIG")));
  std::string out, line, table;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') table = line.substr(0, line.rfind(']') + 1);
    auto key_is = [&](const char* k) { return line.rfind(std::string(k) + " ", 0) == 0; };
    if (table == "[lcores]" && key_is("mode")) line = "mode = \"" + mode + "\"";
    if (table == "[lcores]" && key_is("executors")) line = "executors = " + std::to_string(executors);
    if (table == "[trading]" && key_is("shards")) line = "shards = " + std::to_string(shards);
    if (table == "[lcores]" && key_is("ring_size") && ring_size)
      line = "ring_size = " + std::to_string(ring_size);
    out += line + "\n";
  }
  return out;
}

using RunResult = sf::testing::ReplayRun;

class Workdir {
 public:
  Workdir() {
    char tmpl[] = "/tmp/sf-integration-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~Workdir() {
    std::error_code ec;
    if (env("SF_KEEP_TMP").empty()) fs::remove_all(dir_, ec);
  }
  [[nodiscard]] const fs::path& path() const { return dir_; }

 private:
  fs::path dir_;
};

class Replay : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_TX_ORDERS", "SF_REPLAY_CONFIG"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    work_ = new Workdir();
    clean_ = work_->path() / "clean.pcap";
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 3 --messages 100000 -o " + clean_.string()), 0);
  }
  static void TearDownTestSuite() {
    delete work_;
    work_ = nullptr;
  }

  static RunResult run_appliance(const std::string& tag, const std::string& config_text,
                                 const fs::path& pcap) {
    return sf::testing::replay_appliance(work_->path(), tag, config_text, pcap);
  }

  static Workdir* work_;
  static fs::path clean_;
};
Workdir* Replay::work_ = nullptr;
fs::path Replay::clean_;

TEST_F(Replay, EveryLayoutGivesTheSameBooksAndOrders) {
  struct Layout {
    std::string mode;
    int executors;
    int shards;
  };
  const std::vector<Layout> layouts = {
      {"pipeline", 1, 1}, {"run_to_completion", 1, 1}, {"pipeline", 2, 2}, {"run_to_completion", 2, 2}};
  std::vector<RunResult> results;
  for (const auto& l : layouts) {
    const std::string tag = l.mode + "_" + std::to_string(l.executors);
    SCOPED_TRACE(tag);
    RunResult r = run_appliance(tag, make_config(l.mode, l.executors, l.shards), clean_);
    ASSERT_EQ(r.rc, 0);
    EXPECT_EQ(r.stats["messages"], 100000u);
    EXPECT_EQ(r.stats["ring_dropped_full"], 0u);
    EXPECT_EQ(r.stats["drops"], 0u);
    EXPECT_EQ(r.stats["gaps"], 0u);
    EXPECT_EQ(r.stats["misrouted"], 0u);
    EXPECT_EQ(r.stats["tx_unsent"], 0u);
    EXPECT_EQ(r.stats["executors"], static_cast<uint64_t>(l.executors));
    EXPECT_GT(r.stats["orders_buy"], 0u) << "the sniper rules of replay.toml must fire on sf-feedgen's feed";
    EXPECT_GT(r.stats["orders_sell"], 0u);
    // Transport "none": the orders and one synthetic TCP handshake (3 frames) per shard.
    EXPECT_EQ(r.stats["tx_packets"], r.stats["orders_buy"] + r.stats["orders_sell"] + 3 * l.shards);
    EXPECT_GT(r.books.size(), 100u);
    results.push_back(std::move(r));
  }
  for (std::size_t i = 1; i < results.size(); ++i) {
    SCOPED_TRACE(layouts[i].mode + " with " + std::to_string(layouts[i].executors) + " executor(s)");
    EXPECT_EQ(results[i].books, results[0].books);
    EXPECT_EQ(results[i].orders, results[0].orders);
  }
  // The orders CSV has one line per order sent.
  const auto lines = std::count(results[0].orders.begin(), results[0].orders.end(), '\n');
  EXPECT_EQ(static_cast<uint64_t>(lines),
            results[0].stats["orders_buy"] + results[0].stats["orders_sell"] + 1);
}

TEST_F(Replay, WithoutHugepagesToo) {
  // [eal].hugepages = "off" is what "auto" falls back to on a machine without hugepages.
  std::string text = make_config("pipeline", 1, 1);
  const std::string from = "hugepages = \"auto\"";
  ASSERT_NE(text.find(from), std::string::npos);
  RunResult with = run_appliance("huge", text, clean_);
  text.replace(text.find(from), from.size(), "hugepages = \"off\"");
  RunResult without = run_appliance("nohuge", text, clean_);
  ASSERT_EQ(with.rc, 0);
  ASSERT_EQ(without.rc, 0);
  EXPECT_EQ(without.stats["messages"], 100000u);
  EXPECT_EQ(without.books, with.books);
  EXPECT_EQ(without.orders, with.orders);
}

TEST_F(Replay, SameAsBacktest) {
  const std::string backtest = env("SF_BACKTEST");
  if (backtest.empty()) GTEST_SKIP() << "sf-backtest is not built in this tree; nothing to compare with";
  for (int shards : {1, 2}) {
    SCOPED_TRACE("shards " + std::to_string(shards));
    const std::string tag = "bt" + std::to_string(shards);
    const std::string cfg_text = make_config("pipeline", shards, shards);
    RunResult app = run_appliance(tag + "_app", cfg_text, clean_);
    ASSERT_EQ(app.rc, 0);
    const fs::path d = work_->path();
    const fs::path cfg = d / (tag + ".toml"), books = d / (tag + ".books.csv"),
                   orders = d / (tag + ".orders.csv");
    std::ofstream(cfg) << cfg_text;
    ASSERT_EQ(run(backtest + " --config " + cfg.string() + " " + clean_.string() + " --dump-books " +
                  books.string() + " --orders " + orders.string() + " > " + (d / (tag + ".bt.log")).string() +
                  " 2>&1"),
              0)
        << read_file(d / (tag + ".bt.log"));
    EXPECT_EQ(app.books, read_file(books));
    EXPECT_EQ(app.orders, read_file(orders));
  }
}

// [journal]: the appliance's journal of a replay holds, record for record, the orders sf-backtest
// --journal writes for the same input (per shard, in send order; OUCH bytes included). A second run on
// the same journal recovers it and never reuses a UserRefNum (strictly increasing per shard over both).
TEST_F(Replay, JournalEqualsBacktestJournal) {
  const std::string backtest = env("SF_BACKTEST"), tool = env("SF_JOURNAL");
  if (backtest.empty() || tool.empty()) GTEST_SKIP() << "sf-backtest or sf-journal not built in this tree";
  const fs::path d = work_->path();
  const fs::path app_j = d / "app.journal", bt_j = d / "bt.journal";
  const std::string cfg_text = make_config("pipeline", 2, 2) + "\n[journal]\npath = \"" + app_j.string() +
                               "\"\nfsync = \"group\"\ngroup_us = 200\nsegment_mb = 8\n";
  RunResult app = run_appliance("journal_app", cfg_text, clean_);
  ASSERT_EQ(app.rc, 0);
  const fs::path cfg = d / "journal_bt.toml";
  std::ofstream(cfg) << make_config("pipeline", 2, 2);
  ASSERT_EQ(run(backtest + " --config " + cfg.string() + " --journal " + bt_j.string() + " " +
                clean_.string() + " > /dev/null 2>&1"),
            0);
  // Per shard in send order (trigger sequence, then UserRefNum): the appliance's shards interleave.
  const std::string orders_of =
      " | jq -s -c '[.[] | select(.type == \"order\") | [.shard, .trigger_seq, .user_ref_num, .locate, "
      ".strategy,"
      " .ouch]] | sort_by(.[0], .[1], .[2]) | .[]'";
  ASSERT_EQ(run(tool + " dump " + app_j.string() + orders_of + " > " + (d / "app.jorders").string()), 0);
  ASSERT_EQ(run(tool + " dump " + bt_j.string() + orders_of + " > " + (d / "bt.jorders").string()), 0);
  const std::string app_orders = read_file(d / "app.jorders");
  EXPECT_GT(std::count(app_orders.begin(), app_orders.end(), '\n'), 5) << "the snipers should fire";
  EXPECT_EQ(app_orders, read_file(d / "bt.jorders"));
  EXPECT_EQ(run(tool + " verify " + app_j.string() + " > /dev/null"), 0);

  // Restart on the same journal with the same feed: recovered, and no UserRefNum used twice.
  RunResult again = run_appliance("journal_app2", cfg_text, clean_);
  ASSERT_EQ(again.rc, 0);
  EXPECT_NE(read_file(d / "journal_app2.log").find("records recovered"), std::string::npos)
      << read_file(d / "journal_app2.log");
  const std::string increasing =
      " | jq -s '[.[] | select(.type == \"order\")] | group_by(.shard) | map([.[].user_ref_num]) |"
      " all(. as $u | [range(1; $u | length)] | all($u[.] > $u[. - 1]))' | grep -qx true";
  EXPECT_EQ(run(tool + " dump " + app_j.string() + increasing), 0);
  EXPECT_EQ(
      run(tool + " verify --json " + app_j.string() + " | jq -e '.start == 2 and .stop == 2' >/dev/null"), 0);
}

TEST_F(Replay, RealCapturesSameAsBacktest) {
  // Real NASDAQ captures (MoldUDP64 on 26477 to 233.54.12.111): the appliance must take them as they are.
  const std::string data = env("SF_SHARED_DATA");
  const fs::path dir = fs::path(data) / "itch" / "omi-pcaps" / "Nasdaq.Equities.TotalView.Itch.v5.0";
  if (data.empty() || !fs::is_directory(dir)) GTEST_SKIP() << "shared data not found: " << dir;
  const std::string backtest = env("SF_BACKTEST");
  std::size_t compared = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".pcap") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const std::string tag = "real_" + entry.path().stem().string();
    // These samples are excerpts, not a continuous feed: Multiple.Packets.pcap jumps 4.2 M messages between
    // its two packets, beyond the default [feed] max_seq_jump (#16), so the excerpts are allowed the jump.
    std::string cfg_text = make_config("pipeline", 1, 1);
    cfg_text.replace(cfg_text.find("[feed]\n"), 7, "[feed]\nmax_seq_jump = 100000000\n");
    RunResult app = run_appliance(tag, cfg_text, entry.path());
    ASSERT_EQ(app.rc, 0);
    EXPECT_GT(app.stats["messages"], 0u);
    EXPECT_EQ(app.stats["drops"], 0u);
    if (backtest.empty()) continue;
    const fs::path d = work_->path(), books = d / (tag + ".bt.csv"), cfg = d / (tag + ".toml");
    ASSERT_EQ(run(backtest + " --config " + cfg.string() + " " + entry.path().string() + " --dump-books " +
                  books.string() + " > /dev/null 2>&1"),
              0);
    EXPECT_EQ(app.books, read_file(books));
    ++compared;
  }
  std::printf("[ info ] %zu real captures compared with sf-backtest\n", compared);
}

// Sequence number -> stock locate of every feed message in a pcap (the feed decoder).
std::map<uint64_t, uint16_t> messages_of(const fs::path& pcap) {
  std::map<uint64_t, uint16_t> m;
  sf::io::PcapReader r;
  EXPECT_TRUE(r.open(pcap.string()));
  sf::io::PcapPacket p;
  while (r.next(p)) {
    sf::feed::PacketInfo info;
    (void)sf::feed::decode_frame(p.data, p.caplen, sf::feed::kDefaultPort, info,
                                 [&](uint64_t seq, const uint8_t* msg, std::size_t) {
                                   m[seq] = sf::itch::MessageView(msg).stock_locate();
                                 });
  }
  return m;
}

std::map<std::string, std::string> rows_by_symbol(const std::string& csv) {
  std::map<std::string, std::string> m;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) m[line.substr(0, line.find(','))] = line;
  return m;
}

TEST_F(Replay, FaultsAreCountedAndOtherBooksUnaffected) {
  const fs::path faulty = work_->path() / "faulty.pcap", manifest = work_->path() / "faulty.manifest";
  ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 3 --messages 100000 --gap-rate 0.002 --dup-rate 0.01" +
                " --garbage-rate 0.01 -o " + faulty.string() + " --manifest " + manifest.string()),
            0);
  uint64_t data_msgs = 0, dups = 0, garbage = 0;
  {
    std::istringstream in(read_file(manifest));
    std::string line;
    while (std::getline(in, line)) {
      const auto kind = line.substr(0, line.find(','));
      const uint64_t count = std::stoull(line.substr(line.rfind(',') + 1));
      if (kind == "data") data_msgs += count;
      if (kind == "duplicate") ++dups;
      if (kind == "garbage") ++garbage;
    }
  }
  ASSERT_GT(dups, 0u);
  ASSERT_GT(garbage, 0u);
  ASSERT_LT(data_msgs, 100000u) << "the fault options must have dropped some packets";

  for (const auto& [mode, n] :
       std::vector<std::pair<std::string, int>>{{"pipeline", 2}, {"run_to_completion", 1}}) {
    SCOPED_TRACE(mode);
    RunResult clean = run_appliance("clean_" + mode, make_config(mode, n, n), clean_);
    RunResult r = run_appliance("faulty_" + mode, make_config(mode, n, n), faulty);
    ASSERT_EQ(r.rc, 0);
    EXPECT_EQ(r.stats["messages"], data_msgs);
    EXPECT_EQ(r.stats["gap_messages"], 100000u - data_msgs);
    EXPECT_GT(r.stats["gaps"], 0u);
    EXPECT_EQ(r.stats["duplicate_packets"], dups);
    EXPECT_EQ(r.stats["drops"], garbage);
    EXPECT_GE(r.stats["books_marked_stale"], r.stats["gaps"]);
    EXPECT_EQ(r.stats["ring_dropped_full"], 0u);

    // Instruments that lost a message: their locates, from the clean pcap's missing sequence numbers.
    const auto all = messages_of(clean_);
    const auto got = messages_of(faulty);
    std::set<std::string> affected;
    bool system_lost = false;
    for (const auto& [seq, locate] : all) {
      if (got.count(seq)) continue;
      if (locate == 0) system_lost = true;
      char sym[16];
      std::snprintf(sym, sizeof sym, "SF%04u", static_cast<unsigned>(locate - 1));
      affected.insert(sym);
    }
    ASSERT_FALSE(system_lost) << "a lost system event would affect every book; pick another seed";
    const auto clean_rows = rows_by_symbol(clean.books);
    const auto faulty_rows = rows_by_symbol(r.books);
    std::size_t compared = 0;
    for (const auto& [sym, row] : clean_rows) {
      if (affected.count(sym)) continue;
      ASSERT_TRUE(faulty_rows.count(sym)) << sym;
      EXPECT_EQ(faulty_rows.at(sym), row) << sym << " lost no message but its book differs";
      ++compared;
    }
    EXPECT_GT(compared, 10u);
    std::printf("[ info ] %s: %zu instruments affected by gaps, %zu unaffected books identical\n",
                mode.c_str(), affected.size(), compared);
  }
}

// A gap leaves every book of the shard possibly wrong: the engines keep applying the feed but send no
// order after it (until recovery), exactly where sf-backtest stops too.
TEST_F(Replay, NoOrderAfterAGapSameAsBacktest) {
  const std::string backtest = env("SF_BACKTEST");
  if (backtest.empty()) GTEST_SKIP() << "sf-backtest is not built in this tree; nothing to compare with";
  const fs::path d = work_->path();
  const fs::path gappy = d / "gappy.pcap";
  ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 3 --messages 100000 --gap-rate 0.0005 -o " + gappy.string()),
            0);
  uint64_t first_missing = 0;
  {
    const auto all = messages_of(clean_);
    const auto got = messages_of(gappy);
    for (const auto& [seq, locate] : all)
      if (!got.count(seq)) {
        first_missing = seq;
        break;
      }
  }
  ASSERT_GT(first_missing, 0u) << "the feed must have a gap";
  auto order_seqs = [](const std::string& csv) {
    std::vector<uint64_t> seqs;
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line))
      if (!line.empty()) seqs.push_back(std::stoull(line.substr(0, line.find(','))));
    return seqs;
  };
  const std::string cfg_text = make_config("pipeline", 2, 2);
  RunResult clean = run_appliance("gap_clean", cfg_text, clean_);
  RunResult app = run_appliance("gap_app", cfg_text, gappy);
  ASSERT_EQ(clean.rc, 0);
  ASSERT_EQ(app.rc, 0);
  const auto clean_seqs = order_seqs(clean.orders);
  const auto after =
      std::count_if(clean_seqs.begin(), clean_seqs.end(), [&](uint64_t s) { return s >= first_missing; });
  ASSERT_GT(after, 0) << "the clean feed must fire after the gap point, or this test proves nothing";
  for (uint64_t s : order_seqs(app.orders)) EXPECT_LT(s, first_missing) << "order sent on a stale book";
  EXPECT_GT(app.stats["books_marked_stale"], 0u);

  const fs::path cfg = d / "gap_bt.toml", books = d / "gap_bt.books.csv", orders = d / "gap_bt.orders.csv";
  std::ofstream(cfg) << cfg_text;
  ASSERT_EQ(
      run(backtest + " --config " + cfg.string() + " " + gappy.string() + " --dump-books " + books.string() +
          " --orders " + orders.string() + " > " + (d / "gap_bt.log").string() + " 2>&1"),
      0)
      << read_file(d / "gap_bt.log");
  EXPECT_EQ(app.orders, read_file(orders));
  EXPECT_EQ(app.books, read_file(books));
}

TEST_F(Replay, CheckConfigAndTopology) {
  const fs::path d = work_->path();
  std::ofstream(d / "ok.toml") << make_config("pipeline", 1, 1);
  const std::string pcap = " --rx-pcap " + clean_.string();
  EXPECT_EQ(run(env("SNIPERFORGE") + " --config " + (d / "ok.toml").string() + pcap + " --check-config > " +
                (d / "check.log").string() + " 2>&1"),
            0);
  EXPECT_NE(read_file(d / "check.log").find("configuration OK"), std::string::npos);
  EXPECT_EQ(run(env("SNIPERFORGE") + " --config " + (d / "ok.toml").string() + " --topology > " +
                (d / "topo.log").string() + " 2>&1"),
            0);
  const std::string topo = read_file(d / "topo.log");
  EXPECT_NE(topo.find("machine:"), std::string::npos);
  EXPECT_NE(topo.find("EAL --lcores 0@"), std::string::npos);

  // Unknown keys, a missing port and an impossible layout: exit 2, every problem named.
  std::ofstream(d / "bad.toml") << make_config("pipeline", 2, 1) << "\n[feed2]\nx = 1\n";
  EXPECT_EQ(run(env("SNIPERFORGE") + " --config " + (d / "bad.toml").string() + pcap + " --check-config > " +
                (d / "bad.log").string() + " 2>&1"),
            2);
  const std::string bad = read_file(d / "bad.log");
  EXPECT_NE(bad.find("unknown top-level key \"feed2\""), std::string::npos) << bad;
  std::string text = make_config("pipeline", 1, 1);
  text.replace(text.find("port = \"feed\"\nudp_port"), 13, "port = \"nope\"");
  std::ofstream(d / "bad2.toml") << text;
  EXPECT_EQ(run(env("SNIPERFORGE") + " --config " + (d / "bad2.toml").string() + " --check-config > " +
                (d / "bad2.log").string() + " 2>&1"),
            2);
  EXPECT_NE(read_file(d / "bad2.log").find("no [[port]] named \"nope\""), std::string::npos)
      << read_file(d / "bad2.log");
  std::ofstream(d / "bad3.toml") << make_config("pipeline", 3, 2);
  EXPECT_EQ(run(env("SNIPERFORGE") + " --config " + (d / "bad3.toml").string() + pcap + " --check-config > " +
                (d / "bad3.log").string() + " 2>&1"),
            2);
  EXPECT_NE(read_file(d / "bad3.log").find("would host no shard"), std::string::npos);
}

// A run whose feed port serves the clean pcap forever (net_pcap infinite_rx=1: live semantics, not
// a replay, so nothing waits for ring space), stopped by SIGTERM after `run_ms`.
struct LiveRun {
  int exit_code = -1;       // -1: did not exit normally
  double exit_seconds = 0;  // SIGTERM -> exit
  std::map<std::string, uint64_t> stats;
  std::string log;
};

LiveRun run_live_until_sigterm(const fs::path& d, const std::string& tag, std::string text,
                               const fs::path& pcap, int run_ms) {
  LiveRun r;
  const std::string from = "devargs = \"net_pcap0,rx_pcap=feed.pcap,tx_pcap=orders.pcap\"";
  EXPECT_NE(text.find(from), std::string::npos);
  if (text.find(from) == std::string::npos) return r;
  text.replace(text.find(from), from.size(),
               "devargs = \"net_pcap0,rx_pcap=" + pcap.string() +
                   ",tx_pcap=" + (d / (tag + ".tx.pcap")).string() + ",infinite_rx=1\"");
  const fs::path cfg = d / (tag + ".toml"), log = d / (tag + ".log"), stats = d / (tag + ".stats");
  std::ofstream(cfg) << text;
  const pid_t pid =
      start_logged(env("SNIPERFORGE"), {"--config", cfg.string(), "--stats-file", stats.string()}, log);
  EXPECT_GE(pid, 0);
  if (pid < 0) return r;
  // Wait until it runs (the log names the feed port), then let it run.
  for (int i = 0; i < 200 && read_file(log).find("feed port") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(run_ms));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  pid_t w = 0;
  while ((w = waitpid(pid, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  r.exit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (w == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ADD_FAILURE() << tag << ": sniperforge did not exit within 5 s of SIGTERM";
  } else if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  }
  r.stats = read_stats(stats);
  r.log = read_file(log);
  return r;
}

TEST_F(Replay, SigtermStopsDrainsAndExitsZero) {
  // infinite_rx replays the pcap forever: only a signal ends the run.
  const LiveRun r = run_live_until_sigterm(work_->path(), "sig", make_config("pipeline", 1, 1), clean_, 700);
  EXPECT_EQ(r.exit_code, 0) << r.log;
  // The requirement is one second; the measured time is printed (no timing assertion on a shared
  // machine: the 5 s bound in the helper is a liveness check).
  std::printf("[ info ] exit %.3f s after SIGTERM\n", r.exit_seconds);
  ASSERT_TRUE(r.stats.count("packets"));
  EXPECT_GT(r.stats.at("packets"), 6251u) << "infinite_rx should have replayed the feed more than once";
  EXPECT_GT(r.stats.at("duplicate_packets"), 0u) << "a second pass repeats sequence numbers";
  EXPECT_NE(r.log.find("stopped by signal"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("tick-to-trade"), std::string::npos);
}

// A live feed faster than the executor with the smallest ring the config allows (64 events, fewer
// than one 32-packet burst carries). Pipeline: the RX lcore cannot wait, so the overflow is a counted
// drop and the executor's books are marked stale. Run to completion: the ring is only staging between
// two stages of the same lcore, so a full ring runs the executor and nothing is lost.
TEST_F(Replay, LiveFullRingDropsInPipelineNeverInRunToCompletion) {
  const LiveRun pipe =
      run_live_until_sigterm(work_->path(), "full_pipe", make_config("pipeline", 1, 1, 64), clean_, 500);
  EXPECT_EQ(pipe.exit_code, 0) << pipe.log;
  ASSERT_TRUE(pipe.stats.count("ring_dropped_full")) << pipe.log;
  EXPECT_GT(pipe.stats.at("ring_dropped_full"), 0u) << pipe.log;
  EXPECT_GT(pipe.stats.at("books_marked_stale"), 0u);
  EXPECT_GT(pipe.stats.at("stale_events"), 0u) << "the executor saw the stale marker";
  EXPECT_EQ(pipe.stats.at("ring_enqueued") + pipe.stats.at("ring_dropped_full") >= pipe.stats.at("messages"),
            true)
      << "every routed message is either enqueued or counted as dropped";

  const LiveRun rtc = run_live_until_sigterm(work_->path(), "full_rtc",
                                             make_config("run_to_completion", 1, 1, 64), clean_, 500);
  EXPECT_EQ(rtc.exit_code, 0) << rtc.log;
  ASSERT_TRUE(rtc.stats.count("ring_dropped_full")) << rtc.log;
  EXPECT_EQ(rtc.stats.at("ring_dropped_full"), 0u) << rtc.log;
  EXPECT_EQ(rtc.stats.at("books_marked_stale"), 0u);
  EXPECT_EQ(rtc.stats.at("messages"), 100000u)
      << "the first pass of the pcap, whole (later passes are duplicates)";
  EXPECT_EQ(rtc.stats.at("executor_events"), rtc.stats.at("ring_enqueued"));
  EXPECT_GT(rtc.stats.at("tx_packets"), 0u);
}

}  // namespace
