// The two book workloads of docs/performance.md, generated in memory with the feed generator:
//   (a) 5 M messages, 200 instruments, ~2 k live orders
//   (b) 6 M messages, 8,000 instruments, ~1 M live orders, 5 % of adds 200-2,000 ticks from the inside
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sniperforge/book/book_set.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/trade/config.hpp"

namespace sf::perf {

// The messages as a NASDAQ BinaryFILE image (each message preceded by its u16 big-endian length), the
// input the timed replay loops walk (framed_replay.hpp).
struct Workload {
  std::string name;
  std::vector<uint8_t> bytes;
  uint64_t messages = 0;
  uint64_t max_live_orders = 0;
  uint64_t end_live_orders = 0;
  [[nodiscard]] std::size_t size() const noexcept { return messages; }
  void append(const uint8_t* msg, std::size_t len) {
    bytes.push_back(static_cast<uint8_t>(len >> 8));
    bytes.push_back(static_cast<uint8_t>(len));
    bytes.insert(bytes.end(), msg, msg + len);
    ++messages;
  }
};

inline feedgen::Config workload_config(char which, uint64_t messages = 0) {
  feedgen::Config c;
  if (which == 'a') {
    c.instruments = 200;
    c.live_orders = 2'000;
    c.messages = messages ? messages : 5'000'000;
  } else {
    c.instruments = 8'000;
    c.live_orders = 1'000'000;
    c.far_fraction = 0.05;
    c.far_min_ticks = 200;
    c.far_max_ticks = 2'000;
    c.messages = messages ? messages : 6'000'000;
  }
  return c;
}

inline Workload make_workload(char which, uint64_t messages = 0) {
  const feedgen::Config c = workload_config(which, messages);
  Workload w;
  w.name = std::string(1, which);
  w.bytes.reserve(c.messages * 38);
  feedgen::MessageGenerator gen(c);
  uint8_t buf[64];
  while (std::size_t n = gen.next(buf)) w.append(buf, n);
  w.max_live_orders = gen.max_live_orders();
  w.end_live_orders = gen.live_orders();
  return w;
}

// Book sizing used for both workloads (one shard).
inline book::BookConfig bench_book_config() {
  book::BookConfig b;
  b.max_orders = 1'500'000;
  b.max_instruments = 10'000;
  b.max_levels_per_side = 16'384;
  b.max_levels_total = 1 << 23;
  return b;
}

}  // namespace sf::perf
