// Proves the connection allocation-free after construction: global operator new is replaced with a
// counting version, and a connection talks to a scripted peer (handshake, data both ways, out-of-
// order segments, duplicate ACKs and fast retransmit, an RTO, zero window and its probe, FIN both
// ways, a reconnect) through a frame-building sink with a fixed buffer. Not one allocation may happen.
#include <gtest/gtest.h>

#include <array>

#include "counting_new.hpp"
#include "sniperforge/net/neighbours.hpp"
#include "sniperforge/net/tcp_connection.hpp"

namespace {
using sf::testing::g_counting;
using sf::testing::g_news;
}  // namespace

namespace sf::net {
namespace {

constexpr uint32_t kUs = 0x0a000001, kPeer = 0x0a000002, kIsn = 1000, kPeerIsn = 5000;

// Builds every segment into one fixed frame buffer (as an mbuf would) and remembers the last one.
struct FrameSinkFixed : SegmentSink, FrameSink {
  std::array<uint8_t, 2048> frame{};
  std::size_t frames = 0, last_len = 0;
  void emit(const OutSegment& s) noexcept override {
    last_len = build_tcp_frame(frame.data(), frame.size(), L2Spec{}, s);
    ++frames;
  }
  void emit_frame(std::span<const uint8_t> f) noexcept override { frames += f.empty() ? 0 : 1; }
};

TcpSegment from_peer(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window, const uint8_t* p = nullptr,
                     std::size_t n = 0) {
  TcpSegment s;
  s.src_ip = kPeer;
  s.dst_ip = kUs;
  s.src_port = 15000;
  s.dst_port = 40000;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  s.window = window;
  s.mss = 1000;
  s.payload = p;
  s.payload_length = n;
  return s;
}

TEST(TcpAlloc, NoAllocationAfterConstruction) {
  TcpConfig cfg;
  cfg.local_ip = kUs;
  cfg.remote_ip = kPeer;
  cfg.local_port = 40000;
  cfg.remote_port = 15000;
  FrameSinkFixed sink;
  TcpConnection c(cfg, sink);
  NeighbourConfig nc;
  nc.local_ip = kUs;
  nc.next_hop = kPeer;
  Neighbours nb(nc, sink);
  std::array<uint8_t, 4000> data{};
  std::array<uint8_t, 4000> out{};
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i);
  using namespace tcp_flag;

  g_counting = true;
  uint64_t t = 0;
  for (int round = 0; round < 2; ++round) {  // the second round reuses the object (reconnect)
    const uint32_t isn = kIsn + static_cast<uint32_t>(round) * 100000;
    nb.start(t);
    nb.poll(t + 2'000'000'000);
    c.connect(t, isn, static_cast<uint16_t>(40000 + round));
    cfg.local_port = static_cast<uint16_t>(40000 + round);
    auto peer = [&](TcpSegment s) {
      s.dst_port = cfg.local_port;
      c.on_segment(s, ++t);
    };
    peer(from_peer(kPeerIsn, isn + 1, kSyn | kAck, 65535));
    ASSERT_TRUE(c.established());
    EXPECT_EQ(c.send({data.data(), 4000}, ++t), 4000u);  // four segments
    peer(from_peer(kPeerIsn + 1, isn + 1001, kAck, 65535));
    for (int i = 0; i < 3; ++i) peer(from_peer(kPeerIsn + 1, isn + 1001, kAck, 65535));  // fast retransmit
    peer(from_peer(kPeerIsn + 1 + 500, isn + 4001, kAck, 65535, data.data(), 500));      // out of order
    peer(from_peer(kPeerIsn + 1, isn + 4001, kAck, 65535, data.data(), 500));            // fills the hole
    peer(from_peer(kPeerIsn + 1001, isn + 4001, kAck, 0));                               // window 0
    EXPECT_EQ(c.read({out.data(), out.size()}), 1000u);
    EXPECT_EQ(c.send({data.data(), 100}, ++t), 100u);
    t += 2'000'000'000;
    c.poll(t);  // zero-window probe
    peer(from_peer(kPeerIsn + 1001, isn + 4002, kAck, 65535));
    c.poll(t += 2'000'000'000);  // RTO on the rest
    peer(from_peer(kPeerIsn + 1001, isn + 4101, kAck | kFin, 65535));
    c.close(++t);
    peer(from_peer(kPeerIsn + 1002, isn + 4102, kAck, 65535));
    EXPECT_EQ(c.state(), TcpState::kClosed);
    EXPECT_EQ(c.close_reason(), TcpCloseReason::kNormal);
  }
  g_counting = false;
  EXPECT_EQ(g_news.load(), 0u);
  EXPECT_GT(c.stats().fast_retransmits.load(), 0u);
  EXPECT_GT(c.stats().ooo_segments.load(), 0u);
  EXPECT_GT(c.stats().zero_window_probes.load(), 0u);
  EXPECT_GT(sink.frames, 20u);
}

}  // namespace
}  // namespace sf::net
