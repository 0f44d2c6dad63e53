// The measured loop, shared by the Google Benchmark and the callgrind driver: every frame of an
// in-memory sf-feedgen capture through feed::decode_frame (Ethernet/IPv4/UDP -> MoldUDP64 ->
// validated ITCH), each message dispatched to its typed view and copied into its typed struct.
// Everything decoded is consumed (benchmark::DoNotOptimize), so nothing measured can be optimised away.
#pragma once

#include <cstdint>

#include <benchmark/benchmark.h>

#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/proto/feed.hpp"

namespace sf::perf {

struct DecodeResult {
  uint64_t messages = 0;
  uint64_t checksum = 0;  // sum of the sequence numbers (the fields are consumed by DoNotOptimize)
};

// Typed: builds the msg:: struct of every message; DoNotOptimize on the whole struct makes every
// field exist (summing a few fields would let the compiler skip the others, and the type switch).
[[gnu::noinline]] inline DecodeResult decode_all_typed(const feedgen::Frames& f) {
  DecodeResult r;
  for (std::size_t i = 0, n = f.size(); i < n; ++i) {
    feed::PacketInfo info;
    (void)feed::decode_frame(f.frame(i), f.frame_length(i), feed::kDefaultPort, info,
                             [&](uint64_t seq, const uint8_t* m, std::size_t) {
                               ++r.messages;
                               r.checksum += seq;
                               itch::visit(m, [&](auto v) {
                                 if constexpr (!std::is_same_v<decltype(v), itch::MessageView>) {
                                   auto msg = itch::to_message(v);
                                   benchmark::DoNotOptimize(msg);
                                 }
                               });
                             });
  }
  return r;
}

// Views: dispatch to the typed zero-copy view and read only the fields a book needs (each one consumed).
[[gnu::noinline]] inline DecodeResult decode_all_views(const feedgen::Frames& f) {
  DecodeResult r;
  for (std::size_t i = 0, n = f.size(); i < n; ++i) {
    feed::PacketInfo info;
    (void)feed::decode_frame(f.frame(i), f.frame_length(i), feed::kDefaultPort, info,
                             [&](uint64_t seq, const uint8_t* m, std::size_t) {
                               ++r.messages;
                               r.checksum += seq;
                               itch::visit(m, [&](auto v) {
                                 benchmark::DoNotOptimize(v.stock_locate());
                                 if constexpr (requires { v.order_reference_number(); })
                                   benchmark::DoNotOptimize(v.order_reference_number());
                                 if constexpr (requires { v.shares(); }) benchmark::DoNotOptimize(v.shares());
                                 if constexpr (requires { v.price(); }) benchmark::DoNotOptimize(v.price());
                               });
                             });
  }
  return r;
}

// Workload (a) of the trading-core benchmarks: 200 instruments, ~2k live orders.
inline feedgen::Config workload_a(uint64_t messages) {
  feedgen::Config c;
  c.seed = 1;
  c.messages = messages;
  c.instruments = 200;
  c.live_orders = 2'000;
  c.msgs_per_packet = 32;
  return c;
}

}  // namespace sf::perf
