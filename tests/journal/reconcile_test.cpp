// Restart restores state: a live engine's orders and venue messages are journaled; a fresh engine built
// from the same config and fed the journal comes back with the same positions, realized P&L, exposure,
// open orders and UserRefNum high-water mark — so its next order neither reuses a UserRefNum nor breaches
// a limit it would have passed without the journal. Also: the journal_full refusal, and sf-journal
// positions' rebuild without a config.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <vector>

#include "../book/itch_builder.hpp"
#include "ouch_responses.hpp"
#include "sf_test_process.hpp"
#include "sniperforge/dataplane/ouch_order.hpp"
#include "sniperforge/journal/positions.hpp"
#include "sniperforge/journal/reconcile.hpp"
#include "sniperforge/journal/segment.hpp"
#include "sniperforge/journal/writer.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "sniperforge/trade/engine.hpp"
#include "trading_config_fixture.hpp"

namespace fs = std::filesystem;
using namespace sf;
using namespace sf::journal;
using sf::book::Side;
using sf::test::ItchBuilder;

namespace {

const std::string kConfig =
    sf::testing::config({"\n[trading]\nshards = 1\n", sf::testing::kBook, sf::testing::kRisk});

trade::TradingConfig parse_config() {
  std::vector<std::string> errors;
  const toml::table root = toml::parse(kConfig);
  trade::TradingConfig cfg = trade::parse_trading_config(root, errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  return cfg;
}

// An engine with a book for SF0000 (locate 1): best bid 200000, best ask 200600.
struct Shard {
  explicit Shard(const trade::TradingConfig& cfg) : engine(cfg, 0), sink(storage) {
    ItchBuilder b;
    b.directory(1, "SF0000").add(1, 1, 'B', 100, 200000).add(1, 2, 'S', 100, 200600);
    for (std::size_t i = 0; i < b.size(); ++i) engine.on_itch(b[i], i + 1, 0, sink);
  }
  trade::Reject buy(uint32_t shares, uint64_t seq) {
    sink.clear();
    return engine.submit(trade::Intent{Side::kBuy, 200600, shares, trade::kTifDay}, 1, seq, 0, sink);
  }
  trade::Engine engine;
  std::array<trade::OrderRequest, 8> storage{};
  trade::OrderSink sink;
};

std::vector<uint8_t> accepted(uint32_t urn, uint32_t shares) {
  return sf::testing::order_accepted(urn, shares, 200600, trade::kTifDay);
}
std::vector<uint8_t> executed(uint32_t urn, uint32_t shares, uint64_t match) {
  ouch::outbound::msg::OrderExecuted m;
  m.user_ref_num = urn;
  m.quantity = shares;
  m.price = 200600;
  m.match_number = match;
  std::vector<uint8_t> out(ouch::outbound::msg::OrderExecuted::kFixedLength);
  out.resize(m.encode(out.data()));
  return out;
}
std::vector<uint8_t> canceled(uint32_t urn, uint32_t shares) {
  ouch::outbound::msg::OrderCanceled m;
  m.user_ref_num = urn;
  m.quantity = shares;
  m.reason = 'U';
  std::vector<uint8_t> out(ouch::outbound::msg::OrderCanceled::kFixedLength);
  out.resize(m.encode(out.data()));
  return out;
}

// The restart after a kill: a fresh shard `again` reconciled from the journal as open() re-opens it (the
// journal's scan in rep).
struct Restarted {
  Restarted(const trade::TradingConfig& cfg, const JournalConfig& journal) : again(cfg), writer(journal) {}
  [[nodiscard]] bool open() {
    return writer.open(rep, [this](const RecordView& r) { rec.apply(r); });
  }
  Shard again;
  std::array<trade::Engine*, 1> engines{&again.engine};
  Reconciler rec{engines};
  Writer writer;
  ScanReport rep;
};

class Restart : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("sf-journal-restart-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir_);
    cfg_.enabled = true;
    cfg_.path = dir_;
    cfg_.fsync = FsyncPolicy::kGroup;
    cfg_.segment_mb = 1;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The live run's i-th resting buy (kSizes[i] shares) on `live`: its UserRefNum kept in urns_, its journal
  // record (the Enter Order as sent) in `e`.
  static constexpr uint32_t kSizes[] = {200, 200, 100};
  void buy_and_record(Shard& live, std::size_t i, Entry& e) {
    ASSERT_EQ(live.buy(kSizes[i], 100 + i), trade::Reject::kNone);
    const trade::OrderRequest& r = live.sink[0];
    urns_.push_back(r.user_ref_num);
    uint8_t ouch[dataplane::kEnterOrderLength];
    dataplane::encode_enter_order(ouch, r);
    ASSERT_TRUE(make_order_record(e, 0, 0, r, {ouch, sizeof ouch}));
  }

  // The live run: three resting buys (200, 200, 100), the venue accepts all, fills 150 of the first
  // and cancels the second. Every order and venue message is journaled as it happens.
  void live_run(Shard& live) {
    Writer w(cfg_);
    ScanReport rep;
    ASSERT_TRUE(w.open(rep));
    uint64_t venue_seq = 0;
    const auto journal_venue = [&](const std::vector<uint8_t>& msg) {
      Entry e;
      ASSERT_TRUE(make_venue(e, 0, 0, {++venue_seq, 0, {msg.data(), msg.size()}}));
      ASSERT_TRUE(w.write(e));
      (void)live.engine.on_venue(msg.data(), msg.size(), 0, live.sink);
    };
    for (std::size_t i = 0; i < 3; ++i) {
      Entry e;
      ASSERT_NO_FATAL_FAILURE(buy_and_record(live, i, e));
      ASSERT_TRUE(w.write(e));
    }
    for (std::size_t i = 0; i < 3; ++i) journal_venue(accepted(urns_[i], kSizes[i]));
    journal_venue(executed(urns_[0], 150, 1));
    journal_venue(canceled(urns_[1], 200));
    // No stop marker: the process "dies" here (the Writer's destructor flushes what it buffered, as the
    // kernel would keep what write() was given).
  }

  std::string dir_;
  JournalConfig cfg_;
  std::vector<uint32_t> urns_;
};

}  // namespace

TEST_F(Restart, EngineComesBackWithPositionsExposureAndUserRefNums) {
  const trade::TradingConfig cfg = parse_config();
  Shard live(cfg);
  live_run(live);
  ASSERT_EQ(live.engine.risk().position(1), 150);
  ASSERT_EQ(live.engine.risk().worst_long(1), 300);  // 150 filled + 50 + 100 open

  Restarted restarted(cfg, cfg_);
  ASSERT_TRUE(restarted.open());
  auto& [again, engines, rec, writer, rep] = restarted;
  EXPECT_FALSE(rep.torn);
  EXPECT_EQ(rep.records, 8u);
  const ShardRecovery& s = rec.shard(0);
  EXPECT_EQ(s.orders, 3u);
  EXPECT_EQ(s.venue_messages, 5u);
  EXPECT_EQ(s.bad_orders, 0u);
  EXPECT_EQ(s.user_ref_num_high_water, urns_.back());
  EXPECT_EQ(s.last_venue_sequence, 5u);
  EXPECT_EQ(rec.foreign_records(), 0u);

  const trade::Engine& a = live.engine;
  const trade::Engine& b = again.engine;
  EXPECT_EQ(b.risk().position(1), a.risk().position(1));
  EXPECT_EQ(b.risk().open_buys(1), a.risk().open_buys(1));
  EXPECT_EQ(b.risk().worst_long(1), 300);
  EXPECT_EQ(b.risk().open_orders(), a.risk().open_orders());
  EXPECT_EQ(b.risk().gross_notional(), a.risk().gross_notional());
  EXPECT_EQ(b.risk().last_user_ref_num(), urns_.back());
  EXPECT_EQ(b.orders().position(1).shares, 150);
  EXPECT_EQ(b.orders().position(1).cost, a.orders().position(1).cost);
  EXPECT_EQ(b.orders().position(1).realized, a.orders().position(1).realized);
  EXPECT_EQ(b.orders().find(urns_[0])->state, trade::OrderState::kPartiallyFilled);
  EXPECT_EQ(b.orders().find(urns_[1])->state, trade::OrderState::kCanceled);
  EXPECT_EQ(b.orders().find(urns_[2])->state, trade::OrderState::kLive);
  EXPECT_FALSE(b.venue_inconsistent());

  // 300 + 250 > max_position 500: refused because the exposure was recovered.
  EXPECT_EQ(again.buy(250, 1), trade::Reject::kMaxPosition);
  // A trigger with a low sequence number still gets a UserRefNum above every one used before.
  ASSERT_EQ(again.buy(100, 1), trade::Reject::kNone);
  EXPECT_GT(again.sink[0].user_ref_num, urns_.back());
  // Without the journal the same engine would have taken the 250.
  Shard amnesiac(cfg);
  EXPECT_EQ(amnesiac.buy(250, 1), trade::Reject::kNone);
}

TEST_F(Restart, PositionsWithoutTheConfig) {
  const trade::TradingConfig cfg = parse_config();
  Shard live(cfg);
  live_run(live);
  PositionRebuild pos;
  ScanReport rep;
  std::string err;
  ASSERT_TRUE(scan_journal(
      dir_, [&](const RecordView& r) { pos.apply(r); }, false, rep, err));
  const auto rows = pos.rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].shard, 0);
  EXPECT_EQ(rows[0].symbol, "SF0000");
  EXPECT_EQ(rows[0].position, 150);
  EXPECT_EQ(rows[0].realized, live.engine.orders().position(1).realized);
  EXPECT_EQ(rows[0].bought, 150u);
  EXPECT_EQ(rows[0].open_orders, 2u);
  EXPECT_EQ(pos.venue_refused(), 0u);
}

