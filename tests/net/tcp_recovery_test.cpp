// TcpConnection: sending, the retransmission timer (RFC 6298 back-off, Karn), fast retransmit on
// three duplicate ACKs, the peer's window (zero-window probe), and FIN/close in both directions.
#include <gtest/gtest.h>

#include "tcp_test_peer.hpp"

namespace sf::net {
namespace {

using namespace sf::net::testing;

struct Recovery : ::testing::Test, ConnectionUnderTest {};

TEST_F(Recovery, SendSegmentsAtMssWithinThePeersWindow) {
  establish(c, sink, /*peer_window=*/2500);
  const auto data = pattern(4000);
  EXPECT_EQ(c.send(data, 2 * kMs), 4000u);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 3u);  // 1000 + 1000 + 500: the window's edge
  EXPECT_EQ(s[0].seq, kFirst);
  EXPECT_EQ(s[2].payload.size(), 500u);
  EXPECT_TRUE(s[0].has(tcp_flag::kPsh));
  EXPECT_EQ(c.unacknowledged(), 2500u);
  ack(kFirst + 2500, 3 * kMs, 2500);
  s = sink.take();
  ASSERT_EQ(s.size(), 2u);
  std::vector<uint8_t> got;
  for (const auto& x : s) got.insert(got.end(), x.payload.begin(), x.payload.end());
  EXPECT_EQ(got, std::vector<uint8_t>(data.begin() + 2500, data.end()));
  EXPECT_EQ(c.stats().bytes_sent.load(), 4000u);
}

TEST_F(Recovery, SendBufferIsBoundedAndAcceptsAgainAfterAcks) {
  establish(c, sink, 1000);
  const auto big = pattern(20'000);
  EXPECT_EQ(c.send(big, 2 * kMs), 16u * 1024);
  EXPECT_EQ(c.send_space(), 0u);
  ack(kFirst + 1000, 3 * kMs, 1000);
  EXPECT_EQ(c.send_space(), 1000u);
}

TEST_F(Recovery, RtoBacksOffExponentiallyThenTheConnectionTimesOut) {
  establish(c, sink);
  const uint64_t rto0 = c.rto_ns();
  EXPECT_EQ(rto0, 200 * kMs);  // srtt 1 ms + 4 * 0.5 ms, clamped up to the minimum
  const auto d = pattern(100);
  c.send(d, 10 * kMs);
  sink.take();
  uint64_t deadline = 10 * kMs + rto0;
  for (uint32_t i = 1; i <= 4; ++i) {
    EXPECT_EQ(c.next_deadline(), deadline);
    c.poll(deadline - 1);
    EXPECT_TRUE(sink.take().empty());
    c.poll(deadline);
    auto s = sink.take();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].seq, kFirst);
    EXPECT_EQ(s[0].payload, d);
    EXPECT_EQ(c.rto_ns(), rto0 << i);
    deadline += rto0 << i;
  }
  c.poll(deadline);  // fifth expiry: max_retransmits = 4 exhausted
  auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_TRUE(s[0].has(tcp_flag::kRst));
  EXPECT_EQ(c.state(), TcpState::kClosed);
  EXPECT_EQ(c.close_reason(), TcpCloseReason::kTimeout);
  EXPECT_TRUE(c.failed());
  EXPECT_EQ(c.stats().retransmitted_segments.load(), 4u);
  EXPECT_EQ(c.stats().timeouts.load(), 5u);
}

TEST_F(Recovery, AckAfterRetransmissionGivesNoRttSampleKarn) {
  establish(c, sink);
  const uint64_t srtt = c.stats().srtt_ns.load();
  c.send(pattern(100), 10 * kMs);
  c.poll(10 * kMs + c.rto_ns());
  ack(kFirst + 100, 900 * kMs);
  EXPECT_EQ(c.stats().srtt_ns.load(), srtt);
  EXPECT_EQ(c.unacknowledged(), 0u);
  EXPECT_EQ(c.next_deadline(), UINT64_MAX);
  c.send(pattern(100), 1000 * kMs);
  ack(kFirst + 200, 1003 * kMs);  // a clean 3 ms sample: 7/8 * 1 + 1/8 * 3 ms
  EXPECT_EQ(c.stats().srtt_ns.load(), 1'250'000u);
}

TEST_F(Recovery, SynIsRetransmittedThenTimesOut) {
  c.connect(0, kIsn);
  sink.take();
  c.poll(1000 * kMs);
  c.poll(3000 * kMs);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].flags, tcp_flag::kSyn);
  c.poll(7000 * kMs);
  EXPECT_EQ(c.close_reason(), TcpCloseReason::kTimeout);
}

