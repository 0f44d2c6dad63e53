// A/B feed lines end to end (#12): sf-feedgen writes both lines into one pcap with independent loss per
// line; the real sniperforge (net_pcap) and sf-backtest arbitrate them. Loss on one line only changes
// nothing (books and orders byte-identical to the lossless one-line run, no gap, nothing stale); a packet
// lost on both lines is a gap exactly as in a one-line feed that lost it.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "replay_run.hpp"
#include "sf_test_process.hpp"

namespace {

using namespace sf::testing::process;

using RunResult = sf::testing::ReplayRun;

class Arbitration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_TX_ORDERS", "SF_REPLAY_CONFIG"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    char tmpl[] = "/tmp/sf-arbitration-XXXXXX";
    dir_ = new fs::path(mkdtemp(tmpl));
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (env("SF_KEEP_TMP").empty()) fs::remove_all(*dir_, ec);
    delete dir_;
  }

  // sf-feedgen with a fixed seed: the packets are the same whatever the loss switches.
  static fs::path feed(const std::string& name, const std::string& switches) {
    const fs::path p = *dir_ / (name + ".pcap");
    EXPECT_EQ(run(env("SF_FEEDGEN") + " -q --seed 3 --messages 60000 " + switches + " -o " + p.string()), 0);
    return p;
  }

  // dpdk-config/replay.toml (one RX lcore, pipeline), with line B on UDP port 26478 when asked.
  static std::string config(bool line_b) {
    std::string text = read_file(env("SF_REPLAY_CONFIG"));
    if (line_b) text += "\n[feed.line_b]\nudp_port = 26478\n";
    return text;
  }

  // Line B on a second [[port]] (a second net_pcap device reading `line_b_pcap`), same UDP port as
  // the one-port config; a long arbitration window, since each port's pcap is read in its own bursts.
  static std::string two_port_config(const fs::path& line_b_pcap) {
    std::string text = read_file(env("SF_REPLAY_CONFIG"));
    const auto feed = text.find("\n[feed]\n");
    EXPECT_NE(feed, std::string::npos);
    text.insert(feed + 8, "arbitration_us = 1000000\n");
    return text + "\n[[port]]\nname = \"feed_b\"\ndevargs = \"net_pcap1,rx_pcap=" + line_b_pcap.string() +
           ",tx_pcap=" + (*dir_ / "feed_b.tx.pcap").string() +
           "\"\nrx_queues = 1\ntx_queues = 1\n\n[feed.line_b]\nport = \"feed_b\"\nudp_port = 26478\n";
  }

  static RunResult appliance(const std::string& tag, bool line_b, const fs::path& pcap) {
    return sf::testing::replay_appliance(*dir_, tag, config(line_b), pcap);
  }

  // sf-backtest on the same config and pcap; empty result when it is not built in this tree.
  static RunResult backtest(const std::string& tag, bool line_b, const fs::path& pcap) {
    RunResult r;
    if (env("SF_BACKTEST").empty()) return r;
    const fs::path d = *dir_, cfg = d / (tag + ".toml"), books = d / (tag + ".books.csv"),
                   orders = d / (tag + ".orders.csv"), log = d / (tag + ".log");
    std::ofstream(cfg) << config(line_b);
    r.rc = run(env("SF_BACKTEST") + " -q --config " + cfg.string() + " " + pcap.string() + " --dump-books " +
               books.string() + " --orders " + orders.string() + " > " + log.string() + " 2>&1");
    if (r.rc != 0) std::fprintf(stderr, "%s\n", read_file(log).c_str());
    r.books = read_file(books);
    r.orders = read_file(orders);
    return r;
  }

  static fs::path* dir_;
};
fs::path* Arbitration::dir_ = nullptr;

TEST_F(Arbitration, LossOnOneLineAtATimeChangesNothing) {
  const fs::path clean = feed("clean", "");
  const fs::path ab = feed("ab", "--line-b-port 26478 --line-loss 0.01");
  RunResult ref = appliance("clean", false, clean);
  RunResult app = appliance("ab", true, ab);
  ASSERT_EQ(ref.rc, 0);
  ASSERT_EQ(app.rc, 0);
  ASSERT_GT(ref.orders.size(), 40u) << "the sniper rules of replay.toml must fire, or this proves nothing";
  EXPECT_EQ(app.books, ref.books);
  EXPECT_EQ(app.orders, ref.orders);
  EXPECT_EQ(app.stats["gaps"], 0u);
  EXPECT_EQ(app.stats["books_marked_stale"], 0u);
  // Each line lost packets of its own, and each delivered some messages first.
  EXPECT_GT(app.stats["line_gaps_a"], 0u);
  EXPECT_GT(app.stats["line_gaps_b"], 0u);
  EXPECT_GT(app.stats["line_first_messages_b"], 0u);
  EXPECT_EQ(app.stats["line_first_messages_a"] + app.stats["line_first_messages_b"], app.stats["messages"]);
  EXPECT_GT(app.stats["line_duplicates_b"], 0u);
  const RunResult bt = backtest("ab_bt", true, ab);
  if (bt.rc == -1) GTEST_SKIP() << "sf-backtest is not built in this tree";
  ASSERT_EQ(bt.rc, 0);
  EXPECT_EQ(bt.books, app.books);
  EXPECT_EQ(bt.orders, app.orders);
}

