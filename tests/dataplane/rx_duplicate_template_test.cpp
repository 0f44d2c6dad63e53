// The two-line duplicate fast path (#12): RxProcessor::take_applied_copy() recognises the other line's copy
// of an applied packet from its line's duplicate template (duplicate_template.hpp). Every test runs the same
// frames through two processors, one with the fast path (as the RX lcore calls it) and one without it
// (RxSettings::duplicate_templates = false: every frame through on_frame()), and requires every counter and
// every event to be the same: the fast path is only faster.
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <random>
#include <vector>

#include "rx_harness.hpp"
#include "sniperforge/dataplane/rx_processor.hpp"
#include "sniperforge/io/feedgen.hpp"

namespace sf::dataplane {
namespace {

using telemetry::FeedDropReason;
using test::Harness;
using test::small_feed;

void expect_same_stats(const telemetry::RxLcoreStats& a, const telemetry::RxLcoreStats& b,
                       const char* where) {
  SCOPED_TRACE(where);
#define SF_SAME(field) EXPECT_EQ(a.field.load(), b.field.load()) << #field
  SF_SAME(packets);
  SF_SAME(bytes);
  SF_SAME(feed_packets);
  SF_SAME(messages);
  SF_SAME(heartbeats);
  SF_SAME(last_feed_tsc);
  SF_SAME(next_expected_seq);
  SF_SAME(gaps);
  SF_SAME(gap_messages);
  SF_SAME(duplicate_packets);
  SF_SAME(late_packets);
  SF_SAME(books_marked_stale);
  SF_SAME(arbitration_held);
  SF_SAME(arbitration_hold_overflow);
  SF_SAME(session_changes);
  SF_SAME(seq_restarts);
  SF_SAME(ring_enqueued[0]);
  for (int l = 0; l < kLines; ++l) {
    SCOPED_TRACE(l == kLineA ? "line A" : "line B");
    SF_SAME(lines[l].packets);
    SF_SAME(lines[l].first_messages);
    SF_SAME(lines[l].duplicates);
    SF_SAME(lines[l].gaps);
    SF_SAME(lines[l].last_packet_tsc);
  }
#undef SF_SAME
  for (std::size_t i = 0; i < a.drops.size(); ++i)
    EXPECT_EQ(a.drops[i].load(), b.drops[i].load()) << "drop " << i;
  for (std::size_t i = 0; i < a.messages_by_type.size(); ++i)
    EXPECT_EQ(a.messages_by_type[i].load(), b.messages_by_type[i].load()) << "type slot " << i;
}

uint64_t drops(const telemetry::RxLcoreStats& s, FeedDropReason r) {
  return s.drops[static_cast<std::size_t>(r)].load();
}

// The same frames through the fast path (`fast`) and through on_frame() alone (`full`).
struct Twins {
  Harness fast;
  Harness full;
  explicit Twins(RxSettings s) : fast(s), full(without_templates(s)) {}
  static RxSettings without_templates(RxSettings s) {
    s.duplicate_templates = false;
    return s;
  }
  void frame(const uint8_t* f, std::size_t len, uint64_t tsc, bool line_b_port = false) {
    EXPECT_FALSE(full.proc.copies_by_template());
    if (!fast.proc.copies_by_template() || !fast.proc.take_applied_copy(f, len, tsc, line_b_port)) {
      if (line_b_port)
        fast.proc.on_line_b_port_frame(f, len, tsc);
      else
        fast.proc.on_frame(f, len, tsc);
    }
    if (line_b_port)
      full.proc.on_line_b_port_frame(f, len, tsc);
    else
      full.proc.on_frame(f, len, tsc);
  }
  void frame(const std::vector<uint8_t>& f, uint64_t tsc) { frame(f.data(), f.size(), tsc); }
  // The RX lcore's end of a burst: events handed on, the copies' counts added.
  void end_burst() {
    for (Harness* h : {&fast, &full}) {
      h->proc.flush();
      h->proc.end_burst();
    }
  }
  void expect_same(const char* where) {
    expect_same_stats(fast.stats, full.stats, where);
    ASSERT_EQ(fast.sink.got[0].size(), full.sink.got[0].size()) << where;
    for (std::size_t i = 0; i < fast.sink.got[0].size(); ++i) {
      const Event& a = fast.sink.got[0][i];
      const Event& b = full.sink.got[0][i];
      // What pack_*() writes (an ITCH message's own length; a marker's kind and reason).
      const std::size_t n = a.is_itch() ? itch::kLengthByType[a.payload[0]] : 2;
      ASSERT_TRUE(a.seq == b.seq && a.rx_tsc48() == b.rx_tsc48() && std::memcmp(a.payload, b.payload, n) == 0)
          << where << " event " << i;
    }
  }
  void run(const feedgen::Frames& f, uint64_t tsc0 = 1000, std::size_t burst = 8) {
    for (std::size_t i = 0; i < f.size(); ++i) {
      frame(f.frame(i), f.frame_length(i), tsc0 + i);
      if (i % burst == burst - 1) end_burst();
    }
    end_burst();
  }
};

feedgen::Config two_line_feed() {
  feedgen::Config c = small_feed();
  c.line_b_port = Harness::kLineBPort;
  return c;
}

// Every frame of a two-line feed with loss on each line (each line's own gaps), duplicates, heartbeats:
// the same counters and events, burst by burst, and the fast path took (nearly) every copy.
TEST(RxDuplicateTemplate, FastPathCountsLikeTheFullPath) {
  feedgen::Config c = two_line_feed();
  c.line_loss = 0.03;
  c.dup_rate = 0.01;
  c.heartbeat_every = 5;
  const auto frames = feedgen::generate_frames(c);
  ASSERT_GT(frames.stats.line_a_lost + frames.stats.line_b_lost, 0u);
  Twins t(Harness::two_lines());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    t.frame(frames.frame(i), frames.frame_length(i), 1000 + i);
    if (i % 8 == 7) {
      t.end_burst();
      t.expect_same("burst");
      if (::testing::Test::HasFailure()) return;
    }
  }
  t.fast.proc.finish();
  t.full.proc.finish();
  t.end_burst();
  t.expect_same("end");
  const auto& s = t.fast.stats;
  EXPECT_GT(s.lines[kLineA].gaps.load() + s.lines[kLineB].gaps.load(), 0u)
      << "each line's own gaps exercised";
  EXPECT_EQ(s.gaps.load(), 0u);
  EXPECT_GT(s.heartbeats.load(), 0u);
  EXPECT_EQ(s.messages.load(), frames.stats.messages);
  // Every copy of a data packet took the fast path; the sender's own duplicates too (they are copies).
  EXPECT_GT(t.fast.proc.template_copies(), 0u);
  EXPECT_EQ(t.fast.proc.template_copies(), s.duplicate_packets.load());
  EXPECT_EQ(t.full.proc.template_copies(), 0u);
}

// Before end_burst() the copies' counts wait; after it they are all there: a line whose every copy takes
// the fast path is seen (packets, last packet time: the line-silence alert's inputs).
TEST(RxDuplicateTemplate, ALineWhoseCopiesAllTakeTheFastPathIsNotSilent) {
  const auto frames = feedgen::generate_frames(two_line_feed());
  Harness h(Harness::two_lines());
  uint64_t line_b_frames = 0, last_b_tsc = 0, taken_in_burst = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const uint64_t tsc = 5000 + i;
    net::UdpDatagram udp;
    ASSERT_EQ(net::parse_udp(frames.frame(i), frames.frame_length(i), udp), net::Error::kOk);
    const bool on_b = udp.dst_port == Harness::kLineBPort;
    if (h.proc.take_applied_copy(frames.frame(i), frames.frame_length(i), tsc)) {
      ASSERT_TRUE(on_b) << "sf-feedgen sends line A's copy first";
      ++taken_in_burst;
    } else {
      h.proc.on_frame(frames.frame(i), frames.frame_length(i), tsc);
    }
    if (on_b) {
      ++line_b_frames;
      last_b_tsc = tsc;
    }
    if (i % 16 == 15) {
      const uint64_t before = h.stats.lines[kLineB].packets.load();
      h.proc.flush();
      h.proc.end_burst();
      EXPECT_EQ(h.stats.lines[kLineB].packets.load(), before + taken_in_burst);
      taken_in_burst = 0;
    }
  }
  h.proc.flush();
  h.proc.end_burst();
  // The last frame is line B's end-of-session copy (count 0xffff): the full path, as ever.
  EXPECT_EQ(h.proc.template_copies() + 1, line_b_frames) << "every copy but the end of session";
  EXPECT_EQ(h.stats.lines[kLineB].packets.load(), line_b_frames);
  EXPECT_EQ(h.stats.lines[kLineB].duplicates.load(), line_b_frames - 1);
  EXPECT_EQ(h.stats.lines[kLineB].last_packet_tsc.load(), last_b_tsc);
  EXPECT_EQ(h.stats.lines[kLineB].first_messages.load(), 0u);
  EXPECT_EQ(h.stats.lines[kLineA].first_messages.load(), frames.stats.messages);
}

