// io: libpcap writer/reader round trip with nanosecond timestamps, microsecond pcaps read as ns,
// BinaryFILE reader/writer including truncated input.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "bytes.hpp"
#include "sniperforge/io/binary_file.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/endian.hpp"

namespace fs = std::filesystem;

namespace {
fs::path tmp(const std::string& name) {
  return fs::temp_directory_path() / ("sf-io-" + std::to_string(::getpid()) + "-" + name);
}
}  // namespace

TEST(Io, PcapRoundTripKeepsNanoseconds) {
  const fs::path p = tmp("rt.pcap");
  {
    sf::io::PcapWriter w;
    ASSERT_TRUE(w.open(p.string())) << w.error();
    const uint8_t a[] = {1, 2, 3};
    const uint8_t b[] = {4, 5, 6, 7, 8};
    w.write(1'767'312'000'123'456'789ull, a, sizeof a);
    w.write(1'767'312'001'000'000'001ull, b, sizeof b);
    EXPECT_EQ(w.packets(), 2u);
    ASSERT_TRUE(w.close());
  }
  // Nanosecond pcap magic a1b23c4d (little-endian on disk: 4d 3c b2 a1).
  std::ifstream in(p, std::ios::binary);
  uint8_t magic[4] = {};
  in.read(reinterpret_cast<char*>(magic), 4);
  EXPECT_EQ(sf::proto::load_be32(magic), 0x4d3cb2a1u);
  sf::io::PcapReader r;
  ASSERT_TRUE(r.open(p.string())) << r.error();
  EXPECT_EQ(r.link_type(), sf::io::kLinkTypeEthernet);
  sf::io::PcapPacket pk;
  ASSERT_TRUE(r.next(pk));
  EXPECT_EQ(pk.ts_ns, 1'767'312'000'123'456'789ull);
  EXPECT_EQ(pk.caplen, 3u);
  EXPECT_EQ(pk.data[2], 3);
  ASSERT_TRUE(r.next(pk));
  EXPECT_EQ(pk.ts_ns, 1'767'312'001'000'000'001ull);
  EXPECT_EQ(pk.len, 5u);
  EXPECT_FALSE(r.next(pk));
  EXPECT_TRUE(r.error().empty());
  fs::remove(p);
}

TEST(Io, MicrosecondPcapReadAsNanoseconds) {
  // Classic microsecond pcap written byte by byte: global header + one 2-byte record.
  sf::test::Bytes b;
  auto le32 = [&](uint32_t v) { b.u8(v & 0xff).u8((v >> 8) & 0xff).u8((v >> 16) & 0xff).u8(v >> 24); };
  auto le16 = [&](uint16_t v) { b.u8(v & 0xff).u8(v >> 8); };
  le32(0xa1b2c3d4);
  le16(2);
  le16(4);
  le32(0);
  le32(0);
  le32(65535);
  le32(1);
  le32(1'700'000'000);  // ts_sec
  le32(654'321);        // ts_usec
  le32(2);
  le32(2);
  b.u8(0xAA).u8(0xBB);
  const fs::path p = tmp("us.pcap");
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  sf::io::PcapReader r;
  ASSERT_TRUE(r.open(p.string())) << r.error();
  sf::io::PcapPacket pk;
  ASSERT_TRUE(r.next(pk));
  EXPECT_EQ(pk.ts_ns, 1'700'000'000'654'321'000ull);
  EXPECT_EQ(pk.data[1], 0xBB);
  fs::remove(p);
}

TEST(Io, MissingOrBadFilesReportErrors) {
  sf::io::PcapReader r;
  EXPECT_FALSE(r.open("/nonexistent/x.pcap"));
  EXPECT_FALSE(r.error().empty());
  sf::io::PcapPacket pk;
  EXPECT_FALSE(r.next(pk));
  const fs::path p = tmp("junk.pcap");
  std::ofstream(p) << "definitely not a pcap file";
  EXPECT_FALSE(r.open(p.string()));
  fs::remove(p);
  sf::io::BinaryFileReader br;
  EXPECT_FALSE(br.open("/nonexistent/x.itch"));
  sf::io::PcapWriter w;
  EXPECT_FALSE(w.open("/nonexistent/dir/x.pcap"));
}

TEST(Io, BinaryFileRoundTripAndTruncation) {
  const fs::path p = tmp("bf.itch");
  {
    sf::io::BinaryFileWriter w;
    ASSERT_TRUE(w.open(p.string()));
    const uint8_t m1[] = {'S', 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'O'};
    const uint8_t m2[] = {'X', 1};
    w.write(m1, sizeof m1);
    w.write(m2, sizeof m2);
    ASSERT_TRUE(w.close());
  }
  sf::io::BinaryFileReader r;
  ASSERT_TRUE(r.open(p.string()));
  EXPECT_EQ(r.bytes().size(), 2u + 12 + 2 + 2);
  const uint8_t* m;
  uint16_t len;
  ASSERT_TRUE(r.next(m, len));
  EXPECT_EQ(len, 12);
  EXPECT_EQ(m[11], 'O');
  ASSERT_TRUE(r.next(m, len));
  EXPECT_EQ(len, 2);
  EXPECT_FALSE(r.next(m, len));
  EXPECT_FALSE(r.truncated());
  // Cut inside the last message, and inside a length prefix.
  std::vector<uint8_t> bytes(r.bytes().begin(), r.bytes().end());
  bytes.pop_back();
  r.assign(bytes);
  ASSERT_TRUE(r.next(m, len));
  EXPECT_FALSE(r.next(m, len));
  EXPECT_TRUE(r.truncated());
  r.assign({0x00});
  EXPECT_FALSE(r.next(m, len));
  EXPECT_TRUE(r.truncated());
  r.assign({});
  EXPECT_FALSE(r.next(m, len));
  EXPECT_FALSE(r.truncated());
  fs::remove(p);
}

// A FIFO (e.g. `cat day.itch | tool /dev/stdin`) cannot be mapped: it is read whole, more than one
// pipe buffer's worth, with nothing lost at the start.
TEST(Io, BinaryFileFromPipeIsReadWhole) {
  const fs::path p = tmp("bf.fifo");
  fs::remove(p);
  ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
  constexpr int kRecords = 20'000;  // 280 kB, several pipe buffers
  std::thread writer([&] {
    sf::io::BinaryFileWriter w;
    ASSERT_TRUE(w.open(p.string()));
    uint8_t m[12] = {'S', 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'O'};
    for (int i = 0; i < kRecords; ++i) {
      sf::proto::store_be<uint16_t>(m + 1, static_cast<uint16_t>(i));
      w.write(m, sizeof m);
    }
    ASSERT_TRUE(w.close());
  });
  sf::io::BinaryFileReader r;
  const bool opened = r.open(p.string());
  writer.join();
  ASSERT_TRUE(opened) << r.error();
  const uint8_t* m;
  uint16_t len;
  int n = 0;
  while (r.next(m, len)) {
    ASSERT_EQ(len, 12);
    EXPECT_EQ(sf::proto::load_be16(m + 1), static_cast<uint16_t>(n));
    ++n;
  }
  EXPECT_EQ(n, kRecords);
  EXPECT_FALSE(r.truncated());
  fs::remove(p);
}
