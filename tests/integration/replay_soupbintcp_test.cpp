// Issue #11, "Replay keeps working": with `[order_session] transport = "none"` (dpdk-config/replay.toml)
// the real sniperforge replays an sf-feedgen feed and every order the risk gate passes leaves as OUCH
// 5.0 in a SoupBinTCP 4.1 Unsequenced Data packet, in one synthetic TCP connection per shard. Wireshark's
// own dissectors must read the TX pcap: `tshark -d tcp.port==40001,soupbintcp` finds one handshake per
// shard, one Enter Order per order the summary says was sent (the same orders sf-tx-orders decodes), and
// no malformed packet, expert warning or TCP analysis flag; a capture with one segment cut out must be
// flagged (the check can fail).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sf_test_process.hpp"

namespace fs = std::filesystem;
using sf::testing::env;
using sf::testing::read_file;
using sf::testing::read_stats;
using sf::testing::run;

namespace {

constexpr int kShards = 2;

// The shipped replay config (transport "none") with two shards.
std::string two_shard_config() {
  std::istringstream in(read_file(env("SF_REPLAY_CONFIG")));
  std::string out, line, table;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') table = line.substr(0, line.rfind(']') + 1);
    if (table == "[trading]" && line.rfind("shards ", 0) == 0) line = "shards = " + std::to_string(kShards);
    out += line + "\n";
  }
  return out;
}

std::string tshark(const fs::path& pcap, const std::string& args, const fs::path& out) {
  EXPECT_EQ(run("tshark -r " + pcap.string() + " -d tcp.port==40001,soupbintcp " + args + " > " +
                out.string() + " 2>/dev/null"),
            0);
  return read_file(out);
}

std::size_t lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

class ReplaySoupBinTcp : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_TX_ORDERS", "SF_REPLAY_CONFIG"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    dir_ = fs::temp_directory_path() / ("sf-replay-soup-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

}  // namespace

TEST_F(ReplaySoupBinTcp, TsharkReadsEveryOrderOfTheTxPcap) {
  const fs::path feed = dir_ / "feed.pcap", tx = dir_ / "tx.pcap", cfg = dir_ / "replay.toml";
  ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 3 --messages 60000 -o " + feed.string()), 0);
  std::ofstream(cfg) << two_shard_config();
  ASSERT_EQ(run(env("SNIPERFORGE") + " --config " + cfg.string() + " --rx-pcap " + feed.string() +
                " --tx-pcap " + tx.string() + " --stats-file " + (dir_ / "stats").string() + " -q > " +
                (dir_ / "summary.txt").string() + " 2>&1"),
            0)
      << read_file(dir_ / "summary.txt");
  auto stats = read_stats(dir_ / "stats");
  const uint64_t sent = stats["orders_buy"] + stats["orders_sell"];
  ASSERT_GT(sent, 20u) << "the sniper rules of replay.toml should fire on this feed";
  EXPECT_EQ(stats["tx_packets"], sent + 3 * kShards) << "the orders and one handshake per shard";
  EXPECT_NE(read_file(dir_ / "summary.txt").find("orders:        " + std::to_string(sent) + " sent"),
            std::string::npos);

  // One SYN, one SYN-ACK per shard connection, each from its own client port.
  const std::string syn = tshark(
      tx, "-Y 'tcp.flags.syn==1' -T fields -e tcp.srcport -e tcp.dstport -e tcp.flags.ack", dir_ / "syn.txt");
  EXPECT_EQ(lines(syn), 2u * kShards) << syn;
  for (int s = 0; s < kShards; ++s)
    EXPECT_NE(syn.find(std::to_string(40000 + s) + "\t40001"), std::string::npos) << syn;

  // Every SoupBinTCP packet is Unsequenced Data carrying an OUCH Enter Order ('O' = 0x4f).
  const std::string soup =
      tshark(tx, "-Y soupbintcp -T fields -e soupbintcp.packet_type -e soupbintcp.message -E occurrence=a",
             dir_ / "soup.txt");
  std::istringstream in(soup);
  std::size_t enter_orders = 0, other = 0;
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.find('\t');
    const std::string type = line.substr(0, tab), msg = line.substr(tab + 1);
    if (type == "'U'" && msg.rfind("4f", 0) == 0 && msg.size() == 2 * 47) {
      ++enter_orders;
    } else {
      ++other;
    }
  }
  EXPECT_EQ(enter_orders, sent) << soup.substr(0, 2000);
  EXPECT_EQ(other, 0u) << soup.substr(0, 2000);

  // The same orders as the project's own decoder reads (one CSV line per order, plus the header).
  ASSERT_EQ(
      run(env("SF_TX_ORDERS") + " " + tx.string() + " > " + (dir_ / "orders.csv").string() + " 2>/dev/null"),
      0);
  EXPECT_EQ(lines(read_file(dir_ / "orders.csv")), sent + 1);

  // Nothing malformed, no expert note/warning/error (chat-level SYN notes aside), no TCP analysis flag.
  const std::string problems = "-Y '_ws.malformed || _ws.expert.severity >= 4194304 || tcp.analysis.flags'";
  EXPECT_EQ(tshark(tx, problems, dir_ / "problems.txt"), "");

  // The check can fail: cut one order segment out and tshark notices the hole.
  const fs::path cut = dir_ / "cut.pcap";
  ASSERT_EQ(run("editcap -r " + tx.string() + " " + cut.string() + " 1-9 11-1000000 >/dev/null 2>&1"), 0);
  EXPECT_GT(lines(tshark(cut, problems, dir_ / "cut.txt")), 0u);
}
