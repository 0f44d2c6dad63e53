// TcpConnection: handshake, in-order and out-of-order receive, window, and the security drops
// (every one counted, nothing delivered).
#include <gtest/gtest.h>

#include "tcp_test_peer.hpp"

namespace sf::net {
namespace {

using namespace sf::net::testing;

struct Conn : ::testing::Test, ConnectionUnderTest {
  std::vector<uint8_t> read_all() {
    std::vector<uint8_t> out(c.readable());
    EXPECT_EQ(c.read(out), out.size());
    return out;
  }
};

TEST_F(Conn, ActiveOpenSendsSynWithMssThenAcksTheSynAck) {
  c.connect(0, kIsn);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].flags, tcp_flag::kSyn);
  EXPECT_EQ(s[0].seq, kIsn);
  EXPECT_EQ(s[0].mss, 1000);
  EXPECT_EQ(c.state(), TcpState::kSynSent);
  TcpSegment synack = peer_segment(kPeerIsn, kIsn + 1, tcp_flag::kSyn | tcp_flag::kAck, 30000);
  synack.mss = 1460;
  c.on_segment(synack, 2'000'000);
  EXPECT_EQ(c.state(), TcpState::kEstablished);
  EXPECT_EQ(c.peer_mss(), 1460);
  EXPECT_EQ(c.send_window(), 30000u);
  EXPECT_EQ(c.stats().srtt_ns.load(), 2'000'000u);  // first RTT sample from the SYN
  s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].flags, tcp_flag::kAck);
  EXPECT_EQ(s[0].seq, kIsn + 1);
  EXPECT_EQ(s[0].ack, kPeerNext);
  EXPECT_EQ(s[0].window, 8 * 1024);
}

TEST_F(Conn, SynAckWithWrongAckIsAnsweredByRstAndDropped) {
  c.connect(0, kIsn);
  sink.take();
  c.on_segment(peer_segment(kPeerIsn, kIsn + 5, tcp_flag::kSyn | tcp_flag::kAck), 1);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].flags, tcp_flag::kRst);
  EXPECT_EQ(s[0].seq, kIsn + 5);
  EXPECT_EQ(c.state(), TcpState::kSynSent);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kBadAck), 1u);
}

TEST_F(Conn, RstToOurSynIsRefused) {
  c.connect(0, kIsn);
  c.on_segment(peer_segment(0, kIsn + 1, tcp_flag::kRst | tcp_flag::kAck), 1);
  EXPECT_EQ(c.state(), TcpState::kClosed);
  EXPECT_EQ(c.close_reason(), TcpCloseReason::kRefused);
  EXPECT_TRUE(c.failed());
}

TEST_F(Conn, InOrderDataIsDeliveredAndAcked) {
  establish(c, sink);
  const auto a = pattern(700, 1), b = pattern(300, 2);
  c.on_segment(peer_segment(kPeerNext, kIsn + 1, tcp_flag::kAck | tcp_flag::kPsh, 65535, &a), 10);
  c.on_segment(peer_segment(kPeerNext + 700, kIsn + 1, tcp_flag::kAck, 65535, &b), 11);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].ack, kPeerNext + 1000);
  EXPECT_EQ(s[1].window, 8 * 1024 - 1000);  // advertised: free receive space
  auto got = read_all();
  std::vector<uint8_t> want(a);
  want.insert(want.end(), b.begin(), b.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(c.stats().bytes_received.load(), 1000u);
}

TEST_F(Conn, OutOfOrderSegmentsAreBufferedAndDeliveredWhenTheHoleFills) {
  establish(c, sink);
  const auto a = pattern(500, 1), b = pattern(500, 2), d = pattern(500, 3);
  c.on_segment(peer_segment(kPeerNext + 1000, kIsn + 1, tcp_flag::kAck, 65535, &d), 10);
  c.on_segment(peer_segment(kPeerNext + 500, kIsn + 1, tcp_flag::kAck, 65535, &b), 11);
  EXPECT_EQ(c.readable(), 0u);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 2u);  // immediate duplicate ACKs naming the hole
  EXPECT_EQ(s[0].ack, kPeerNext);
  EXPECT_EQ(s[1].ack, kPeerNext);
  EXPECT_EQ(c.stats().ooo_segments.load(), 2u);
  c.on_segment(peer_segment(kPeerNext, kIsn + 1, tcp_flag::kAck, 65535, &a), 12);
  s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].ack, kPeerNext + 1500);
  std::vector<uint8_t> want(a);
  want.insert(want.end(), b.begin(), b.end());
  want.insert(want.end(), d.begin(), d.end());
  EXPECT_EQ(read_all(), want);
}

TEST_F(Conn, OutOfOrderBeyondTheRangeLimitIsDroppedCountedAndReacked) {
  establish(c, sink);
  const auto x = pattern(10);
  for (uint32_t i = 0; i < OooRanges::kMaxRanges + 1; ++i)
    c.on_segment(peer_segment(kPeerNext + 20 + 20 * i, kIsn + 1, tcp_flag::kAck, 65535, &x), 10);
  EXPECT_EQ(c.stats().ooo_segments.load(), OooRanges::kMaxRanges);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kOooOverflow), 1u);
  EXPECT_EQ(sink.take().size(), OooRanges::kMaxRanges + 1);
}

