// Feed recovery by MoldUDP64 re-request (#12) through the real RxProcessor, DPDK-free: a scripted
// re-request server on the other end of a FrameSink (ARP, then answers built from the lossless feed),
// against a feed that lost packets. Recovered events must equal the lossless feed's, in order.
#include "sniperforge/dataplane/feed_recovery.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <vector>

#include "recorded_events.hpp"
#include "recorded_frames.hpp"
#include "rerequest_server.hpp"
#include "sniperforge/dataplane/rx_processor.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/net/ipv4_frame.hpp"

namespace sf::dataplane {
namespace {

using namespace sf::testing::rerequest_server;
using FakeSink = sf::testing::RecordedEvents;
using Wire = sf::testing::RecordedFrames;

constexpr uint64_t kTimeout = 200;  // ticks; every frame advances the clock by 10

feedgen::Config feed(double gap_rate) {
  feedgen::Config c;
  c.instruments = 8;
  c.messages = 6000;
  c.live_orders = 200;
  c.gap_rate = gap_rate;
  return c;
}

// RxProcessor with [feed.rewind], its executor's events, and the re-request server behind the wire.
struct Recovery {
  telemetry::RxLcoreStats stats;
  FakeSink sink;
  Wire wire;
  RxProcessor<FakeSink> proc;
  std::map<uint64_t, std::vector<uint8_t>> reference;  // the lossless feed's messages by sequence
  std::string session;
  bool answer = true;
  uint64_t answer_delay = 0;  // ticks
  std::deque<std::pair<uint64_t, std::vector<uint8_t>>> pending;
  std::vector<mold::Request> requests;
  uint64_t now = 1000;

  explicit Recovery(uint64_t max_held = 100'000) : proc(settings(max_held), stats, sink, &wire) {
    const auto lossless = feedgen::generate_frames(feed(0));
    for (std::size_t i = 0; i < lossless.size(); ++i) {
      net::UdpDatagram d;
      mold::PacketView v;
      if (net::parse_udp(lossless.data.data() + lossless.offsets[i],
                         lossless.offsets[i + 1] - lossless.offsets[i], d) != net::Error::kOk ||
          mold::parse(d.payload, d.payload_length, v) != mold::Error::kOk)
        continue;
      session = std::string(v.session());
      for (const mold::Block b : v) reference[b.sequence].assign(b.data, b.data + b.length);
    }
    proc.start(now);
  }
  static RxSettings settings(uint64_t max_held) {
    RxSettings s;
    s.rewind = sf::testing::rerequest_server::settings(kTimeout, 3, max_held);
    return s;
  }

