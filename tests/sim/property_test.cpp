// Property: whatever the feed and the orders, the simulated venue never fills more than was displayed.
// Random feeds (adds, replaces, cancels, executions, deletes around a moving price) and random IOC and DAY
// orders with random latencies; after every step:
//   - the shares all orders took at one price while the book stood still never exceed the engine book's
//     displayed shares there (a second order cannot take the same shares),
//   - over the run, the shares taken from one feed order never exceed what it displayed,
//   - no order fills beyond its quantity and the engine's order state machine sees no illegal response.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "sim_harness.hpp"

using sf::book::Side;
using sf::test::ItchBuilder;
using sf::test::SimHarness;

namespace {

void run_one(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return rng() % n; };
  sf::sim::VenueConfig v;
  v.seed = seed;
  v.order_entry.bounds_ns = {500, 2000, 10000};
  v.order_entry.counts = {5, 3, 1};
  v.response.fixed_ns = pick(3000);
  SimHarness h(v);
  std::map<uint64_t, uint32_t> displayed_by_ref;  // shares each feed order displayed when added
  std::vector<uint64_t> live;
  uint64_t next_ref = 1, ts = 1000;
  uint32_t mid = 200000;
  ItchBuilder setup;
  setup.ts = ts;
  setup.directory(1, "SF0000")
      .add(1, next_ref, 'B', 100, mid - 100)
      .add(1, next_ref + 1, 'S', 100, mid + 100);
  displayed_by_ref[next_ref] = displayed_by_ref[next_ref + 1] = 100;
  live = {next_ref, next_ref + 1};
  next_ref += 2;
  h.feed(setup);
  std::size_t fills_seen = 0;
  for (int step = 0; step < 3000; ++step) {
    ts += 1 + pick(800);
    // Orders due before this message arrive now, against the book as it stands: check their takes.
    h.venue.advance_to(ts, h.engine);
    std::map<std::pair<int, uint32_t>, uint64_t> taken_at;
    const auto& fills = h.venue.fills();
    for (; fills_seen < fills.size(); ++fills_seen) {
      const auto& f = fills[fills_seen];
      if (f.passive) continue;
      taken_at[{f.side == 'B' ? 1 : 0, static_cast<uint32_t>(f.price)}] += f.shares;
    }
    const auto* book = h.engine.books().find(1);
    for (const auto& [key, shares] : taken_at) {
      const Side contra = key.first == 1 ? Side::kSell : Side::kBuy;
      uint64_t at_price = 0;
      for (uint32_t i = 0; i < book->depth(contra); ++i)
        if (book->level(contra, i).price == key.second) at_price = book->level(contra, i).shares;
      ASSERT_LE(shares, at_price) << "seed " << seed << " step " << step << " price " << key.second;
    }
    // One feed message.
    ItchBuilder m;
    m.ts = ts;
    const uint64_t r = pick(10);
    mid = static_cast<uint32_t>(mid + pick(201)) - 100;
    if (r < 4 || live.size() < 4) {
      const char side = pick(2) ? 'B' : 'S';
      const uint32_t px = side == 'B' ? mid - 100 * static_cast<uint32_t>(pick(4))
                                      : mid + 100 * static_cast<uint32_t>(pick(4));
      const uint32_t shares = 1 + static_cast<uint32_t>(pick(500));
      m.add(1, next_ref, side, shares, px);
      displayed_by_ref[next_ref] = shares;
      live.push_back(next_ref++);
    } else {
      const std::size_t i = pick(live.size());
      const uint64_t ref = live[i];
      if (r == 4) {
        m.del(1, ref);
        live.erase(live.begin() + static_cast<long>(i));
      } else if (r == 5) {
        const uint32_t shares = 1 + static_cast<uint32_t>(pick(300));
        m.replace(1, ref, next_ref, shares, mid + 100 * static_cast<uint32_t>(pick(3)) - 100);
        displayed_by_ref[next_ref] = shares;
        live[i] = next_ref++;
      } else {
        m.cancel(1, ref, 1 + static_cast<uint32_t>(pick(80)));  // may remove it (over-cancel)
        if (r >= 8) m.exec(1, ref, 1 + static_cast<uint32_t>(pick(80)));
      }
    }
    h.feed(m);
    // Keep `live` true: drop references the book no longer has.
    std::erase_if(live, [&](uint64_t ref) { return h.venue.book().find(ref) == sf::sim::kNil; });
    // Sometimes an order.
    if (pick(4) == 0) {
      const Side side = pick(2) ? Side::kBuy : Side::kSell;
      const uint32_t px = side == Side::kBuy ? mid + 100 * static_cast<uint32_t>(pick(3))
                                             : mid - 100 * static_cast<uint32_t>(pick(3));
      h.send(side, px, 1 + static_cast<uint32_t>(pick(400)),
             pick(3) == 0 ? sf::trade::kTifDay : sf::trade::kTifIoc, ts);
    }
  }
  h.venue.finish(h.engine);
  std::map<uint64_t, uint64_t> taken_from;
  for (const auto& f : h.venue.fills())
    if (!f.passive) taken_from[f.contra_ref] += f.shares;
  for (const auto& [ref, shares] : taken_from)
    ASSERT_LE(shares, displayed_by_ref.at(ref)) << "seed " << seed << " ref " << ref;
  for (const auto& o : h.venue.orders()) ASSERT_LE(o.filled + o.canceled, o.shares);
  EXPECT_EQ(h.issues(), 0u) << "seed " << seed;
  EXPECT_GT(h.venue.stats().executions, 0u);
}

}  // namespace

TEST(SimVenueProperty, FillsNeverExceedDisplayedLiquidity) {
  for (uint64_t seed = 1; seed <= 20; ++seed) run_one(seed);
}
