// The GLIMPSE fallback of a running appliance (#12), DPDK-free and end to end in one thread: the real
// RxProcessor with [feed.rewind] (a scripted re-request server answering from the lossless feed), the
// real SnapshotHandoff served by this test the way the housekeeping thread serves it (a snapshot built
// from a replay of the lossless feed up to N, loaded into fresh BookSets by SnapshotLoader), and real
// engines applying the events in ring order, swapping books on kSnapshotSwap (adopt_snapshot_books). After
// a gap the re-request could not fill, the books must equal a full lossless replay's, nothing stale.
#include <gtest/gtest.h>

#include <map>

#include "recorded_events.hpp"
#include "recorded_frames.hpp"
#include "rerequest_server.hpp"
#include "snapshot_support.hpp"
#include "sniperforge/dataplane/rx_processor.hpp"
#include "sniperforge/dataplane/snapshot_handoff.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/net/ipv4_frame.hpp"
#include "sniperforge/snapshot/builder.hpp"
#include "sniperforge/snapshot/loader.hpp"
#include "sniperforge/trade/shard_driver.hpp"
#include "trading_config_fixture.hpp"

namespace sf::dataplane {
namespace {

using sf::testing::MessageLog;
using sf::testing::Shards;

using Ring = sf::testing::RecordedEvents;
using Wire = sf::testing::RecordedFrames;

trade::TradingConfig config(uint32_t shards) {
  return sf::testing::trading_config(sf::testing::with_two_snipers(
      "[trading]\nshards = " + std::to_string(shards) +
      "\n[book]\nmax_orders = 20000\nmax_instruments = 64\nmax_levels_per_side = 1024\n"
      "max_levels_total = 65536\n"));
}

// The sequence number of frame i's first message.
uint64_t first_sequence(const feedgen::Frames& f, std::size_t i) {
  net::UdpDatagram d;
  mold::PacketView v;
  EXPECT_EQ(net::parse_udp(f.frame(i), f.offsets[i + 1] - f.offsets[i], d), net::Error::kOk);
  EXPECT_EQ(mold::parse(d.payload, d.payload_length, v), mold::Error::kOk);
  return v.sequence();
}

feedgen::Frames frames() {
  feedgen::Config c;
  c.instruments = 8;
  c.messages = 8000;
  c.live_orders = 300;
  return feedgen::generate_frames(c);
}

// One appliance in a test: RX lcore, housekeeping (the snapshot), executor (engines), re-request server.
struct Appliance {
  const trade::TradingConfig cfg;
  telemetry::RxLcoreStats stats;
  Ring ring;
  Wire wire;
  RxProcessor<Ring> rx;
  SnapshotHandoff handoff;
  Shards engines;
  trade::ShardDriver driver;
  MessageLog log;  // the lossless feed
  std::string session;
  uint64_t now = 1000;
  std::size_t consumed = 0;
  // Test knobs.
  bool answer_requests = true;
  uint64_t snapshot_at = 0;  // the first snapshot's sequence (0: the newest the RX has seen, less the lag)
  uint64_t snapshot_lag = 0;
  int publish_after = 0;  // steps between take() and publish()
  bool snapshot_fails = false;
  bool answer_after_snapshot = true;  // the re-request server answers once a snapshot was taken
  int waiting = -1;

  Appliance(uint32_t shards, uint64_t max_held)
      : cfg(config(shards)),
        rx(settings(max_held, shards), stats, ring, &wire),
        engines(cfg),
        driver(shards) {
    for (const auto& e : engines.engines) driver.host(e.get());
    EXPECT_TRUE(rx.enable_snapshot_fallback(handoff));
    rx.start(now);
  }
  static RxSettings settings(uint64_t max_held, uint32_t shards) {
    RxSettings s;
    s.rewind = sf::testing::rerequest_server::settings(200, 2, max_held);
    s.shards = shards;
    return s;
  }
  void load_reference(const feedgen::Frames& f) {
    for (std::size_t i = 0; i < f.size(); ++i) {
      net::UdpDatagram d;
      mold::PacketView v;
      ASSERT_EQ(net::parse_udp(f.frame(i), f.offsets[i + 1] - f.offsets[i], d), net::Error::kOk);
      ASSERT_EQ(mold::parse(d.payload, d.payload_length, v), mold::Error::kOk);
      session = std::string(v.session());
      for (const mold::Block b : v) {
        ASSERT_EQ(b.sequence, log.size() + 1);
        log.add(b.data, b.length);
      }
    }
  }

