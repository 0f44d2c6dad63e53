// Google Benchmark: decoding an sf-feedgen stream (Ethernet/IPv4/UDP + MoldUDP64 + ITCH 5.0) into
// typed messages. Reports ns per ITCH message. Figures and commands: docs/performance.md.
#include <benchmark/benchmark.h>

#include "decode_loop.hpp"

namespace {

const sf::feedgen::Frames& frames() {
  static const sf::feedgen::Frames f = sf::feedgen::generate_frames(sf::perf::workload_a(1'000'000));
  return f;
}

template <sf::perf::DecodeResult (*Fn)(const sf::feedgen::Frames&)>
void BM_Decode(benchmark::State& state) {
  const auto& f = frames();
  uint64_t msgs = 0;
  for (auto _ : state) {
    const auto r = Fn(f);
    benchmark::DoNotOptimize(r.checksum);
    msgs += r.messages;
  }
  state.SetItemsProcessed(static_cast<int64_t>(msgs));
  state.counters["ns_per_msg"] = benchmark::Counter(
      static_cast<double>(msgs), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["msgs_per_packet"] =
      static_cast<double>(f.stats.messages) / static_cast<double>(f.stats.packets);
}

// ITCH alone (BinaryFILE-style framing already removed): validate + typed struct, every field consumed.
void BM_ItchValidateTyped(benchmark::State& state) {
  const auto& f = frames();
  std::vector<std::pair<const uint8_t*, uint16_t>> msgs;
  for (std::size_t i = 0; i < f.size(); ++i) {
    sf::feed::PacketInfo info;
    (void)sf::feed::decode_frame(
        f.frame(i), f.frame_length(i), 26477, info,
        [&](uint64_t, const uint8_t* m, std::size_t n) { msgs.emplace_back(m, static_cast<uint16_t>(n)); });
  }
  for (auto _ : state) {
    for (const auto& [m, n] : msgs) {
      if (sf::itch::validate(m, n) != sf::itch::Error::kOk) continue;
      sf::itch::visit(m, [&](auto v) {
        if constexpr (!std::is_same_v<decltype(v), sf::itch::MessageView>) {
          auto msg = sf::itch::to_message(v);
          benchmark::DoNotOptimize(msg);  // the whole typed struct, every field
        }
      });
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * msgs.size()));
  state.counters["ns_per_msg"] =
      benchmark::Counter(static_cast<double>(state.iterations() * msgs.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(BM_Decode<sf::perf::decode_all_typed>)->Name("BM_FeedDecodeTyped")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Decode<sf::perf::decode_all_views>)->Name("BM_FeedDecodeViews")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ItchValidateTyped)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