TEST(JournalFull, EngineRefusesOrdersWhileTheJournalIsClosed) {
  Shard s(parse_config());
  s.engine.set_journal_open(false);
  EXPECT_EQ(s.buy(10, 5), trade::Reject::kJournalFull);
  EXPECT_TRUE(s.sink.empty());
  EXPECT_EQ(s.engine.risk().rejects(trade::Reject::kJournalFull), 1u);
  EXPECT_EQ(trade::to_string(trade::Reject::kJournalFull), "journal_full");
  s.engine.set_journal_open(true);
  EXPECT_EQ(s.buy(10, 6), trade::Reject::kNone);
}

// sf-journal on the live run's journal: verify, dump (valid JSON lines with a "type" key, read by jq),
// positions; a damaged journal makes verify fail without changing the files; exit codes 0/1/2.
TEST_F(Restart, SfJournalToolReadsTheJournal) {
  const std::string tool = sf::testing::env("SF_JOURNAL");
  ASSERT_FALSE(tool.empty()) << "SF_JOURNAL not set";
  Shard live(parse_config());
  live_run(live);
  const std::string out = dir_ + ".out";
  const auto run_out = [&](const std::string& args) {
    const int rc = sf::testing::run(tool + " " + args + " >" + out + " 2>" + out + ".err");
    return std::make_pair(rc, sf::testing::read_file(out) + sf::testing::read_file(out + ".err"));
  };
  auto [rc, text] = run_out("verify " + dir_);
  EXPECT_EQ(rc, 0) << text;
  EXPECT_NE(text.find("8 records in 1 segments"), std::string::npos) << text;
  EXPECT_NE(text.find("order    3"), std::string::npos) << text;
  EXPECT_NE(text.find("venue    5"), std::string::npos) << text;
  EXPECT_NE(text.find("OK"), std::string::npos) << text;
  std::tie(rc, text) = run_out("dump " + dir_ + " | jq -c -s 'map(.type)'");
  EXPECT_EQ(rc, 0) << text;
  EXPECT_NE(text.find(R"(["order","order","order","venue","venue","venue","venue","venue"])"),
            std::string::npos)
      << text;
  std::tie(rc, text) =
      run_out("dump " + dir_ + " | jq -c -s '.[0] | [.user_ref_num, .symbol, .side, .shares]'");
  EXPECT_NE(text.find("[" + std::to_string(urns_[0]) + ",\"SF0000\",\"B\",200]"), std::string::npos) << text;
  std::tie(rc, text) = run_out("positions --json " + dir_ + " | jq -c '[.symbol, .position, .open_orders]'");
  EXPECT_EQ(rc, 0) << text;
  EXPECT_NE(text.find(R"(["SF0000",150,2])"), std::string::npos) << text;

  // Damage the last record: verify exits 1 and names the place; the file is left as it was.
  const std::string seg = dir_ + "/" + segment_name(1);
  const std::string before = sf::testing::read_file(seg);
  std::string damaged = before;
  std::size_t last = damaged.size();
  while (last > 0 && damaged[last - 1] == 0) --last;
  damaged[last - 3] ^= 0x10;
  std::ofstream(seg, std::ios::binary | std::ios::trunc) << damaged;
  std::tie(rc, text) = run_out("verify " + dir_);
  EXPECT_EQ(rc, 1) << text;
  EXPECT_NE(text.find("damaged at segment-00000001.sfj offset"), std::string::npos) << text;
  EXPECT_NE(text.find("CRC mismatch"), std::string::npos) << text;
  EXPECT_EQ(sf::testing::read_file(seg), damaged);
  EXPECT_EQ(run_out("verify").first, 2);
  EXPECT_EQ(run_out("verify " + dir_ + "/missing").first, 2);
  EXPECT_EQ(run_out("--version").first, 0);
  fs::remove(out);
  fs::remove(out + ".err");
}