TEST_F(Arbitration, LossOnBothLinesIsTheGapOfAOneLineFeed) {
  // --gap-rate drops a packet from both lines; --line-loss adds loss on one line at a time.
  const fs::path one = feed("gappy", "--gap-rate 0.0005");
  const fs::path ab = feed("ab_gappy", "--gap-rate 0.0005 --line-b-port 26478 --line-loss 0.01");
  RunResult ref = appliance("gappy", false, one);
  RunResult app = appliance("ab_gappy", true, ab);
  ASSERT_EQ(ref.rc, 0);
  ASSERT_EQ(app.rc, 0);
  ASSERT_GT(ref.stats["gaps"], 0u) << "the feed must have lost a packet";
  EXPECT_EQ(app.stats["gaps"], ref.stats["gaps"]);
  EXPECT_EQ(app.stats["gap_messages"], ref.stats["gap_messages"]);
  EXPECT_EQ(app.stats["books_marked_stale"], ref.stats["books_marked_stale"]);
  EXPECT_EQ(app.books, ref.books);
  EXPECT_EQ(app.orders, ref.orders);
  const RunResult bt = backtest("ab_gappy_bt", true, ab);
  if (bt.rc == -1) GTEST_SKIP() << "sf-backtest is not built in this tree";
  ASSERT_EQ(bt.rc, 0);
  EXPECT_EQ(bt.books, app.books);
  EXPECT_EQ(bt.orders, app.orders);
}

// Line B on a second port (two NICs, #12): sf-feedgen's A/B pcap split by UDP port into one pcap per
// net_pcap device (tshark), each line with its own 1 % loss. The RX lcore polls both ports into one
// arbiter: books and orders byte-identical to the lossless one-line run, nothing stale, and each line's
// own counters equal those of the same lines on one port.
TEST_F(Arbitration, LineBOnASecondPortChangesNothing) {
  if (run("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";
  const fs::path clean = feed("clean_2p", "");
  const fs::path ab = feed("ab_2p", "--line-b-port 26478 --line-loss 0.01");
  const fs::path a = *dir_ / "line_a.pcap", b = *dir_ / "line_b.pcap";
  for (const auto& [port, out] : {std::pair{"26477", a}, std::pair{"26478", b}})
    ASSERT_EQ(run("tshark -r " + ab.string() + " -Y 'udp.dstport == " + port + "' -F pcap -w " +
                  out.string() + " > /dev/null 2>&1"),
              0);
  RunResult ref = appliance("clean_2p", false, clean);
  RunResult one_port = appliance("ab_1p", true, ab);
  RunResult two_ports = sf::testing::replay_appliance(*dir_, "ab_2p", two_port_config(b), a);
  ASSERT_EQ(ref.rc, 0);
  ASSERT_EQ(two_ports.rc, 0);
  ASSERT_GT(ref.orders.size(), 40u) << "the sniper rules of replay.toml must fire, or this proves nothing";
  EXPECT_EQ(two_ports.books, ref.books);
  EXPECT_EQ(two_ports.orders, ref.orders);
  EXPECT_EQ(two_ports.stats["gaps"], 0u);
  EXPECT_EQ(two_ports.stats["books_marked_stale"], 0u);
  EXPECT_EQ(two_ports.stats["messages"], ref.stats["messages"]);
  EXPECT_GT(two_ports.stats["line_packets_b"], 0u);
  EXPECT_GT(two_ports.stats["line_first_messages_b"], 0u);
  EXPECT_EQ(two_ports.stats["line_first_messages_a"] + two_ports.stats["line_first_messages_b"],
            two_ports.stats["messages"]);
  for (const char* k : {"line_packets_a", "line_packets_b", "line_gaps_a", "line_gaps_b", "feed_packets"})
    EXPECT_EQ(two_ports.stats[k], one_port.stats[k]) << k;
  EXPECT_GT(two_ports.stats["line_gaps_a"], 0u);
  EXPECT_GT(two_ports.stats["line_gaps_b"], 0u);
}

}  // namespace
