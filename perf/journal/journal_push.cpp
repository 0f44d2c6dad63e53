// perf-journal-push: what journaling one order costs the executor lcore (#13), DPDK-free and
// single-threaded, two ways side by side:
//   copy      the record built in a scratch Entry, then push() copies the 256-byte slot into the ring
//             (the executor before this benchmark existed)
//   in_place  the record built in the ring slot itself: claim(), make_order_record, publish()
//             (include/sniperforge/dataplane/executor.hpp: journal_order)
// The consumer drains the ring between rounds, outside the measured functions. Repeatable under
// callgrind (instructions per order = the function's inclusive Ir / ORDERS):
//   valgrind --tool=callgrind --toggle-collect='*journal_orders_copy*' build/perf/journal/perf-journal-push
//   valgrind --tool=callgrind --toggle-collect='*journal_orders_in_place*'
//   build/perf/journal/perf-journal-push
// Without valgrind it prints ns per order (median of 9 rounds of each, alternating).
//   perf-journal-push [ORDERS]   (default 200000)
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sniperforge/journal/reconcile.hpp"
#include "sniperforge/journal/writer.hpp"

namespace sj = sf::journal;

namespace {

constexpr std::size_t kRing = 1 << 14;  // the appliance's ring per executor (app/journal_setup.cpp)
constexpr std::size_t kRound = 8192;    // orders between two drains: half the ring

sf::trade::OrderRequest order(uint64_t i) {
  sf::trade::OrderRequest r;
  r.user_ref_num = static_cast<uint32_t>(i);
  r.locate = 1;
  r.trigger_seq = i;
  r.rx_tsc = i * 1000;
  return r;
}

[[gnu::noinline]] uint64_t journal_orders_copy(sj::EntryRing& ring, sj::Entry& scratch, uint64_t first,
                                               const uint8_t* ouch) {
  uint64_t full = 0;
  for (uint64_t i = first; i < first + kRound; ++i) {
    (void)sj::make_order_record(scratch, 0, 0, order(i), {ouch, 47});
    if (!ring.push(scratch)) ++full;
  }
  return full;
}

[[gnu::noinline]] uint64_t journal_orders_in_place(sj::EntryRing& ring, uint64_t first, const uint8_t* ouch) {
  uint64_t full = 0;
  for (uint64_t i = first; i < first + kRound; ++i) {
    sj::Entry* e = ring.claim();
    if (e && sj::make_order_record(*e, 0, 0, order(i), {ouch, 47}))
      ring.publish();
    else
      ++full;
  }
  return full;
}

// The writer's side: every record checked and released.
uint64_t drain(sj::EntryRing& ring) {
  uint64_t n = 0;
  while (const sj::Entry* e = ring.front()) {
    n += e->size() == sj::kHeaderSize + sj::kOrderFixed + 47 + sj::kCrcSize;
    ring.release();
  }
  return n;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t orders =
      argc > 1 ? std::strtoull(argv[1], nullptr, 10) / kRound * kRound : 200'000 / kRound * kRound;
  sj::EntryRing ring(kRing);
  sj::Entry scratch{};
  std::array<uint8_t, 47> ouch{'O'};
  std::vector<double> copy_ns, in_place_ns;
  uint64_t full = 0, good = 0;
  for (int rep = 0; rep < 9; ++rep) {
    for (bool in_place : {false, true}) {
      double busy = 0;
      for (uint64_t i = 0; i < orders; i += kRound) {
        const auto a = std::chrono::steady_clock::now();
        full += in_place ? journal_orders_in_place(ring, i, ouch.data())
                         : journal_orders_copy(ring, scratch, i, ouch.data());
        busy += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - a).count();
        good += drain(ring);
      }
      (in_place ? in_place_ns : copy_ns).push_back(busy / static_cast<double>(orders));
    }
    if (std::getenv("SF_PUSH_ONCE")) break;  // under callgrind: one round of each is enough
  }
  if (full != 0 || good != orders * copy_ns.size() * 2) {
    std::fprintf(stderr, "perf-journal-push: %llu pushes refused, %llu good records\n",
                 static_cast<unsigned long long>(full), static_cast<unsigned long long>(good));
    return 1;
  }
  std::printf("orders %llu per way: copy %.1f ns/order, in_place %.1f ns/order (median of %zu rounds)\n",
              static_cast<unsigned long long>(orders), median(copy_ns), median(in_place_ns), copy_ns.size());
  return 0;
}