TEST_F(Conn, RetransmittedDataIsReackedNotDeliveredTwice) {
  establish(c, sink);
  const auto a = pattern(100);
  c.on_segment(peer_segment(kPeerNext, kIsn + 1, tcp_flag::kAck, 65535, &a), 10);
  c.on_segment(peer_segment(kPeerNext, kIsn + 1, tcp_flag::kAck, 65535, &a), 11);
  EXPECT_EQ(c.readable(), 100u);
  EXPECT_EQ(c.stats().duplicate_segments.load(), 1u);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].ack, kPeerNext + 100);
}

TEST_F(Conn, ForgedSegmentsAreCountedByReasonAndChangeNothing) {
  establish(c, sink);
  const auto a = pattern(100);
  TcpSegment other_ip = peer_segment(kPeerNext, kIsn + 1, tcp_flag::kAck, 65535, &a);
  other_ip.src_ip = 0x0a000063;
  TcpSegment other_dst = other_ip;
  other_dst.src_ip = kRemoteIp;
  other_dst.dst_ip = 0x0a000063;
  TcpSegment other_port = peer_segment(kPeerNext, kIsn + 1, tcp_flag::kAck, 65535, &a);
  other_port.src_port = 15001;
  TcpSegment our_other_port = other_port;
  our_other_port.src_port = kRemotePort;
  our_other_port.dst_port = kLocalPort + 1;
  TcpSegment rst_forged = peer_segment(kPeerNext, 0, tcp_flag::kRst);
  rst_forged.src_ip = 0x0a000063;
  for (const auto* s : {&other_ip, &other_dst, &other_port, &our_other_port, &rst_forged})
    c.on_segment(*s, 10);
  // Right tuple, sequence far outside the window (in-window forgery would need the ISN).
  c.on_segment(peer_segment(kPeerNext + 1'000'000, kIsn + 1, tcp_flag::kAck, 65535, &a), 10);
  c.on_segment(peer_segment(kPeerNext + 1'000'000, 0, tcp_flag::kRst), 10);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kOtherSource), 3u);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kWrongPort), 2u);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kOutOfWindow), 2u);
  EXPECT_EQ(c.readable(), 0u);
  EXPECT_EQ(c.state(), TcpState::kEstablished);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);  // only the out-of-window data got an ACK (not the RST)
  EXPECT_EQ(s[0].ack, kPeerNext);
}

// A connection on VLAN 42 takes only segments tagged 42; one without a VLAN takes only untagged ones.
// Anything else is counted other_vlan before the 4-tuple is looked at, and nothing answers it.
TEST(ConnVlan, SegmentsOnAnotherVlanOrUntaggedAreDroppedCountedAndUnanswered) {
  for (const bool tagged : {false, true}) {
    TcpConfig cfg = test_config();
    cfg.has_vlan = tagged;
    cfg.vlan_id = tagged ? 42 : 0;
    CaptureSink sink;
    TcpConnection c(cfg, sink);
    const auto on_vlan = [&](TcpSegment seg, int vlan) {  // vlan < 0: untagged
      seg.vlan_tags = vlan < 0 ? 0 : 1;
      seg.vlan_id = static_cast<uint16_t>(vlan < 0 ? 0 : vlan);
      c.on_segment(seg, 10);
    };
    const int ours = tagged ? 42 : -1;
    c.connect(0, kIsn);
    on_vlan(peer_segment(kPeerIsn, kIsn + 1, tcp_flag::kSyn | tcp_flag::kAck), ours);
    ASSERT_EQ(c.state(), TcpState::kEstablished) << "tagged " << tagged;
    sink.take();
    const auto a = pattern(100);
    const TcpSegment data = peer_segment(kPeerNext, kIsn + 1, tcp_flag::kAck, 65535, &a);
    on_vlan(data, 43);  // another VLAN
    on_vlan(data, 0);   // priority-tagged: a tag all the same
    if (tagged) on_vlan(data, -1);
    EXPECT_EQ(c.stats().dropped(TcpDrop::kOtherVlan), tagged ? 3u : 2u);
    EXPECT_EQ(c.readable(), 0u);
    EXPECT_TRUE(sink.take().empty());
    on_vlan(data, ours);
    EXPECT_EQ(c.readable(), 100u) << "tagged " << tagged;
  }
}