  // The server's side of every frame the RX sent: ARP replies, answers (now or after the delay).
  void serve() {
    for (const auto& f : wire.frames) {
      net::L2Frame l2;
      if (net::parse_l2(f.data(), f.size(), l2) && l2.ether_type == net::kEtherTypeArp) {
        const auto reply = arp_reply();
        proc.on_frame(reply.data(), reply.size(), now);
        continue;
      }
      net::UdpDatagram d;
      mold::Request r;
      ASSERT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kOk);
      EXPECT_EQ(d.src_ip, kLocalIp);
      EXPECT_EQ(d.dst_ip, kServerIp);
      EXPECT_EQ(d.dst_port, kServerPort);
      EXPECT_TRUE(std::equal(f.begin(), f.begin() + 6, kServerMac.begin()));
      ASSERT_EQ(mold::parse_request(d.payload, d.payload_length, r), mold::Error::kOk);
      EXPECT_EQ(r.session_view(), session);
      EXPECT_GE(r.count, 1);
      EXPECT_LE(r.count, 27);  // what one 1472-byte answer carries of the longest message
      requests.push_back(r);
      if (answer) pending.emplace_back(now + answer_delay, answer_frame(r));
    }
    wire.frames.clear();
    while (!pending.empty() && pending.front().first <= now) {
      const auto frame = std::move(pending.front().second);
      pending.pop_front();
      proc.on_frame(frame.data(), frame.size(), now);
    }
  }
  std::vector<uint8_t> answer_frame(const mold::Request& r) const {
    return sf::testing::rerequest_server::answer_frame(session, r, [&](uint64_t seq) {
      const auto m = reference.find(seq);
      return m == reference.end() ? std::span<const uint8_t>{} : std::span<const uint8_t>(m->second);
    });
  }
  void step() {
    now += 10;
    serve();
    if (proc.tick(now)) proc.flush();
    serve();
    proc.flush();
  }
  void run(const feedgen::Frames& f, uint64_t idle_steps = 200) {
    serve();
    for (std::size_t i = 0; i < f.size(); ++i) {
      proc.on_frame(f.data.data() + f.offsets[i], f.offsets[i + 1] - f.offsets[i], now);
      step();
    }
    for (uint64_t i = 0; i < idle_steps; ++i) step();
  }
  std::vector<Event> itch() const {
    std::vector<Event> out;
    for (const Event& e : sink.got)
      if (e.is_itch()) out.push_back(e);
    return out;
  }
  std::size_t count(EventKind k, uint8_t detail) const {
    return std::count_if(sink.got.begin(), sink.got.end(), [&](const Event& e) {
      return !e.is_itch() && e.kind() == k && e.payload[1] == detail;
    });
  }
};

TEST(FeedRecovery, GapsAreFilledFromTheServerAndEqualTheLosslessFeed) {
  const auto lossy = feedgen::generate_frames(feed(0.03));
  ASSERT_GT(lossy.stats.gaps, 3u);
  Recovery r;
  r.answer_delay = 30;  // three frames later: live packets arrive meanwhile and are held
  r.run(lossy);
  const auto got = r.itch();
  ASSERT_EQ(got.size(), r.reference.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].seq, i + 1);
    const auto& want = r.reference.at(i + 1);
    ASSERT_EQ(std::memcmp(got[i].payload, want.data(), want.size()), 0) << i + 1;
  }
  const auto& s = r.stats.recovery;
  EXPECT_EQ(r.count(EventKind::kBooksStale, static_cast<uint8_t>(StaleReason::kGap)), 0u);
  EXPECT_EQ(s.started.load(), r.count(EventKind::kRecovery, static_cast<uint8_t>(RecoveryStep::kStarted)));
  EXPECT_EQ(s.recovered.load(), s.started.load());
  EXPECT_EQ(s.recovered.load(),
            r.count(EventKind::kRecovery, static_cast<uint8_t>(RecoveryStep::kRecovered)));
  EXPECT_GE(s.started.load(), 1u);
  EXPECT_LE(s.started.load(), r.stats.gaps.load());  // gaps close together share one recovery
  EXPECT_GT(s.held.load(), 0u);
  EXPECT_EQ(s.messages.load(), r.stats.gap_messages.load());
  EXPECT_EQ(s.failed.load(), 0u);
  EXPECT_EQ(s.recovering.load(), 0u);
  EXPECT_EQ(s.recovery_time.snapshot().total(), s.recovered.load());
  EXPECT_EQ(r.proc.recovery()->neighbours().stats().arp_replies_received.load(), 1u);
}

TEST(FeedRecovery, ServerThatNeverAnswersFailsAfterTheRetriesAndBooksStayStale) {
  auto cfg = feed(0);
  const auto lossless = feedgen::generate_frames(cfg);
  cfg.gap_rate = 0.03;
  const auto lossy = feedgen::generate_frames(cfg);
  Recovery r;
  r.answer = false;
  r.run(lossy);
  const auto& s = r.stats.recovery;
  EXPECT_EQ(s.started.load(), 1u);  // then latched: later gaps are not recovered
  EXPECT_EQ(s.failures[static_cast<std::size_t>(RecoveryFailure::kRetries)].load(), 1u);
  EXPECT_EQ(s.failed.load(), static_cast<uint64_t>(RecoveryFailure::kRetries));
  EXPECT_EQ(s.requests.load(), 4u);  // the first try and 3 retries
  EXPECT_EQ(s.retries.load(), 3u);
  EXPECT_EQ(r.requests.size(), 4u);
  // One stale marker at the failure (for the gaps it had absorbed), then one per later gap.
  const std::size_t stale = r.count(EventKind::kBooksStale, static_cast<uint8_t>(StaleReason::kGap));
  EXPECT_GE(stale, 2u);
  EXPECT_LE(stale, r.stats.gaps.load());
  EXPECT_EQ(r.count(EventKind::kRecovery, static_cast<uint8_t>(RecoveryStep::kEnded)), 1u);
  // Nothing received is lost: every message that arrived is applied once, in order.
  const auto got = r.itch();
  EXPECT_EQ(got.size() + r.stats.gap_messages.load(), lossless.stats.messages);
  for (std::size_t i = 1; i < got.size(); ++i) ASSERT_GT(got[i].seq, got[i - 1].seq);
  // The stale marker precedes the held messages it concerns.
  std::size_t stale_at = 0;
  while (stale_at < r.sink.got.size() && r.sink.got[stale_at].is_itch()) ++stale_at;
  EXPECT_LT(stale_at, r.sink.got.size());
}

TEST(FeedRecovery, GapLargerThanTheBufferFailsAtOnce) {
  const auto lossy = feedgen::generate_frames(feed(0.03));
  Recovery r(/*max_held=*/4);  // a lost packet carries up to 16 messages
  r.run(lossy);
  const auto& s = r.stats.recovery;
  EXPECT_EQ(s.failures[static_cast<std::size_t>(RecoveryFailure::kBuffer)].load(), 1u);
  EXPECT_EQ(s.failed.load(), static_cast<uint64_t>(RecoveryFailure::kBuffer));
  EXPECT_EQ(s.recovered.load(), 0u);
  EXPECT_EQ(r.count(EventKind::kBooksStale, static_cast<uint8_t>(StaleReason::kGap)), r.stats.gaps.load());
}

