// The measured loop, shared by the Google Benchmark and the callgrind driver: every frame of an
// in-memory sf-feedgen capture through feed::decode_frame (Ethernet/IPv4/UDP -> MoldUDP64 ->
// validated ITCH), each message dispatched to its typed view and copied into its typed struct.
#pragma once

#include <cstdint>

#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/proto/feed.hpp"

namespace sf::perf {

struct DecodeResult {
  uint64_t messages = 0;
  uint64_t checksum = 0;  // keeps the decoded fields alive
};

// Typed: builds the msg:: struct of every message (all fields decoded).
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
                                   const auto msg = itch::to_message(v);
                                   r.checksum += msg.timestamp + msg.stock_locate;
                                   if constexpr (requires { msg.order_reference_number; })
                                     r.checksum ^= msg.order_reference_number;
                                 }
                               });
                             });
  }
  return r;
}

// Views: dispatch to the typed zero-copy view and read the fields a book needs.
[[gnu::noinline]] inline DecodeResult decode_all_views(const feedgen::Frames& f) {
  DecodeResult r;
  for (std::size_t i = 0, n = f.size(); i < n; ++i) {
    feed::PacketInfo info;
    (void)feed::decode_frame(f.frame(i), f.frame_length(i), feed::kDefaultPort, info,
                             [&](uint64_t seq, const uint8_t* m, std::size_t) {
                               ++r.messages;
                               r.checksum += seq;
                               itch::visit(m, [&](auto v) {
                                 r.checksum += v.stock_locate();
                                 if constexpr (requires { v.order_reference_number(); })
                                   r.checksum ^= v.order_reference_number();
                                 if constexpr (requires { v.price(); }) r.checksum += v.price();
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
