#include "sniperforge/dataplane/rx_processor.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

#include "rx_harness.hpp"
#include "sniperforge/io/feedgen.hpp"

namespace sf::dataplane {
namespace {

using test::FakeSink;
using test::Harness;
using test::small_feed;

TEST(RxProcessor, CleanFeedReachesOneExecutorInOrder) {
  const auto frames = feedgen::generate_frames(small_feed());
  Harness h(1, 1);
  h.run(frames);
  EXPECT_EQ(h.stats.messages.load(), frames.stats.messages);
  EXPECT_EQ(h.stats.gaps.load(), 0u);
  ASSERT_EQ(h.sink.got[0].size(), frames.stats.messages);
  for (std::size_t i = 0; i < h.sink.got[0].size(); ++i) {
    ASSERT_TRUE(h.sink.got[0][i].is_itch());
    EXPECT_EQ(h.sink.got[0][i].seq, i + 1);
  }
  for (auto& d : h.stats.drops) EXPECT_EQ(d.load(), 0u);
}

// A GLIMPSE start (#12): the books hold every message below N. Packets wholly below N are duplicates, the
// one straddling N is applied from N on (late), the rest in order: every message from N exactly once, even
// though the first packet also teaches the feed guard the session.
TEST(RxProcessor, StartAtAppliesTheFeedFromTheSnapshotSequence) {
  const auto frames = feedgen::generate_frames(small_feed());
  const uint64_t n = 1234;
  Harness h(1, 1);
  h.proc.start_at(n);
  h.run(frames);
  EXPECT_EQ(h.stats.gaps.load(), 0u);
  EXPECT_GT(h.stats.duplicate_packets.load(), 10u);
  EXPECT_LE(h.stats.late_packets.load(), 1u);
  ASSERT_EQ(h.sink.got[0].size(), frames.stats.messages - (n - 1));
  for (std::size_t i = 0; i < h.sink.got[0].size(); ++i) EXPECT_EQ(h.sink.got[0][i].seq, n + i);
}

TEST(RxProcessor, TwoExecutorsGetTheirShardsAndBroadcasts) {
  const auto frames = feedgen::generate_frames(small_feed());
  Harness h(2, 2);
  h.run(frames);
  std::size_t broadcast = 0, owned = 0;
  for (uint16_t e = 0; e < 2; ++e) {
    for (const Event& ev : h.sink.got[e]) {
      const itch::MessageView m(ev.payload);
      const uint32_t r = trade::route(m, 2);
      if (r == trade::kAllShards) {
        ++broadcast;
      } else {
        EXPECT_EQ(r % 2, e);
        ++owned;
      }
    }
  }
  // Every broadcast message went to both executors; every other message to exactly one.
  EXPECT_EQ(owned + broadcast / 2, frames.stats.messages);
  EXPECT_EQ(broadcast % 2, 0u);
}

TEST(RxProcessor, GroupFilterKeepsOnlyThatFeed) {
  const auto frames = feedgen::generate_frames(small_feed());  // to 233.54.12.111
  telemetry::RxLcoreStats stats;
  FakeSink sink(1);
  RxSettings s;
  s.feed_group = net::ipv4(233, 54, 12, 112);  // another group
  RxProcessor<FakeSink> other(s, stats, sink);
  for (std::size_t i = 0; i < frames.size(); ++i)
    other.on_frame(frames.data.data() + frames.offsets[i], frames.offsets[i + 1] - frames.offsets[i], 1);
  other.flush();
  EXPECT_TRUE(sink.got[0].empty());
  EXPECT_EQ(stats.drops[static_cast<std::size_t>(telemetry::FeedDropReason::kWrongPort)].load(),
            frames.size());

  telemetry::RxLcoreStats stats2;
  FakeSink sink2(1);
  s.feed_group = net::ipv4(233, 54, 12, 111);
  RxProcessor<FakeSink> same(s, stats2, sink2);
  for (std::size_t i = 0; i < frames.size(); ++i)
    same.on_frame(frames.data.data() + frames.offsets[i], frames.offsets[i + 1] - frames.offsets[i], 1);
  same.flush();
  EXPECT_EQ(stats2.messages.load(), frames.stats.messages);
}

TEST(RxProcessor, FaultsAreCountedByReason) {
  auto cfg = small_feed();
  cfg.gap_rate = 0.05;
  cfg.dup_rate = 0.05;
  cfg.garbage_rate = 0.05;
  cfg.seed = 7;
  const auto frames = feedgen::generate_frames(cfg);
  ASSERT_GT(frames.stats.gaps, 0u);
  ASSERT_GT(frames.stats.duplicates, 0u);
  ASSERT_GT(frames.stats.garbage, 0u);
  Harness h(1, 1);
  h.run(frames);
  EXPECT_EQ(h.stats.duplicate_packets.load(), frames.stats.duplicates);
  EXPECT_GT(h.stats.gaps.load(), 0u);
  EXPECT_LE(h.stats.gaps.load(), frames.stats.gaps);
  uint64_t drops = 0;
  for (auto& d : h.stats.drops) drops += d.load();
  EXPECT_EQ(drops, frames.stats.garbage);
  // A gap marks the books stale: a marker event precedes the next messages.
  std::size_t stale = 0;
  uint64_t last_seq = 0;
  for (const Event& ev : h.sink.got[0]) {
    if (!ev.is_itch()) {
      EXPECT_EQ(ev.kind(), EventKind::kBooksStale);
      ++stale;
      continue;
    }
    EXPECT_GT(ev.seq, last_seq);  // duplicates never reach the executor
    last_seq = ev.seq;
  }
  EXPECT_EQ(stale, h.stats.gaps.load());
}

TEST(RxProcessor, FullRingIsACountedDropThatMarksStale) {
  const auto frames = feedgen::generate_frames(small_feed());
  Harness h(1, 1, 100);
  h.run(frames);
  EXPECT_EQ(h.stats.ring_enqueued[0].load(), 100u);
  EXPECT_EQ(h.stats.ring_dropped_full[0].load(), frames.stats.messages - 100);
  EXPECT_EQ(h.stats.books_marked_stale.load(), 1u);
  // Space again: the stale marker goes first.
  h.sink.capacity[0] = 10;
  const auto again = feedgen::generate_frames(small_feed());
  h.proc.on_frame(again.data.data(), again.offsets[1], 1);
  h.proc.flush();
  ASSERT_GT(h.sink.got[0].size(), 100u);
  EXPECT_EQ(h.sink.got[0][100].kind(), EventKind::kBooksStale);
}

TEST(RxProcessor, GarbageNeverCrashes) {
  Harness h(1, 1);
  std::vector<uint8_t> junk(2000);
  uint32_t x = 12345;
  for (int round = 0; round < 2000; ++round) {
    for (auto& b : junk) {
      x = x * 1103515245 + 12345;
      b = static_cast<uint8_t>(x >> 16);
    }
    // Make a fraction look like IPv4/UDP to the feed port so deeper parsers see junk.
    if (round % 2) {
      junk[12] = 0x08;
      junk[13] = 0x00;
      junk[14] = 0x45;
      junk[23] = 17;
      junk[36] = 26477 >> 8;
      junk[37] = 26477 & 0xff;
    }
    h.proc.on_frame(junk.data(), static_cast<std::size_t>(x % junk.size()), 1);
  }
  h.proc.flush();
  uint64_t drops = 0;
  for (auto& d : h.stats.drops) drops += d.load();
  EXPECT_EQ(drops + h.stats.feed_packets.load(), 2000u);
}

TEST(RxProcessor, DatagramsToTheRetiredUdpSessionPortsAreWrongPortDrops) {
  // The UDP order session is retired (#11): a datagram to its old ports (src_port + shard) carrying
  // its framing is not ours, routes nothing and is counted like any other wrong port.
  Harness h(2, 2);
  const std::array<uint8_t, 12> payload{0, 10, 'S', 0, 0, 0, 0, 0, 0, 0, 7, 'A'};
  net::UdpFrameSpec spec;
  spec.src_port = 40002;
  std::array<uint8_t, 256> frame{};
  for (uint16_t port : {40000, 40001}) {
    spec.dst_port = port;
    const std::size_t flen =
        net::build_udp_frame(frame.data(), frame.size(), spec, payload.data(), payload.size());
    ASSERT_GT(flen, 0u);
    h.proc.on_frame(frame.data(), flen, 99);
  }
  h.proc.flush();
  EXPECT_TRUE(h.sink.got[0].empty());
  EXPECT_TRUE(h.sink.got[1].empty());
  EXPECT_EQ(h.stats.drops[static_cast<std::size_t>(telemetry::FeedDropReason::kWrongPort)].load(), 2u);
}

// Both lines in one frame stream (line B on UDP port 26478), each losing packets the other carries.
TEST(RxProcessor, TwoLinesWithLossOnEachGiveTheCleanFeed) {
  auto cfg = small_feed();
  const auto clean = feedgen::generate_frames(cfg);
  cfg.line_b_port = 26478;
  cfg.line_loss = 0.05;
  const auto ab = feedgen::generate_frames(cfg);
  ASSERT_GT(ab.stats.line_a_lost, 0u);
  ASSERT_GT(ab.stats.line_b_lost, 0u);
  Harness h(Harness::two_lines());
  auto& [stats, sink, proc] = h;
  for (std::size_t i = 0; i < ab.size(); ++i) {
    proc.tick(i);
    proc.on_frame(ab.frame(i), ab.frame_length(i), i);
  }
  proc.finish();
  proc.flush();
  EXPECT_EQ(stats.gaps.load(), 0u);
  EXPECT_EQ(stats.books_marked_stale.load(), 0u);
  EXPECT_GT(stats.lines[kLineA].gaps.load(), 0u);
  EXPECT_GT(stats.lines[kLineB].gaps.load(), 0u);
  EXPECT_EQ(stats.lines[kLineA].first_messages.load() + stats.lines[kLineB].first_messages.load(),
            clean.stats.messages);
  ASSERT_EQ(sink.got[0].size(), clean.stats.messages);
  for (std::size_t i = 0; i < sink.got[0].size(); ++i) ASSERT_EQ(sink.got[0][i].seq, i + 1);
}

TEST(RxProcessor, LineBIsIgnoredUnlessConfigured) {
  auto cfg = small_feed();
  cfg.line_b_port = 26478;
  const auto ab = feedgen::generate_frames(cfg);
  Harness h(1, 1);
  h.run(ab);
  EXPECT_EQ(h.stats.lines[kLineB].packets.load(), 0u);
  EXPECT_GT(h.stats.drops[static_cast<std::size_t>(telemetry::drop_reason(feed::Error::kWrongPort))].load(),
            0u);
  EXPECT_EQ(h.stats.gaps.load(), 0u);
}

}  // namespace
}  // namespace sf::dataplane