// A frame's IPv4 header rewritten: checksum recomputed (the parser does not check it, a NIC would).
void fix_ip_checksum(std::vector<uint8_t>& f, std::size_t ip = 14) {
  const std::size_t ihl = std::size_t{f[ip] & 0x0fu} * 4;
  f[ip + 10] = f[ip + 11] = 0;
  proto::store_be<uint16_t>(f.data() + ip + 10, net::checksum_fold(net::checksum_add(0, f.data() + ip, ihl)));
}

struct Variant {
  const char* what;
  std::vector<uint8_t> frame;
  std::optional<FeedDropReason> label;  // the drop today's path counts, none = not a drop
  // Still a copy today's path counts as a duplicate from an untagged 20-byte IPv4 header: the fast path
  // may take it by learning its line's template from it (a source port, an address the line does not fix).
  bool may_take = false;
};

// The copy `f` (untagged, IPv4 without options, an applied packet of line B) changed in each field the
// template fixes, and in its lengths, sequence and count.
std::vector<Variant> variants(const std::vector<uint8_t>& f, uint64_t next) {
  std::vector<Variant> v;
  auto with = [&](const char* what, std::optional<FeedDropReason> label, auto change) {
    std::vector<uint8_t> g = f;
    change(g);
    v.push_back({what, g, label, false});
  };
  const std::optional<FeedDropReason> none;
  with("vlan tag", none, [](std::vector<uint8_t>& g) {
    const std::array<uint8_t, 4> tag{0x81, 0x00, 0x00, 0x07};
    g.insert(g.begin() + 12, tag.begin(), tag.end());
  });
  with("ip options", none, [](std::vector<uint8_t>& g) {
    const std::array<uint8_t, 4> nops{1, 1, 1, 1};
    g.insert(g.begin() + 34, nops.begin(), nops.end());
    g[14] = 0x46;
    proto::store_be<uint16_t>(g.data() + 16, static_cast<uint16_t>(proto::load_be16(g.data() + 16) + 4));
    fix_ip_checksum(g);
  });
  with("more fragments", FeedDropReason::kFragment, [](std::vector<uint8_t>& g) { g[20] |= 0x20; });
  with("fragment offset", FeedDropReason::kFragment, [](std::vector<uint8_t>& g) { g[21] = 1; });
  with("not ipv4", FeedDropReason::kNotIpv4, [](std::vector<uint8_t>& g) { g[12] = 0x86, g[13] = 0xdd; });
  with("ip version 6", FeedDropReason::kNotIpv4, [](std::vector<uint8_t>& g) { g[14] = 0x65; });
  with("not udp", FeedDropReason::kNotUdp, [](std::vector<uint8_t>& g) { g[23] = 6; });
  with("other destination port", FeedDropReason::kWrongPort,
       [](std::vector<uint8_t>& g) { proto::store_be<uint16_t>(g.data() + 36, 26999); });
  with("other source", FeedDropReason::kForgedSource, [](std::vector<uint8_t>& g) { g[29] ^= 0x40; });
  with("other source port", none, [](std::vector<uint8_t>& g) { g[35] ^= 1; });
  v.back().may_take = true;
  with("other destination address", none, [](std::vector<uint8_t>& g) { g[33] ^= 1; });
  v.back().may_take = true;
  with("other session", FeedDropReason::kMoldWrongSession, [](std::vector<uint8_t>& g) { g[51] ^= 1; });
  with("truncated frame", FeedDropReason::kBadIpLength,
       [](std::vector<uint8_t>& g) { g.resize(g.size() - 1); });
  with("shorter than a header", FeedDropReason::kBadUdpLength, [](std::vector<uint8_t>& g) {
    g.resize(61);
    proto::store_be<uint16_t>(g.data() + 16, 61 - 14);
    fix_ip_checksum(g);
  });
  with("udp length short of the ip payload", none, [](std::vector<uint8_t>& g) {
    proto::store_be<uint16_t>(g.data() + 38, proto::load_be16(g.data() + 38) - 1);
  });
  v.back().may_take = true;
  with("udp length beyond the ip payload", FeedDropReason::kBadUdpLength, [](std::vector<uint8_t>& g) {
    proto::store_be<uint16_t>(g.data() + 38, proto::load_be16(g.data() + 38) + 1);
  });
  with("udp length below a mold header", none, [](std::vector<uint8_t>& g) {
    proto::store_be<uint16_t>(g.data() + 38, 8 + 19);
    proto::store_be<uint16_t>(g.data() + 16, 20 + 8 + 19);
    fix_ip_checksum(g);
  });
  with("count 0 (heartbeat)", none, [](std::vector<uint8_t>& g) { g[60] = g[61] = 0; });
  with("count 0xffff (end of session)", none, [](std::vector<uint8_t>& g) { g[60] = g[61] = 0xff; });
  with("not wholly applied", none, [&](std::vector<uint8_t>& g) {
    proto::store_be<uint64_t>(g.data() + 52, next - 1);
    proto::store_be<uint16_t>(g.data() + 60, 2);
  });
  with("sequence wraps", none,
       [](std::vector<uint8_t>& g) { proto::store_be<uint64_t>(g.data() + 52, ~0ull); });
  return v;
}

