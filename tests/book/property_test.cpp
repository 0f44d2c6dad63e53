// Randomized property test: millions of ITCH book operations (including inconsistent ones) applied both to
// BookSet and to a deliberately simple std::map reference model; the touched book's top of book is compared
// after every step and every level of every book on a sample of steps.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "itch_builder.hpp"
#include "sniperforge/book/book_set.hpp"

using sf::book::BookSet;
using sf::book::Drop;
using sf::book::Side;

namespace {

struct RefOrder {
  uint16_t locate;
  char side;
  uint32_t price;
  uint32_t shares;
};

struct RefLevel {
  uint64_t shares = 0;
  uint32_t orders = 0;
};

class Reference {
 public:
  std::map<uint64_t, RefOrder> orders;
  std::map<std::pair<uint16_t, char>, std::map<uint32_t, RefLevel>> levels;
  std::map<Drop, uint64_t> drops;

  void add(uint16_t locate, uint64_t ref, char side, uint32_t shares, uint32_t price) {
    if (orders.count(ref)) return void(++drops[Drop::kDuplicateRef]);
    orders[ref] = {locate, side, price, shares};
    RefLevel& l = levels[{locate, side}][price];
    l.shares += shares;
    ++l.orders;
  }
  // Returns false for an unknown ref (counted).
  RefOrder* find(uint16_t locate, uint64_t ref) {
    auto it = orders.find(ref);
    if (it == orders.end()) return ++drops[Drop::kUnknownRef], nullptr;
    if (it->second.locate != locate) return ++drops[Drop::kLocateMismatch], nullptr;
    return &it->second;
  }
  void remove(uint64_t ref) {
    const RefOrder o = orders.at(ref);
    auto& side = levels[{o.locate, o.side}];
    RefLevel& l = side.at(o.price);
    l.shares -= o.shares;
    if (--l.orders == 0) side.erase(o.price);
    orders.erase(ref);
  }
  void reduce(uint64_t ref, uint32_t n, Drop over) {
    RefOrder& o = orders.at(ref);
    if (n > o.shares) ++drops[over];
    if (n >= o.shares) return remove(ref);
    levels[{o.locate, o.side}].at(o.price).shares -= n;
    o.shares -= n;
  }
};

void expect_same_book(const BookSet& books, const Reference& ref, uint16_t locate, uint64_t step) {
  const sf::book::OrderBook* b = books.find(locate);
  for (const char sc : {'B', 'S'}) {
    const Side s = sc == 'B' ? Side::kBuy : Side::kSell;
    const auto it = ref.levels.find({locate, sc});
    const std::size_t n = it == ref.levels.end() ? 0 : it->second.size();
    ASSERT_EQ(b ? b->depth(s) : 0u, n) << "step " << step << " locate " << locate << " side " << sc;
    if (n == 0) continue;
    // Best first: bids descending, asks ascending.
    std::vector<std::pair<uint32_t, RefLevel>> want(it->second.begin(), it->second.end());
    if (sc == 'B') std::reverse(want.begin(), want.end());
    for (std::size_t i = 0; i < n; ++i) {
      const sf::book::LevelView got = b->level(s, static_cast<uint32_t>(i));
      ASSERT_EQ(got.price, want[i].first) << "step " << step << " level " << i;
      ASSERT_EQ(got.shares, want[i].second.shares) << "step " << step << " level " << i;
      ASSERT_EQ(got.orders, want[i].second.orders) << "step " << step << " level " << i;
    }
  }
}

void expect_same_top(const BookSet& books, const Reference& ref, uint16_t locate, uint64_t step) {
  const sf::book::OrderBook* b = books.find(locate);
  if (b == nullptr) return;
  for (const char sc : {'B', 'S'}) {
    const Side s = sc == 'B' ? Side::kBuy : Side::kSell;
    const auto it = ref.levels.find({locate, sc});
    if (it == ref.levels.end() || it->second.empty()) {
      ASSERT_TRUE(b->empty(s)) << "step " << step;
      continue;
    }
    const auto best = sc == 'B' ? std::prev(it->second.end()) : it->second.begin();
    ASSERT_EQ(b->best_price(s), best->first) << "step " << step;
    ASSERT_EQ(b->best_shares(s), best->second.shares) << "step " << step;
  }
}

void run(uint64_t seed, uint64_t steps, uint16_t instruments, uint64_t full_check_every,
         unsigned ref_shift = 0) {
  sf::book::BookConfig cfg;
  cfg.max_orders = 1 << 17;
  cfg.max_instruments = 64;
  cfg.max_levels_per_side = 1 << 14;
  cfg.max_levels_total = 1 << 20;
  cfg.ref_shift = ref_shift;
  BookSet books(cfg);
  Reference ref;
  std::mt19937_64 rng(seed);
  auto uni = [&](uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng); };
  std::vector<uint64_t> live;  // refs, for picking a random live order
  std::map<uint64_t, std::size_t> pos;
  auto track = [&](uint64_t r) {
    pos[r] = live.size();
    live.push_back(r);
  };
  auto untrack = [&](uint64_t r) {
    auto it = pos.find(r);
    if (it == pos.end()) return;
    const std::size_t i = it->second;
    live[i] = live.back();
    pos[live[i]] = i;
    live.pop_back();
    pos.erase(r);
  };
  uint64_t next_ref = 1;
  const std::size_t target_live = 3'000;
  sf::test::ItchBuilder msg;
  msg.reserve(1);

