// Wireshark's SoupBinTCP dissector reads our bytes: a client session's real output (Login Request,
// orders as Unsequenced Data, Client Heartbeat, Logout Request) and a server stream from our encoder
// (Login Accepted, Sequenced Data, Server Heartbeat, End of Session), carried in a TCP conversation
// written to a pcap (handshake, consistent sequence numbers, packets glued together and one split
// across two segments), then `tshark -d tcp.port==PORT,soupbintcp` must list every packet with
// its type, and number the Sequenced Data from Login Accepted as we do.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <sstream>
#include <utility>

#include "sf_test_process.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/endian.hpp"
#include "sniperforge/session/client_session.hpp"

namespace fs = std::filesystem;
namespace os = sf::order_session;
namespace soup = sf::soupbintcp;

namespace {
constexpr uint16_t kVenuePort = 15000, kClientPort = 40123;
constexpr uint64_t kMs = 1'000'000;

// Writes one TCP conversation (client 10.0.1.1, venue 10.0.1.2) as Ethernet/IPv4/TCP frames.
class TcpConversation {
 public:
  explicit TcpConversation(sf::io::PcapWriter& w) : w_(w) {
    segment(true, 0x02, {});   // SYN
    segment(false, 0x12, {});  // SYN-ACK
    segment(true, 0x10, {});   // ACK
  }
  void client(std::span<const uint8_t> b) { segment(true, 0x18, b); }
  void venue(std::span<const uint8_t> b) { segment(false, 0x18, b); }

 private:
  void segment(bool from_client, uint8_t flags, std::span<const uint8_t> payload) {
    std::vector<uint8_t> f(14 + 20 + 20 + payload.size());
    uint8_t* p = f.data();
    std::memcpy(p, from_client ? kVenueMac : kClientMac, 6);
    std::memcpy(p + 6, from_client ? kClientMac : kVenueMac, 6);
    p[12] = 0x08;
    uint8_t* ip = p + 14;
    ip[0] = 0x45;
    sf::proto::store_be<uint16_t>(ip + 2, static_cast<uint16_t>(40 + payload.size()));
    ip[8] = 64;
    ip[9] = 6;
    const uint8_t a[4] = {10, 0, 1, 1}, b[4] = {10, 0, 1, 2};
    std::memcpy(ip + 12, from_client ? a : b, 4);
    std::memcpy(ip + 16, from_client ? b : a, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2) sum += sf::proto::load_be16(ip + i);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    sf::proto::store_be<uint16_t>(ip + 10, static_cast<uint16_t>(~sum));
    uint8_t* tcp = ip + 20;
    sf::proto::store_be<uint16_t>(tcp, from_client ? kClientPort : kVenuePort);
    sf::proto::store_be<uint16_t>(tcp + 2, from_client ? kVenuePort : kClientPort);
    uint32_t& mine = from_client ? client_seq_ : venue_seq_;
    const uint32_t theirs = from_client ? venue_seq_ : client_seq_;
    sf::proto::store_be<uint32_t>(tcp + 4, mine);
    sf::proto::store_be<uint32_t>(tcp + 8, flags == 0x02 ? 0 : theirs);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    sf::proto::store_be<uint16_t>(tcp + 14, 65535);
    std::memcpy(tcp + 20, payload.data(), payload.size());
    mine += static_cast<uint32_t>(payload.size()) + ((flags & 0x02) ? 1 : 0);
    w_.write(ts_ += 1000, f.data(), static_cast<uint32_t>(f.size()));
  }
  static constexpr uint8_t kClientMac[6] = {2, 0, 0, 0, 0, 1}, kVenueMac[6] = {2, 0, 0, 0, 0, 2};
  sf::io::PcapWriter& w_;
  uint32_t client_seq_ = 1000, venue_seq_ = 5000;
  uint64_t ts_ = 1'700'000'000'000'000'000ull;
};

struct Capture : os::Transport, os::Listener {
  std::vector<uint8_t> out;
  void connect() override {}
  void send(std::span<const uint8_t> b) override { out.insert(out.end(), b.begin(), b.end()); }
  void close() override {}
  void on_sequenced(uint64_t, std::span<const uint8_t>) override {}
  std::vector<uint8_t> take() { return std::exchange(out, {}); }
};

std::vector<uint8_t> server(const std::function<void(soup::PacketWriter&)>& f) {
  std::vector<uint8_t> b(4096);
  soup::PacketWriter w(b);
  f(w);
  b.resize(w.size());
  return b;
}
}  // namespace

