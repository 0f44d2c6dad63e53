// sf-feedgen and sf-pcap as installed binaries: exact JSON round trip, determinism, Wireshark's
// MoldUDP64 dissector agreement, BinaryFILE output and --from-binaryfile conversion, fault reports.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sniperforge/io/binary_file.hpp"
#include "sniperforge/io/itch_json.hpp"

namespace fs = std::filesystem;

namespace {

std::string env(const char* k) {
  const char* v = std::getenv(k);
  return v ? v : "";
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

class Tools : public ::testing::Test {
 protected:
  void SetUp() override {
    feedgen_ = env("SF_FEEDGEN");
    pcap_ = env("SF_PCAP");
    ASSERT_FALSE(feedgen_.empty() || pcap_.empty()) << "SF_FEEDGEN / SF_PCAP not set by meson";
    dir_ = fs::temp_directory_path() / ("sf-proto-tools-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  int run(const std::string& cmd) { return std::system(cmd.c_str()); }
  fs::path p(const std::string& name) const { return dir_ / name; }

  std::string feedgen_, pcap_;
  fs::path dir_;
};

}  // namespace

TEST_F(Tools, PcapDecodeRoundTripsFeedgenExactly) {
  ASSERT_EQ(run(feedgen_ +
                " -q --seed 11 --messages 60000 --instruments 30 --live-orders 1500 --far-fraction 0.05 -o " +
                p("f.pcap").string() + " --json-out " + p("want.jsonl").string()),
            0);
  ASSERT_EQ(run(pcap_ + " decode " + p("f.pcap").string() + " > " + p("got.jsonl").string() + " 2> " +
                p("err.txt").string()),
            0);
  const std::string want = slurp(p("want.jsonl")), got = slurp(p("got.jsonl"));
  EXPECT_EQ(lines(got).size(), 60'000u);
  EXPECT_TRUE(want == got) << "first differing line: " << [&] {
    auto a = lines(want), b = lines(got);
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
      if (a[i] != b[i]) return a[i] + " vs " + b[i];
    return std::string("(length)");
  }();
  EXPECT_EQ(slurp(p("err.txt")).find("invalid"), std::string::npos);
}

TEST_F(Tools, OtherPortAndGroup) {
  ASSERT_EQ(run(feedgen_ + " -q --messages 5000 --port 30001 --group 239.1.2.3 --vlan 12 -o " +
                p("f.pcap").string() + " --json-out " + p("want.jsonl").string()),
            0);
  ASSERT_EQ(
      run(pcap_ + " decode " + p("f.pcap").string() + " > " + p("default.jsonl").string() + " 2>/dev/null"),
      0);
  EXPECT_EQ(slurp(p("default.jsonl")), "");  // nothing on 26477
  ASSERT_EQ(run(pcap_ + " decode --port 30001 " + p("f.pcap").string() + " > " + p("got.jsonl").string() +
                " 2>/dev/null"),
            0);
  EXPECT_EQ(slurp(p("got.jsonl")), slurp(p("want.jsonl")));
}

TEST_F(Tools, FeedgenDeterministic) {
  const std::string args =
      " -q --seed 5 --messages 30000 --gap-rate 0.01 --dup-rate 0.01 --garbage-rate 0.01 -o ";
  ASSERT_EQ(run(feedgen_ + args + p("a.pcap").string()), 0);
  ASSERT_EQ(run(feedgen_ + args + p("b.pcap").string()), 0);
  ASSERT_EQ(run(feedgen_ + " -q --seed 6 --messages 30000 -o " + p("c.pcap").string()), 0);
  EXPECT_EQ(slurp(p("a.pcap")), slurp(p("b.pcap")));
  EXPECT_NE(slurp(p("a.pcap")), slurp(p("c.pcap")));
}

TEST_F(Tools, InvalidFeedPacketsReportedByReason) {
  ASSERT_EQ(run(feedgen_ + " -q --seed 3 --messages 20000 --garbage-rate 0.05 -o " + p("f.pcap").string()),
            0);
  ASSERT_EQ(run(pcap_ + " decode " + p("f.pcap").string() + " > " + p("out.jsonl").string() + " 2> " +
                p("err.txt").string()),
            0);
  const std::string err = slurp(p("err.txt"));
  EXPECT_NE(err.find("invalid packets on the feed port"), std::string::npos) << err;
  EXPECT_NE(err.find("mold_"), std::string::npos) << err;
  EXPECT_EQ(lines(slurp(p("out.jsonl"))).size(), 20'000u);  // every real message still decoded
}

TEST_F(Tools, WiresharkMoldUdp64DissectorAgrees) {
  if (run("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";
  ASSERT_EQ(run(feedgen_ +
                " -q --seed 9 --messages 20000 --msgs-per-packet 30 --gap-rate 0.02 --dup-rate 0.02 "
                "--heartbeat-every 25 -o " +
                p("f.pcap").string() + " --manifest " + p("manifest.csv").string()),
            0);
  ASSERT_EQ(
      run("tshark -r " + p("f.pcap").string() +
          " -d udp.port==26477,moldudp64 -T fields -E separator=, -e moldudp64.sequence -e moldudp64.count"
          " -e moldudp64.msglen > " +
          p("tshark.csv").string() + " 2>/dev/null"),
      0);
  const auto want = lines(slurp(p("manifest.csv")));
  const auto got = lines(slurp(p("tshark.csv")));
  ASSERT_EQ(got.size(), want.size());
  ASSERT_GT(want.size(), 100u);
  uint64_t blocks_total = 0, count_total = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    // manifest: kind,sequence,count    tshark: sequence,count,len1,len2,...
    const std::string expect = want[i].substr(want[i].find(',') + 1);
    std::vector<std::string> f;
    std::stringstream ss(got[i]);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_GE(f.size(), 2u) << got[i];
    EXPECT_EQ(f[0] + "," + f[1], expect) << "frame " << i;
    const uint64_t count = std::stoull(f[1]);
    if (count != 0xFFFF) {
      EXPECT_EQ(f.size() - 2, count) << "frame " << i;  // the dissector found that many blocks
      blocks_total += f.size() - 2;
      count_total += count;
    }
  }
  EXPECT_EQ(blocks_total, count_total);
  EXPECT_NE(want.back().find("end_of_session"), std::string::npos);
  EXPECT_NE(slurp(p("manifest.csv")).find("heartbeat,"), std::string::npos);
}

TEST_F(Tools, BinaryFileOutputMatchesPcapMessages) {
  ASSERT_EQ(run(feedgen_ + " -q --seed 4 --messages 10000 --format binaryfile -o " + p("f.itch").string() +
                " --json-out " + p("bin.jsonl").string()),
            0);
  ASSERT_EQ(run(feedgen_ + " -q --seed 4 --messages 10000 -o " + p("f.pcap").string() + " --json-out " +
                p("pcap.jsonl").string()),
            0);
  EXPECT_EQ(slurp(p("bin.jsonl")), slurp(p("pcap.jsonl")));
  sf::io::BinaryFileReader r;
  ASSERT_TRUE(r.open(p("f.itch").string()));
  const uint8_t* m;
  uint16_t len;
  std::string json;
  uint64_t seq = 1;
  while (r.next(m, len)) {
    sf::io::append_itch_json(json, seq++, m);
    json.push_back('\n');
  }
  EXPECT_FALSE(r.truncated());
  EXPECT_EQ(json, slurp(p("bin.jsonl")));
}

TEST_F(Tools, ConvertsRitchBinaryFileToMoldPcap) {
  const std::string data = env("SF_SHARED_DATA");
  const fs::path in = fs::path(data) / "itch" / "ritch" / "ex20101224.TEST_ITCH_50.lenprefix.itch";
  if (data.empty() || !fs::exists(in)) GTEST_SKIP() << "external test data absent: " << in;
  ASSERT_EQ(run(feedgen_ + " -q --from-binaryfile " + in.string() + " --msgs-per-packet 64 -o " +
                p("r.pcap").string()),
            0);
  ASSERT_EQ(run(pcap_ + " decode " + p("r.pcap").string() + " > " + p("r.jsonl").string() + " 2>/dev/null"),
            0);
  const auto ls = lines(slurp(p("r.jsonl")));
  ASSERT_EQ(ls.size(), 12'012u);
  std::map<std::string, int> counts;
  for (const auto& l : ls) ++counts[l.substr(l.find("\"type\":") + 8, 1)];
  const std::map<std::string, int> want = {{"S", 6},   {"R", 3},  {"H", 3},    {"A", 4997}, {"F", 3},
                                           {"E", 198}, {"X", 45}, {"D", 1745}, {"U", 12},   {"P", 5000}};
  EXPECT_EQ(counts, want);
  EXPECT_EQ(ls.front().rfind("{\"seq\":1,", 0), 0u);
  EXPECT_EQ(ls.back().rfind("{\"seq\":12012,", 0), 0u);
}

// A capture cut inside a record: the frames before the cut are decoded, the loss is reported and the
// exit status says the capture was not read to its end.
TEST_F(Tools, PcapDecodeFailsOnCutCapture) {
  ASSERT_EQ(run(feedgen_ + " -q --seed 2 --messages 3000 -o " + p("f.pcap").string()), 0);
  fs::resize_file(p("f.pcap"), fs::file_size(p("f.pcap")) / 2);
  EXPECT_NE(run(pcap_ + " decode " + p("f.pcap").string() + " > " + p("out.jsonl").string() + " 2> " +
                p("err.txt").string()),
            0);
  const std::string err = slurp(p("err.txt"));
  EXPECT_NE(err.find("stopped after"), std::string::npos) << err;
  const std::size_t decoded = lines(slurp(p("out.jsonl"))).size();
  EXPECT_GT(decoded, 1000u);
  EXPECT_LT(decoded, 3000u);
}

TEST_F(Tools, PcapDecodeCountsOtherTrafficByReason) {
  ASSERT_EQ(run(feedgen_ + " -q --messages 500 --port 30001 -o " + p("f.pcap").string()), 0);
  ASSERT_EQ(run(pcap_ + " decode " + p("f.pcap").string() + " > /dev/null 2> " + p("err.txt").string()), 0);
  const std::string err = slurp(p("err.txt"));
  EXPECT_NE(err.find("other frames by reason: wrong_port="), std::string::npos) << err;
}

// RITCH's verbatim file has 0x0000 in every length prefix: the conversion must count what it could
// not frame and fail, never pass it off as a clean conversion.
TEST_F(Tools, FeedgenRejectsZeroedLengthPrefixes) {
  const std::string data = env("SF_SHARED_DATA");
  const fs::path in = fs::path(data) / "itch" / "ritch" / "ex20101224.TEST_ITCH_50";
  if (data.empty() || !fs::exists(in)) GTEST_SKIP() << "external test data absent: " << in;
  EXPECT_NE(run(feedgen_ + " --from-binaryfile " + in.string() + " -o " + p("r.pcap").string() + " 2> " +
                p("err.txt").string()),
            0);
  const std::string err = slurp(p("err.txt"));
  EXPECT_NE(err.find("bytes not converted"), std::string::npos) << err;
  EXPECT_NE(err.find("messages are not valid ITCH 5.0"), std::string::npos) << err;
  EXPECT_EQ(err.find("by type:  "), std::string::npos)
      << "unprintable type bytes must be shown as hex: " << err;
}

// Records that are not valid ITCH 5.0 in a converted BinaryFILE are labelled in --json-out (they
// used to be printed as if they were full messages, reading past the record).
TEST_F(Tools, FeedgenJsonOutLabelsInvalidRecords) {
  {
    std::ofstream f(p("in.itch"), std::ios::binary);
    const unsigned char records[] = {0, 1, 'P', 0, 0, 0, 2, '?', '?'};
    f.write(reinterpret_cast<const char*>(records), sizeof records);
  }
  ASSERT_EQ(run(feedgen_ + " -q --from-binaryfile " + p("in.itch").string() + " -o " + p("r.pcap").string() +
                " --json-out " + p("r.jsonl").string()),
            0);
  EXPECT_EQ(slurp(p("r.jsonl")),
            "{\"seq\":1,\"invalid\":\"truncated\",\"length\":1}\n"
            "{\"seq\":2,\"invalid\":\"empty\",\"length\":0}\n"
            "{\"seq\":3,\"invalid\":\"unknown_type\",\"length\":2}\n");
}
