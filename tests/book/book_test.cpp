#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>

#include "itch_builder.hpp"
#include "sniperforge/book/book_set.hpp"
#include "sniperforge/book/dump.hpp"
#include "sniperforge/io/binary_file.hpp"

using sf::book::BookConfig;
using sf::book::BookSet;
using sf::book::Drop;
using sf::book::LevelView;
using sf::book::Side;
using sf::test::ItchBuilder;

namespace {

BookConfig small_config() {
  BookConfig c;
  c.max_orders = 1000;
  c.max_instruments = 16;
  c.max_levels_per_side = 64;
  c.max_levels_total = 4096;
  return c;
}

void replay(BookSet& books, const ItchBuilder& b) {
  for (std::size_t i = 0; i < b.size(); ++i) books.apply(b[i]);
}

}  // namespace

TEST(Book, AddBuildsBothSidesBestLast) {
  BookSet books(small_config());
  ItchBuilder b;
  b.add(1, 1, 'B', 100, 200000).add(1, 2, 'B', 50, 200100).add(1, 3, 'B', 70, 199900);
  b.add(1, 4, 'S', 30, 200300).add(1, 5, 'S', 40, 200200).add(1, 6, 'S', 10, 200200);
  replay(books, b);
  const auto* ob = books.find(1);
  ASSERT_NE(ob, nullptr);
  EXPECT_EQ(ob->symbol(), "SF0000");
  EXPECT_EQ(ob->best_price(Side::kBuy), 200100u);
  EXPECT_EQ(ob->best_shares(Side::kBuy), 50u);
  EXPECT_EQ(ob->best_price(Side::kSell), 200200u);
  EXPECT_EQ(ob->best_shares(Side::kSell), 50u);
  EXPECT_EQ(ob->depth(Side::kBuy), 3u);
  EXPECT_EQ(ob->depth(Side::kSell), 2u);
  EXPECT_EQ(ob->live_orders(), 6u);
  EXPECT_EQ(ob->level(Side::kBuy, 2), (LevelView{199900, 70, 1}));
  EXPECT_EQ(ob->level(Side::kSell, 0), (LevelView{200200, 50, 2}));
  EXPECT_EQ(ob->mid(), 200150u);
  EXPECT_EQ(ob->shares_at_or_better(Side::kSell, 200250), 50u);
  EXPECT_EQ(ob->shares_at_or_better(Side::kSell, 200300), 80u);
  EXPECT_EQ(ob->shares_at_or_better(Side::kBuy, 200000), 150u);
  LevelView top[2];
  EXPECT_EQ(ob->top(Side::kBuy, top), 2u);
  EXPECT_EQ(top[1], (LevelView{200000, 100, 1}));
}

TEST(Book, ExecuteCancelDeleteReplace) {
  BookSet books(small_config());
  ItchBuilder b;
  b.add(1, 1, 'B', 100, 200000).add(1, 2, 'B', 100, 200000).add(1, 3, 'S', 100, 200500);
  b.exec(1, 1, 30);                 // 70 left
  b.exec_px(1, 2, 100, 199999);     // order 2 gone
  b.cancel(1, 3, 40);               // 60 left
  b.replace(1, 3, 33, 10, 200400);  // ask moves to 200400, 10 shares
  replay(books, b);
  const auto* ob = books.find(1);
  EXPECT_EQ(ob->best_price(Side::kBuy), 200000u);
  EXPECT_EQ(ob->best_shares(Side::kBuy), 70u);
  EXPECT_EQ(ob->level(Side::kBuy, 0).orders, 1u);
  EXPECT_EQ(ob->best_price(Side::kSell), 200400u);
  EXPECT_EQ(ob->best_shares(Side::kSell), 10u);
  EXPECT_EQ(ob->depth(Side::kSell), 1u);
  EXPECT_EQ(ob->last_trade_price(), 199999u);
  EXPECT_EQ(ob->volume(), 130u);
  EXPECT_EQ(books.total_drops(), 0u);
  ItchBuilder d;
  d.del(1, 1).del(1, 33);
  replay(books, d);
  EXPECT_TRUE(ob->empty(Side::kBuy));
  EXPECT_TRUE(ob->empty(Side::kSell));
  EXPECT_EQ(books.live_orders(), 0u);
  EXPECT_TRUE(ob->has_had_order());
}