TEST(SoupBinTcpTshark, DissectorReadsEveryPacketAndNumbersSequencedData) {
  if (sf::testing::run("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";
  const fs::path dir = fs::temp_directory_path() / ("sf-soup-tshark-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path pcap = dir / "soup.pcap";
  {
    sf::io::PcapWriter w;
    ASSERT_TRUE(w.open(pcap.string()));
    TcpConversation tcp(w);
    Capture cap;
    os::ClientSession s({"SNIPE0", "pw", "", 1}, {1000, 15000, 100, 800}, cap, cap);
    uint64_t now = 1000 * kMs;
    s.start(now);
    s.poll(now);
    s.on_connected(now);
    tcp.client(cap.take());  // L
    const auto accepted = server([](auto& w2) { w2.login_accepted("SESSION001", 5); });
    s.on_bytes(accepted, now);
    tcp.venue(accepted);
    const std::vector<uint8_t> order = {'X', 0, 0, 0, 7, 0, 0, 0, 0};
    ASSERT_EQ(s.send(order, now), os::SendResult::kSent);
    ASSERT_EQ(s.send(order, now), os::SendResult::kSent);
    tcp.client(cap.take());  // U U in one segment
    const std::vector<uint8_t> m = {'C', 1, 2, 3, 4};
    const auto data = server([&](auto& w2) {
      w2.sequenced(m);
      w2.sequenced(m);
      w2.server_heartbeat();
      w2.sequenced(m);
    });
    tcp.venue({data.data(), 10});  // S + half of the next S
    tcp.venue({data.data() + 10, data.size() - 10});
    now += 1000 * kMs;
    s.on_bytes(data, now);
    s.poll(now);
    tcp.client(cap.take());  // R
    s.logout(now);
    tcp.client(cap.take());  // O
    tcp.venue(server([](auto& w2) { w2.end_of_session(); }));
    ASSERT_TRUE(w.close());
  }
  const fs::path txt = dir / "tshark.txt";
  ASSERT_EQ(sf::testing::run("tshark -r " + pcap.string() + " -d tcp.port==" + std::to_string(kVenuePort) +
                             ",soupbintcp -Y soupbintcp -V > " + txt.string() + " 2>/dev/null"),
            0);
  // One "SoupBinTCP, <packet name>[, SeqNum=N]" line per SoupBinTCP packet, in stream order.
  const std::string text = sf::testing::read_file(txt);
  std::string packets;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("SoupBinTCP, ", 0) == 0) packets += line.substr(12) + "\n";
  EXPECT_EQ(packets,
            "Login Request\nLogin Accepted\nUnsequenced Data\nUnsequenced Data\n"
            "Sequenced Data, SeqNum=5\nSequenced Data, SeqNum=6\nServer Heartbeat\nSequenced Data, SeqNum=7\n"
            "Client Heartbeat\nLogout Request\nEnd of Session\n")
      << text;
  for (const char* field : {"User Name: SNIPE0", "Requested sequence number: 1", "Session: SESSION001",
                            "Next sequence number: 5", "Message: 580000000700000000", "Message: 4301020304"})
    EXPECT_NE(text.find(field), std::string::npos) << field;
  if (!HasFailure()) fs::remove_all(dir);
}
