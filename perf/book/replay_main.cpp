// perf-book-replay: replays workload (a) or (b) once — BinaryFILE framing walk, ITCH validation and
// BookSet::apply — and prints ns/message. Built for callgrind: the replay is the noinline function replay(),
// so
//   valgrind --tool=callgrind --toggle-collect='*replay*' perf-book-replay a 500000
// counts only the book's instructions (divide Ir by the message count printed).

#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "framed_replay.hpp"
#include "sniperforge/common/cpu_time.hpp"
#include "sniperforge/io/binary_file.hpp"
#include "workload.hpp"

namespace {

// The timed loop (framed_replay.hpp): framing walk + validation + BookSet::apply, prefetch stages 0|1|2.
__attribute__((noinline)) uint64_t replay(sf::book::BookSet& books, const sf::perf::Workload& w, int prefetch,
                                          uint64_t& invalid) {
  const uint8_t* d = w.bytes.data();
  const std::size_t n = w.bytes.size();
  if (prefetch == 0) return sf::perf::replay_framed<0>(d, n, books, invalid);
  if (prefetch == 1) return sf::perf::replay_framed<1>(d, n, books, invalid);
  return sf::perf::replay_framed<2>(d, n, books, invalid);
}

// A BinaryFILE written by `sf-feedgen --format binaryfile` with the workload's options (faster to load than
// to generate, e.g. under valgrind).
sf::perf::Workload load_file(const char* path, uint64_t limit) {
  sf::io::BinaryFileReader r;
  if (!r.open(path)) {
    std::fprintf(stderr, "perf-book-replay: %s: %s\n", path, r.error().c_str());
    std::exit(2);
  }
  sf::perf::Workload w;
  w.name = path;
  const uint8_t* msg = nullptr;
  uint16_t len = 0;
  while ((limit == 0 || w.size() < limit) && r.next(msg, len)) w.append(msg, len);
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: perf-book-replay a|b|BINARYFILE [messages (0 = all)] [prefetch stages 0|1|2, "
                 "default 2] [k/S: shard k of S only]\n");
    return 2;
  }
  const std::string_view arg = argv[1];
  const char which = arg.size() == 1 ? arg[0] : 'f';
  const uint64_t messages = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 0;
  const int prefetch = argc > 3 ? std::atoi(argv[3]) : 2;
  // Optional 4th argument "k/S": keep only shard k of S (stock locate % S == k, plus locate-0 messages).
  unsigned shard = 0, shards = 1;
  if (argc > 4 && std::sscanf(argv[4], "%u/%u", &shard, &shards) != 2) shards = 1;
  sf::perf::Workload w_all =
      which == 'a' || which == 'b' ? sf::perf::make_workload(which, messages) : load_file(argv[1], messages);
  sf::perf::Workload w = std::move(w_all);
  if (shards > 1) {
    sf::perf::Workload part;
    part.name = w.name + " shard " + std::to_string(shard) + "/" + std::to_string(shards);
    sf::perf::FramedStream in{w.bytes.data(), w.bytes.data() + w.bytes.size()};
    while (const uint8_t* m = in.next()) {
      const uint16_t locate = static_cast<uint16_t>((m[1] << 8) | m[2]);
      if (locate != 0 && locate % shards != shard && m[0] != 'R' && m[0] != 'H') continue;
      part.append(m, sf::itch::kLengthByType[m[0]]);
    }
    w = std::move(part);
  }
  sf::book::BookConfig cfg = sf::perf::bench_book_config();
  cfg.ref_shift = shards > 1 ? static_cast<unsigned>(std::bit_width(shards) - 1) : 0;  // as the Engine does
  auto books = std::make_unique<sf::book::BookSet>(cfg);
  // Thread CPU time as well as wall time: on a shared, oversubscribed machine the CPU time is the fairer
  // figure.
  auto cpu_ns = [] { return sf::thread_cpu_seconds() * 1e9; };
  const double c0 = cpu_ns();
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t invalid = 0;
  const uint64_t applied = replay(*books, w, prefetch, invalid);
  const auto t1 = std::chrono::steady_clock::now();
  const double cpu = cpu_ns() - c0;
  const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
  std::printf("workload %s: %zu messages, live orders max %llu end %llu, books %zu, drops %llu\n",
              w.name.c_str(), w.size(), static_cast<unsigned long long>(w.max_live_orders),
              static_cast<unsigned long long>(w.end_live_orders), books->book_count(),
              static_cast<unsigned long long>(books->total_drops()));
  std::printf("replay: %.1f ns/msg, %.2f M msgs/s (wall); %.1f ns/msg, %.2f M msgs/s (thread CPU time)%s\n",
              ns / static_cast<double>(w.size()), static_cast<double>(w.size()) / ns * 1e3,
              cpu / static_cast<double>(w.size()), static_cast<double>(w.size()) / cpu * 1e3,
              prefetch == 2   ? ""
              : prefetch == 1 ? " (one-stage prefetch)"
                              : " (no prefetch)");
  if (applied != w.size() || invalid != 0) {
    std::fprintf(stderr, "perf-book-replay: %llu of %zu messages applied, %llu invalid\n",
                 static_cast<unsigned long long>(applied), w.size(),
                 static_cast<unsigned long long>(invalid));
    return 1;
  }
  return books->total_drops() == 0 ? 0 : 1;
}
