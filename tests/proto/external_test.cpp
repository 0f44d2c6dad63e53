// External data in ../shared/data/itch (provenance in its SOURCES.md): the RITCH BinaryFILE sample,
// the OMI ITCH 5.0 captures (MoldUDP64) and the OMI OUCH 5.0 captures (SoupBinTCP over TCP).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sniperforge/io/binary_file.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/feed.hpp"
#include "sniperforge/proto/ouch.hpp"

namespace fs = std::filesystem;
namespace itch = sf::itch;

namespace {

fs::path data_dir() {
  const char* d = std::getenv("SF_SHARED_DATA");
  return d ? fs::path(d) / "itch" : fs::path();
}

#define REQUIRE_DATA(path)                                                          \
  if (data_dir().empty() || !fs::exists(path)) {                                    \
    GTEST_SKIP() << "external test data absent: " << (path) << " (SF_SHARED_DATA)"; \
  }

std::vector<fs::path> pcaps_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".pcap") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Decodes every frame of an ITCH capture (UDP to whatever port it uses) through the shared
// MoldUDP64 + ITCH path; returns per-type message counts.
std::map<char, int> decode_itch_capture(const fs::path& file, int& packets) {
  std::map<char, int> counts;
  sf::io::PcapReader r;
  EXPECT_TRUE(r.open(file.string())) << r.error();
  EXPECT_EQ(r.link_type(), sf::io::kLinkTypeEthernet);
  sf::io::PcapPacket p;
  packets = 0;
  while (r.next(p)) {
    sf::feed::PacketInfo info;
    EXPECT_EQ(p.caplen, p.len) << file;
    const auto e = sf::feed::decode_frame(
        p.data, p.caplen,
        [&] {
          sf::net::UdpDatagram d;
          return sf::net::parse_udp(p.data, p.caplen, d) == sf::net::Error::kOk ? d.dst_port : uint16_t{0};
        }(),
        info,
        [&](uint64_t, const uint8_t* msg, std::size_t len) {
          EXPECT_EQ(itch::validate(msg, len), itch::Error::kOk);
          ++counts[static_cast<char>(msg[0])];
        });
    EXPECT_EQ(e, sf::feed::Error::kOk) << file << ": " << sf::feed::to_string(e);
    ++packets;
  }
  return counts;
}

// TCP payload of an Ethernet/IPv4/TCP frame (test-only helper: no reassembly beyond concatenation).
bool tcp_payload(const uint8_t* f, std::size_t n, std::string& flow, std::vector<uint8_t>& out) {
  std::size_t l2 = 14;
  while (n >= l2 + 4 &&
         (sf::proto::load_be16(f + l2 - 2) == 0x8100 || sf::proto::load_be16(f + l2 - 2) == 0x88a8))
    l2 += 4;  // VLAN tags
  if (n < l2 + 20 || sf::proto::load_be16(f + l2 - 2) != 0x0800) return false;
  const uint8_t* ip = f + l2;
  const std::size_t ihl = (ip[0] & 0x0f) * 4u;
  const std::size_t total = sf::proto::load_be16(ip + 2);
  if (ip[9] != 6 || total > n - l2 || total < ihl + 20) return false;
  const uint8_t* tcp = ip + ihl;
  const std::size_t doff = (tcp[12] >> 4) * 4u;
  if (ihl + doff > total) return false;
  flow = std::to_string(sf::proto::load_be32(ip + 12)) + ":" + std::to_string(sf::proto::load_be16(tcp)) +
         ">" + std::to_string(sf::proto::load_be16(tcp + 2));
  out.assign(tcp + doff, ip + total);
  return true;
}

}  // namespace