  for (uint64_t step = 0; step < steps; ++step) {
    msg.clear();
    const uint64_t op = uni(0, 99);
    const bool want_add = live.size() < target_live ? op < 60 : op < 25;
    uint16_t locate = static_cast<uint16_t>(uni(1, instruments));
    if (want_add || live.empty()) {
      const char side = uni(0, 1) ? 'B' : 'S';
      const uint32_t mid = 100'000 + 10'000 * locate;
      const bool far = uni(0, 99) < 5;
      const uint32_t dist = static_cast<uint32_t>(far ? uni(200, 2'000) : uni(0, 30)) * 100;
      const uint32_t price = side == 'B' ? mid - 100 - dist : mid + 100 + dist;
      const uint32_t shares = static_cast<uint32_t>(uni(1, 1'000));
      uint64_t r = next_ref++;
      if (uni(0, 199) == 0 && !live.empty()) r = live[uni(0, live.size() - 1)];  // duplicate
      msg.add(locate, r, side, shares, price);
      const bool dup = ref.orders.count(r) != 0;
      ref.add(locate, r, side, shares, price);
      if (!dup) track(r);
    } else {
      uint64_t r = live[uni(0, live.size() - 1)];
      const RefOrder o = ref.orders.at(r);
      locate = o.locate;
      if (uni(0, 99) < 2) r = next_ref + 1'000'000 + uni(0, 1000);  // unknown ref
      const uint64_t kind = uni(0, 99);
      if (kind < 20) {
        const uint64_t how = uni(0, 31);
        const uint32_t n = how == 0  ? o.shares + 1
                           : how < 8 ? o.shares
                                     : static_cast<uint32_t>(uni(1, o.shares));
        msg.exec(locate, r, n);
        if (ref.find(locate, r))
          ref.reduce(r, n, Drop::kOverExecution), (ref.orders.count(r) ? void() : untrack(r));
      } else if (kind < 25) {
        const uint32_t n = static_cast<uint32_t>(uni(1, o.shares));
        msg.exec_px(locate, r, n, o.price + 1, 'Y');
        if (ref.find(locate, r))
          ref.reduce(r, n, Drop::kOverExecution), (ref.orders.count(r) ? void() : untrack(r));
      } else if (kind < 40) {
        const uint32_t n = uni(0, 30) == 0 ? o.shares + 5 : static_cast<uint32_t>(uni(1, o.shares));
        msg.cancel(locate, r, n);
        if (ref.find(locate, r))
          ref.reduce(r, n, Drop::kOverCancel), (ref.orders.count(r) ? void() : untrack(r));
      } else if (kind < 85) {
        msg.del(locate, r);
        if (ref.find(locate, r)) ref.remove(r), untrack(r);
      } else {
        const uint64_t nr = next_ref++;
        const int64_t move = static_cast<int64_t>(uni(0, 10)) - 5;
        const uint32_t np = static_cast<uint32_t>(std::max<int64_t>(100, int64_t{o.price} + move * 100));
        const uint32_t ns = static_cast<uint32_t>(uni(1, 2'000));
        msg.replace(locate, r, nr, ns, np);
        if (ref.find(locate, r)) {
          ref.remove(r);
          untrack(r);
          ref.add(locate, nr, o.side, ns, np);
          track(nr);
        }
      }
    }
    books.apply(msg[0]);
    expect_same_top(books, ref, locate, step);
    if (::testing::Test::HasFatalFailure()) return;
    if (step % full_check_every == 0) {
      for (uint16_t l = 1; l <= instruments; ++l) expect_same_book(books, ref, l, step);
      if (::testing::Test::HasFatalFailure()) {
        for (std::size_t d = 0; d < static_cast<std::size_t>(Drop::kCount); ++d)
          ADD_FAILURE() << sf::book::to_string(static_cast<Drop>(d)) << " book "
                        << books.drops(static_cast<Drop>(d)) << " ref " << ref.drops[static_cast<Drop>(d)];
        return;
      }
      ASSERT_EQ(books.live_orders(), ref.orders.size());
    }
  }
  for (uint16_t l = 1; l <= instruments; ++l) expect_same_book(books, ref, l, steps);
  EXPECT_EQ(books.live_orders(), ref.orders.size());
  for (std::size_t d = 0; d < static_cast<std::size_t>(Drop::kCount); ++d) {
    const auto it = ref.drops.find(static_cast<Drop>(d));
    EXPECT_EQ(books.drops(static_cast<Drop>(d)), it == ref.drops.end() ? 0u : it->second)
        << sf::book::to_string(static_cast<Drop>(d));
  }
  EXPECT_GT(books.drops(Drop::kUnknownRef), 0u);
  EXPECT_GT(books.drops(Drop::kOverExecution), 0u);
  EXPECT_GT(books.drops(Drop::kDuplicateRef), 0u);
  EXPECT_LT(books.live_orders(), 2 * target_live);  // the mix keeps the book near its target size
}

}  // namespace

TEST(BookProperty, MatchesReferenceFewInstruments) {
  run(1, 1'500'000, 4, 5'000);
}
TEST(BookProperty, MatchesReferenceManyInstruments) {
  run(2, 1'500'000, 40, 20'000);
}
TEST(BookProperty, MatchesReferenceEveryStepFullCheck) {
  run(3, 100'000, 2, 1);
}
// As an Engine of 4 shards configures its order map (two low reference bits dropped from the hash).
TEST(BookProperty, MatchesReferenceWithShardRefShift) {
  run(4, 500'000, 8, 10'000, 2);
}