TEST(FeedRecovery, HeldMessagesBeyondTheBufferFailTheRecovery) {
  const auto lossy = feedgen::generate_frames(feed(0.03));
  Recovery r(/*max_held=*/64);
  r.answer_delay = 100'000;  // answers far too late: live messages fill the buffer first
  r.run(lossy, 0);
  const auto& s = r.stats.recovery;
  EXPECT_EQ(s.failures[static_cast<std::size_t>(RecoveryFailure::kBuffer)].load(), 1u);
  const auto got = r.itch();
  for (std::size_t i = 1; i < got.size(); ++i) ASSERT_GT(got[i].seq, got[i - 1].seq);
  EXPECT_EQ(got.size() + r.stats.gap_messages.load(), r.reference.size());
}

TEST(FeedRecovery, AnswersArpForOurAddressAndRefusesForgedAnswers) {
  Recovery r;
  r.serve();
  ASSERT_TRUE(r.proc.recovery()->neighbours().resolved());
  // Someone asks who has 10.0.0.1: the RX lcore answers for the feed port.
  auto req = arp_reply();
  proto::store_be<uint16_t>(req.data() + 14 + 6, 1);
  std::fill(req.begin(), req.begin() + 6, 0xff);
  std::memset(req.data() + 14 + 18, 0, 6);
  r.proc.on_frame(req.data(), req.size(), r.now);
  ASSERT_EQ(r.wire.frames.size(), 1u);
  EXPECT_EQ(proto::load_be16(r.wire.frames[0].data() + 14 + 6), 2u);  // ARP reply
  EXPECT_EQ(r.stats.drops[static_cast<std::size_t>(telemetry::FeedDropReason::kNotIpv4)].load(), 0u);
  r.wire.frames.clear();
  // A packet from the server's address that is not MoldUDP64 of our session is counted, never applied.
  mold::Request fake{};
  fake.sequence = 1;
  fake.count = 1;
  r.session = "OTHERSESS0";
  auto forged = r.answer_frame(fake);
  r.proc.on_frame(forged.data(), forged.size(), r.now);
  EXPECT_EQ(r.stats.recovery.bad_answers.load(), 1u);
  EXPECT_TRUE(r.sink.got.empty());
}

// The FeedRecovery alone: a restart of the feed (FeedGuard) while recovering abandons the gap, applies what
// was held and latches; reset_after_snapshot() (the GLIMPSE hook) lets the next gap be recovered again.
TEST(FeedRecovery, AbandonedOnAFeedRestartAndResetBySnapshot) {
  struct Out {
    std::vector<uint64_t> applied;
    int started = 0, recoveries = 0, failed = 0;
    void apply(uint64_t seq, const uint8_t*, std::size_t) { applied.push_back(seq); }
    void recovery_started() { ++started; }
    void recovered(uint64_t) { ++recoveries; }
    void recovery_failed(uint64_t) { ++failed; }
    void snapshot_wanted(uint64_t) { ADD_FAILURE() << "no snapshot fallback configured"; }
  } out;
  Wire wire;
  telemetry::FeedRecoveryStats stats;
  FeedRecovery rec(Recovery::settings(100).rewind.value(), wire, stats);
  const uint8_t msg[12] = {'S'};
  ASSERT_TRUE(rec.on_gap(10, 5, 0, out));
  for (uint64_t seq = 15; seq < 20; ++seq) ASSERT_TRUE(rec.hold(seq, msg, sizeof msg, out));
  EXPECT_TRUE(out.applied.empty());
  rec.abandon(out);
  EXPECT_EQ(out.failed, 1);
  EXPECT_EQ(out.applied, (std::vector<uint64_t>{15, 16, 17, 18, 19}));
  EXPECT_EQ(stats.failures[static_cast<std::size_t>(RecoveryFailure::kAbandoned)].load(), 1u);
  EXPECT_EQ(stats.failed.load(), static_cast<uint64_t>(RecoveryFailure::kAbandoned));
  EXPECT_FALSE(rec.on_gap(30, 2, 0, out));  // latched: the caller marks stale
  EXPECT_FALSE(rec.hold(33, msg, sizeof msg, out));
  rec.reset_after_snapshot();
  EXPECT_EQ(stats.failed.load(), 0u);
  EXPECT_TRUE(rec.on_gap(40, 2, 0, out));
  EXPECT_EQ(out.started, 2);
}

}  // namespace
}  // namespace sf::dataplane
