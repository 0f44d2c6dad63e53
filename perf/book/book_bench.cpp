// Google Benchmark: single operations on a warm book, and full book maintenance over workloads (a) and (b).
// Every full-replay report names the workload's live-order count (counters live_max / live_end).
#include <benchmark/benchmark.h>

#include <array>
#include <memory>

#include "../../tests/book/itch_builder.hpp"
#include "framed_replay.hpp"
#include "sniperforge/trade/engine.hpp"
#include "workload.hpp"

namespace {

using sf::book::BookSet;
using sf::test::ItchBuilder;

// ---- single operations: a book with 64 levels a side, 8 orders a level ----
constexpr uint16_t kLocate = 1;
constexpr uint32_t kMid = 200'000;

sf::book::BookConfig small_config() {
  sf::book::BookConfig c;
  c.max_orders = 1 << 16;
  c.max_instruments = 4;
  c.max_levels_total = 1 << 16;
  return c;
}

void fill_book(BookSet& books, uint64_t& ref) {
  ItchBuilder b;
  for (uint32_t lvl = 0; lvl < 64; ++lvl)
    for (int k = 0; k < 8; ++k) {
      b.add(kLocate, ref++, 'B', 100, kMid - 100 - lvl * 100);
      b.add(kLocate, ref++, 'S', 100, kMid + 100 + lvl * 100);
    }
  for (std::size_t i = 0; i < b.size(); ++i) books.apply(b[i]);
}

// Add then delete the same order (at level `depth` from the inside); reports the pair as 2 messages.
void BM_AddDelete(benchmark::State& state) {
  BookSet books(small_config());
  uint64_t ref = 1;
  fill_book(books, ref);
  const uint32_t depth = static_cast<uint32_t>(state.range(0));
  ItchBuilder b;
  b.add(kLocate, 1'000'000, 'B', 100, kMid - 100 - depth * 100).del(kLocate, 1'000'000);
  const auto add = b[0], del = b[1];
  for (auto _ : state) {
    books.apply(add);
    books.apply(del);
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_AddDelete)->Arg(0)->Arg(8)->Arg(63);

// New price level at the inside and its removal.
void BM_AddDeleteNewLevel(benchmark::State& state) {
  BookSet books(small_config());
  uint64_t ref = 1;
  fill_book(books, ref);
  ItchBuilder b;
  b.add(kLocate, 1'000'000, 'B', 100, kMid - 50).del(kLocate, 1'000'000);
  const auto add = b[0], del = b[1];
  for (auto _ : state) {
    books.apply(add);
    books.apply(del);
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_AddDeleteNewLevel);

// A real-day worst case: 2,422 levels on the bid side; add+delete of an order opening a new level `arg`
// levels below the inside (the far insert moves every better level: the weak spot of sorted arrays).
void BM_DeepBookNewLevel(benchmark::State& state) {
  sf::book::BookConfig c = small_config();
  c.max_levels_total = 1 << 16;
  BookSet books(c);
  ItchBuilder b;
  constexpr uint32_t kDeepMid = 1'000'000;  // $100, ticks of 1 cent: 2,422 levels fit above zero
  for (uint32_t lvl = 0; lvl < 2'422; ++lvl) b.add(kLocate, lvl + 1, 'B', 100, kDeepMid - 200 * (lvl + 1));
  for (std::size_t i = 0; i < b.size(); ++i) books.apply(b[i]);
  const uint32_t depth = static_cast<uint32_t>(state.range(0));
  b.clear();
  b.add(kLocate, 1'000'000, 'B', 100, kDeepMid - 200 * depth - 100).del(kLocate, 1'000'000);
  const auto add = b[0], del = b[1];
  for (auto _ : state) {
    books.apply(add);
    books.apply(del);
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_DeepBookNewLevel)->Arg(0)->Arg(8)->Arg(200)->Arg(2'000);

// Partial execution and partial cancel (each message leaves the order live: 1 share at a time).
void BM_ExecuteCancel(benchmark::State& state) {
  BookSet books(small_config());
  uint64_t ref = 1;
  fill_book(books, ref);
  ItchBuilder b;
  b.add(kLocate, 1'000'000, 'S', 4'000'000'000u, kMid + 100);
  books.apply(b[0]);
  b.clear();
  b.exec(kLocate, 1'000'000, 1).cancel(kLocate, 1'000'000, 1);
  const auto e = b[0], x = b[1];
  for (auto _ : state) {
    books.apply(e);
    books.apply(x);
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_ExecuteCancel);

// Replace moving an order between two existing levels and back.
void BM_Replace(benchmark::State& state) {
  BookSet books(small_config());
  uint64_t ref = 1;
  fill_book(books, ref);
  ItchBuilder b;
  b.add(kLocate, 1'000'000, 'B', 100, kMid - 100);
  books.apply(b[0]);
  b.clear();
  b.replace(kLocate, 1'000'000, 1'000'001, 100, kMid - 200)
      .replace(kLocate, 1'000'001, 1'000'000, 100, kMid - 100);
  const auto u1 = b[0], u2 = b[1];
  for (auto _ : state) {
    books.apply(u1);
    books.apply(u2);
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_Replace);

void BM_TopOfBook(benchmark::State& state) {
  BookSet books(small_config());
  uint64_t ref = 1;
  fill_book(books, ref);
  const sf::book::OrderBook& ob = *books.find(kLocate);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ob.best_price(sf::book::Side::kBuy));
    benchmark::DoNotOptimize(ob.best_shares(sf::book::Side::kBuy));
    benchmark::DoNotOptimize(ob.best_price(sf::book::Side::kSell));
    benchmark::DoNotOptimize(ob.best_shares(sf::book::Side::kSell));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TopOfBook);

void BM_Top5Snapshot(benchmark::State& state) {
  BookSet books(small_config());
  uint64_t ref = 1;
  fill_book(books, ref);
  const sf::book::OrderBook& ob = *books.find(kLocate);
  std::array<sf::book::LevelView, 5> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(ob.top(sf::book::Side::kBuy, out));
    benchmark::DoNotOptimize(ob.top(sf::book::Side::kSell, out));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Top5Snapshot);

// ---- full book maintenance over the workloads ----
const sf::perf::Workload& workload(char which) {
  static std::unique_ptr<sf::perf::Workload> w[2];
  auto& slot = w[which == 'a' ? 0 : 1];
  if (!slot) slot = std::make_unique<sf::perf::Workload>(sf::perf::make_workload(which));
  return *slot;
}

void report(benchmark::State& state, const sf::perf::Workload& w) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * w.size()));
  state.counters["msgs"] = static_cast<double>(w.size());
  state.counters["live_max"] = static_cast<double>(w.max_live_orders);
  state.counters["live_end"] = static_cast<double>(w.end_live_orders);
  state.counters["ns_per_msg"] =
      benchmark::Counter(static_cast<double>(state.iterations() * w.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Framing walk + validation + BookSet::apply over the BinaryFILE image, prefetch stages 0, 1 or 2
// (framed_replay.hpp).
template <class Target>
uint64_t replay(const sf::perf::Workload& w, int64_t stages, Target& t, uint64_t& invalid) {
  const uint8_t* d = w.bytes.data();
  const std::size_t n = w.bytes.size();
  if (stages == 0) return sf::perf::replay_framed<0>(d, n, t, invalid);
  if (stages == 1) return sf::perf::replay_framed<1>(d, n, t, invalid);
  return sf::perf::replay_framed<2>(d, n, t, invalid);
}

void BM_Replay(benchmark::State& state, char which) {
  const sf::perf::Workload& w = workload(which);
  for (auto _ : state) {
    state.PauseTiming();
    auto books = std::make_unique<BookSet>(sf::perf::bench_book_config());
    state.ResumeTiming();
    uint64_t invalid = 0;
    const uint64_t applied = replay(w, state.range(0), *books, invalid);
    benchmark::DoNotOptimize(books->live_orders());
    state.PauseTiming();
    if (applied != w.size() || invalid != 0) state.SkipWithError("messages lost in the framing walk");
    if (books->total_drops() != 0) state.SkipWithError("book drops on a consistent feed");
    books.reset();
    state.ResumeTiming();
  }
  report(state, w);
}
BENCHMARK_CAPTURE(BM_Replay, a, 'a')
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Replay, b, 'b')
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

// Whole Engine (books + 20 sniper strategies + risk gate + order tracking), framing walk, validation and
// two-stage prefetch in the timed loop.
void BM_EngineReplay(benchmark::State& state, char which) {
  const sf::perf::Workload& w = workload(which);
  sf::trade::TradingConfig cfg;
  cfg.book = sf::perf::bench_book_config();
  for (uint32_t i = 0; i < 20; ++i) {
    sf::trade::StrategyConfig s;
    s.symbol = sf::feedgen::symbol(i);
    s.side = i % 2 ? sf::book::Side::kSell : sf::book::Side::kBuy;
    const uint32_t mid = 200'000 + 10'000 * i;
    s.limit_price = i % 2 ? mid - mid / 200 : mid + mid / 200;
    cfg.strategies.push_back(s);
  }
  // The engine behind the framed replay loop: each message is one on_itch() with a fresh order sink.
  struct EngineTarget {
    sf::trade::Engine& engine;
    sf::trade::OrderSink& sink;
    uint64_t seq = 0, orders = 0;
    void prefetch(const uint8_t* m) const noexcept { engine.prefetch(m); }
    void prefetch_levels(const uint8_t* m) const noexcept { engine.prefetch_levels(m); }
    void apply(sf::itch::MessageView v) noexcept {
      sink.clear();
      engine.on_itch(v, ++seq, 0, sink);
      orders += sink.size();
    }
  };
  std::array<sf::trade::OrderRequest, 64> storage{};
  sf::trade::OrderSink sink(storage);
  uint64_t orders = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = std::make_unique<sf::trade::Engine>(cfg);
    EngineTarget target{*engine, sink};
    state.ResumeTiming();
    uint64_t invalid = 0;
    const uint64_t applied = replay(w, 2, target, invalid);
    state.PauseTiming();
    if (applied != w.size() || invalid != 0) state.SkipWithError("messages lost in the framing walk");
    orders += target.orders;
    engine.reset();
    state.ResumeTiming();
  }
  report(state, w);
  state.counters["orders"] = static_cast<double>(orders) / static_cast<double>(state.iterations());
}
BENCHMARK_CAPTURE(BM_EngineReplay, a, 'a')
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EngineReplay, b, 'b')
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