// The copy changed in any field the template fixes, or with lengths, count or sequence it does not accept,
// is not taken by the fast path: on_frame() counts it, with today's label.
TEST(RxDuplicateTemplate, AnyOtherFrameTakesTheFullPathWithTodaysLabel) {
  const auto frames = feedgen::generate_frames(two_line_feed());
  net::UdpDatagram first;
  ASSERT_EQ(net::parse_udp(frames.frame(0), frames.frame_length(0), first), net::Error::kOk);
  RxSettings s = Harness::two_lines();
  s.guard.sources = {first.src_ip};
  Twins t(s);
  const std::size_t fed = 200;
  for (std::size_t i = 0; i < fed; ++i) t.frame(frames.frame(i), frames.frame_length(i), 1000 + i);
  t.end_burst();
  ASSERT_GT(t.fast.proc.template_copies(), 50u) << "the template is learned";
  const uint64_t next = t.fast.stats.next_expected_seq.load();
  // An applied packet's line-B copy, as sent: the fast path takes it.
  std::vector<uint8_t> copy;
  for (std::size_t i = 101; i < fed && copy.empty(); ++i) {
    net::UdpDatagram udp;
    ASSERT_EQ(net::parse_udp(frames.frame(i), frames.frame_length(i), udp), net::Error::kOk);
    if (udp.dst_port == Harness::kLineBPort)
      copy.assign(frames.frame(i), frames.frame(i) + frames.frame_length(i));
  }
  ASSERT_FALSE(copy.empty());
  uint64_t tsc = 10'000;
  uint64_t taken = t.fast.proc.template_copies();
  t.frame(copy, ++tsc);
  EXPECT_EQ(t.fast.proc.template_copies(), ++taken) << "the unchanged copy";
  for (const Variant& v : variants(copy, next)) {
    SCOPED_TRACE(v.what);
    const uint64_t dropped_before = v.label ? drops(t.full.stats, *v.label) : 0;
    t.frame(v.frame, ++tsc);
    t.end_burst();
    if (v.may_take)
      taken = t.fast.proc.template_copies();
    else
      EXPECT_EQ(t.fast.proc.template_copies(), taken) << "taken by the fast path";
    t.expect_same(v.what);
    if (v.label) {
      EXPECT_EQ(drops(t.fast.stats, *v.label), dropped_before + 1);
    }
  }
  // And the copy itself is still taken afterwards (nothing above broke the template or the stream).
  t.frame(copy, ++tsc);
  t.end_burst();
  EXPECT_EQ(t.fast.proc.template_copies(), taken + 1);
  t.expect_same("after");
}