TEST(Book, InconsistenciesAreCountedAndHarmless) {
  BookSet books(small_config());
  ItchBuilder b;
  b.add(1, 1, 'B', 100, 200000).add(1, 2, 'S', 100, 201000);
  b.exec(1, 99, 10);            // unknown
  b.del(1, 98);                 // unknown
  b.replace(1, 97, 96, 1, 1);   // unknown
  b.add(1, 1, 'B', 5, 199000);  // duplicate
  b.add(1, 7, 'X', 5, 199000);  // bad side
  b.add(1, 8, 'B', 0, 199000);  // zero shares
  b.exec(2, 1, 10);             // locate mismatch
  b.exec(1, 2, 150);            // over-execution: order 2 removed
  b.add(1, 3, 'S', 100, 201000);
  b.cancel(1, 3, 101);             // over-cancel: removed
  b.add(0, 9, 'B', 1, 1);          // locate 0
  b.replace(1, 1, 1, 10, 200000);  // new ref == old ref is fine (old removed first)
  replay(books, b);
  EXPECT_EQ(books.drops(Drop::kUnknownRef), 3u);
  EXPECT_EQ(books.drops(Drop::kDuplicateRef), 1u);
  EXPECT_EQ(books.drops(Drop::kBadSide), 1u);
  EXPECT_EQ(books.drops(Drop::kZeroShares), 1u);
  EXPECT_EQ(books.drops(Drop::kLocateMismatch), 1u);
  EXPECT_EQ(books.drops(Drop::kOverExecution), 1u);
  EXPECT_EQ(books.drops(Drop::kOverCancel), 1u);
  EXPECT_EQ(books.drops(Drop::kZeroLocate), 1u);
  const auto* ob = books.find(1);
  EXPECT_EQ(ob->best_price(Side::kBuy), 200000u);
  EXPECT_EQ(ob->best_shares(Side::kBuy), 10u);
  EXPECT_TRUE(ob->empty(Side::kSell));
  EXPECT_EQ(books.live_orders(), 1u);
}

TEST(Book, CapacityLimitsAreCounted) {
  BookConfig c = small_config();
  c.max_orders = 4;
  c.max_instruments = 2;
  c.max_levels_per_side = 2;
  BookSet books(c);
  ItchBuilder b;
  b.add(1, 1, 'B', 1, 100).add(1, 2, 'B', 1, 200).add(1, 3, 'B', 1, 300);  // third level overflows
  b.add(2, 4, 'B', 1, 100).add(3, 5, 'B', 1, 100);                         // third instrument
  b.add(1, 6, 'S', 1, 900).add(1, 7, 'S', 1, 900);                         // order capacity (4)
  replay(books, b);
  EXPECT_EQ(books.drops(Drop::kLevelOverflow), 1u);
  EXPECT_EQ(books.drops(Drop::kInstrumentCapacity), 1u);
  EXPECT_EQ(books.drops(Drop::kOrderCapacity), 1u);
  EXPECT_EQ(books.live_orders(), 4u);
  EXPECT_EQ(books.find(1)->depth(Side::kBuy), 2u);
}

TEST(Book, DirectoryTradingStateAndSystemEvents) {
  BookSet books(small_config());
  ItchBuilder b;
  b.system_event('O').directory(5, "AAPL", 100).trading_action(5, "AAPL", 'H');
  replay(books, b);
  const auto* ob = books.find(5);
  ASSERT_NE(ob, nullptr);
  EXPECT_EQ(ob->symbol(), "AAPL");
  EXPECT_EQ(ob->round_lot(), 100u);
  EXPECT_FALSE(ob->can_trade());
  EXPECT_EQ(books.last_system_event(), 'O');
  ItchBuilder t;
  t.trading_action(5, "AAPL", 'T').add(5, 1, 'B', 1, 100, "IGNORED");
  replay(books, t);
  EXPECT_TRUE(ob->can_trade());
  EXPECT_EQ(ob->symbol(), "AAPL");  // the directory wins over the Add's stock field
}