TEST(ExternalRitch, EveryMessageDecodesWithDocumentedCounts) {
  const fs::path file = data_dir() / "ritch" / "ex20101224.TEST_ITCH_50.lenprefix.itch";
  REQUIRE_DATA(file);
  sf::io::BinaryFileReader r;
  ASSERT_TRUE(r.open(file.string())) << r.error();
  const uint8_t* msg;
  uint16_t len;
  std::map<char, int> counts;
  int total = 0;
  uint64_t last_ts = 0;
  bool monotonic = true;
  while (r.next(msg, len)) {
    ASSERT_EQ(itch::validate(msg, len), itch::Error::kOk) << "message " << total;
    // Every message goes through its typed view.
    const uint64_t ts = itch::visit(msg, [](auto v) { return v.timestamp(); });
    monotonic = monotonic && ts >= last_ts;
    last_ts = ts;
    ++counts[static_cast<char>(msg[0])];
    ++total;
  }
  EXPECT_FALSE(r.truncated());
  EXPECT_EQ(total, 12'012);
  EXPECT_TRUE(monotonic);
  const std::map<char, int> want = {{'S', 6},   {'R', 3},  {'H', 3},    {'A', 4997}, {'F', 3},
                                    {'E', 198}, {'X', 45}, {'D', 1745}, {'U', 12},   {'P', 5000}};
  EXPECT_EQ(counts, want);
  // The three made-up stocks of the sample.
  r.rewind();
  std::vector<std::string> stocks;
  while (r.next(msg, len))
    if (msg[0] == 'R') stocks.emplace_back(itch::trim_alpha(itch::StockDirectory{msg}.stock()));
  EXPECT_EQ(stocks, (std::vector<std::string>{"ALC", "BOB", "CHAR"}));
}

TEST(ExternalRitch, VerbatimFileHasZeroPrefixes) {
  // RITCH's writer leaves 0x0000 in every prefix; a standard reader sees empty messages, which
  // the ITCH layer rejects as "empty" rather than misreading bytes.
  const fs::path file = data_dir() / "ritch" / "ex20101224.TEST_ITCH_50";
  REQUIRE_DATA(file);
  sf::io::BinaryFileReader r;
  ASSERT_TRUE(r.open(file.string()));
  const uint8_t* msg;
  uint16_t len;
  ASSERT_TRUE(r.next(msg, len));
  EXPECT_EQ(len, 0);
  EXPECT_EQ(itch::validate(msg, len), itch::Error::kEmpty);
}

TEST(ExternalOmi, RealFeedCapturesDecodeViaMoldUdp64) {
  const fs::path dir = data_dir() / "omi-pcaps" / "Nasdaq.Equities.TotalView.Itch.v5.0";
  REQUIRE_DATA(dir);
  const std::map<std::string, char> expect = {{"AddOrderNoMpidAttributionMessage.pcap", 'A'},
                                              {"MarketParticipantPositionMessage.pcap", 'L'},
                                              {"NetOrderImbalanceIndicatorMessage.pcap", 'I'},
                                              {"OrderDeleteMessage.pcap", 'D'},
                                              {"OrderExecutedMessage.pcap", 'E'},
                                              {"OrderReplaceMessage.pcap", 'U'},
                                              {"StockTradingActionMessage.pcap", 'H'}};
  int files = 0;
  for (const auto& f : pcaps_in(dir)) {
    int packets = 0;
    const auto counts = decode_itch_capture(f, packets);
    const std::string name = f.filename().string();
    if (name == "Multiple.Packets.pcap") {
      EXPECT_EQ(packets, 2);
      int total = 0;
      for (const auto& [t, c] : counts) total += c;
      EXPECT_EQ(total, 39);
      EXPECT_EQ(counts.at('F'), 2);
    } else {
      ASSERT_TRUE(expect.count(name)) << name;
      EXPECT_EQ(counts, (std::map<char, int>{{expect.at(name), 1}})) << name;
    }
    ++files;
  }
  EXPECT_EQ(files, 8);
}

TEST(ExternalOmi, MultiplePacketsSequenceAndFirstMessage) {
  const fs::path f =
      data_dir() / "omi-pcaps" / "Nasdaq.Equities.TotalView.Itch.v5.0" / "Multiple.Packets.pcap";
  REQUIRE_DATA(f);
  sf::io::PcapReader r;
  ASSERT_TRUE(r.open(f.string()));
  sf::io::PcapPacket p;
  std::vector<uint64_t> seqs;
  std::size_t payload = 0;
  while (r.next(p)) {
    sf::feed::PacketInfo info;
    ASSERT_EQ(sf::feed::decode_frame(p.data, p.caplen, 26477, info,
                                     [&](uint64_t s, const uint8_t*, std::size_t) { seqs.push_back(s); }),
              sf::feed::Error::kOk);
    EXPECT_EQ(info.mold.session(), "000010059B");
    EXPECT_EQ(info.udp.dst_ip, 0xE9360C6Fu);  // 233.54.12.111
    payload = info.udp.payload_length;
  }
  EXPECT_EQ(payload, 1472u);  // the 38-message packet fills a 1500-byte MTU
  ASSERT_EQ(seqs.size(), 39u);
  for (std::size_t i = 2; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1);
}

TEST(ExternalOmi, SyntheticCapturesEveryType) {
  const fs::path dir = data_dir() / "omi-pcaps" / "Nasdaq.Equities.TotalView.Itch.v5.0.20230822";
  REQUIRE_DATA(dir);
  const std::map<std::string, char> expect = {{"AddOrderNoMPID.pcap", 'A'},
                                              {"AddOrderWithMPID.pcap", 'F'},
                                              {"CrossTrade.pcap", 'Q'},
                                              {"LULDAuctionCollar.pcap", 'J'},
                                              {"MarketParticipantPosition.pcap", 'L'},
                                              {"NetOrderImbalanceIndicator.pcap", 'I'},
                                              {"NonCrossTrade.pcap", 'P'},
                                              {"OrderCancel.pcap", 'X'},
                                              {"OrderDelete.pcap", 'D'},
                                              {"OrderExecuted.pcap", 'E'},
                                              {"OrderExecutedWithPrice.pcap", 'C'},
                                              {"OrderReplace.pcap", 'U'},
                                              {"RegSHORestriction.pcap", 'Y'},
                                              {"StockTradingAction.pcap", 'H'},
                                              {"SystemEvent.pcap", 'S'}};
  int files = 0;
  for (const auto& f : pcaps_in(dir)) {
    int packets = 0;
    const auto counts = decode_itch_capture(f, packets);
    const std::string name = f.filename().string();
    ASSERT_TRUE(expect.count(name)) << name;
    ASSERT_EQ(counts.size(), 1u) << name;
    EXPECT_EQ(counts.begin()->first, expect.at(name)) << name;
    EXPECT_EQ(counts.begin()->second, packets) << name;  // one message per packet
    ++files;
  }
  EXPECT_EQ(files, 15);
}

TEST(ExternalOmi, OuchMessagesInsideSoupBinTcp) {
  const fs::path dir = data_dir() / "omi-pcaps" / "Nasdaq.Nsm.Ouch.v5.0";
  REQUIRE_DATA(dir);
  std::map<std::string, std::vector<std::string>> seen;  // file -> "kind:type:len"
  std::map<std::string, std::string> firms;
  for (const auto& f : pcaps_in(dir)) {
    sf::io::PcapReader r;
    ASSERT_TRUE(r.open(f.string())) << r.error();
    sf::io::PcapPacket p;
    std::map<std::string, std::vector<uint8_t>> streams;
    std::string flow;
    std::vector<uint8_t> pl;
    while (r.next(p))
      if (tcp_payload(p.data, p.caplen, flow, pl))
        streams[flow].insert(streams[flow].end(), pl.begin(), pl.end());
    const std::string name = f.filename().string();
    for (const auto& [fl, s] : streams) {
      std::size_t off = 0;
      while (off + 3 <= s.size()) {  // SoupBinTCP: u16 length + type + payload
        const std::size_t n = sf::proto::load_be16(s.data() + off);
        ASSERT_GE(n, 1u);
        ASSERT_LE(off + 2 + n, s.size()) << name;
        const char type = static_cast<char>(s[off + 2]);
        const uint8_t* m = s.data() + off + 3;
        const std::size_t mlen = n - 1;
        if (type == 'U') {  // unsequenced data: OUCH inbound
          ASSERT_EQ(sf::ouch::inbound::validate(m, mlen), sf::ouch::Error::kOk) << name;
          seen[name].push_back("U:" + std::string(1, static_cast<char>(m[0])) + ":" + std::to_string(mlen));
          sf::ouch::inbound::visit(m, mlen, [&](auto v) {
            if constexpr (requires { v.appendage(); }) {
              sf::ouch::TagValue tv;
              if (v.appendage().find(sf::ouch::tag::kFirm, tv))
                firms[name] = std::string(tv.value.begin(), tv.value.end());
            }
          });
        } else if (type == 'S') {  // sequenced data: OUCH outbound
          ASSERT_EQ(sf::ouch::outbound::validate(m, mlen), sf::ouch::Error::kOk) << name;
          seen[name].push_back("S:" + std::string(1, static_cast<char>(m[0])) + ":" + std::to_string(mlen));
          sf::ouch::outbound::visit(m, mlen, [&](auto v) {
            if constexpr (requires { v.appendage(); }) {
              sf::ouch::TagValue tv;
              if (v.appendage().find(sf::ouch::tag::kFirm, tv))
                firms[name] = std::string(tv.value.begin(), tv.value.end());
            }
          });
        } else {
          seen[name].push_back(std::string(1, type) + ":" + std::to_string(mlen));
        }
        off += 2 + n;
      }
      EXPECT_EQ(off, s.size()) << name;
    }
  }
  EXPECT_EQ(seen["EnterOrderMessage.pcap"], (std::vector<std::string>{"U:O:53"}));
  EXPECT_EQ(seen["OrderAcceptedMessage.pcap"], (std::vector<std::string>{"S:A:73"}));
  EXPECT_EQ(seen["CancelOrderMessage.pcap"], (std::vector<std::string>{"U:X:9"}));
  EXPECT_EQ(seen["CanceledMessage.pcap"], (std::vector<std::string>{"S:C:18"}));
  EXPECT_EQ(seen["ClientHeartbeatPacket.pcap"], (std::vector<std::string>{"R:0"}));
  EXPECT_EQ(seen["ServerHeartbeatPacket.pcap"], (std::vector<std::string>{"H:0"}));
  EXPECT_EQ(firms["EnterOrderMessage.pcap"], "LIME");
  EXPECT_EQ(firms["OrderAcceptedMessage.pcap"], "MLRO");
}
