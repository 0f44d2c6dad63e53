// Golden vectors for all 23 ITCH 5.0 message types, written field by field from the
// TotalView-ITCH 5.0 specification tables; each is checked through the view accessors, the
// typed struct encoder, validate() and the JSON line format.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "bytes.hpp"
#include "sniperforge/io/itch_json.hpp"
#include "sniperforge/proto/itch.hpp"

using sf::test::Bytes;
namespace itch = sf::itch;

namespace {
constexpr uint16_t kLoc = 1234;
constexpr uint16_t kTrk = 5678;
constexpr uint64_t kTs = 34'200'123'456'789ull;  // 09:30:00.123456789

template <class View>
View checked(const Bytes& b, std::size_t spec_len) {
  EXPECT_EQ(b.size(), spec_len);
  EXPECT_EQ(itch::validate(b.data(), b.size()), itch::Error::kOk);
  EXPECT_EQ(View::kLength, spec_len);
  EXPECT_EQ(itch::kLengthByType[b.v[0]], spec_len);
  View v{b.data()};
  EXPECT_EQ(v.type(), View::kType);
  EXPECT_EQ(v.stock_locate(), kLoc);
  EXPECT_EQ(v.tracking_number(), kTrk);
  EXPECT_EQ(v.timestamp(), kTs);
  // Typed struct round trip must reproduce the golden bytes exactly.
  const auto m = itch::to_message(v);
  uint8_t out[64] = {};
  EXPECT_EQ(m.encode(out), spec_len);
  EXPECT_EQ(std::vector<uint8_t>(out, out + spec_len), b.v);
  // visit() dispatches to the right view.
  const bool same = itch::visit(b.data(), [](auto w) { return std::is_same_v<decltype(w), View>; });
  EXPECT_TRUE(same);
  return v;
}
std::string json(const Bytes& b, uint64_t seq = 7) {
  std::string s;
  sf::io::append_itch_json(s, seq, b.data());
  return s;
}
}  // namespace

TEST(ItchGolden, SystemEventS) {
  Bytes b;
  b.itch('S', kLoc, kTrk, kTs).c('O');
  auto v = checked<itch::SystemEvent>(b, 12);
  EXPECT_EQ(v.event_code(), 'O');
  EXPECT_EQ(
      json(b),
      R"({"seq":7,"type":"S","stock_locate":1234,"tracking_number":5678,"timestamp":34200123456789,"event_code":"O"})");
}

TEST(ItchGolden, StockDirectoryR) {
  Bytes b;
  b.itch('R', kLoc, kTrk, kTs)
      .a("AAPL", 8)
      .c('Q')
      .c('N')
      .u32(100)
      .c('N')
      .c('C')
      .a("Z", 2)
      .c('P')
      .c('N')
      .c('N')
      .c('1')
      .c('N')
      .u32(0)
      .c('N');
  auto v = checked<itch::StockDirectory>(b, 39);
  EXPECT_EQ(v.stock(), "AAPL    ");
  EXPECT_EQ(v.market_category(), 'Q');
  EXPECT_EQ(v.financial_status_indicator(), 'N');
  EXPECT_EQ(v.round_lot_size(), 100u);
  EXPECT_EQ(v.round_lots_only(), 'N');
  EXPECT_EQ(v.issue_classification(), 'C');
  EXPECT_EQ(v.issue_sub_type(), "Z ");
  EXPECT_EQ(v.authenticity(), 'P');
  EXPECT_EQ(v.short_sale_threshold_indicator(), 'N');
  EXPECT_EQ(v.ipo_flag(), 'N');
  EXPECT_EQ(v.luld_reference_price_tier(), '1');
  EXPECT_EQ(v.etp_flag(), 'N');
  EXPECT_EQ(v.etp_leverage_factor(), 0u);
  EXPECT_EQ(v.inverse_indicator(), 'N');
}

TEST(ItchGolden, StockTradingActionH) {
  Bytes b;
  b.itch('H', kLoc, kTrk, kTs).a("MSFT", 8).c('H').c(' ').a("LUDP", 4);
  auto v = checked<itch::StockTradingAction>(b, 25);
  EXPECT_EQ(v.stock(), "MSFT    ");
  EXPECT_EQ(v.trading_state(), 'H');
  EXPECT_EQ(v.reserved(), ' ');
  EXPECT_EQ(v.reason(), "LUDP");
  EXPECT_EQ(
      json(b),
      R"({"seq":7,"type":"H","stock_locate":1234,"tracking_number":5678,"timestamp":34200123456789,"stock":"MSFT","trading_state":"H","reserved":"","reason":"LUDP"})");
}

