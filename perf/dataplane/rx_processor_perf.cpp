// perf-rx-processor: the RX lcore's per-frame work (classify, MoldUDP64 + ITCH validation, sequence,
// shard routing, 64-byte event packing and staging) alone, single-threaded, with a sink that only
// counts. Repeatable under callgrind:
//   valgrind --tool=callgrind --toggle-collect='*rx_all_frames*' build/perf/dataplane/perf-rx-processor
//   200000 1
// (instructions per message = total Ir / 2 runs / 200000 messages).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sniperforge/dataplane/rx_processor.hpp"
#include "sniperforge/io/feedgen.hpp"

namespace {
struct CountingSink {
  uint64_t events = 0;
  uint64_t checksum = 0;
  unsigned enqueue(uint16_t, const sf::dataplane::Event* ev, unsigned n) {
    events += n;
    checksum += ev[n - 1].seq;  // touch the data so nothing is optimised away
    return n;
  }
};
// Out of line so callgrind can collect exactly the RX work.
template <class Proc>
[[gnu::noinline]] void rx_all_frames(Proc& proc, const sf::feedgen::Frames& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    proc.on_frame(frames.data.data() + frames.offsets[i], frames.offsets[i + 1] - frames.offsets[i], i);
    if ((i & 31) == 31) proc.flush();  // one flush per 32-frame burst, as the lcore does
  }
  proc.flush();
}
}  // namespace

int main(int argc, char** argv) {
  using namespace sf;
  const uint64_t messages = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const int rounds = std::max(1, argc > 2 ? std::atoi(argv[2]) : 5);
  feedgen::Config fc;
  fc.messages = messages;
  const feedgen::Frames frames = feedgen::generate_frames(fc);
  std::printf("feed: %lu messages in %zu frames\n", static_cast<unsigned long>(messages), frames.size());
  for (uint16_t executors : {1, 2}) {
    std::vector<double> ns_per_message;  // one per round; the median is reported, with the spread
    for (int r = 0; r < rounds; ++r) {
      telemetry::RxLcoreStats stats;
      CountingSink sink;
      dataplane::RxSettings s;
      s.shards = executors;
      s.executors = executors;
      dataplane::RxProcessor<CountingSink> proc(s, stats, sink);
      const auto t0 = std::chrono::steady_clock::now();
      rx_all_frames(proc, frames);
      const double ns =
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
      if (stats.messages.load() != messages) {
        std::fprintf(stderr, "lost messages\n");
        return 1;
      }
      ns_per_message.push_back(ns / static_cast<double>(messages));
    }
    std::sort(ns_per_message.begin(), ns_per_message.end());
    const std::size_t n = ns_per_message.size();
    const double median =
        n % 2 ? ns_per_message[n / 2] : (ns_per_message[n / 2 - 1] + ns_per_message[n / 2]) / 2;
    std::printf("executors %u: median of %d rounds %.2f ns/message (rounds %.2f-%.2f), %.1f M msgs/s\n",
                executors, rounds, median, ns_per_message.front(), ns_per_message.back(), 1e3 / median);
  }
  return 0;
}