  // The re-request server: ARP replies and answers from the lossless feed.
  void serve() {
    auto frames = std::move(wire.frames);
    wire.frames.clear();
    for (const auto& f : frames) {
      net::L2Frame l2;
      if (net::parse_l2(f.data(), f.size(), l2) && l2.ether_type == net::kEtherTypeArp) {
        const auto a = sf::testing::rerequest_server::arp_reply();
        rx.on_frame(a.data(), a.size(), now);
        continue;
      }
      net::UdpDatagram d;
      mold::Request r{};
      ASSERT_EQ(net::parse_udp(f.data(), f.size(), d), net::Error::kOk);
      ASSERT_EQ(mold::parse_request(d.payload, d.payload_length, r), mold::Error::kOk);
      if (!answer_requests) continue;
      const auto frame = sf::testing::rerequest_server::answer_frame(session, r, [&](uint64_t seq) {
        return seq <= log.size() ? log.at_seq(seq) : std::span<const uint8_t>{};
      });
      rx.on_frame(frame.data(), frame.size(), now);
    }
  }

  // The housekeeping thread's side: a snapshot of the lossless feed up to N into fresh books.
  void housekeeping() {
    if (handoff.take()) waiting = publish_after;
    if (waiting >= 0 && waiting-- == 0) {
      if (snapshot_fails) return handoff.fail();
      const uint64_t n = snapshot_at ? snapshot_at : stats.next_expected_seq.load() - snapshot_lag;
      snapshot_at = 0;  // a later snapshot is the newest
      answer_requests = answer_requests || answer_after_snapshot;
      Shards source(cfg);
      source.replay(log, 1, n);
      std::vector<std::unique_ptr<book::BookSet>> books;
      std::vector<book::BookSet*> raw;
      for (const auto& e : engines.engines) {
        books.push_back(std::make_unique<book::BookSet>(e->books().config()));
        raw.push_back(books.back().get());
      }
      snapshot::SnapshotLoader loader = snapshot::SnapshotLoader::into_books(raw);
      (void)snapshot::build_snapshot(source.book_sets(), n, 0,
                                     [&](std::span<const uint8_t> m) { (void)loader.on_message(m); });
      ASSERT_TRUE(loader.complete()) << loader.describe();
      handoff.publish(std::move(books), loader.next_sequence());
    }
    (void)handoff.finish_if_swapped();
  }

  // The executor: the events in ring order, as Executor::handle applies them.
  void execute() {
    for (; consumed < ring.got.size(); ++consumed) {
      const Event& e = ring.got[consumed];
      if (e.is_itch()) {
        const itch::MessageView m(e.payload);
        driver.dispatch(m, [&](trade::Engine& eng) {
          engines.sink.clear();
          eng.on_itch(m, e.seq, 0, engines.sink);
        });
      } else if (e.kind() == EventKind::kBooksStale) {
        driver.mark_stale(static_cast<StaleReason>(e.payload[1]));
      } else if (e.kind() == EventKind::kRecovery) {
        const auto step = static_cast<RecoveryStep>(e.payload[1]);
        driver.set_recovering(step == RecoveryStep::kStarted, step == RecoveryStep::kRecovered);
      } else if (e.kind() == EventKind::kSnapshotSwap) {
        adopt_snapshot_books(e, driver);
      }
    }
  }

  void step() {
    now += 10;
    serve();
    if (rx.tick(now)) rx.flush();
    serve();
    rx.flush();
    execute();
    housekeeping();
  }
  // The feed without frames [drop_from, drop_to), then idle steps.
  void run(const feedgen::Frames& f, std::size_t drop_from, std::size_t drop_to) {
    step();
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (i < drop_from || i >= drop_to) rx.on_frame(f.frame(i), f.offsets[i + 1] - f.offsets[i], now);
      step();
    }
    for (int i = 0; i < 400; ++i) step();
  }