TEST(Book, DumpIsSortedBySymbolAndSkipsBooksWithoutOrders) {
  BookSet books(small_config());
  ItchBuilder b;
  b.directory(1, "ZZZ").directory(2, "AAA").directory(3, "MMM");
  b.add(1, 1, 'B', 100, 100).add(2, 2, 'S', 50, 300).add(2, 3, 'B', 20, 200);
  replay(books, b);
  std::vector<sf::book::BookRow> rows;
  books.dump_rows(rows);
  std::ostringstream os;
  sf::book::write_book_dump(os, rows);
  EXPECT_EQ(os.str(),
            "symbol,bid_px,bid_qty,ask_px,ask_qty,orders\n"
            "AAA,200,20,300,50,2\n"
            "ZZZ,100,100,0,0,1\n");
}

// #16: feed symbols are untrusted. "=1+1,X" broke the row (a comma) and is a spreadsheet formula.
TEST(Book, DumpQuotesSymbolsPerRfc4180AndNeutralisesFormulas) {
  BookSet books(small_config());
  ItchBuilder b;
  b.directory(1, "=1+1,X").directory(2, "A\"B").directory(3, "@SUM").directory(4, "-2");
  for (uint16_t l = 1; l <= 4; ++l) b.add(l, l, 'B', 10, 100);
  replay(books, b);
  std::vector<sf::book::BookRow> rows;
  books.dump_rows(rows);
  std::ostringstream os;
  sf::book::write_book_dump(os, rows);
  EXPECT_EQ(os.str(),
            "symbol,bid_px,bid_qty,ask_px,ask_qty,orders\n"
            "'-2,100,10,0,0,1\n"
            "\"'=1+1,X\",100,10,0,0,1\n"
            "'@SUM,100,10,0,0,1\n"
            "\"A\"\"B\",100,10,0,0,1\n");
  EXPECT_EQ(sf::book::csv_field("-2"), "'-2");
  EXPECT_EQ(sf::book::csv_field("+1"), "'+1");
  EXPECT_EQ(sf::book::csv_field("AAPL"), "AAPL");
  EXPECT_EQ(sf::book::csv_field("a\nb"), "\"a\nb\"");
}