// kill -9 lands after an order left but before its record left the writer's ring: the journal knows the
// first two orders, the venue all three. At the restart the venue replays the third's Accepted and fill;
// the engine adopts the order from the Accepted (the venue is the book of record for what it accepted)
// and comes back as the live engine was. What the venue says about a UserRefNum at or below the
// high-water mark, or about a known order, is not adopted: it is judged as always (a forgery stops the
// shard).
TEST_F(Restart, OrderLostFromTheJournalIsAdoptedFromTheVenueReplay) {
  const trade::TradingConfig cfg = parse_config();
  Shard live(cfg);
  std::vector<std::vector<uint8_t>> venue;  // what the venue sent, in sequence order
  {
    Writer w(cfg_);
    ScanReport rep;
    ASSERT_TRUE(w.open(rep));
    for (std::size_t i = 0; i < 3; ++i) {
      Entry e;
      ASSERT_NO_FATAL_FAILURE(buy_and_record(live, i, e));
      if (i < 2) {
        ASSERT_TRUE(w.write(e));  // the third order's record dies in the ring
      }
    }
    venue = {accepted(urns_[0], 200), executed(urns_[0], 150, 1), accepted(urns_[1], 200),
             accepted(urns_[2], 100), executed(urns_[2], 40, 2)};
    for (std::size_t q = 0; q < venue.size(); ++q) {
      (void)live.engine.on_venue(venue[q].data(), venue[q].size(), 0, live.sink);
      if (q >= 3) continue;  // the journal holds venue sequences 1..3
      Entry e;
      ASSERT_TRUE(make_venue(e, 0, 0, {q + 1, 0, {venue[q].data(), venue[q].size()}}));
      ASSERT_TRUE(w.write(e));
    }
  }
  ASSERT_FALSE(live.engine.venue_inconsistent());

  Restarted restarted(cfg, cfg_);
  ASSERT_TRUE(restarted.open());
  auto& [again, engines, rec, writer, rep] = restarted;
  EXPECT_EQ(rec.shard(0).last_venue_sequence, 3u);
  EXPECT_EQ(rec.shard(0).user_ref_num_high_water, urns_[1]);
  // Not adopted: a known order's Accepted, and anything but an Accepted.
  trade::OrderRequest adopted;
  using Adoption = trade::Engine::Adoption;
  EXPECT_EQ(again.engine.adopt_accepted(venue[2].data(), venue[2].size(), 0, adopted), Adoption::kNo);
  EXPECT_EQ(again.engine.adopt_accepted(venue[4].data(), venue[4].size(), 0, adopted), Adoption::kNo);
  // An engine with neither a book nor an order for the symbol: not yet (the caller holds it).
  {
    trade::Engine fresh(cfg, 0);
    EXPECT_EQ(fresh.adopt_accepted(venue[3].data(), venue[3].size(), 0, adopted), Adoption::kNoInstrument);
    EXPECT_EQ(fresh.orders().find(urns_[2]), nullptr);
  }
  // The venue's replay from sequence 4.
  ASSERT_EQ(again.engine.adopt_accepted(venue[3].data(), venue[3].size(), 0, adopted), Adoption::kAdopted);
  EXPECT_EQ(adopted.user_ref_num, urns_[2]);
  EXPECT_EQ(adopted.shares, 100u);
  EXPECT_EQ(adopted.locate, 1);
  EXPECT_EQ(adopted.strategy, trade::Engine::kAdoptedOrder);
  for (std::size_t q = 3; q < venue.size(); ++q)
    (void)again.engine.on_venue(venue[q].data(), venue[q].size(), 0, again.sink);
  EXPECT_FALSE(again.engine.venue_inconsistent());
  EXPECT_EQ(again.engine.stats().orders_adopted.load(), 1u);
  const trade::Engine& a = live.engine;
  const trade::Engine& b = again.engine;
  EXPECT_EQ(b.risk().position(1), a.risk().position(1));
  EXPECT_EQ(b.risk().open_buys(1), a.risk().open_buys(1));
  EXPECT_EQ(b.risk().open_orders(), a.risk().open_orders());
  EXPECT_EQ(b.risk().gross_notional(), a.risk().gross_notional());
  EXPECT_EQ(b.risk().last_user_ref_num(), urns_[2]);
  EXPECT_EQ(b.orders().position(1).cost, a.orders().position(1).cost);
  EXPECT_EQ(b.orders().find(urns_[2])->state, trade::OrderState::kPartiallyFilled);
  // The adopted exposure counts: 150 + 40 filled and 310 open fill max_position 500 in both engines.
  EXPECT_EQ(again.buy(10, 1), trade::Reject::kMaxPosition);
  EXPECT_EQ(live.buy(10, 1), trade::Reject::kMaxPosition);

  // A forged Accepted below the high-water mark for an order nobody sent is not adopted, and the
  // engine's checks refuse it: the shard stops.
  ASSERT_GT(urns_[0], 1u);
  const std::vector<uint8_t> forged = accepted(urns_[0] - 1, 100);
  EXPECT_EQ(again.engine.adopt_accepted(forged.data(), forged.size(), 0, adopted), Adoption::kNo);
  (void)again.engine.on_venue(forged.data(), forged.size(), 0, again.sink);
  EXPECT_TRUE(again.engine.venue_inconsistent());
}
