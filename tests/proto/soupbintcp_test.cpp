// SoupBinTCP 4.1 golden vectors (every packet type, written byte by byte from the specification's
// tables), drop reasons, and the stream reassembler under every possible split of a stream.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "bytes.hpp"
#include "sniperforge/proto/soupbintcp.hpp"

using sf::test::Bytes;
namespace soup = sf::soupbintcp;
using soup::Direction;

namespace {
std::vector<uint8_t> written(const std::function<bool(soup::PacketWriter&)>& f) {
  std::vector<uint8_t> buf(256);
  soup::PacketWriter w(buf);
  EXPECT_TRUE(f(w));
  buf.resize(w.size());
  return buf;
}
struct Got {
  std::vector<std::pair<char, std::vector<uint8_t>>> packets;
};
Got reassemble(Direction d, const std::vector<uint8_t>& stream, std::size_t chunk,
               soup::ReassemblerCounters* counters = nullptr) {
  Got g;
  soup::StreamReassembler r(d);
  for (std::size_t off = 0; off < stream.size(); off += chunk) {
    const std::size_t n = std::min(chunk, stream.size() - off);
    r.feed({stream.data() + off, n}, [&](const soup::Packet& p) {
      g.packets.emplace_back(p.type, std::vector<uint8_t>(p.payload.begin(), p.payload.end()));
    });
  }
  if (counters) *counters = r.counters();
  return g;
}
std::vector<uint8_t> bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}
}  // namespace

// ---------------- golden vectors ----------------
TEST(SoupBinTcpGolden, LoginRequest) {
  Bytes b;
  b.u16(47).c('L').a("SNIPE0", 6).a("s3cret", 10).a("", 10).a("                 123", 20);
  ASSERT_EQ(b.size(), 49u);
  EXPECT_EQ(written([](auto& w) { return w.login_request("SNIPE0", "s3cret", "", 123); }), b.v);
  Bytes padded;  // a short username is padded too
  padded.u16(47).c('L').a("AB", 6).a("pw", 10).a("SESSION001", 10).a("                   1", 20);
  EXPECT_EQ(written([](auto& w) { return w.login_request("AB", "pw", "SESSION001", 1); }), padded.v);
  const soup::LoginRequest v{std::span<const uint8_t>(padded.v).subspan(3)};
  EXPECT_EQ(v.username(), "AB");
  EXPECT_EQ(v.password(), "pw");
  EXPECT_EQ(v.requested_session(), "SESSION001");
  EXPECT_EQ(v.requested_sequence(), 1u);
  EXPECT_EQ(v.heartbeat_timeout_ms(), 0u);
}

TEST(SoupBinTcpGolden, LoginRequestWithHeartbeatTimeoutIsAccepted) {
  Bytes b;
  b.u16(52).c('L').a("SNIPE0", 6).a("pw", 10).a("", 10).a("                   0", 20).a("15000", 5);
  soup::ReassemblerCounters c;
  const auto g = reassemble(Direction::kClientToServer, b.v, b.size(), &c);
  ASSERT_EQ(g.packets.size(), 1u);
  const soup::LoginRequest v{g.packets[0].second};
  EXPECT_EQ(v.heartbeat_timeout_ms(), 15000u);
  EXPECT_EQ(v.requested_sequence(), 0u);
}

TEST(SoupBinTcpGolden, ServerPackets) {
  Bytes acc;
  acc.u16(31).c('A').a("SESSION001", 10).a("                  42", 20);
  EXPECT_EQ(written([](auto& w) { return w.login_accepted("SESSION001", 42); }), acc.v);
  const soup::LoginAccepted a{std::span<const uint8_t>(acc.v).subspan(3)};
  EXPECT_EQ(a.session(), "SESSION001");
  EXPECT_EQ(a.next_sequence(), 42u);

  EXPECT_EQ(written([](auto& w) { return w.login_rejected('A'); }), (std::vector<uint8_t>{0, 2, 'J', 'A'}));
  EXPECT_EQ(written([](auto& w) { return w.login_rejected('S'); }), (std::vector<uint8_t>{0, 2, 'J', 'S'}));
  EXPECT_EQ(written([](auto& w) { return w.server_heartbeat(); }), (std::vector<uint8_t>{0, 1, 'H'}));
  EXPECT_EQ(written([](auto& w) { return w.end_of_session(); }), (std::vector<uint8_t>{0, 1, 'Z'}));
  const std::vector<uint8_t> msg = {'C', 1, 2, 3};
  EXPECT_EQ(written([&](auto& w) { return w.sequenced(msg); }),
            (std::vector<uint8_t>{0, 5, 'S', 'C', 1, 2, 3}));
}