  void expect_books_equal_lossless() {
    Shards reference(cfg);
    reference.replay(log, 1, log.size() + 1);
    for (std::size_t s = 0; s < engines.engines.size(); ++s) {
      EXPECT_GT(sf::testing::expect_same_books(reference.engines[s]->books(), engines.engines[s]->books(),
                                               "after the fallback"),
                0u);
      EXPECT_FALSE(engines.engines[s]->stale());
      EXPECT_FALSE(engines.engines[s]->recovering());
      for (std::size_t k = 0; k < reference.engines[s]->strategy_count(); ++k)
        EXPECT_EQ(engines.engines[s]->strategy_locate(k), reference.engines[s]->strategy_locate(k));
    }
    EXPECT_EQ(handoff.state(), SnapshotHandoff::State::kIdle) << "the old books were freed";
  }
  std::size_t count(EventKind k) const {
    return std::count_if(ring.got.begin(), ring.got.end(),
                         [&](const Event& e) { return !e.is_itch() && e.kind() == k; });
  }
};

// A gap wider than max_held_messages: the snapshot is published 30 frames later while live messages keep
// coming (more than the buffer: the oldest are dropped). Held messages below the snapshot's sequence are
// skipped, the rest applied; the books end equal to the lossless replay.
TEST(SnapshotFallback, GapLargerThanTheBufferRecoversThroughTheSnapshot) {
  const auto f = frames();
  for (const uint32_t shards : {1u, 3u})
    for (const uint64_t lag : {uint64_t{0}, uint64_t{120}}) {
      SCOPED_TRACE(std::to_string(shards) + " shard(s), snapshot " + std::to_string(lag) + " behind");
      Appliance a(shards, /*max_held=*/200);
      ASSERT_NO_FATAL_FAILURE(a.load_reference(f));
      a.publish_after = 30;
      a.snapshot_lag = lag;
      a.run(f, 100, 140);  // ~600 messages lost at once
      const auto& s = a.stats.recovery;
      EXPECT_EQ(s.started.load(), 1u);
      EXPECT_EQ(s.failures[static_cast<std::size_t>(RecoveryFailure::kBuffer)].load(), 1u);
      EXPECT_EQ(s.snapshot_taken.load(), 1u);
      EXPECT_EQ(s.snapshot_succeeded.load(), 1u);
      EXPECT_EQ(s.snapshot_failed.load(), 0u);
      EXPECT_GT(s.snapshot_dropped.load(), 0u);
      EXPECT_GT(s.snapshot_skipped.load(), 0u);  // held below the snapshot; the rest applied
      EXPECT_EQ(s.snapshot_state.load(), 0u);
      EXPECT_EQ(s.failed.load(), 0u);
      EXPECT_EQ(s.held_now.load(), 0u);
      EXPECT_EQ(s.snapshot_time.snapshot().total(), 1u);
      EXPECT_EQ(s.recovered.load(), 0u);
      EXPECT_EQ(a.count(EventKind::kSnapshotSwap), 1u);  // one executor
      EXPECT_EQ(a.count(EventKind::kRecovery), 2u);      // started, recovered: never ended
      a.expect_books_equal_lossless();
    }
}

// A snapshot older than the gap: what lies between it and the messages held is re-requested.
TEST(SnapshotFallback, OlderSnapshotIsBridgedByReRequest) {
  const auto f = frames();
  Appliance a(2, 100'000);
  ASSERT_NO_FATAL_FAILURE(a.load_reference(f));
  a.answer_requests = false;  // until the snapshot: the retries run out
  a.snapshot_at = first_sequence(f, 180);
  a.run(f, 200, 203);
  const auto& s = a.stats.recovery;
  EXPECT_EQ(s.failures[static_cast<std::size_t>(RecoveryFailure::kRetries)].load(), 1u);
  EXPECT_EQ(s.snapshot_succeeded.load(), 1u);
  EXPECT_EQ(s.started.load(), 2u);  // the gap, then [snapshot, held) after it
  EXPECT_EQ(s.recovered.load(), 1u);
  EXPECT_GT(s.messages.load(), first_sequence(f, 200) - first_sequence(f, 180));
  a.expect_books_equal_lossless();
}

// Older than the buffer can bridge: those books are swapped in but a newer snapshot is asked for.
TEST(SnapshotFallback, SnapshotTooOldForTheBufferAsksForANewerOne) {
  const auto f = frames();
  Appliance a(1, 200);
  ASSERT_NO_FATAL_FAILURE(a.load_reference(f));
  a.publish_after = 30;
  a.snapshot_at = first_sequence(f, 60);
  a.run(f, 100, 140);
  const auto& s = a.stats.recovery;
  EXPECT_EQ(s.snapshot_taken.load(), 2u);
  EXPECT_EQ(s.snapshot_succeeded.load(), 2u);
  EXPECT_EQ(a.count(EventKind::kSnapshotSwap), 2u);
  a.expect_books_equal_lossless();
}

// A re-request server that never answers: the retries run out, then the snapshot fills the gap.
TEST(SnapshotFallback, ServerThatNeverAnswersFallsBackAfterTheRetries) {
  const auto f = frames();
  Appliance a(1, 100'000);
  ASSERT_NO_FATAL_FAILURE(a.load_reference(f));
  a.answer_requests = false;
  a.answer_after_snapshot = false;
  a.run(f, 200, 203);
  const auto& s = a.stats.recovery;
  EXPECT_EQ(s.failures[static_cast<std::size_t>(RecoveryFailure::kRetries)].load(), 1u);
  EXPECT_EQ(s.retries.load(), 2u);
  EXPECT_EQ(s.snapshot_succeeded.load(), 1u);
  a.expect_books_equal_lossless();
}

// No snapshot to be had: the books stay stale, counted, the held messages applied as they are.
TEST(SnapshotFallback, FailedSnapshotLeavesTheBooksStale) {
  const auto f = frames();
  Appliance a(1, 200);
  ASSERT_NO_FATAL_FAILURE(a.load_reference(f));
  a.snapshot_fails = true;
  a.run(f, 100, 140);
  const auto& s = a.stats.recovery;
  EXPECT_EQ(s.snapshot_taken.load(), 1u);
  EXPECT_EQ(s.snapshot_failed.load(), 1u);
  EXPECT_EQ(s.snapshot_succeeded.load(), 0u);
  EXPECT_EQ(s.snapshot_state.load(), 2u);
  EXPECT_EQ(s.failed.load(), static_cast<uint64_t>(RecoveryFailure::kBuffer));
  EXPECT_EQ(a.count(EventKind::kSnapshotSwap), 0u);
  EXPECT_TRUE(a.engines.engines[0]->stale());
  EXPECT_FALSE(a.engines.engines[0]->recovering());
  EXPECT_EQ(a.handoff.state(), SnapshotHandoff::State::kIdle);
  // Every message that arrived is applied once, in order.
  uint64_t last = 0;
  for (const Event& e : a.ring.got)
    if (e.is_itch()) {
      ASSERT_GT(e.seq, last);
      last = e.seq;
    }
}

}  // namespace
}  // namespace sf::dataplane

namespace sf::dataplane {
namespace {

// FeedRecovery alone: the snapshot's sequence holds for its stream only; a feed restart (FeedGuard) while
// waiting gives the fallback up, as a failure without it (held messages applied, books stale).
TEST(SnapshotFallback, FeedRestartForgetsTheSnapshotSequence) {
  struct Out {
    std::vector<uint64_t> applied;
    int wanted = 0, failed = 0, recoveries = 0;
    void apply(uint64_t seq, const uint8_t*, std::size_t) { applied.push_back(seq); }
    void recovery_started() {}
    void recovered(uint64_t) { ++recoveries; }
    void recovery_failed(uint64_t) { ++failed; }
    void snapshot_wanted(uint64_t) { ++wanted; }
  } out;
  Wire wire;
  telemetry::FeedRecoveryStats stats;
  FeedRecovery rec(*Appliance::settings(8, 1).rewind, wire, stats);
  rec.enable_snapshot_fallback();
  const uint8_t msg[12] = {'S'};
  ASSERT_TRUE(rec.on_gap(10, 20, 0, out));  // more than 8: fails at once, waits for a snapshot
  EXPECT_EQ(out.wanted, 1);
  EXPECT_TRUE(rec.awaiting_snapshot());
  for (uint64_t seq = 30; seq < 40; ++seq) ASSERT_TRUE(rec.hold(seq, msg, sizeof msg, out));
  EXPECT_EQ(stats.snapshot_dropped.load(), 2u);  // 30 and 31 slid out of the 8-message window
  rec.on_snapshot(35, 100, out);
  EXPECT_EQ(out.applied, (std::vector<uint64_t>{35, 36, 37, 38, 39}));
  EXPECT_EQ(stats.snapshot_skipped.load(), 3u);  // 32..34
  EXPECT_EQ(out.recoveries, 1);
  EXPECT_TRUE(rec.hold(20, msg, sizeof msg, out));  // below the snapshot: skipped
  rec.abandon(out);                                 // another stream: sequence 20 is new
  EXPECT_FALSE(rec.hold(20, msg, sizeof msg, out));
  ASSERT_TRUE(rec.on_gap(50, 20, 0, out));
  rec.hold(70, msg, sizeof msg, out);
  rec.abandon(out);
  EXPECT_FALSE(rec.awaiting_snapshot());
  EXPECT_EQ(out.failed, 1);
  EXPECT_EQ(out.applied.back(), 70u);
  EXPECT_EQ(stats.failed.load(), static_cast<uint64_t>(RecoveryFailure::kAbandoned));
}

}  // namespace
}  // namespace sf::dataplane
