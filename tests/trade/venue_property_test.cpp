// Property test of the venue checks through the Engine: random orders and a random mix of valid and
// invalid OUCH responses to them (each invalid one carrying exactly one defect). An independent model of
// every order decides what a response should do. After every step:
//   - a valid response is applied and an invalid one is refused with the reason of its defect;
//   - each instrument's position is the sum of the valid fills (and bought/sold their totals);
//   - the risk gate's open shares equal the true open shares (never below them: no exposure is released
//     that the venue did not really release);
//   - a refused response stopped the shard (the test plays the operator and clears it).
// CI runs it under ASan+UBSan too (with UBSan errors fatal), so no stream reaches undefined behaviour.
#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <map>
#include <random>
#include <vector>

#include "../book/itch_builder.hpp"
#include "sniperforge/trade/engine.hpp"

using namespace sf::trade;
using sf::book::Side;

namespace {

constexpr int kInstruments = 3;
constexpr std::size_t kFillMemory = 4096;  // OrderTracker's default: the window of duplicate detection

struct Model {  // what the test knows of one order
  OrderRequest r;
  bool accepted = false, final_state = false;
  uint32_t leaves = 0;
};

struct Fill {
  uint32_t urn = 0, qty = 0;
  uint64_t price = 0;
  bool broken = false;
};

class VenueStream {
 public:
  explicit VenueStream(uint64_t seed) : engine(config()), sink(storage), rng(seed) {
    sf::test::ItchBuilder b;
    for (uint16_t l = 1; l <= kInstruments; ++l) {
      const uint32_t mid = 100'000u * l;
      b.directory(l, l == 1   ? "S1"
                     : l == 2 ? "S2"
                              : "S3")
          .add(l, 2 * l, 'B', 1'000'000, mid - 100)
          .add(l, 2 * l + 1, 'S', 1'000'000, mid + 100);
    }
    for (std::size_t i = 0; i < b.size(); ++i) engine.on_itch(b[i], ++seq, 0, sink);
  }

  void step() {
    const int64_t what = uni(0, 99);
    if (what < 25 || live.empty()) return send_order();
    if (what < 75) return respond(true);
    return respond(false);
  }

  void check_invariants() {
    for (uint16_t l = 1; l <= kInstruments; ++l) {
      const Position& p = engine.orders().position(l);
      ASSERT_EQ(p.shares, shares[l]) << "position = sum of valid fills, instrument " << l;
      ASSERT_EQ(p.bought, bought[l]);
      ASSERT_EQ(p.sold, sold[l]);
      ASSERT_EQ(engine.risk().open_buys(l), open_buy[l]) << "exposure = true open buy shares";
      ASSERT_EQ(engine.risk().open_sells(l), open_sell[l]) << "exposure = true open sell shares";
    }
  }

  uint64_t valid = 0, refused = 0;
  std::array<uint64_t, static_cast<std::size_t>(VenueCheck::kCount)> by_reason{};

 private:
  static TradingConfig config() {
    TradingConfig c;
    c.book.max_orders = 100;
    c.book.max_instruments = 8;
    c.book.max_levels_total = 1024;
    c.risk.max_order_shares = 5'000;
    c.risk.max_position = 1'000'000'000;
    c.risk.max_order_notional = ~uint64_t{0};
    c.risk.max_gross_notional = ~uint64_t{0};
    c.risk.max_open_orders = 1'000'000;
    c.risk.max_orders_per_second = 1'000'000;
    c.risk.throttle_burst = 1'000'000;
    c.max_tracked_orders = 1 << 20;  // no eviction: every order stays known
    return c;
  }
  int64_t uni(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }

