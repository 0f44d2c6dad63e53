// RxProcessor with two feed lines (#12): the other line's copy of an applied packet is counted from
// its MoldUDP64 header alone, and line B may arrive on a port of its own.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rx_harness.hpp"
#include "sniperforge/dataplane/rx_processor.hpp"
#include "sniperforge/io/feedgen.hpp"

namespace sf::dataplane {
namespace {

using test::FakeSink;
using test::Harness;
using test::small_feed;

uint64_t all_drops(const telemetry::RxLcoreStats& stats) {
  uint64_t n = 0;
  for (const auto& d : stats.drops) n += d.load();
  return n;
}

// Frame i's MoldUDP64 payload, rewritten as (sequence, count) from `src` to `dst_port`, its ITCH body
// replaced by garbage (so only a header-only decision can call it a duplicate).
std::vector<uint8_t> garbled_copy(const feedgen::Frames& frames, std::size_t i, uint64_t seq, uint16_t count,
                                  uint32_t src, bool other_session, uint16_t dst_port) {
  net::UdpDatagram udp;
  EXPECT_EQ(net::parse_udp(frames.frame(i), frames.frame_length(i), udp), net::Error::kOk);
  std::vector<uint8_t> p(udp.payload, udp.payload + udp.payload_length);
  EXPECT_GT(p.size(), mold::kHeaderLength);
  for (std::size_t k = mold::kHeaderLength; k < p.size(); ++k) p[k] = 0xEE;
  if (other_session) p[0] ^= 1;
  for (int b = 0; b < 8; ++b) p[10 + b] = static_cast<uint8_t>(seq >> (56 - 8 * b));
  p[18] = static_cast<uint8_t>(count >> 8);
  p[19] = static_cast<uint8_t>(count);
  net::UdpFrameSpec spec;
  spec.src_ip = src;
  spec.dst_port = dst_port;
  std::vector<uint8_t> f(2048);
  f.resize(net::build_udp_frame(f.data(), f.size(), spec, p.data(), p.size()));
  EXPECT_FALSE(f.empty());
  return f;
}

TEST(RxLines, ACopyWhollyAppliedIsADuplicateFromItsHeaderAlone) {
  const auto frames = feedgen::generate_frames(small_feed());
  ASSERT_GT(frames.size(), 40u);
  net::UdpDatagram first;
  ASSERT_EQ(net::parse_udp(frames.frame(0), frames.frame_length(0), first), net::Error::kOk);
  RxSettings s = Harness::two_lines();
  s.guard.sources = {first.src_ip, 0x0a000063};
  Harness h(s);
  auto& [stats, sink, proc] = h;
  const std::size_t applied = 30;
  for (std::size_t i = 0; i < applied; ++i) proc.on_frame(frames.frame(i), frames.frame_length(i), i);
  proc.flush();
  const uint64_t next = stats.next_expected_seq.load();
  ASSERT_GT(next, 3u);
  auto send_b = [&](std::size_t i, uint64_t seq, uint16_t count, uint32_t src, bool other_session) {
    const auto f = garbled_copy(frames, i, seq, count, src, other_session, Harness::kLineBPort);
    proc.on_frame(f.data(), f.size(), 100);
  };
  send_b(10, next - 3, 3, first.src_ip, false);  // ends exactly where the next packet starts: a duplicate
  EXPECT_FALSE(proc.staged())
      << "a duplicate stages nothing: the RX lcore neither flushes nor runs executors";
  send_b(5, 1, 1, first.src_ip, false);  // far behind: a duplicate
  EXPECT_EQ(stats.lines[kLineB].duplicates.load(), 2u);
  EXPECT_EQ(stats.duplicate_packets.load(), 2u);
  EXPECT_EQ(stats.lines[kLineB].packets.load(), 2u);
  EXPECT_EQ(stats.feed_packets.load(), applied + 2);
  EXPECT_EQ(all_drops(stats), 0u);
  // Everything else is validated first (the garbage body is a parse drop) and judged by the guard.
  send_b(11, next - 1, 2, first.src_ip, false);   // straddles the next sequence
  send_b(applied, next, 1, first.src_ip, false);  // not applied yet
  send_b(12, 1, 1, first.src_ip, true);           // another session
  send_b(13, 1, 1, 0x0a0000fe, false);            // a source [feed] sources does not allow
  EXPECT_EQ(all_drops(stats), 4u);
  EXPECT_EQ(stats.lines[kLineB].duplicates.load(), 2u);
  EXPECT_EQ(stats.next_expected_seq.load(), next);
  // The real packets after them are applied as before: nothing was suppressed or reordered.
  for (std::size_t i = applied; i < frames.size(); ++i)
    proc.on_frame(frames.frame(i), frames.frame_length(i), i);
  proc.finish();
  proc.flush();
  EXPECT_EQ(stats.gaps.load(), 0u);
  EXPECT_EQ(stats.messages.load(), frames.stats.messages);
  ASSERT_EQ(sink.got[0].size(), frames.stats.messages);
  for (std::size_t i = 0; i < sink.got[0].size(); ++i) ASSERT_EQ(sink.got[0][i].seq, i + 1);
}

// The RX loop's prefetch hint reads the first cache line only: an applied data packet (the other line's
// copy) looks applied; a packet not yet applied, a heartbeat, a VLAN-tagged frame (other offsets) and
// anything with one line do not. The hint decides nothing: the packet is still judged in full.
TEST(RxLines, LooksAppliedHintsFromTheFirstCacheLine) {
  const auto frames = feedgen::generate_frames(small_feed());
  net::UdpDatagram first;
  ASSERT_EQ(net::parse_udp(frames.frame(0), frames.frame_length(0), first), net::Error::kOk);
  Harness h(Harness::two_lines());
  auto& [stats, sink, proc] = h;
  EXPECT_FALSE(proc.looks_applied(frames.frame(0), frames.frame_length(0))) << "nothing applied yet";
  for (std::size_t i = 0; i < 30; ++i) proc.on_frame(frames.frame(i), frames.frame_length(i), i);
  const uint64_t next = stats.next_expected_seq.load();
  const auto behind = garbled_copy(frames, 5, next - 3, 3, first.src_ip, false, Harness::kLineBPort);
  EXPECT_TRUE(proc.looks_applied(behind.data(), behind.size()));
  EXPECT_FALSE(proc.looks_applied(behind.data(), 14 + 20 + 8 + mold::kHeaderLength - 1)) << "too short";
  const auto straddles = garbled_copy(frames, 5, next - 1, 2, first.src_ip, false, Harness::kLineBPort);
  EXPECT_FALSE(proc.looks_applied(straddles.data(), straddles.size()));
  const auto heartbeat = garbled_copy(frames, 5, 1, 0, first.src_ip, false, Harness::kLineBPort);
  EXPECT_FALSE(proc.looks_applied(heartbeat.data(), heartbeat.size()));
  const auto end_of_session = garbled_copy(frames, 5, 1, 0xffff, first.src_ip, false, Harness::kLineBPort);
  EXPECT_FALSE(proc.looks_applied(end_of_session.data(), end_of_session.size()));
  // A tagged frame: the MoldUDP64 header lies 4 bytes later, so the hint does not guess.
  net::UdpFrameSpec spec;
  spec.has_vlan = true;
  spec.vlan_id = 7;
  spec.dst_port = Harness::kLineBPort;
  std::vector<uint8_t> tagged(2048);
  tagged.resize(
      net::build_udp_frame(tagged.data(), tagged.size(), spec, behind.data() + 42, behind.size() - 42));
  ASSERT_FALSE(tagged.empty());
  EXPECT_FALSE(proc.looks_applied(tagged.data(), tagged.size()));
  // The hint judged nothing: the garbled copy is still a counted duplicate or drop when it arrives.
  EXPECT_EQ(stats.duplicate_packets.load(), 0u);
  // One line: never (every packet's body is prefetched, as before).
  Harness one(1, 1);
  for (std::size_t i = 0; i < 30; ++i) one.proc.on_frame(frames.frame(i), frames.frame_length(i), i);
  const auto copy = garbled_copy(frames, 5, 1, 1, first.src_ip, false, feed::kDefaultPort);
  EXPECT_FALSE(one.proc.looks_applied(copy.data(), copy.size()));
}

// With one line a duplicate takes the full path: a garbled one is a parse drop, as always.
TEST(RxLines, OneLineValidatesDuplicatesInFull) {
  const auto frames = feedgen::generate_frames(small_feed());
  Harness h(1, 1);
  for (std::size_t i = 0; i < 30; ++i) h.proc.on_frame(frames.frame(i), frames.frame_length(i), i);
  net::UdpDatagram first;
  ASSERT_EQ(net::parse_udp(frames.frame(0), frames.frame_length(0), first), net::Error::kOk);
  const auto f = garbled_copy(frames, 5, 1, 1, first.src_ip, false, feed::kDefaultPort);
  h.proc.on_frame(f.data(), f.size(), 100);
  EXPECT_EQ(all_drops(h.stats), 1u);
  EXPECT_EQ(h.stats.duplicate_packets.load(), 0u);
}

// Line B on a port of its own (two NICs), with line A's UDP port: each line loses packets the other
// carries; both feed one arbiter, per-line counters stay right, the stream is whole and in order.
TEST(RxLines, LineBOnItsOwnPortFeedsTheSameArbiter) {
  auto cfg = small_feed();
  const auto clean = feedgen::generate_frames(cfg);
  cfg.line_b_port = cfg.port;  // the same UDP port on both lines: only the port tells them apart
  cfg.line_loss = 0.05;
  const auto ab = feedgen::generate_frames(cfg);
  ASSERT_GT(ab.stats.line_a_lost, 0u);
  ASSERT_GT(ab.stats.line_b_lost, 0u);
  RxSettings s = Harness::settings(1, 1);
  s.line_b_udp_port = cfg.port;
  s.line_b_own_port = true;
  s.arbitration_ticks = 1000;
  telemetry::RxLcoreStats stats;
  FakeSink sink(1);
  RxProcessor<FakeSink> proc(s, stats, sink);
  // sf-feedgen writes a packet's line-A copy, then its line-B copy (consecutive frames, same MoldUDP64
  // sequence); a copy whose twin was lost goes to the lines in turn.
  uint64_t prev_seq = 0, a_packets = 0, b_packets = 0;
  bool lone_on_b = false;
  for (std::size_t i = 0; i < ab.size(); ++i) {
    net::UdpDatagram udp;
    ASSERT_EQ(net::parse_udp(ab.frame(i), ab.frame_length(i), udp), net::Error::kOk);
    const uint64_t seq = mold::PacketView(udp.payload, udp.payload_length).sequence();
    const bool second_copy = i > 0 && seq == prev_seq;
    const bool has_twin = i + 1 < ab.size() && !second_copy && [&] {
      net::UdpDatagram next;
      return net::parse_udp(ab.frame(i + 1), ab.frame_length(i + 1), next) == net::Error::kOk &&
             mold::PacketView(next.payload, next.payload_length).sequence() == seq;
    }();
    prev_seq = seq;
    proc.tick(i);
    bool on_b = second_copy;
    if (!second_copy && !has_twin) on_b = lone_on_b = !lone_on_b;
    if (on_b) {
      proc.on_line_b_port_frame(ab.frame(i), ab.frame_length(i), i);
      ++b_packets;
    } else {
      proc.on_frame(ab.frame(i), ab.frame_length(i), i);
      ++a_packets;
    }
  }
  proc.finish();
  proc.flush();
  EXPECT_EQ(all_drops(stats), 0u);
  EXPECT_EQ(stats.gaps.load(), 0u);
  EXPECT_EQ(stats.books_marked_stale.load(), 0u);
  EXPECT_EQ(stats.lines[kLineA].packets.load(), a_packets);
  EXPECT_EQ(stats.lines[kLineB].packets.load(), b_packets);
  EXPECT_GT(stats.lines[kLineB].first_messages.load(), 0u);
  EXPECT_EQ(stats.lines[kLineA].first_messages.load() + stats.lines[kLineB].first_messages.load(),
            clean.stats.messages);
  ASSERT_EQ(sink.got[0].size(), clean.stats.messages);
  for (std::size_t i = 0; i < sink.got[0].size(); ++i) ASSERT_EQ(sink.got[0][i].seq, i + 1);
  // On line B's port, a datagram that is not line B's is a counted wrong_port drop; on the feed port,
  // line B's UDP port is line A's here, so nothing is line B there.
  net::UdpFrameSpec spec;
  spec.dst_port = 26999;
  std::array<uint8_t, 128> f{};
  const std::array<uint8_t, 4> payload{1, 2, 3, 4};
  const std::size_t len = net::build_udp_frame(f.data(), f.size(), spec, payload.data(), payload.size());
  proc.on_line_b_port_frame(f.data(), len, 1);
  EXPECT_EQ(stats.drops[static_cast<std::size_t>(telemetry::FeedDropReason::kWrongPort)].load(), 1u);
}

}  // namespace
}  // namespace sf::dataplane