TEST(SoupBinTcpGolden, ClientPackets) {
  EXPECT_EQ(written([](auto& w) { return w.client_heartbeat(); }), (std::vector<uint8_t>{0, 1, 'R'}));
  EXPECT_EQ(written([](auto& w) { return w.logout_request(); }), (std::vector<uint8_t>{0, 1, 'O'}));
  const std::vector<uint8_t> msg = {'X', 0, 0, 0, 7, 0, 0, 0, 0};
  EXPECT_EQ(written([&](auto& w) { return w.unsequenced(msg); }),
            (std::vector<uint8_t>{0, 10, 'U', 'X', 0, 0, 0, 7, 0, 0, 0, 0}));
  EXPECT_EQ(written([](auto& w) { return w.debug("hi"); }), (std::vector<uint8_t>{0, 3, '+', 'h', 'i'}));
}

TEST(SoupBinTcpGolden, WriterRefusesWhatDoesNotFit) {
  uint8_t buf[48];
  soup::PacketWriter w(buf, sizeof buf);
  EXPECT_FALSE(w.login_request("U", "P", "", 1));  // 49 bytes
  EXPECT_EQ(w.size(), 0u);
  EXPECT_TRUE(w.client_heartbeat());
  EXPECT_EQ(w.size(), 3u);
}

