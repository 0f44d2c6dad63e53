// Feed anti-spoofing (#16): the FeedGuard alone, its [feed] keys, and RxProcessor with forged packets
// spliced into a generated feed (the events reaching the executors must equal the clean feed's).
#include "sniperforge/dataplane/feed_guard.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "recorded_events.hpp"
#include "sniperforge/dataplane/config.hpp"
#include "sniperforge/dataplane/feed_guard_config.hpp"
#include "sniperforge/dataplane/rx_processor.hpp"
#include "sniperforge/io/feedgen.hpp"

namespace sf::dataplane {
namespace {

constexpr uint64_t k2p63 = uint64_t{1} << 63;

std::array<uint8_t, mold::kSessionLength> session_of(const char* name) {
  std::array<uint8_t, mold::kHeaderLength> h{};
  mold::write_header(h.data(), name, 0, 0);  // space-pads the name
  std::array<uint8_t, mold::kSessionLength> s{};
  std::copy_n(h.begin(), s.size(), s.begin());
  return s;
}

struct Packet {
  std::array<uint8_t, mold::kSessionLength> session;
  FeedPacket p;
};
Packet pkt(const char* session, uint64_t first, uint64_t count, uint32_t src = 0x0A000001) {
  Packet k;
  k.session = session_of(session);
  k.p = {src, k.session.data(), first, first + count, count > 0};
  return k;
}

// The guard in front of a minimal stream position (what the arbiter would report: in-order data only).
struct Stream {
  FeedGuard guard;
  StreamPosition pos;
  explicit Stream(FeedGuardSettings s = {}) : guard(std::move(s)) {}
  FeedVerdict feed(const Packet& k) {
    const FeedVerdict v = guard.judge(k.p, pos);
    if (is_restart(v)) pos = {};
    if (!is_drop(v)) {
      if (!pos.started) pos = {true, k.p.first, k.p.first};
      pos.horizon = std::max(pos.horizon, k.p.next);
      if (k.p.first <= pos.next) pos.next = std::max(pos.next, k.p.next);
    }
    return v;
  }
};

TEST(FeedGuard, ImplausibleJumpIsDroppedAndNeverBelieved) {
  Stream s;
  EXPECT_EQ(s.feed(pkt("REAL", 1, 10)), FeedVerdict::kRelearn);  // the first packet starts the stream
  EXPECT_EQ(s.feed(pkt("REAL", 11, 10)), FeedVerdict::kAccept);
  EXPECT_EQ(s.feed(pkt("REAL", k2p63, 0)), FeedVerdict::kSeqJump);  // a forged heartbeat
  EXPECT_EQ(s.feed(pkt("REAL", 21, 10)), FeedVerdict::kAccept);
  EXPECT_EQ(s.feed(pkt("REAL", 31 + kDefaultMaxSeqJump + 1, 1)), FeedVerdict::kSeqJump);
  EXPECT_EQ(s.feed(pkt("REAL", 31 + kDefaultMaxSeqJump, 1)), FeedVerdict::kAccept);  // at the limit: a gap
  EXPECT_EQ(s.feed(pkt("REAL", ~uint64_t{0} - 2, 5)), FeedVerdict::kSeqJump);        // wraps
}

TEST(FeedGuard, AJumpTheWholeFeedMakesIsAdoptedAfterConfirmation) {
  Stream s;
  s.feed(pkt("REAL", 1, 10));
  s.feed(pkt("REAL", 11, 10));
  const uint64_t far = 5'000'000;
  for (unsigned i = 0; i + 1 < FeedGuard::kConfirmPackets; ++i)
    EXPECT_EQ(s.feed(pkt("REAL", far + i, 1)), FeedVerdict::kSeqJump) << i;
  EXPECT_EQ(s.feed(pkt("REAL", far + 3, 1)), FeedVerdict::kSeqRestart);
  EXPECT_EQ(s.feed(pkt("REAL", far + 4, 1)), FeedVerdict::kAccept);
}

TEST(FeedGuard, AJumpOnOneLineWhileTheOtherDisagreesIsNeverAdopted) {
  Stream s;
  s.feed(pkt("REAL", 1, 1));
  for (uint64_t i = 0; i < 50; ++i) {
    // Line A jumps (forged or broken); line B keeps the real sequence between its packets.
    EXPECT_EQ(s.feed(pkt("REAL", k2p63 + i, 1)), FeedVerdict::kSeqJump);
    EXPECT_EQ(s.feed(pkt("REAL", 2 + i, 1)), FeedVerdict::kAccept);
  }
}

TEST(FeedGuard, ForgedHeartbeatOfAnotherSessionFirstDoesNotBlind) {
  Stream s;
  EXPECT_EQ(s.feed(pkt("EVIL", k2p63, 0)), FeedVerdict::kRelearn);
  EXPECT_EQ(s.feed(pkt("REAL", 1, 5)), FeedVerdict::kRelearn);  // no book depended on EVIL: replaced
  EXPECT_EQ(s.feed(pkt("REAL", 6, 5)), FeedVerdict::kAccept);
  EXPECT_EQ(s.feed(pkt("EVIL", 11, 0)), FeedVerdict::kWrongSession);  // data locked REAL
  EXPECT_EQ(s.feed(pkt("REAL", 11, 5)), FeedVerdict::kAccept);
}

TEST(FeedGuard, SessionChangeMidFeedIsAConfirmedVisibleEvent) {
  Stream s;
  s.feed(pkt("DAY1", 1, 5));
  EXPECT_EQ(s.feed(pkt("DAY2", 1, 1)), FeedVerdict::kWrongSession);
  EXPECT_EQ(s.feed(pkt("DAY1", 6, 5)), FeedVerdict::kAccept);  // DAY1 still speaks: the run is broken
  for (uint64_t i = 0; i + 1 < FeedGuard::kConfirmPackets; ++i)
    EXPECT_EQ(s.feed(pkt("DAY2", 1 + i, 1)), FeedVerdict::kWrongSession);
  EXPECT_EQ(s.feed(pkt("DAY2", 4, 1)), FeedVerdict::kSessionChange);
  EXPECT_EQ(s.feed(pkt("DAY2", 5, 1)), FeedVerdict::kAccept);
  EXPECT_EQ(s.feed(pkt("DAY1", 11, 1)), FeedVerdict::kWrongSession);
}

TEST(FeedGuard, ConfiguredSessionAndSourcesAreNeverRelearned) {
  FeedGuardSettings cfg;
  cfg.session = session_of("REAL");
  cfg.sources = {0x0A000001};
  Stream s(cfg);
  EXPECT_EQ(s.feed(pkt("EVIL", 1, 5)), FeedVerdict::kWrongSession);
  EXPECT_EQ(s.feed(pkt("REAL", 1, 5, 0x0A000009)), FeedVerdict::kForgedSource);
  EXPECT_EQ(s.feed(pkt("REAL", 1, 5)), FeedVerdict::kAccept);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(s.feed(pkt("EVIL", 6 + i, 1)), FeedVerdict::kWrongSession);
  EXPECT_EQ(s.feed(pkt("REAL", 6, 5)), FeedVerdict::kAccept);
}

TEST(FeedGuard, ConfigKeysParseAndRefuseNonsense) {
  std::vector<std::string> errors;
  FeedGuardSettings g;
  parse_feed_guard(toml::parse("session = \"NASDAQ1\"\nsources = [\"10.0.0.1\", \"192.168.1.2\"]\n"
                               "max_seq_jump = 5000\n"),
                   g, errors);
  ASSERT_TRUE(errors.empty()) << errors.front();
  ASSERT_TRUE(g.session);
  EXPECT_EQ(std::string(g.session->begin(), g.session->end()), "NASDAQ1   ");
  EXPECT_EQ(g.sources, (std::vector<uint32_t>{0x0A000001, 0xC0A80102}));
  EXPECT_EQ(g.max_seq_jump, 5000u);
  FeedGuardSettings blank;
  parse_feed_guard(toml::parse("session = \"\"\n"), blank, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(blank.session);
  EXPECT_EQ(blank.max_seq_jump, kDefaultMaxSeqJump);
  for (const char* bad : {"session = \"ELEVENCHARS\"", "session = 3", "sources = []",
                          "sources = [\"10.0.0\"]", "max_seq_jump = 0", "max_seq_jump = -5"}) {
    std::vector<std::string> e;
    FeedGuardSettings x;
    parse_feed_guard(toml::parse(bad), x, e);
    EXPECT_EQ(e.size(), 1u) << bad;
  }
  // The appliance's [feed] table accepts the keys (and only through this parser).
  std::vector<std::string> e;
  const auto dp = parse_dataplane_config(
      toml::parse("[[port]]\nname = \"p\"\ndevargs = \"net_null0\"\n[feed]\nsession = \"X\"\n"
                  "sources = [\"10.0.0.1\"]\nmax_seq_jump = 7\n[order_session]\ntransport = \"none\"\n"),
      e);
  EXPECT_TRUE(e.empty()) << (e.empty() ? "" : e.front());
  EXPECT_EQ(dp.feed.guard.max_seq_jump, 7u);
  EXPECT_EQ(dp.feed.guard.sources.size(), 1u);
}

// ---- RxProcessor: forged frames spliced into a generated feed ----

using Sink = sf::testing::RecordedEvents;

std::vector<uint8_t> frame(const char* session, uint64_t seq, uint32_t src = 0x0A000001) {
  std::vector<uint8_t> f(net::kEthernetHeaderLength + net::kIpv4MinHeaderLength + net::kUdpHeaderLength +
                         mold::kHeaderLength);
  net::UdpFrameSpec spec;
  spec.src_ip = src;
  spec.dst_ip = net::ipv4(233, 54, 12, 111);
  spec.src_port = 5000;
  spec.dst_port = feed::kDefaultPort;
  const std::size_t h = net::udp_headers_length(spec);
  mold::encode_heartbeat(f.data() + h, session, seq);
  net::write_udp_headers(f.data(), spec, mold::kHeaderLength);
  return f;
}

struct RxRun {
  telemetry::RxLcoreStats stats;
  Sink sink;
  std::vector<Event> events;
};

// Feeds the generated frames with `forged` inserted before frame `at` (after the last when past the end).
void run(RxRun& r, const feedgen::Frames& f, std::size_t at, const std::vector<std::vector<uint8_t>>& forged,
         FeedGuardSettings g = {}) {
  RxSettings s;
  s.guard = std::move(g);
  RxProcessor<Sink> proc(s, r.stats, r.sink);
  for (std::size_t i = 0; i <= f.size(); ++i) {
    if (i == at)
      for (const auto& x : forged) proc.on_frame(x.data(), x.size(), 1);
    if (i < f.size()) proc.on_frame(f.frame(i), f.frame_length(i), 1);
    proc.flush();
  }
  proc.finish();
  proc.flush();
  r.events = r.sink.got;
}

bool same_events(const std::vector<Event>& a, const std::vector<Event>& b) {
  if (a.size() != b.size()) {
    ADD_FAILURE() << a.size() << " events, expected " << b.size();
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    // Bytes after an ITCH message are left as they were (pack_itch): compare the message only.
    const std::size_t n = a[i].is_itch() ? itch::kLengthByType[a[i].payload[0]] : 2;
    if (a[i].seq != b[i].seq || std::memcmp(a[i].payload, b[i].payload, n) != 0) {
      ADD_FAILURE() << "event " << i << " differs: seq " << a[i].seq << ", expected " << b[i].seq;
      return false;
    }
  }
  return true;
}

feedgen::Frames feed() {
  feedgen::Config c;
  c.instruments = 8;
  c.messages = 5000;
  c.live_orders = 200;
  return feedgen::generate_frames(c);
}

TEST(RxProcessorFeedGuard, ForgedPacketsChangeNothingTheExecutorsSee) {
  const auto f = feed();
  RxRun clean;
  run(clean, f, f.size() + 1, {});
  ASSERT_GT(clean.events.size(), 1000u);
  struct Case {
    const char* name;
    std::size_t at;
    std::vector<std::vector<uint8_t>> forged;
    telemetry::FeedDropReason reason;
  };
  const Case cases[] = {
      {"other session, mid-feed",
       f.size() / 2,
       {frame("EVIL", 1)},
       telemetry::FeedDropReason::kMoldWrongSession},
      {"right session, seq 2^63",
       f.size() / 2,
       {frame("SFEED00001", k2p63)},
       telemetry::FeedDropReason::kSeqJump},
      {"2^63 on and off",
       f.size() / 3,
       {frame("SFEED00001", k2p63), frame("SFEED00001", k2p63 + 1)},
       telemetry::FeedDropReason::kSeqJump},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RxRun r;
    run(r, f, c.at, c.forged);
    EXPECT_TRUE(same_events(r.events, clean.events));
    EXPECT_EQ(r.stats.drops[static_cast<std::size_t>(c.reason)].load(), c.forged.size());
    EXPECT_EQ(r.stats.gaps.load(), 0u);
    EXPECT_EQ(r.stats.gap_messages.load(), 0u);
    EXPECT_EQ(r.stats.books_marked_stale.load(), 0u);
    EXPECT_EQ(r.stats.messages.load(), clean.stats.messages.load());
  }
  // A forged heartbeat of another session before the feed: replaced by the real feed, nothing lost.
  RxRun first;
  run(first, f, 0, {frame("EVIL", k2p63)});
  EXPECT_TRUE(same_events(first.events, clean.events));
  EXPECT_EQ(first.stats.gap_messages.load(), 0u);
  // A forged source is dropped when [feed] sources is set.
  FeedGuardSettings only;
  only.sources = {0x0A000001};
  RxRun src;
  run(src, f, f.size() / 2, {frame("SFEED00001", 3, 0x0A0000FE)}, only);
  EXPECT_TRUE(same_events(src.events, clean.events));
  EXPECT_EQ(src.stats.drops[static_cast<std::size_t>(telemetry::FeedDropReason::kForgedSource)].load(), 1u);
}

TEST(RxProcessorFeedGuard, SessionChangeMarksBooksStaleAndFollowsTheNewSession) {
  const auto f = feed();
  std::vector<std::vector<uint8_t>> day2;
  for (uint64_t i = 0; i < FeedGuard::kConfirmPackets + 2; ++i) day2.push_back(frame("DAY2", 1));
  RxRun r;
  run(r, f, f.size(), day2);  // after the whole of DAY1
  EXPECT_EQ(r.stats.session_changes.load(), 1u);
  EXPECT_EQ(r.stats.books_marked_stale.load(), 1u);
  EXPECT_EQ(r.stats.drops[static_cast<std::size_t>(telemetry::FeedDropReason::kMoldWrongSession)].load(),
            FeedGuard::kConfirmPackets - 1);
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events.back().payload[0], static_cast<uint8_t>(EventKind::kBooksStale));
}

}  // namespace
}  // namespace sf::dataplane