TEST(Book, ReplaysRitchSampleDay) {
  const char* dir = std::getenv("SF_SHARED_DATA");
  const std::string path = std::string(dir ? dir : "") + "/itch/ritch/ex20101224.TEST_ITCH_50.lenprefix.itch";
  if (dir == nullptr || !std::filesystem::exists(path)) GTEST_SKIP() << "shared data not found: " << path;
  sf::io::BinaryFileReader reader;
  ASSERT_TRUE(reader.open(path)) << reader.error();
  BookConfig c;
  c.max_orders = 100'000;
  c.max_instruments = 16;
  c.max_levels_total = 1 << 16;
  BookSet books(c);
  const uint8_t* msg = nullptr;
  uint16_t len = 0;
  std::size_t n = 0;
  while (reader.next(msg, len)) {
    ASSERT_EQ(sf::itch::validate(msg, len), sf::itch::Error::kOk);
    books.apply(sf::itch::MessageView{msg});
    ++n;
  }
  EXPECT_EQ(n, 12'012u);
  // SOURCES.md: 117 modifications reference orders never added; 3,204 orders remain live.
  EXPECT_EQ(books.drops(Drop::kUnknownRef), 117u);
  EXPECT_EQ(books.live_orders(), 3'204u);
  EXPECT_EQ(books.total_drops(), 117u);
  uint64_t live = 0;
  for (std::size_t i = 0; i < books.book_count(); ++i)
    live += books.book(static_cast<uint16_t>(i)).live_orders();
  EXPECT_EQ(live, 3'204u);
}

// Hostile input: a million valid-length ITCH messages of every type with random fields (refs from a small
// pool so that they collide, random sides/shares/prices/locates, tiny capacities). Nothing may crash, and the
// book's own bookkeeping must stay consistent: per-book live counts add up, and every level holds >= 1 order.
TEST(Book, RandomFieldsNeverCorruptTheBooks) {
  BookConfig c;
  c.max_orders = 512;
  c.max_instruments = 8;
  c.max_levels_per_side = 16;
  c.max_levels_total = 512;
  BookSet books(c);
  std::mt19937_64 rng(11);
  uint8_t buf[64];
  for (int i = 0; i < 1'000'000; ++i) {
    const auto& schema = sf::itch::kSchemas[rng() % sf::itch::kSchemas.size()];
    for (std::size_t k = 0; k < schema.length; ++k) buf[k] = static_cast<uint8_t>(rng());
    buf[0] = static_cast<uint8_t>(schema.type);
    buf[1] = 0;
    buf[2] = static_cast<uint8_t>(rng() % 12);  // locates 0..11: more than max_instruments
    if (schema.length >= 19) {
      sf::proto::store_be<uint64_t>(buf + 11, rng() % 600);  // order refs collide
      if (schema.type == 'U') sf::proto::store_be<uint64_t>(buf + 19, rng() % 600);
      if (schema.type == 'A' || schema.type == 'F') buf[19] = "BSX"[rng() % 3];
    }
    ASSERT_EQ(sf::itch::validate(buf, schema.length), sf::itch::Error::kOk);
    books.apply(sf::itch::MessageView{buf});
  }
  uint64_t live = 0;
  for (std::size_t i = 0; i < books.book_count(); ++i) {
    const auto& b = books.book(static_cast<uint16_t>(i));
    live += b.live_orders();
    uint64_t level_orders = 0;
    for (const Side s : {Side::kBuy, Side::kSell}) {
      ASSERT_LE(b.depth(s), c.max_levels_per_side);
      for (const auto& l : b.levels(s)) {
        ASSERT_GE(l.orders, 1u);
        ASSERT_GE(l.shares, 1u);
        level_orders += l.orders;
      }
    }
    EXPECT_EQ(level_orders, b.live_orders());
  }
  EXPECT_EQ(live, books.live_orders());
  EXPECT_LE(books.book_count(), c.max_instruments);
  EXPECT_GT(books.total_drops(), 100'000u);
  EXPECT_GT(books.drops(Drop::kInstrumentCapacity), 0u);
  EXPECT_GT(books.drops(Drop::kLevelOverflow) + books.drops(Drop::kOrderCapacity), 0u);
}

TEST(Book, TradesUpdateLastTradeAndVolumeOnly) {
  BookSet books(small_config());
  ItchBuilder b;
  b.directory(3, "XYZ").add(3, 1, 'B', 100, 5000);
  sf::itch::msg::Trade t;
  t.stock_locate = 3;
  t.shares = 40;
  t.price = 5100;
  b.put(t);
  sf::itch::msg::CrossTrade q;
  q.stock_locate = 3;
  q.shares = 60;
  q.cross_price = 5200;
  b.put(q);
  t.stock_locate = 0;  // not instrument specific: ignored, no book for locate 0
  b.put(t);
  sf::itch::msg::BrokenTrade br;
  br.stock_locate = 3;
  b.put(br);
  replay(books, b);
  const auto* ob = books.find(3);
  EXPECT_EQ(ob->last_trade_price(), 5200u);
  EXPECT_EQ(ob->volume(), 100u);
  EXPECT_EQ(ob->broken_trades(), 1u);
  EXPECT_EQ(ob->best_shares(Side::kBuy), 100u);  // the book itself is untouched
  EXPECT_EQ(books.find(0), nullptr);
  EXPECT_EQ(books.book_count(), 1u);
}
