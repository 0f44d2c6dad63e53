// TcpConnection when its own host stalls: the ACKs of everything in flight arrive (or wait, unread)
// while our lcore is descheduled past the retransmission timeout. The expiry is then no evidence of
// loss: the host-stall guard (TcpConfig::stall_gap_ns) gives queued ACKs time to be read, and a
// timeout that fired anyway is undone without a go-back-N storm. MSS 1000, RTO 200 ms (test_config).
#include <gtest/gtest.h>

#include "tcp_test_peer.hpp"

namespace sf::net {
namespace {

using namespace sf::net::testing;

constexpr std::size_t kOrderBytes = 52;  // a SoupBinTCP-framed OUCH Enter Order (49 + 3)

struct HostStall : ::testing::Test {
  CaptureSink sink;
  TcpConnection c;
  explicit HostStall(uint64_t stall_gap_ns = 0) : c(config(stall_gap_ns), sink) { establish(c, sink); }
  static TcpConfig config(uint64_t stall_gap_ns) {
    TcpConfig cfg = test_config();
    cfg.stall_gap_ns = stall_gap_ns;
    return cfg;
  }
  void ack(uint32_t a, uint64_t now) { c.on_segment(peer_segment(kPeerNext, a, tcp_flag::kAck), now); }
  // `n` orders, one send() each from t = 10 ms: each leaves as its own segment.
  void send_orders(std::size_t n) {
    const auto order = pattern(kOrderBytes);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(c.send(order, 10 * kMs + i * 1000), kOrderBytes);
  }
};

struct HostStallGuarded : HostStall {
  HostStallGuarded() : HostStall(10 * kMs) {}
};

// 175 orders in flight, a timeout, then the ACKs of the originals all at once when the stall ends (too
// late to tell them from answers to the retransmission by time alone). Before congestion control each
// of those ACKs was a partial ACK that resent the next order: 175 segments for nothing. Now the timeout
// resends [0, 1000) in one segment, and the first ACK (52) can only answer the 52-byte original.
TEST_F(HostStall, ATimeoutDuringAStallResendsAFewSegmentsNotTheWindow) {
  send_orders(175);
  EXPECT_EQ(sink.take().size(), 175u);  // IW10 = 10,000 bytes: 9,100 fit
  const uint64_t t = c.next_deadline();
  c.poll(t);
  EXPECT_EQ(c.stats().timeouts.load(), 1u);
  EXPECT_EQ(sink.take().size(), 1u);
  for (uint32_t i = 1; i <= 175; ++i) ack(kFirst + i * kOrderBytes, t + 50 * kMs);
  EXPECT_EQ(c.unacknowledged(), 0u);
  const auto resent = sink.take();
  EXPECT_TRUE(resent.empty());  // the first ACK (52) stops inside the resent [0, 1000): an original's
  EXPECT_EQ(c.stats().retransmitted_segments.load(), 1u);
  EXPECT_EQ(c.stats().spurious_timeouts.load(), 1u);
  EXPECT_GE(c.congestion_window(), 10'000u);  // restored: the next order burst is not held
  send_orders(100);
  EXPECT_EQ(sink.take().size(), 100u);
  EXPECT_EQ(c.unsent(), 0u);
}

TEST_F(HostStall, WithoutTheGuardAnExpiryAfterAStallFiresAtOnce) {
  send_orders(1);
  sink.take();
  c.poll(10 * kMs + 250 * kMs);  // the first call after 250 ms away
  EXPECT_EQ(c.stats().timeouts.load(), 1u);
  EXPECT_EQ(c.stats().timeouts_deferred.load(), 0u);
  EXPECT_EQ(sink.take().size(), 1u);
}

TEST_F(HostStallGuarded, AnExpiryFoundAfterAStallWaitsForTheQueuedAcks) {
  send_orders(10);
  sink.take();
  const uint64_t back = 10 * kMs + 250 * kMs;  // 250 ms away, past the 200 ms RTO
  c.poll(back);
  EXPECT_EQ(c.stats().timeouts.load(), 0u);
  EXPECT_EQ(c.stats().timeouts_deferred.load(), 1u);
  EXPECT_EQ(c.next_deadline(), back + 10 * kMs);
  EXPECT_TRUE(sink.take().empty());
  c.poll(back + 1000);                          // no gap now: still waiting
  ack(kFirst + 10 * kOrderBytes, back + 2000);  // the ACK that waited in the NIC ring
  c.poll(back + 3000);
  EXPECT_TRUE(sink.take().empty());
  EXPECT_EQ(c.stats().timeouts.load(), 0u);
  EXPECT_EQ(c.stats().retransmitted_segments.load(), 0u);
  EXPECT_EQ(c.congestion_window(), 10'000u + 10 * kOrderBytes);  // slow start: + the bytes acknowledged
}

TEST_F(HostStallGuarded, AnExpiryWithNoAckBehindItFiresOneGapLater) {
  send_orders(1);
  sink.take();
  const uint64_t back = 10 * kMs + 250 * kMs;
  c.poll(back);
  for (uint64_t t = back; t < back + 10 * kMs; t += kMs) c.poll(t);
  EXPECT_EQ(c.stats().timeouts.load(), 0u);
  c.poll(back + 10 * kMs);
  EXPECT_EQ(c.stats().timeouts.load(), 1u);
  EXPECT_EQ(c.stats().timeouts_deferred.load(), 1u);
  EXPECT_EQ(sink.take().size(), 1u);
  EXPECT_EQ(c.congestion_window(), 1000u);  // a real timeout: RFC 5681 3.1
}

TEST_F(HostStallGuarded, AContinuouslyPolledConnectionTimesOutOnTime) {
  send_orders(1);
  sink.take();
  const uint64_t deadline = c.next_deadline();
  for (uint64_t t = 10 * kMs; t < deadline; t += kMs) c.poll(t);
  EXPECT_EQ(c.stats().timeouts.load(), 0u);
  c.poll(deadline);
  EXPECT_EQ(c.stats().timeouts.load(), 1u);
  EXPECT_EQ(c.stats().timeouts_deferred.load(), 0u);
}

TEST_F(HostStall, OrdersBeyondTheCongestionWindowAreUnsentUntilAcksOpenIt) {
  send_orders(200);  // 10,400 bytes: the last 400 wait for the first ACK
  EXPECT_EQ(c.unsent(), 400u);
  const uint32_t end = kFirst + 200 * static_cast<uint32_t>(kOrderBytes);
  EXPECT_EQ(c.queued_end(), end);
  sink.take();
  ack(kFirst + 8 * static_cast<uint32_t>(kOrderBytes), 11 * kMs);  // cwnd + 416: the rest may go
  EXPECT_EQ(c.unsent(), 0u);
  const auto s = sink.take();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].seq + static_cast<uint32_t>(s[0].payload.size()), end);
}

}  // namespace
}  // namespace sf::net