TEST(ItchGolden, RegShoRestrictionY) {
  Bytes b;
  b.itch('Y', kLoc, kTrk, kTs).a("ZVZZT", 8).c('1');
  auto v = checked<itch::RegShoRestriction>(b, 20);
  EXPECT_EQ(v.stock(), "ZVZZT   ");
  EXPECT_EQ(v.reg_sho_action(), '1');
}

TEST(ItchGolden, MarketParticipantPositionL) {
  Bytes b;
  b.itch('L', kLoc, kTrk, kTs).a("GSCO", 4).a("IBM", 8).c('Y').c('N').c('A');
  auto v = checked<itch::MarketParticipantPosition>(b, 26);
  EXPECT_EQ(v.mpid(), "GSCO");
  EXPECT_EQ(v.stock(), "IBM     ");
  EXPECT_EQ(v.primary_market_maker(), 'Y');
  EXPECT_EQ(v.market_maker_mode(), 'N');
  EXPECT_EQ(v.market_participant_state(), 'A');
}

TEST(ItchGolden, MwcbDeclineLevelV) {
  Bytes b;  // levels: Price(8), 8 implied decimals
  b.itch('V', 0, kTrk, kTs).u64(385'012'345'678'901ull).u64(360'000'000'000ull).u64(1ull << 62);
  Bytes hb = b;
  hb.v[1] = kLoc >> 8;
  hb.v[2] = kLoc & 0xff;
  auto v = checked<itch::MwcbDeclineLevel>(hb, 35);
  EXPECT_EQ(v.level_1(), 385'012'345'678'901ull);
  EXPECT_EQ(v.level_2(), 360'000'000'000ull);
  EXPECT_EQ(v.level_3(), 1ull << 62);
}

TEST(ItchGolden, MwcbStatusW) {
  Bytes b;
  b.itch('W', kLoc, kTrk, kTs).c('2');
  auto v = checked<itch::MwcbStatus>(b, 12);
  EXPECT_EQ(v.breached_level(), '2');
}

TEST(ItchGolden, IpoQuotingPeriodUpdateK) {
  Bytes b;
  b.itch('K', kLoc, kTrk, kTs).a("NEWCO", 8).u32(36'000).c('A').u32(250'000);
  auto v = checked<itch::IpoQuotingPeriodUpdate>(b, 28);
  EXPECT_EQ(v.stock(), "NEWCO   ");
  EXPECT_EQ(v.ipo_quotation_release_time(), 36'000u);
  EXPECT_EQ(v.ipo_quotation_release_qualifier(), 'A');
  EXPECT_EQ(v.ipo_price(), 250'000u);
}

TEST(ItchGolden, LuldAuctionCollarJ) {
  Bytes b;
  b.itch('J', kLoc, kTrk, kTs).a("TSLA", 8).u32(2'000'000).u32(2'200'000).u32(1'800'000).u32(3);
  auto v = checked<itch::LuldAuctionCollar>(b, 35);
  EXPECT_EQ(v.auction_collar_reference_price(), 2'000'000u);
  EXPECT_EQ(v.upper_auction_collar_price(), 2'200'000u);
  EXPECT_EQ(v.lower_auction_collar_price(), 1'800'000u);
  EXPECT_EQ(v.auction_collar_extension(), 3u);
}

TEST(ItchGolden, OperationalHaltLowerH) {
  Bytes b;
  b.itch('h', kLoc, kTrk, kTs).a("QQQ", 8).c('Q').c('H');
  auto v = checked<itch::OperationalHalt>(b, 21);
  EXPECT_EQ(v.stock(), "QQQ     ");
  EXPECT_EQ(v.market_code(), 'Q');
  EXPECT_EQ(v.operational_halt_action(), 'H');
}

TEST(ItchGolden, AddOrderA) {
  Bytes b;
  b.itch('A', kLoc, kTrk, kTs).u64(0x0102030405060708ull).c('B').u32(100).a("AAPL", 8).u32(1'234'500);
  auto v = checked<itch::AddOrder>(b, 36);
  EXPECT_EQ(v.order_reference_number(), 0x0102030405060708ull);
  EXPECT_EQ(v.buy_sell_indicator(), 'B');
  EXPECT_EQ(v.shares(), 100u);
  EXPECT_EQ(v.stock(), "AAPL    ");
  EXPECT_EQ(v.price(), 1'234'500u);
  EXPECT_EQ(
      json(b, 42),
      R"({"seq":42,"type":"A","stock_locate":1234,"tracking_number":5678,"timestamp":34200123456789,"order_reference_number":72623859790382856,"buy_sell_indicator":"B","shares":100,"stock":"AAPL","price":1234500})");
}

TEST(ItchGolden, AddOrderMpidF) {
  Bytes b;
  b.itch('F', kLoc, kTrk, kTs).u64(99).c('S').u32(300).a("SF0001", 8).u32(210'100).a("NITE", 4);
  auto v = checked<itch::AddOrderMpid>(b, 40);
  EXPECT_EQ(v.order_reference_number(), 99u);
  EXPECT_EQ(v.buy_sell_indicator(), 'S');
  EXPECT_EQ(v.shares(), 300u);
  EXPECT_EQ(v.stock(), "SF0001  ");
  EXPECT_EQ(v.price(), 210'100u);
  EXPECT_EQ(v.attribution(), "NITE");
  EXPECT_EQ(
      json(b),
      R"({"seq":7,"type":"F","stock_locate":1234,"tracking_number":5678,"timestamp":34200123456789,"order_reference_number":99,"buy_sell_indicator":"S","shares":300,"stock":"SF0001","price":210100,"attribution":"NITE"})");
}

TEST(ItchGolden, OrderExecutedE) {
  Bytes b;
  b.itch('E', kLoc, kTrk, kTs).u64(99).u32(50).u64(0xAABBCCDD11223344ull);
  auto v = checked<itch::OrderExecuted>(b, 31);
  EXPECT_EQ(v.order_reference_number(), 99u);
  EXPECT_EQ(v.executed_shares(), 50u);
  EXPECT_EQ(v.match_number(), 0xAABBCCDD11223344ull);
}

TEST(ItchGolden, OrderExecutedWithPriceC) {
  Bytes b;
  b.itch('C', kLoc, kTrk, kTs).u64(99).u32(25).u64(777).c('Y').u32(1'234'600);
  auto v = checked<itch::OrderExecutedWithPrice>(b, 36);
  EXPECT_EQ(v.executed_shares(), 25u);
  EXPECT_EQ(v.match_number(), 777u);
  EXPECT_EQ(v.printable(), 'Y');
  EXPECT_EQ(v.execution_price(), 1'234'600u);
  EXPECT_EQ(
      json(b),
      R"({"seq":7,"type":"C","stock_locate":1234,"tracking_number":5678,"timestamp":34200123456789,"order_reference_number":99,"executed_shares":25,"match_number":777,"printable":"Y","execution_price":1234600})");
}

TEST(ItchGolden, OrderCancelX) {
  Bytes b;
  b.itch('X', kLoc, kTrk, kTs).u64(99).u32(10);
  auto v = checked<itch::OrderCancel>(b, 23);
  EXPECT_EQ(v.order_reference_number(), 99u);
  EXPECT_EQ(v.canceled_shares(), 10u);
}

TEST(ItchGolden, OrderDeleteD) {
  Bytes b;
  b.itch('D', kLoc, kTrk, kTs).u64(0xFFFFFFFFFFFFFFFFull);
  auto v = checked<itch::OrderDelete>(b, 19);
  EXPECT_EQ(v.order_reference_number(), 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(
      json(b),
      R"({"seq":7,"type":"D","stock_locate":1234,"tracking_number":5678,"timestamp":34200123456789,"order_reference_number":18446744073709551615})");
}

TEST(ItchGolden, OrderReplaceU) {
  Bytes b;
  b.itch('U', kLoc, kTrk, kTs).u64(99).u64(100).u32(400).u32(1'234'700);
  auto v = checked<itch::OrderReplace>(b, 35);
  EXPECT_EQ(v.original_order_reference_number(), 99u);
  EXPECT_EQ(v.new_order_reference_number(), 100u);
  EXPECT_EQ(v.shares(), 400u);
  EXPECT_EQ(v.price(), 1'234'700u);
  EXPECT_EQ(
      json(b),
      R"({"seq":7,"type":"U","stock_locate":1234,"tracking_number":5678,"timestamp":34200123456789,"original_order_reference_number":99,"new_order_reference_number":100,"shares":400,"price":1234700})");
}

TEST(ItchGolden, TradeP) {
  Bytes b;
  b.itch('P', kLoc, kTrk, kTs).u64(0).c('B').u32(200).a("AMZN", 8).u32(1'500'000).u64(888);
  auto v = checked<itch::Trade>(b, 44);
  EXPECT_EQ(v.order_reference_number(), 0u);
  EXPECT_EQ(v.buy_sell_indicator(), 'B');
  EXPECT_EQ(v.shares(), 200u);
  EXPECT_EQ(v.stock(), "AMZN    ");
  EXPECT_EQ(v.price(), 1'500'000u);
  EXPECT_EQ(v.match_number(), 888u);
}

TEST(ItchGolden, CrossTradeQ) {
  Bytes b;
  b.itch('Q', kLoc, kTrk, kTs).u64(5'000'000'000ull).a("SPY", 8).u32(4'500'000).u64(999).c('O');
  auto v = checked<itch::CrossTrade>(b, 40);
  EXPECT_EQ(v.shares(), 5'000'000'000ull);
  EXPECT_EQ(v.stock(), "SPY     ");
  EXPECT_EQ(v.cross_price(), 4'500'000u);
  EXPECT_EQ(v.match_number(), 999u);
  EXPECT_EQ(v.cross_type(), 'O');
}

TEST(ItchGolden, BrokenTradeB) {
  Bytes b;
  b.itch('B', kLoc, kTrk, kTs).u64(888);
  auto v = checked<itch::BrokenTrade>(b, 19);
  EXPECT_EQ(v.match_number(), 888u);
}

TEST(ItchGolden, NetOrderImbalanceIndicatorI) {
  Bytes b;
  b.itch('I', kLoc, kTrk, kTs)
      .u64(1000)
      .u64(200)
      .c('B')
      .a("GOOG", 8)
      .u32(1'000'100)
      .u32(1'000'200)
      .u32(1'000'300)
      .c('C')
      .c('L');
  auto v = checked<itch::NetOrderImbalanceIndicator>(b, 50);
  EXPECT_EQ(v.paired_shares(), 1000u);
  EXPECT_EQ(v.imbalance_shares(), 200u);
  EXPECT_EQ(v.imbalance_direction(), 'B');
  EXPECT_EQ(v.stock(), "GOOG    ");
  EXPECT_EQ(v.far_price(), 1'000'100u);
  EXPECT_EQ(v.near_price(), 1'000'200u);
  EXPECT_EQ(v.current_reference_price(), 1'000'300u);
  EXPECT_EQ(v.cross_type(), 'C');
  EXPECT_EQ(v.price_variation_indicator(), 'L');
}

TEST(ItchGolden, RetailPriceImprovementIndicatorN) {
  Bytes b;
  b.itch('N', kLoc, kTrk, kTs).a("XYZ", 8).c('A');
  auto v = checked<itch::RetailPriceImprovementIndicator>(b, 20);
  EXPECT_EQ(v.stock(), "XYZ     ");
  EXPECT_EQ(v.interest_flag(), 'A');
}

TEST(ItchGolden, DirectListingPriceDiscoveryO) {
  Bytes b;
  b.itch('O', kLoc, kTrk, kTs)
      .a("DLST", 8)
      .c('Y')
      .u32(100'000)
      .u32(900'000)
      .u32(450'000)
      .u64(34'300'000'000'000ull)
      .u32(400'000)
      .u32(500'000);
  auto v = checked<itch::DirectListingPriceDiscovery>(b, 48);
  EXPECT_EQ(v.open_eligibility_status(), 'Y');
  EXPECT_EQ(v.minimum_allowable_price(), 100'000u);
  EXPECT_EQ(v.maximum_allowable_price(), 900'000u);
  EXPECT_EQ(v.near_execution_price(), 450'000u);
  EXPECT_EQ(v.near_execution_time(), 34'300'000'000'000ull);
  EXPECT_EQ(v.lower_price_range_collar(), 400'000u);
  EXPECT_EQ(v.upper_price_range_collar(), 500'000u);
}

// ---- Schema and malformed input ----
TEST(ItchSchema, AllTwentyThreeTypesWithSpecLengths) {
  const std::string types = "SRHYLVWKJhAFECXDUPQBINO";
  const int lengths[] = {12, 39, 25, 20, 26, 35, 12, 28, 35, 21, 36, 40,
                         31, 36, 23, 19, 35, 44, 40, 19, 50, 20, 48};
  ASSERT_EQ(itch::kSchemas.size(), 23u);
  std::set<char> seen;
  for (std::size_t i = 0; i < types.size(); ++i) {
    const auto* s = itch::schema_for(types[i]);
    ASSERT_NE(s, nullptr) << types[i];
    EXPECT_EQ(s->length, lengths[i]) << types[i];
    seen.insert(s->type);
    // Fields tile the message after the 11-byte header exactly, in order, without overlap.
    std::size_t off = itch::kHeaderLength;
    for (const auto& f : s->fields) {
      EXPECT_EQ(f.offset, off) << types[i] << " " << f.name;
      off += f.size;
    }
    EXPECT_EQ(off, static_cast<std::size_t>(lengths[i])) << types[i];
  }
  EXPECT_EQ(seen.size(), 23u);
}

TEST(ItchMalformed, EmptyUnknownTruncatedAndLong) {
  uint8_t buf[64] = {};
  EXPECT_EQ(itch::validate(buf, 0), itch::Error::kEmpty);
  for (int t = 0; t < 256; ++t) {
    buf[0] = static_cast<uint8_t>(t);
    const std::size_t want = itch::kLengthByType[static_cast<std::size_t>(t)];
    if (want == 0) {
      EXPECT_EQ(itch::validate(buf, 12), itch::Error::kUnknownType) << t;
      continue;
    }
    EXPECT_EQ(itch::validate(buf, want), itch::Error::kOk);
    EXPECT_EQ(itch::validate(buf, 1), itch::Error::kTruncated);
    EXPECT_EQ(itch::validate(buf, want - 1), itch::Error::kTruncated);
    EXPECT_EQ(itch::validate(buf, want + 1), itch::Error::kBadLength);
  }
}

TEST(ItchAlpha, PaddingAndTrim) {
  itch::Alpha<8> a("AB");
  EXPECT_EQ(a.view(), "AB      ");
  EXPECT_EQ(a.trimmed(), "AB");
  itch::Alpha<4> b("TOOLONG");
  EXPECT_EQ(b.view(), "TOOL");
  EXPECT_EQ(itch::trim_alpha("    "), "");
}

TEST(ItchJson, EscapesControlCharacters) {
  Bytes b;
  b.itch('H', 1, 0, 1).a("A\"B\\", 8).c('\x01').c(' ').a("", 4);
  ASSERT_EQ(itch::validate(b.data(), b.size()), itch::Error::kOk);
  EXPECT_EQ(
      json(b, 1),
      R"({"seq":1,"type":"H","stock_locate":1,"tracking_number":0,"timestamp":1,"stock":"A\"B\\","trading_state":"\u0001","reserved":"","reason":""})");
}

// Foreign bytes (sf-feedgen --from-binaryfile --json-out): the checked variant never reads past
// `len` (a 1-byte 'P' record used to be read as a 44-byte trade) and labels what it rejects.
TEST(ItchJson, CheckedVariantLabelsInvalidRecordsWithoutOverreading) {
  const auto one = std::make_unique<uint8_t[]>(1);  // exactly one byte, so ASan sees any overread
  one[0] = 'P';
  std::string s;
  sf::io::append_itch_json_checked(s, 5, one.get(), 1);
  EXPECT_EQ(s, R"({"seq":5,"invalid":"truncated","length":1})");
  s.clear();
  sf::io::append_itch_json_checked(s, 6, one.get(), 0);
  EXPECT_EQ(s, R"({"seq":6,"invalid":"empty","length":0})");
  one[0] = '?';
  s.clear();
  sf::io::append_itch_json_checked(s, 7, one.get(), 1);
  EXPECT_EQ(s, R"({"seq":7,"invalid":"unknown_type","length":1})");
  Bytes b;
  b.itch('S', kLoc, kTrk, kTs).c('O');
  s.clear();
  sf::io::append_itch_json_checked(s, 7, b.data(), b.size());
  EXPECT_EQ(s, json(b));  // valid: the sf-pcap decode line
}