// Random damage to an applied copy's first 62 bytes and its length, between the real frames: whatever
// the fast path takes, it counts exactly as on_frame() does, and the stream stays the same.
TEST(RxDuplicateTemplate, RandomlyDamagedCopiesCountAsInTheFullPath) {
  const auto frames = feedgen::generate_frames(two_line_feed());
  net::UdpDatagram first;
  ASSERT_EQ(net::parse_udp(frames.frame(0), frames.frame_length(0), first), net::Error::kOk);
  RxSettings s = Harness::two_lines();
  s.guard.sources = {first.src_ip, first.src_ip ^ 0x40};  // a damaged source may be allowed too
  Twins t(s);
  std::mt19937_64 rng(12);
  uint64_t tsc = 1000;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    t.frame(frames.frame(i), frames.frame_length(i), ++tsc);
    if (i < 20) continue;
    // An earlier frame (often an applied copy), damaged in one to three places.
    const std::size_t k = i - 1 - rng() % 20;
    std::vector<uint8_t> g(frames.frame(k), frames.frame(k) + frames.frame_length(k));
    for (int n = 1 + static_cast<int>(rng() % 3); n > 0; --n) {
      const uint64_t r = rng();
      switch (r % 4) {
        case 0:
          g[12 + (r >> 8) % 50] ^= static_cast<uint8_t>(1u << ((r >> 16) % 8));  // a bit of bytes 12..61
          break;
        case 1:
          g[12 + (r >> 8) % 50] = static_cast<uint8_t>(r >> 16);
          break;
        case 2:
          g.resize(std::max<std::size_t>(40, g.size() - (r >> 8) % 40));
          break;
        default:
          break;  // unchanged: the real copy
      }
    }
    t.frame(g, tsc);
    if (i % 4 == 3) {
      t.end_burst();
      t.expect_same("damaged copies");
      if (::testing::Test::HasFailure()) return;
    }
  }
  t.end_burst();
  t.expect_same("end");
  EXPECT_GT(t.fast.proc.template_copies(), frames.size() / 2);
}

