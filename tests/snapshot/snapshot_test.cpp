// GLIMPSE snapshots without a network: the builder's messages, applied by the loader to empty engines, give
// books equal (level for level) to a replay up to the same sequence, for one and for four shards, on a
// generated feed and on the RITCH sample day; the live tail applied afterwards keeps them equal to the full
// replay. Bad input is counted and never applied; strategies never fire on snapshot messages.
#include <gtest/gtest.h>

#include <cstdlib>

#include "snapshot_support.hpp"
#include "sniperforge/io/binary_file.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/proto/glimpse.hpp"
#include "sniperforge/snapshot/builder.hpp"
#include "sniperforge/snapshot/loader.hpp"
#include "trading_config_fixture.hpp"

using namespace sf;
using sf::testing::MessageLog;
using sf::testing::Shards;

namespace {

std::string config(uint32_t shards) {
  return sf::testing::with_two_snipers("[trading]\nshards = " + std::to_string(shards) +
                                       "\n[book]\nmax_orders = 200000\nmax_instruments = 2000\n"
                                       "max_levels_per_side = 4096\nmax_levels_total = 262144\n");
}

MessageLog generated_feed(uint64_t messages) {
  feedgen::Config c;
  c.seed = 7;
  c.instruments = 40;
  c.messages = messages;
  c.live_orders = 3000;
  c.far_fraction = 0.05;
  feedgen::MessageGenerator gen(c);
  MessageLog log;
  std::array<uint8_t, 64> buf{};
  while (const std::size_t n = gen.next(buf.data())) log.add(buf.data(), n);
  return log;
}

struct Snapshot {
  std::vector<std::vector<uint8_t>> messages;
  snapshot::BuildCounts counts;
};

Snapshot build(const Shards& from, uint64_t next_sequence) {
  Snapshot s;
  const auto sets = from.book_sets();
  s.counts = snapshot::build_snapshot(
      sets, next_sequence, 36'000'000'000'000ull,
      [&](std::span<const uint8_t> m) { s.messages.emplace_back(m.begin(), m.end()); });
  return s;
}

void load(const Snapshot& s, Shards& into, uint64_t want_next) {
  snapshot::SnapshotLoader loader(into.pointers());
  for (const auto& m : s.messages) (void)loader.on_message(m);
  ASSERT_TRUE(loader.complete()) << loader.describe();
  EXPECT_EQ(loader.next_sequence(), want_next);
  EXPECT_EQ(loader.counts().total_invalid(), 0u) << loader.describe();
  EXPECT_EQ(loader.counts().applied + 1, s.counts.total());
}

// Replay to `cut`, snapshot, load into fresh engines, compare; then the tail on both, compare again.
void round_trip(const MessageLog& log, uint32_t shards, uint64_t cut) {
  const trade::TradingConfig cfg = sf::testing::trading_config(config(shards));
  Shards reference(cfg), restored(cfg);
  reference.replay(log, 1, cut);
  const Snapshot snap = build(reference, cut);
  load(snap, restored, cut);
  EXPECT_EQ(restored.orders, 0u) << "no strategy runs on snapshot messages";
  std::size_t compared = 0;
  for (uint32_t s = 0; s < shards; ++s)
    compared += sf::testing::expect_same_books(reference.engines[s]->books(), restored.engines[s]->books(),
                                               "at the snapshot");
  EXPECT_GT(compared, 0u);
  EXPECT_GT(snap.counts.orders, 0u);
  reference.replay(log, cut, log.size() + 1);
  restored.replay(log, cut, log.size() + 1);
  for (uint32_t s = 0; s < shards; ++s)
    sf::testing::expect_same_books(reference.engines[s]->books(), restored.engines[s]->books(),
                                   "after the live tail");
}

}  // namespace

TEST(GlimpseMessage, EncodeParse) {
  std::array<uint8_t, glimpse::kSnapshotLength> m{};
  EXPECT_EQ(glimpse::encode_snapshot(m.data(), 123456), glimpse::kSnapshotLength);
  EXPECT_EQ(m[0], 'M');
  EXPECT_EQ(std::string(m.begin() + 1, m.end()), std::string(14, ' ') + "123456");
  uint64_t seq = 0;
  EXPECT_TRUE(glimpse::parse_snapshot(m, seq));
  EXPECT_EQ(seq, 123456u);
  EXPECT_FALSE(glimpse::parse_snapshot(std::span(m).first(20), seq));  // short
  m[5] = 'x';
  EXPECT_FALSE(glimpse::parse_snapshot(m, seq));  // not digits
  glimpse::encode_snapshot(m.data(), 0);
  EXPECT_FALSE(glimpse::parse_snapshot(m, seq));  // a snapshot names a sequence >= 1
}