TEST(SoupBinTcpGolden, AsciiNumbers) {
  uint64_t v = 0;
  EXPECT_TRUE(soup::parse_number(bytes_of("                    "), v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(soup::parse_number(bytes_of("18446744073709551615"), v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_FALSE(soup::parse_number(bytes_of("18446744073709551616"), v));  // overflow
  EXPECT_TRUE(soup::parse_number(bytes_of("7                   "), v));   // left-justified
  EXPECT_EQ(v, 7u);
  EXPECT_FALSE(soup::parse_number(bytes_of("   1 2"), v));
  EXPECT_FALSE(soup::parse_number(bytes_of("  -1"), v));
  uint8_t out[3];
  EXPECT_FALSE(soup::write_number(out, 3, 1000));
  EXPECT_TRUE(soup::write_number(out, 3, 999));
}

// ---------------- drops ----------------
TEST(SoupBinTcpDrops, CountedByReasonAndFramingSurvives) {
  std::vector<uint8_t> s;
  auto add = [&](std::vector<uint8_t> p) { s.insert(s.end(), p.begin(), p.end()); };
  add({0, 1, 'H'});       // ok
  add({0, 1, 'L'});       // client type on the server side: unknown
  add({0, 2, 'H', 0});    // heartbeat with payload: bad length
  add({0, 0});            // zero length: garbage
  add({0, 2, 'J', 'X'});  // unknown reject reason: garbage
  add({0, 1, 'S'});       // empty sequenced data: bad length
  Bytes acc;
  acc.u16(31).c('A').a("S", 10).a("12x", 20);  // non-digit sequence: garbage
  add(acc.v);
  std::vector<uint8_t> big(2 + 5000, 'x');  // oversize: skipped by its length
  big[0] = 5000 >> 8;
  big[1] = 5000 & 0xff;
  add(big);
  add({0, 4, '+', 'd', 'b', 'g'});  // debug: ignored
  add({0, 3, 'S', 'C', 9});         // ok
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{7}, s.size()}) {
    soup::ReassemblerCounters c;
    const auto g = reassemble(Direction::kServerToClient, s, chunk, &c);
    ASSERT_EQ(g.packets.size(), 2u) << chunk;
    EXPECT_EQ(g.packets[0].first, 'H');
    EXPECT_EQ(g.packets[1].first, 'S');
    EXPECT_EQ(g.packets[1].second, (std::vector<uint8_t>{'C', 9}));
    EXPECT_EQ(c.drops(soup::Drop::kUnknownType), 1u);
    EXPECT_EQ(c.drops(soup::Drop::kBadLength), 2u);
    EXPECT_EQ(c.drops(soup::Drop::kGarbage), 3u);
    EXPECT_EQ(c.drops(soup::Drop::kOversize), 1u);
    EXPECT_EQ(c.debug, 1u);
    EXPECT_EQ(c.packets, 2u);
    EXPECT_EQ(c.bytes, s.size());
  }
  EXPECT_EQ(soup::to_string(soup::Drop::kOversize), "oversize");
  EXPECT_EQ(soup::to_string(soup::Drop::kUnknownType), "unknown_type");
  EXPECT_EQ(soup::to_string(soup::Drop::kBadLength), "bad_length");
  EXPECT_EQ(soup::to_string(soup::Drop::kGarbage), "garbage");
}

TEST(SoupBinTcpDrops, ServerTypesRefusedFromClients) {
  std::vector<uint8_t> s = {0, 1, 'H', 0, 1, 'Z', 0, 2, 'J', 'A', 0, 1, 'R', 0, 1, 'O', 0, 1, 'U'};
  soup::ReassemblerCounters c;
  const auto g = reassemble(Direction::kClientToServer, s, 2, &c);
  ASSERT_EQ(g.packets.size(), 2u);  // R, O
  EXPECT_EQ(c.drops(soup::Drop::kUnknownType), 3u);
  EXPECT_EQ(c.drops(soup::Drop::kBadLength), 1u);  // empty U
}

// ---------------- reassembly ----------------
TEST(SoupBinTcpReassembler, EverySplitOfAStreamGivesTheSamePackets) {
  std::vector<uint8_t> buf(4096);
  soup::PacketWriter w(buf);
  ASSERT_TRUE(w.login_accepted("SESSION001", 5));
  std::vector<std::vector<uint8_t>> msgs;
  for (int i = 0; i < 20; ++i) {
    std::vector<uint8_t> m(1 + static_cast<std::size_t>(i * 7 % 60), static_cast<uint8_t>(i));
    m[0] = 'E';
    msgs.push_back(m);
    ASSERT_TRUE(w.sequenced(m));
    if (i % 5 == 0) {
      ASSERT_TRUE(w.server_heartbeat());
    }
  }
  ASSERT_TRUE(w.end_of_session());
  const std::vector<uint8_t> stream(w.bytes().begin(), w.bytes().end());
  const auto whole = reassemble(Direction::kServerToClient, stream, stream.size());
  ASSERT_EQ(whole.packets.size(), 1u + 20u + 4u + 1u);
  // Every two-way split, and every chunk size.
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    Got g;
    soup::StreamReassembler r(Direction::kServerToClient);
    auto on = [&](const soup::Packet& p) {
      g.packets.emplace_back(p.type, std::vector<uint8_t>(p.payload.begin(), p.payload.end()));
    };
    r.feed({stream.data(), cut}, on);
    r.feed({stream.data() + cut, stream.size() - cut}, on);
    ASSERT_EQ(g.packets, whole.packets) << "cut at " << cut;
    EXPECT_FALSE(r.mid_packet());
  }
  for (std::size_t chunk = 1; chunk < 64; ++chunk)
    ASSERT_EQ(reassemble(Direction::kServerToClient, stream, chunk).packets, whole.packets) << chunk;
  std::size_t k = 0;
  for (const auto& [t, p] : whole.packets)
    if (t == 'S') {
      EXPECT_EQ(p, msgs[k++]);
    }
}

TEST(SoupBinTcpReassembler, ResetForgetsAPartialPacket) {
  soup::StreamReassembler r(Direction::kServerToClient);
  int n = 0;
  auto on = [&](const soup::Packet&) { ++n; };
  const std::vector<uint8_t> half = {0, 5, 'S', 'C'};
  r.feed(half, on);
  EXPECT_TRUE(r.mid_packet());
  r.reset();
  const std::vector<uint8_t> hb = {0, 1, 'H'};
  r.feed(hb, on);
  EXPECT_EQ(n, 1);
}