// Line B on a port of its own with line A's UDP port (two NICs): the two templates are told apart by
// the port they arrive on, and the counts are those of the full path.
TEST(RxDuplicateTemplate, LineBOnItsOwnPortKeepsItsOwnTemplate) {
  auto c = small_feed();
  c.line_b_port = c.port;
  c.line_loss = 0.05;
  const auto ab = feedgen::generate_frames(c);
  RxSettings s = Harness::settings(1, 1);
  s.line_b_udp_port = c.port;
  s.line_b_own_port = true;
  s.arbitration_ticks = 1000;
  Twins t(s);
  // sf-feedgen writes a packet's line-A copy, then its line-B copy (same sequence): alternate ports.
  uint64_t prev_seq = ~0ull;
  for (std::size_t i = 0; i < ab.size(); ++i) {
    net::UdpDatagram udp;
    ASSERT_EQ(net::parse_udp(ab.frame(i), ab.frame_length(i), udp), net::Error::kOk);
    const uint64_t seq = mold::PacketView(udp.payload, udp.payload_length).sequence();
    const bool on_b = seq == prev_seq || (i % 3 == 0);  // lone copies now and then on line B too
    prev_seq = seq;
    t.frame(ab.frame(i), ab.frame_length(i), 1000 + i, on_b);
    if (i % 8 == 7) t.end_burst();
  }
  t.end_burst();
  t.expect_same("own port");
  EXPECT_GT(t.fast.proc.template_copies(), ab.size() / 4);
  EXPECT_EQ(t.fast.stats.drops[static_cast<std::size_t>(FeedDropReason::kWrongPort)].load(), 0u);
}

// The session changes (the guard confirms the new stream): the old session's template takes none of the
// new session's copies, its own template is learned, and every count is the full path's.
TEST(RxDuplicateTemplate, ASessionChangeIsFollowedAsInTheFullPath) {
  feedgen::Config c = two_line_feed();
  const auto day1 = feedgen::generate_frames(c);
  c.session = "SFEED00002";
  c.seed = 7;
  const auto day2 = feedgen::generate_frames(c);
  Twins t(Harness::two_lines());
  t.run(day1, 1000);
  const uint64_t taken = t.fast.proc.template_copies();
  ASSERT_GT(taken, 0u);
  t.run(day2, 1'000'000);
  t.expect_same("after the session change");
  EXPECT_EQ(t.fast.stats.session_changes.load(), 1u);
  EXPECT_GT(t.fast.proc.template_copies(), taken + 100) << "the new session's copies take the fast path";
}

}  // namespace
}  // namespace sf::dataplane
