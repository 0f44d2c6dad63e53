// Writes the seed corpus under tests/fuzz/corpus/<target>/ from our own encoders and the feed
// generator (no copied data). Run once after a change of formats:
//   build/tests/fuzz/fuzz_make_corpus tests/fuzz/corpus
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/net/tcp_segment.hpp"
#include "sniperforge/proto/feed.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/proto/soupbintcp.hpp"

namespace fs = std::filesystem;

namespace {
fs::path g_root;
void put(const std::string& target, const std::string& name, const uint8_t* p, std::size_t n) {
  fs::create_directories(g_root / target);
  std::ofstream(g_root / target / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  g_root = argv[1];
  uint8_t buf[2048];

  // ITCH: one message of every type, fields filled with recognisable values.
#define SF_SEED_ITCH(ch, View, len, LAYOUT)                                                   \
  {                                                                                           \
    sf::itch::msg::View m;                                                                    \
    m.stock_locate = 7;                                                                       \
    m.tracking_number = 1;                                                                    \
    m.timestamp = 34'200'000'000'000ull;                                                      \
    put("itch", std::string("type_") + (ch >= 'a' ? "lower_" : "") + ch, buf, m.encode(buf)); \
  }
  SF_ITCH_MESSAGES(SF_SEED_ITCH)
#undef SF_SEED_ITCH

  // Feed frames and MoldUDP64 payloads from a small generated feed with VLAN, gaps and garbage.
  sf::feedgen::Config c;
  c.messages = 400;
  c.instruments = 4;
  c.live_orders = 50;
  c.msgs_per_packet = 12;
  c.garbage_rate = 0.1;
  int i = 0;
  sf::feedgen::generate(c, [&](uint64_t, const uint8_t* f, std::size_t n, const sf::feedgen::FrameMeta&) {
    if (i % 4 == 0 || i < 3) {
      put("feed_frame", "frame_" + std::to_string(i), f, n);
      sf::net::UdpDatagram d;
      if (sf::net::parse_udp(f, n, d) == sf::net::Error::kOk)
        put("mold", "packet_" + std::to_string(i), d.payload, d.payload_length);
    }
    ++i;
  });
  c.vlan_id = 100;
  c.messages = 30;
  i = 0;
  sf::feedgen::generate(c, [&](uint64_t, const uint8_t* f, std::size_t n, const sf::feedgen::FrameMeta&) {
    if (i++ < 2) put("feed_frame", "vlan_frame_" + std::to_string(i), f, n);
  });
  put("mold", "heartbeat", buf, sf::mold::encode_heartbeat(buf, "SESSION001", 1000));
  put("mold", "end_of_session", buf, sf::mold::encode_end_of_session(buf, "SESSION001", 1000));
  put("mold", "request", buf, sf::mold::encode_request(buf, "SESSION001", 5, 10));

  // OUCH: every message; the appendage-bearing ones with Firm + BBO weight TagValues.
  uint8_t app[32];
  sf::ouch::AppendageBuilder ab(app, sizeof app);
  ab.add_alpha(sf::ouch::tag::kFirm, "SFRG");
  ab.add_char(sf::ouch::tag::kBboWeightIndicator, '1');
#define SF_SEED_OUCH(dir, ch, View)                                                        \
  {                                                                                        \
    sf::ouch::dir::msg::View m{};                                                          \
    put("ouch", std::string(#dir "_") + ch, buf, m.encode(buf, {app, ab.bytes().size()})); \
  }
#define SF_SEED_IN(ch, View, len, app_, LAYOUT) SF_SEED_OUCH(inbound, ch, View)
#define SF_SEED_OUT(ch, View, len, app_, LAYOUT) SF_SEED_OUCH(outbound, ch, View)
  SF_OUCH_INBOUND(SF_SEED_IN)
  SF_OUCH_OUTBOUND(SF_SEED_OUT)

  // SoupBinTCP 4.1 streams: a client's and a server's, each with every packet type of its side.
  {
    sf::soupbintcp::PacketWriter w(buf, sizeof buf);
    w.login_request("TRADER", "secret", "", 1);
    sf::ouch::inbound::msg::EnterOrder o{};
    o.user_ref_num = 1;
    o.side = 'B';
    o.quantity = 100;
    o.symbol = "SF0000";
    uint8_t m[128];
    w.unsequenced({m, o.encode(m, {app, ab.bytes().size()})});
    w.client_heartbeat();
    w.debug("client debug");
    w.logout_request();
    put("soupbintcp", "client", w.bytes().data(), w.size());
  }
  {
    sf::soupbintcp::PacketWriter w(buf, sizeof buf);
    w.login_accepted("SESSION001", 1);
    sf::ouch::outbound::msg::OrderAccepted a{};
    a.user_ref_num = 1;
    uint8_t m[128];
    w.sequenced({m, a.encode(m)});
    w.server_heartbeat();
    w.login_rejected('S');
    w.end_of_session();
    put("soupbintcp", "server", w.bytes().data(), w.size());
  }
  // TCP frames: SYN with MSS, data with a VLAN tag, FIN.
  {
    using namespace sf::net;
    const uint8_t text[] = "SoupBinTCP bytes over our TCP";
    OutSegment s;
    s.src_ip = ipv4(10, 0, 0, 2);
    s.dst_ip = ipv4(10, 0, 0, 1);
    s.src_port = 15000;
    s.dst_port = 40000;
    s.seq = 1000;
    s.ack = 2001;
    s.window = 65535;
    s.flags = tcp_flag::kSyn | tcp_flag::kAck;
    s.mss_option = 1460;
    L2Spec l2{{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 2}, false, 0};
    put("tcp_segment", "syn_ack", buf, build_tcp_frame(buf, sizeof buf, l2, s));
    s.mss_option = 0;
    s.flags = tcp_flag::kAck | tcp_flag::kPsh;
    s.payload = text;
    s.payload_length = sizeof text;
    l2.has_vlan = true;
    l2.vlan_id = 100;
    put("tcp_segment", "data_vlan", buf, build_tcp_frame(buf, sizeof buf, l2, s));
    s.payload_length = 0;
    s.flags = tcp_flag::kFin | tcp_flag::kAck;
    put("tcp_segment", "fin", buf, build_tcp_frame(buf, sizeof buf, l2, s));
  }
  // TCP connection scripts (see fuzz_tcp_connection.cpp for the opcodes): handshake, data both
  // ways, a clock jump (retransmission), a read, the peer's FIN, then close.
  {
    // clang-format off
    const std::vector<uint8_t> open = {
        200, 0, 4, 3, 2, 1,                          // mss 264, no delayed ACK, ISN 0x01020304
        0, 2, 0x12, 100, 0, 5, 3, 2, 1, 0x18, 2, 0,  // SYN-ACK acknowledging ISN+1, MSS 536
        0, 0, 0x18, 0, 0, 0, 0, 0, 100,              // 100 bytes in order
        0, 0, 0x18, 200, 0, 0, 0, 0, 50,             // 50 bytes out of order
        4, 0xf4, 0x01,                               // send 500
        6, 0, 0, 0, 0x40, 0,                         // +1.07 s: retransmission
        5, 0, 1,                                     // read 256
        0, 0, 0x19, 0, 0, 0, 0, 0, 0,                // FIN
        7, 0};                                       // close
    put("tcp_connection", "open_data_close", open.data(), open.size());
    const std::vector<uint8_t> dup = {
        100, 1, 9, 9, 9, 9, 0, 2, 0x12, 1, 0, 10, 9, 9, 9, 0, 4, 0,  // handshake, delayed ACK on
        4, 0xd0, 0x07,                                               // send 2000
        0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0,
        0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0,  // duplicate ACKs
        0, 4, 0x14, 0, 0, 0, 0, 0, 0, 0, 0};                         // RST
    // clang-format on
    put("tcp_connection", "dupacks_rst", dup.data(), dup.size());
  }
  // Client session scripts (fuzz_soup_session): op bytes, server bytes in chunks of up to 31.
  {
    std::vector<uint8_t> script{1};
    auto server_bytes = [&](std::span<const uint8_t> b) {
      for (std::size_t off = 0; off < b.size(); off += 31) {
        const std::size_t n = std::min<std::size_t>(31, b.size() - off);
        script.push_back(static_cast<uint8_t>((n << 3) | 4));
        script.insert(script.end(), b.begin() + static_cast<std::ptrdiff_t>(off),
                      b.begin() + static_cast<std::ptrdiff_t>(off + n));
      }
    };
    auto login_and_data = [&](uint64_t first, int count) {
      script.push_back(2);  // connect
      sf::soupbintcp::PacketWriter w(buf, sizeof buf);
      w.login_accepted("SESSION001", first);
      const uint8_t m[4] = {'S', 0, 0, 'Q'};
      for (int k = 0; k < count; ++k) w.sequenced(m);
      w.server_heartbeat();
      server_bytes(w.bytes());
    };
    login_and_data(1, 5);
    script.push_back(3);    // an order
    script.push_back(200);  // 12.8 s pass
    script.push_back(1);    // closed
    script.push_back(8);    // a little time: back-off over
    login_and_data(3, 6);   // a server that starts below our next number
    put("soup_session", "relogin", script.data(), script.size());
    script.assign({0});
    script.push_back(2);
    sf::soupbintcp::PacketWriter w(buf, sizeof buf);
    w.login_rejected('A');
    server_bytes(w.bytes());
    script.push_back(240);
    script.push_back(2);
    w.clear();
    w.login_accepted("S", 0);
    w.end_of_session();
    server_bytes(w.bytes());
    put("soup_session", "rejected_then_end", script.data(), script.size());
  }
  std::printf("corpus written to %s\n", argv[1]);
  return 0;
}