  void send_order() {
    const uint16_t l = static_cast<uint16_t>(uni(1, kInstruments));
    const bool buy = uni(0, 1) == 1;
    const uint32_t mid = 100'000u * l;
    const Intent in{buy ? Side::kBuy : Side::kSell, buy ? mid + 100 : mid - 100,
                    static_cast<uint32_t>(uni(1, 5'000)), uni(0, 3) ? kTifIoc : kTifDay};
    sink.clear();
    ASSERT_EQ(engine.submit(in, l, ++seq, 0, sink), Reject::kNone);
    const OrderRequest& r = sink[0];
    orders[r.user_ref_num] = Model{r, false, false, r.shares};
    open(r, r.shares);
    live.push_back(r.user_ref_num);
  }

  Model& pick_live(std::size_t& index) {
    index = static_cast<std::size_t>(uni(0, static_cast<int64_t>(live.size()) - 1));
    return orders.at(live[index]);
  }
  // The true open shares of `r`'s instrument and side change by `delta`.
  void open(const OrderRequest& r, int64_t delta) {
    (r.side == 'B' ? open_buy : open_sell)[r.locate] += delta;
  }
  void close(std::size_t index) {
    orders.at(live[index]).final_state = true;
    live[index] = live.back();
    live.pop_back();
  }

  VenueEvent base(VenueEventType t, const Model& m) {
    VenueEvent e;
    e.type = t;
    e.user_ref_num = m.r.user_ref_num;
    e.side = m.r.side;
    e.symbol = m.r.symbol;
    e.shares = m.r.shares;
    e.price = m.r.price;
    e.order_state = 'L';
    e.match_number = ++match;
    return e;
  }
  // A price at or better than the limit; sells now and then far better (arithmetic at scale).
  uint64_t fill_price(const Model& m) {
    if (m.r.side == 'B') return m.r.price - static_cast<uint64_t>(uni(0, 300));
    return m.r.price + static_cast<uint64_t>(uni(0, 9) ? uni(0, 300) : uni(0, int64_t{1} << 36));
  }
  void book(const Model& m, uint32_t qty, bool reverse) {
    const bool buy = (m.r.side == 'B') != reverse;
    shares[m.r.locate] += buy ? int64_t{qty} : -int64_t{qty};
    (buy ? bought : sold)[m.r.locate] += qty;
  }
  void remember(const Fill& f, uint64_t match_number) {
    fills[match_number] = f;
    window.push_back(match_number);
    if (window.size() > kFillMemory) {
      fills.erase(window.front());
      window.pop_front();
    }
  }

  void expect(const VenueEvent& e, VenueCheck want) {
    const VenueVerdict v = engine.on_venue_event(e);
    ASSERT_EQ(v.check, want) << "got " << to_string(v.check) << " for event type "
                             << static_cast<int>(e.type);
    if (want == VenueCheck::kOk) {
      ++valid;
      return;
    }
    ++refused;
    ++by_reason[static_cast<std::size_t>(want)];
    ASSERT_TRUE(engine.venue_inconsistent());
    engine.clear_venue_inconsistent();  // the operator reconciled
  }

  void respond(bool valid_response);
  void respond_invalid(Model& m, std::size_t index);

  Engine engine;
  std::array<OrderRequest, 4> storage{};
  OrderSink sink;
  std::mt19937_64 rng;
  uint64_t seq = 0, match = 0;
  std::map<uint32_t, Model> orders;
  std::vector<uint32_t> live;      // UserRefNums of orders not final
  std::map<uint64_t, Fill> fills;  // remembered executions by match number
  std::deque<uint64_t> window;     // their match numbers, oldest first
  std::array<int64_t, kInstruments + 1> shares{}, open_buy{}, open_sell{};
  std::array<uint64_t, kInstruments + 1> bought{}, sold{};
};

void VenueStream::respond(bool valid_response) {
  std::size_t index = 0;
  Model& m = pick_live(index);
  if (!valid_response) return respond_invalid(m, index);
  if (!m.accepted) {
    if (uni(0, 5) == 0) {
      expect(base(VenueEventType::kRejected, m), VenueCheck::kOk);
      open(m.r, -int64_t{m.leaves});
      m.leaves = 0;
      return close(index);
    }
    expect(base(VenueEventType::kAccepted, m), VenueCheck::kOk);
    m.accepted = true;
    return;
  }
  const int64_t kind = uni(0, 9);
  if (kind < 6) {  // an execution of part or all of what is open
    VenueEvent e = base(VenueEventType::kExecuted, m);
    e.shares = static_cast<uint32_t>(uni(1, m.leaves));
    e.price = fill_price(m);
    expect(e, VenueCheck::kOk);
    book(m, e.shares, false);
    remember(Fill{m.r.user_ref_num, e.shares, e.price, false}, e.match_number);
    open(m.r, -int64_t{e.shares});
    m.leaves -= e.shares;
    if (m.leaves == 0) close(index);
  } else if (kind < 9) {  // a cancel of part or all of what is open
    VenueEvent e = base(VenueEventType::kCanceled, m);
    e.shares = static_cast<uint32_t>(uni(1, m.leaves));
    expect(e, VenueCheck::kOk);
    open(m.r, -int64_t{e.shares});
    m.leaves -= e.shares;
    if (m.leaves == 0) close(index);
  } else {  // break one of this order's remembered executions, if any
    for (auto& [match_number, f] : fills) {
      if (f.urn != m.r.user_ref_num || f.broken) continue;
      VenueEvent e = base(VenueEventType::kBrokenTrade, m);
      e.match_number = match_number;
      expect(e, VenueCheck::kOk);
      book(m, f.qty, true);
      f.broken = true;
      break;
    }
  }
}

void VenueStream::respond_invalid(Model& m, std::size_t) {
  const int64_t defect = uni(0, 10);
  VenueEvent e = base(VenueEventType::kExecuted, m);
  e.shares = 1;
  e.price = m.r.price;
  switch (defect) {
    case 0:  // an order we never sent
      e.user_ref_num = orders.rbegin()->first + static_cast<uint32_t>(uni(1, 1000));
      return expect(e, VenueCheck::kUnknownUserRefNum);
    case 1: {  // a response for a final order (if there is one)
      for (const auto& [urn, o] : orders) {
        if (!o.final_state) continue;
        VenueEvent f = base(uni(0, 1) ? VenueEventType::kExecuted : VenueEventType::kCanceled, o);
        f.shares = 1;
        return expect(f, VenueCheck::kOrderFinal);
      }
      return;
    }
    default:
      break;
  }
  if (!m.accepted) {
    switch (defect % 3) {
      case 0:  // executed or canceled before Accepted
        if (uni(0, 1)) e.type = VenueEventType::kCanceled;
        return expect(e, VenueCheck::kOutOfOrder);
      case 1: {  // accepted as something else
        VenueEvent a = base(VenueEventType::kAccepted, m);
        const int64_t field = uni(0, 3);
        if (field == 0) a.side = m.r.side == 'B' ? 'S' : 'B';
        if (field == 1) a.symbol[0] = 'Z';
        if (field == 2) a.price += static_cast<uint64_t>(uni(1, int64_t{1} << 62));
        if (field == 3) a.shares = static_cast<uint32_t>(uni(m.r.shares + 1, 4'000'000'000));
        return expect(a, VenueCheck::kAcceptedMismatch);
      }
      default:
        return expect(e, VenueCheck::kOutOfOrder);  // also before Accepted
    }
  }
  switch (defect) {
    case 2:  // more than is open, up to the absurd
      e.shares = static_cast<uint32_t>(uni(int64_t{m.leaves} + 1, 4'000'000'000));
      e.price = uni(0, 1) ? m.r.price : ~uint64_t{0} / 2;
      if (m.r.side == 'B') e.price = std::min(e.price, m.r.price);
      return expect(e, VenueCheck::kOverfill);
    case 3:  // worse than the limit
      e.price = m.r.side == 'B' ? m.r.price + static_cast<uint64_t>(uni(1, int64_t{1} << 62))
                                : static_cast<uint64_t>(uni(0, static_cast<int64_t>(m.r.price) - 1));
      return expect(e, VenueCheck::kPriceWorseThanLimit);
    case 4: {  // a remembered execution again
      if (window.empty()) return;
      e.match_number = window[static_cast<std::size_t>(uni(0, static_cast<int64_t>(window.size()) - 1))];
      return expect(e, VenueCheck::kDuplicateMatch);
    }
    case 5:  // a cancel of more than is open
      e.type = VenueEventType::kCanceled;
      e.shares = static_cast<uint32_t>(uni(int64_t{m.leaves} + 1, 4'000'000'000));
      return expect(e, VenueCheck::kCancelExceedsOpen);
    case 6:
      return expect(base(VenueEventType::kRejected, m), VenueCheck::kRejectedAfterAccepted);
    case 7:
      return expect(base(VenueEventType::kAccepted, m), VenueCheck::kOutOfOrder);  // accepted twice
    case 8: {  // a broken trade of an execution this order never had
      VenueEvent b = base(VenueEventType::kBrokenTrade, m);
      return expect(b, VenueCheck::kUnknownMatch);  // base() took a fresh match number
    }
    default: {  // a replacement under a UserRefNum that is not new
      VenueEvent r = base(VenueEventType::kReplaced, m);
      r.orig_user_ref_num = m.r.user_ref_num;
      r.user_ref_num = m.r.user_ref_num;
      return expect(r, VenueCheck::kOutOfOrder);
    }
  }
}

}  // namespace

TEST(VenueProperty, RandomStreamsKeepPositionsAndExposureTrue) {
  uint64_t valid = 0, refused = 0;
  std::array<uint64_t, static_cast<std::size_t>(VenueCheck::kCount)> reasons{};
  for (uint64_t seed = 1; seed <= 4 && !::testing::Test::HasFatalFailure(); ++seed) {
    VenueStream run(seed);
    for (int i = 0; i < 25'000 && !::testing::Test::HasFatalFailure(); ++i) {
      run.step();
      if (i % 16 == 0 || ::testing::Test::HasFatalFailure()) run.check_invariants();
    }
    run.check_invariants();
    valid += run.valid;
    refused += run.refused;
    for (std::size_t r = 0; r < reasons.size(); ++r) reasons[r] += run.by_reason[r];
  }
  std::printf("valid %llu refused %llu\n", static_cast<unsigned long long>(valid),
              static_cast<unsigned long long>(refused));
  EXPECT_GT(valid, 20'000u);
  EXPECT_GT(refused, 5'000u);
  for (std::size_t r = 1; r < reasons.size(); ++r) {
    std::printf("  %s %llu\n", std::string(to_string(static_cast<VenueCheck>(r))).c_str(),
                static_cast<unsigned long long>(reasons[r]));
    if (static_cast<VenueCheck>(r) != VenueCheck::kArithmeticOverflow) {
      EXPECT_GT(reasons[r], 0u);  // overflow has its own tests (venue_checks, venue_forgery)
    }
  }
}
