// perf-rx-processor: the RX lcore's per-frame work (classify, MoldUDP64 + ITCH validation, sequence,
// shard routing, 64-byte event packing and staging) alone, single-threaded, with a sink that only
// counts. Repeatable under callgrind:
//   valgrind --tool=callgrind --toggle-collect='*rx_all_frames*' build/perf/dataplane/perf-rx-processor
//   200000 1 executors
// (instructions per message = total Ir / 2 runs / 200000 messages); `100000 1 one` and `100000 1 two`:
// one line and two lines alone (Ir / 100000 unique messages).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
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

namespace {
// Median ns per (unique) message of `rounds` passes of `frames` through one RxProcessor.
double median_ns(const sf::feedgen::Frames& frames, const sf::dataplane::RxSettings& s, uint64_t messages,
                 int rounds) {
  std::vector<double> ns_per_message;  // one per round; the median is reported, with the spread
  for (int r = 0; r < rounds; ++r) {
    sf::telemetry::RxLcoreStats stats;
    CountingSink sink;
    sf::dataplane::RxProcessor<CountingSink> proc(s, stats, sink);
    const auto t0 = std::chrono::steady_clock::now();
    rx_all_frames(proc, frames);
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    if (stats.messages.load() != messages) {
      std::fprintf(stderr, "lost messages\n");
      std::exit(1);
    }
    ns_per_message.push_back(ns / static_cast<double>(messages));
  }
  std::sort(ns_per_message.begin(), ns_per_message.end());
  const std::size_t n = ns_per_message.size();
  return n % 2 ? ns_per_message[n / 2] : (ns_per_message[n / 2 - 1] + ns_per_message[n / 2]) / 2;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace sf;
  const uint64_t messages = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const int rounds = std::max(1, argc > 2 ? std::atoi(argv[2]) : 5);
  // "one" / "two": only that arbitration case, `rounds` times; "executors": only the 1- and 2-executor
  // runs (for callgrind: the Ir of one case alone).
  const std::string only = argc > 3 ? argv[3] : "";
  feedgen::Config fc;
  fc.messages = messages;
  const feedgen::Frames frames = feedgen::generate_frames(fc);
  std::printf("feed: %lu messages in %zu frames\n", static_cast<unsigned long>(messages), frames.size());
  for (uint16_t executors : {1, 2}) {
    if (!only.empty() && only != "executors") break;
    dataplane::RxSettings s;
    s.shards = executors;
    s.executors = executors;
    const double median = median_ns(frames, s, messages, rounds);
    std::printf("executors %u: median of %d rounds %.2f ns/message, %.1f M msgs/s\n", executors, rounds,
                median, 1e3 / median);
  }
  if (only == "executors") return 0;
  // A/B lines (#12): every packet on both lines (26477 and 26478), arbitrated, vs line A alone; same run,
  // rounds interleaved one line / two lines so the host's noise hits both alike. ns per unique message.
  feedgen::Config fb = fc;
  fb.line_b_port = 26478;
  const feedgen::Frames both = feedgen::generate_frames(fb);
  dataplane::RxSettings one;
  dataplane::RxSettings two;
  two.line_b_udp_port = 26478;
  two.arbitration_ticks = 200'000;
  if (only == "one" || only == "two") {
    const bool two_lines = only == "two";
    const double m = median_ns(two_lines ? both : frames, two_lines ? two : one, messages, rounds);
    std::printf("%s line(s): median of %d rounds %.2f ns/unique message\n", two_lines ? "two" : "one", rounds,
                m);
    return 0;
  }
  std::vector<double> a, b;
  (void)median_ns(frames, one, messages, 1);  // warm-up of both: first touches of the frames, page faults
  (void)median_ns(both, two, messages, 1);
  for (int r = 0; r < rounds; ++r) {
    a.push_back(median_ns(frames, one, messages, 1));
    b.push_back(median_ns(both, two, messages, 1));
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::printf(
      "one line: median %.2f ns/message; two lines (%zu frames): median %.2f ns/message; "
      "arbitration +%.2f ns/message\n",
      a[a.size() / 2], both.size(), b[b.size() / 2], b[b.size() / 2] - a[a.size() / 2]);
  return 0;
}
