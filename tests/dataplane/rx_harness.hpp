// The RX processor's test harness (rx_processor_test.cpp, rx_lines_test.cpp): a sink that keeps every
// event (optionally refusing past a capacity, like a full ring), a small feed, one processor.
#pragma once

#include <algorithm>
#include <vector>

#include "sniperforge/dataplane/rx_processor.hpp"
#include "sniperforge/io/feedgen.hpp"

namespace sf::dataplane::test {

struct FakeSink {
  std::vector<std::vector<Event>> got;
  std::vector<unsigned> capacity;  // events each executor still accepts
  explicit FakeSink(unsigned executors, unsigned cap = ~0u) : got(executors), capacity(executors, cap) {}
  unsigned enqueue(uint16_t e, const Event* ev, unsigned n) {
    const unsigned take = std::min(n, capacity[e]);
    capacity[e] -= take;
    got[e].insert(got[e].end(), ev, ev + take);
    return take;
  }
};

inline feedgen::Config small_feed() {
  feedgen::Config c;
  c.instruments = 8;
  c.messages = 5000;
  c.live_orders = 200;
  return c;
}

struct Harness {
  telemetry::RxLcoreStats stats;
  FakeSink sink;
  RxProcessor<FakeSink> proc;
  Harness(uint32_t shards, uint16_t executors, unsigned cap = ~0u)
      : Harness(settings(shards, executors), cap) {}
  explicit Harness(const RxSettings& s, unsigned cap = ~0u) : sink(s.executors, cap), proc(s, stats, sink) {}
  static RxSettings settings(uint32_t shards, uint16_t executors) {
    RxSettings s;
    s.shards = shards;
    s.executors = executors;
    return s;
  }
  // One shard, one executor, line B on UDP port kLineBPort of the same stream, a 1,000-tick arbitration.
  static constexpr uint16_t kLineBPort = 26478;
  static RxSettings two_lines() {
    RxSettings s = settings(1, 1);
    s.line_b_udp_port = kLineBPort;
    s.arbitration_ticks = 1000;
    return s;
  }
  void run(const feedgen::Frames& f) {
    for (std::size_t i = 0; i < f.size(); ++i) {
      proc.on_frame(f.data.data() + f.offsets[i], f.offsets[i + 1] - f.offsets[i], 1000 + i);
      if (i % 8 == 7) proc.flush();
    }
    proc.flush();
  }
};

}  // namespace sf::dataplane::test