TEST_F(Recovery, ThreeDuplicateAcksFastRetransmitThenPartialAcksRepairTheNextHole) {
  establish(c, sink);
  const auto d = pattern(5000);
  c.send(d, 10 * kMs);
  EXPECT_EQ(sink.take().size(), 5u);
  // Segments 1 and 3 lost: the peer acks 1000 twice... (its ACK for segment 0, then duplicates).
  ack(kFirst + 1000, 11 * kMs);
  ack(kFirst + 1000, 11 * kMs);
  ack(kFirst + 1000, 11 * kMs);
  EXPECT_TRUE(sink.take().empty());
  ack(kFirst + 1000, 11 * kMs);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].seq, kFirst + 1000);
  EXPECT_EQ(std::vector<uint8_t>(d.begin() + 1000, d.begin() + 2000), s[0].payload);
  EXPECT_EQ(c.stats().duplicate_acks.load(), 3u);
  EXPECT_EQ(c.stats().fast_retransmits.load(), 1u);
  ack(kFirst + 3000, 12 * kMs);  // partial: the hole at 3000 is resent at once
  s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].seq, kFirst + 3000);
  ack(kFirst + 5000, 13 * kMs);
  EXPECT_EQ(c.unacknowledged(), 0u);
  EXPECT_EQ(c.stats().retransmitted_segments.load(), 2u);
}

TEST_F(Recovery, ZeroWindowIsProbedAndDataFlowsWhenItOpens) {
  establish(c, sink, 0);
  c.send(pattern(3000), 10 * kMs);
  EXPECT_TRUE(sink.take().empty());
  c.poll(10 * kMs + c.rto_ns());
  auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].payload.size(), 1u);
  EXPECT_EQ(c.stats().zero_window_probes.load(), 1u);
  // The peer refuses the byte (window still 0) but answers: not a dead peer.
  for (int i = 0; i < 10; ++i) {
    c.poll(c.next_deadline());
    ack(kFirst, c.next_deadline() - 1, 0);
  }
  EXPECT_EQ(c.state(), TcpState::kEstablished);
  sink.take();
  ack(kFirst, c.next_deadline() - 1, 4000);  // window update: the rest goes at once
  s = sink.take();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].seq, kFirst + 1);
}

TEST_F(Recovery, PeerFinThenOurCloseEndsNormally) {
  establish(c, sink);
  c.on_segment(peer_segment(kPeerNext, kFirst, tcp_flag::kFin | tcp_flag::kAck), 10 * kMs);
  EXPECT_EQ(c.state(), TcpState::kCloseWait);
  EXPECT_TRUE(c.peer_closed());
  auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].ack, kPeerNext + 1);
  EXPECT_EQ(c.send(pattern(10), 11 * kMs), 10u);  // half-close: we may still send
  c.close(12 * kMs);
  EXPECT_EQ(c.state(), TcpState::kLastAck);
  s = sink.take();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_TRUE(s[1].has(tcp_flag::kFin));
  EXPECT_EQ(s[1].seq, kFirst + 10);
  c.on_segment(peer_segment(kPeerNext + 1, kFirst + 11, tcp_flag::kAck), 13 * kMs);
  EXPECT_EQ(c.state(), TcpState::kClosed);
  EXPECT_EQ(c.close_reason(), TcpCloseReason::kNormal);
  EXPECT_FALSE(c.failed());
}

TEST_F(Recovery, OurCloseSendsFinAfterDataThenTimeWait) {
  establish(c, sink);
  c.send(pattern(100), 10 * kMs);
  c.close(10 * kMs);
  auto s = sink.take();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_TRUE(s[1].has(tcp_flag::kFin));
  EXPECT_EQ(c.state(), TcpState::kFinWait1);
  EXPECT_EQ(c.send(pattern(1), 10 * kMs), 0u);  // nothing after close()
  c.poll(10 * kMs + c.rto_ns());                // data and FIN lost: data first, then the FIN
  s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].payload.size(), 100u);
  ack(kFirst + 100, 500 * kMs);
  s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_TRUE(s[0].has(tcp_flag::kFin));
  ack(kFirst + 101, 501 * kMs);
  EXPECT_EQ(c.state(), TcpState::kFinWait2);
  const auto tail = pattern(50);
  c.on_segment(peer_segment(kPeerNext, kFirst + 101, tcp_flag::kAck | tcp_flag::kFin, 65535, &tail),
               502 * kMs);
  EXPECT_EQ(c.state(), TcpState::kTimeWait);
  EXPECT_EQ(c.readable(), 50u);
  s = sink.take();
  EXPECT_EQ(s.back().ack, kPeerNext + 51);
  // A retransmitted FIN in TIME-WAIT is acknowledged again.
  c.on_segment(peer_segment(kPeerNext + 50, kFirst + 101, tcp_flag::kAck | tcp_flag::kFin), 503 * kMs);
  EXPECT_EQ(sink.take().size(), 1u);
  c.poll(502 * kMs + 1'000 * kMs);
  EXPECT_EQ(c.state(), TcpState::kClosed);
  EXPECT_EQ(c.close_reason(), TcpCloseReason::kNormal);
}

TEST_F(Recovery, AbortSendsRstAndTheObjectReconnects) {
  establish(c, sink);
  c.abort();
  auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].flags, tcp_flag::kRst);
  EXPECT_EQ(c.close_reason(), TcpCloseReason::kAborted);
  c.connect(5 * kMs, 42, kLocalPort + 1);
  s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].seq, 42u);
  EXPECT_EQ(c.state(), TcpState::kSynSent);
  EXPECT_EQ(c.config().local_port, kLocalPort + 1);
  EXPECT_EQ(c.stats().connects.load(), 2u);
}

}  // namespace
}  // namespace sf::net
