// TcpConnection congestion control (RFC 5681, RFC 6582 NewReno, RFC 6928 IW10, RFC 3465): the
// initial window, slow start after a timeout, fast retransmit/recovery, the peer's window as a
// second limit, and undoing a spurious timeout. MSS is 1000 bytes throughout (test_config).
#include <gtest/gtest.h>

#include "tcp_test_peer.hpp"

namespace sf::net {
namespace {

using namespace sf::net::testing;

struct Congestion : ::testing::Test, ConnectionUnderTest {
  // Sends `n` bytes at t = 10 ms and returns what left at once.
  std::vector<Sent> send(std::size_t n) {
    data = pattern(n);
    EXPECT_EQ(c.send(data, 10 * kMs), n);
    return sink.take();
  }
  std::vector<uint8_t> data;
};

std::vector<uint32_t> seqs(const std::vector<Sent>& s) {
  std::vector<uint32_t> out;
  for (const auto& x : s) out.push_back(x.seq - kFirst);
  return out;
}

TEST_F(Congestion, InitialWindowOfTenSegmentsLeavesAtOnceThenSlowStartOpensIt) {
  establish(c, sink);
  EXPECT_EQ(c.congestion_window(), 10'000u);  // min(10 MSS, max(2 MSS, 14600))
  EXPECT_EQ(send(16'000).size(), 10u);
  EXPECT_EQ(c.unacknowledged(), 10'000u);
  ack(kFirst + 2000, 11 * kMs);  // 2 MSS acknowledged: cwnd 12000, 4 segments may follow
  EXPECT_EQ(c.congestion_window(), 12'000u);
  EXPECT_EQ(seqs(sink.take()), (std::vector<uint32_t>{10'000, 11'000, 12'000, 13'000}));
  EXPECT_EQ(c.stats().cwnd.load(), 12'000u);
}

TEST_F(Congestion, InitialWindowWithALargeMssIsThe14600ByteCap) {
  TcpConfig cfg = test_config();
  cfg.mss = 1460;
  TcpConnection big{cfg, sink};
  establish(big, sink, 65535, 1460);
  EXPECT_EQ(big.congestion_window(), 14'600u);
  // 280 SoupBinTCP-framed OUCH Enter Orders (49 + 3 bytes) leave in one burst.
  const auto orders = pattern(280 * 52);
  EXPECT_EQ(big.send(orders, 10 * kMs), orders.size());
  std::size_t bytes = 0;
  for (const auto& s : sink.take()) bytes += s.payload.size();
  EXPECT_EQ(bytes, orders.size());
}

TEST_F(Congestion, AfterATimeoutOneSegmentIsResentThenTwoThenFour) {
  establish(c, sink);
  EXPECT_EQ(send(10'000).size(), 10u);
  const uint64_t t = c.next_deadline();
  c.poll(t);
  auto s = sink.take();
  EXPECT_EQ(seqs(s), (std::vector<uint32_t>{0}));
  EXPECT_EQ(s[0].payload, std::vector<uint8_t>(data.begin(), data.begin() + 1000));
  EXPECT_EQ(c.congestion_window(), 1000u);
  EXPECT_EQ(c.slow_start_threshold(), 5000u);  // FlightSize / 2
  ack(kFirst + 1000, t + 5 * kMs);             // the answer to the retransmission: one RTT later
  EXPECT_EQ(seqs(sink.take()), (std::vector<uint32_t>{1000, 2000}));
  ack(kFirst + 3000, t + 10 * kMs);
  s = sink.take();
  EXPECT_EQ(seqs(s), (std::vector<uint32_t>{3000, 4000, 5000, 6000}));
  EXPECT_EQ(s[3].payload, std::vector<uint8_t>(data.begin() + 6000, data.begin() + 7000));
  ack(kFirst + 7000, t + 15 * kMs);  // cwnd 6000 >= ssthresh: the last three go
  EXPECT_EQ(seqs(sink.take()), (std::vector<uint32_t>{7000, 8000, 9000}));
  ack(kFirst + 10'000, t + 20 * kMs);
  EXPECT_EQ(c.unacknowledged(), 0u);
  EXPECT_EQ(c.stats().retransmitted_segments.load(), 10u);
  EXPECT_EQ(c.stats().spurious_timeouts.load(), 0u);
  // Congestion avoidance: one MSS per window of acknowledged bytes.
  const uint32_t w = c.congestion_window();
  EXPECT_GE(w, c.slow_start_threshold());
  EXPECT_EQ(send(w + 1000).size(), w / 1000);
}

TEST_F(Congestion, ATimeoutWhoseOriginalsAreAcknowledgedAtOnceIsUndone) {
  establish(c, sink);  // the handshake measured an RTT of 1 ms
  EXPECT_EQ(send(10'000).size(), 10u);
  const uint64_t t = c.next_deadline();
  c.poll(t);
  EXPECT_EQ(sink.take().size(), 1u);
  // A receive path that stalled past the timeout now delivers the ACKs of the originals one by
  // one, sooner than any answer to the retransmission could come: nothing more is resent.
  for (uint32_t a = 1000; a <= 10'000; a += 1000) ack(kFirst + a, t + 100'000);
  EXPECT_TRUE(sink.take().empty());
  EXPECT_EQ(c.stats().retransmitted_segments.load(), 1u);
  EXPECT_EQ(c.stats().spurious_timeouts.load(), 1u);
  EXPECT_GE(c.congestion_window(), 10'000u);  // restored, then grown by the ACKs
}

TEST_F(Congestion, AStallEndingLaterCostsAtMostTheFirstSlowStartRound) {
  establish(c, sink);
  EXPECT_EQ(send(10'000).size(), 10u);
  const uint64_t t = c.next_deadline();
  c.poll(t);
  EXPECT_EQ(sink.take().size(), 1u);
  // The first ACK is ambiguous (it comes long after the retransmission); the second is not.
  for (uint32_t a = 1000; a <= 10'000; a += 1000) ack(kFirst + a, t + 50 * kMs);
  EXPECT_EQ(c.stats().retransmitted_segments.load(), 3u);
  EXPECT_EQ(c.stats().spurious_timeouts.load(), 1u);
  EXPECT_EQ(c.unacknowledged(), 0u);
}

TEST_F(Congestion, ThreeDuplicateAcksHalveTheWindowAndPartialAcksResendTheNextHole) {
  establish(c, sink);
  EXPECT_EQ(send(14'000).size(), 10u);
  // Segments at 1000 and 4000 are lost: the ACK for 0, then duplicates for each later arrival.
  ack(kFirst + 1000, 11 * kMs);  // cwnd 11000: two new segments
  EXPECT_EQ(seqs(sink.take()), (std::vector<uint32_t>{10'000, 11'000}));
  for (int i = 0; i < 3; ++i) ack(kFirst + 1000, 12 * kMs);
  auto s = sink.take();
  EXPECT_EQ(seqs(s), (std::vector<uint32_t>{1000}));  // fast retransmit
  EXPECT_EQ(c.slow_start_threshold(), 5500u);         // FlightSize 11000 / 2
  EXPECT_EQ(c.congestion_window(), 8500u);            // ssthresh + 3 MSS
  EXPECT_EQ(c.stats().fast_retransmits.load(), 1u);
  for (int i = 0; i < 3; ++i) ack(kFirst + 1000, 12 * kMs);  // inflation: 11500 > flight 11000
  EXPECT_EQ(c.congestion_window(), 11'500u);
  s = sink.take();
  EXPECT_EQ(seqs(s), (std::vector<uint32_t>{12'000}));
  EXPECT_EQ(s[0].payload.size(), 500u);
  ack(kFirst + 4000, 13 * kMs);  // partial ACK (NewReno): the hole at 4000 goes at once
  s = sink.take();
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0].seq, kFirst + 4000);
  EXPECT_EQ(s[0].payload, std::vector<uint8_t>(data.begin() + 4000, data.begin() + 5000));
  EXPECT_EQ(c.congestion_window(), 9500u);  // deflated by 3000 acknowledged, plus one MSS
  ack(kFirst + 12'000, 14 * kMs);           // full ACK: recovery ends at ssthresh
  EXPECT_EQ(c.congestion_window(), 5500u);
  EXPECT_EQ(c.stats().retransmitted_segments.load(), 2u);
  EXPECT_EQ(c.stats().timeouts.load(), 0u);
}

TEST_F(Congestion, APeerWindowSmallerThanCwndStillLimits) {
  establish(c, sink, /*peer_window=*/3000);
  EXPECT_EQ(send(10'000).size(), 3u);
  ack(kFirst + 1000, 11 * kMs, 3000);
  EXPECT_EQ(seqs(sink.take()), (std::vector<uint32_t>{3000}));
  EXPECT_EQ(c.unacknowledged(), 3000u);
  EXPECT_GT(c.congestion_window(), 3000u);
}

TEST_F(Congestion, ALostSynLeavesAnInitialWindowOfOneSegment) {
  c.connect(0, kIsn);
  c.poll(c.next_deadline());
  TcpSegment synack = peer_segment(kPeerIsn, kIsn + 1, tcp_flag::kSyn | tcp_flag::kAck);
  synack.mss = 1000;
  c.on_segment(synack, 1200 * kMs);
  sink.take();
  EXPECT_EQ(c.congestion_window(), 1000u);
  EXPECT_EQ(send(5000).size(), 1u);
}

}  // namespace
}  // namespace sf::net