TEST(SnapshotRoundTrip, GeneratedFeedOneShardAtSeveralSequences) {
  const MessageLog log = generated_feed(60'000);
  for (const uint64_t cut : {uint64_t{500}, uint64_t{20'001}, uint64_t{45'678}, log.size() + 1}) {
    SCOPED_TRACE("snapshot at " + std::to_string(cut));
    round_trip(log, 1, cut);
  }
}

TEST(SnapshotRoundTrip, GeneratedFeedFourShards) {
  const MessageLog log = generated_feed(60'000);
  round_trip(log, 4, 31'000);
}

TEST(SnapshotRoundTrip, RitchSampleDay) {
  const char* dir = std::getenv("SF_SHARED_DATA");
  ASSERT_NE(dir, nullptr);
  io::BinaryFileReader r;
  ASSERT_TRUE(r.open(std::string(dir) + "/itch/ritch/ex20101224.TEST_ITCH_50.lenprefix.itch")) << r.error();
  MessageLog log;
  const uint8_t* m = nullptr;
  uint16_t n = 0;
  while (r.next(m, n)) log.add(m, n);
  ASSERT_GT(log.size(), 1000u);
  round_trip(log, 1, log.size() / 2);
  round_trip(log, 2, log.size() * 3 / 4);
}

TEST(SnapshotLoader, BadInputIsCountedAndNeverApplied) {
  const trade::TradingConfig cfg = sf::testing::trading_config(config(1));
  Shards into(cfg);
  snapshot::SnapshotLoader loader(into.pointers());
  itch::msg::AddOrder a;
  a.stock_locate = 1;
  a.order_reference_number = 9;
  a.buy_sell_indicator = 'B';
  a.shares = 100;
  a.price = 200000;
  a.stock = "SF0000";
  std::array<uint8_t, 64> buf{};
  a.encode(buf.data());
  EXPECT_EQ(loader.on_message(std::span(buf).first(35)), snapshot::SnapshotLoader::Verdict::kSkipped);
  EXPECT_EQ(loader.on_message({}), snapshot::SnapshotLoader::Verdict::kSkipped);
  const uint8_t unknown[] = {'z', 0, 1};
  EXPECT_EQ(loader.on_message(unknown), snapshot::SnapshotLoader::Verdict::kSkipped);
  EXPECT_EQ(into.engines[0]->books().live_orders(), 0u);
  EXPECT_EQ(loader.on_message(std::span(buf).first(36)), snapshot::SnapshotLoader::Verdict::kApplied);
  EXPECT_EQ(into.engines[0]->books().live_orders(), 1u);
  EXPECT_EQ(loader.counts().invalid[static_cast<std::size_t>(itch::Error::kTruncated)], 1u);
  EXPECT_EQ(loader.counts().invalid[static_cast<std::size_t>(itch::Error::kEmpty)], 1u);
  EXPECT_EQ(loader.counts().invalid[static_cast<std::size_t>(itch::Error::kUnknownType)], 1u);
  EXPECT_FALSE(loader.complete());
  std::array<uint8_t, glimpse::kSnapshotLength> snap{};
  glimpse::encode_snapshot(snap.data(), 77);
  EXPECT_EQ(loader.on_message(snap), snapshot::SnapshotLoader::Verdict::kComplete);
  EXPECT_TRUE(loader.complete());
  EXPECT_EQ(loader.next_sequence(), 77u);
  // Anything after the Snapshot message fails the load (and is not applied).
  a.order_reference_number = 10;
  a.encode(buf.data());
  EXPECT_EQ(loader.on_message(std::span(buf).first(36)), snapshot::SnapshotLoader::Verdict::kFailed);
  EXPECT_FALSE(loader.complete());
  EXPECT_TRUE(loader.failed());
  EXPECT_EQ(into.engines[0]->books().live_orders(), 1u);
  EXPECT_EQ(loader.counts().after_end, 1u);
}

TEST(SnapshotLoader, MalformedSnapshotMessageFails) {
  const trade::TradingConfig cfg = sf::testing::trading_config(config(1));
  Shards into(cfg);
  snapshot::SnapshotLoader loader(into.pointers());
  const uint8_t bad[] = {'M', '1', '2'};
  EXPECT_EQ(loader.on_message(bad), snapshot::SnapshotLoader::Verdict::kFailed);
  EXPECT_TRUE(loader.failed());
  EXPECT_EQ(loader.counts().bad_snapshot_message, 1u);
  EXPECT_NE(loader.describe().find("bad Snapshot message"), std::string::npos);
}

TEST(SnapshotLoader, RefusesAnIncompleteShardSet) {
  const trade::TradingConfig cfg = sf::testing::trading_config(config(2));
  Shards shards(cfg);
  EXPECT_THROW(snapshot::SnapshotLoader({shards.engines[0].get()}), std::invalid_argument);
  EXPECT_THROW(snapshot::SnapshotLoader({shards.engines[1].get(), shards.engines[0].get()}),
               std::invalid_argument);
}