TEST_F(Conn, AnswersToInvalidSegmentsAreRateLimited) {
  establish(c, sink);
  const uint64_t t0 = 5'000'000'000;
  for (int i = 0; i < 1500; ++i) c.on_segment(peer_segment(kPeerNext + 5, 0, tcp_flag::kRst), t0 + i);
  EXPECT_EQ(sink.take().size(), 1000u);  // invalid_answers_per_s
  EXPECT_EQ(c.stats().challenge_acks.load(), 1000u);
  EXPECT_EQ(c.stats().answers_suppressed.load(), 500u);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kRstNotExact), 1500u);  // every one still counted
  c.on_segment(peer_segment(kPeerNext + 5, 0, tcp_flag::kRst), t0 + 1'000'000'000);
  EXPECT_EQ(sink.take().size(), 1u);  // a new second
  EXPECT_EQ(c.state(), TcpState::kEstablished);
}

TEST_F(Conn, SynOnEstablishedGetsAChallengeAck) {
  establish(c, sink);
  c.on_segment(peer_segment(kPeerNext + 10, 0, tcp_flag::kSyn), 10);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kUnexpectedSyn), 1u);
  EXPECT_EQ(c.stats().challenge_acks.load(), 1u);
  EXPECT_EQ(c.state(), TcpState::kEstablished);
  EXPECT_EQ(sink.take().size(), 1u);
}

TEST_F(Conn, ExactRstResetsInexactRstIsChallenged) {
  establish(c, sink);
  c.on_segment(peer_segment(kPeerNext + 5, 0, tcp_flag::kRst), 10);
  EXPECT_EQ(c.state(), TcpState::kEstablished);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kRstNotExact), 1u);
  EXPECT_EQ(sink.take().size(), 1u);
  c.on_segment(peer_segment(kPeerNext, 0, tcp_flag::kRst), 11);
  EXPECT_EQ(c.state(), TcpState::kClosed);
  EXPECT_EQ(c.close_reason(), TcpCloseReason::kReset);
  EXPECT_TRUE(c.failed());
  EXPECT_EQ(c.stats().resets_received.load(), 1u);
}

TEST_F(Conn, AckOfUnsentDataIsDropped) {
  establish(c, sink);
  c.on_segment(peer_segment(kPeerNext, kIsn + 100, tcp_flag::kAck), 10);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kBadAck), 1u);
  EXPECT_EQ(c.unacknowledged(), 0u);
}

TEST_F(Conn, SegmentWithoutAckFlagIsDropped) {
  establish(c, sink);
  const auto a = pattern(10);
  c.on_segment(peer_segment(kPeerNext, 0, tcp_flag::kPsh, 65535, &a), 10);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kNoAckFlag), 1u);
  EXPECT_EQ(c.readable(), 0u);
}

TEST_F(Conn, ClosedConnectionAnswersWithRst) {
  c.on_segment(peer_segment(123, 456, tcp_flag::kAck), 1);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].flags, tcp_flag::kRst);
  EXPECT_EQ(s[0].seq, 456u);
  EXPECT_EQ(c.stats().dropped(TcpDrop::kNoConnection), 1u);
}

TEST_F(Conn, ReceiveWindowShrinksAsDataWaitsAndAWindowUpdateFollowsTheRead) {
  establish(c, sink);
  const auto a = pattern(1000);
  for (uint32_t i = 0; i < 8; ++i)
    c.on_segment(peer_segment(kPeerNext + 1000 * i, kIsn + 1, tcp_flag::kAck, 65535, &a), 10);
  auto s = sink.take();
  EXPECT_EQ(s.back().window, 8 * 1024 - 8000);
  // Beyond the advertised window: trimmed to it, the rest is not accepted.
  const auto big = pattern(1000);
  c.on_segment(peer_segment(kPeerNext + 8000, kIsn + 1, tcp_flag::kAck, 65535, &big), 11);
  EXPECT_EQ(c.readable(), 8192u);
  s = sink.take();
  EXPECT_EQ(s.back().window, 0);
  EXPECT_EQ(s.back().ack, kPeerNext + 8192);
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(c.read(buf), 4096u);
  s = sink.take();
  ASSERT_EQ(s.size(), 1u);  // window update
  EXPECT_EQ(s[0].window, 4096);
}

TEST_F(Conn, DelayedAckWaitsForASecondSegmentOrTheTimer) {
  TcpConfig cfg = test_config();
  cfg.delayed_ack_ns = 40'000'000;
  TcpConnection d{cfg, sink};
  establish(d, sink);
  const auto a = pattern(100);
  d.on_segment(peer_segment(kPeerNext, kIsn + 1, tcp_flag::kAck, 65535, &a), 10'000'000);
  EXPECT_TRUE(sink.take().empty());
  EXPECT_EQ(d.next_deadline(), 50'000'000u);
  d.poll(49'999'999);
  EXPECT_TRUE(sink.take().empty());
  d.poll(50'000'000);
  EXPECT_EQ(sink.take().size(), 1u);
  d.on_segment(peer_segment(kPeerNext + 100, kIsn + 1, tcp_flag::kAck, 65535, &a), 60'000'000);
  d.on_segment(peer_segment(kPeerNext + 200, kIsn + 1, tcp_flag::kAck, 65535, &a), 60'000'001);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);  // every second segment
  EXPECT_EQ(s[0].ack, kPeerNext + 300);
}

}  // namespace
}  // namespace sf::net
