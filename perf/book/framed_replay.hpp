// The timed loop of every full-replay book benchmark: from the raw BinaryFILE bytes (u16 big-endian
// length, then the message) to the book, so the framing walk and the ITCH validation are measured
// with the book, as in a real replay. A cursor runs `Ahead` messages in front of the one applied:
// it walks the framing, validates the message (bad ones are counted and skipped, as a feed handler
// must), issues the order-slot prefetch and keeps the message's address in a small ring; the
// level prefetch (two stages) is issued for the message 4 before the one applied.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/itch.hpp"

namespace sf::perf {

struct FramedStream {
  const uint8_t* p;
  const uint8_t* end;
  uint64_t invalid = 0;  // messages that failed validation (or a length that runs past the end)

  // The next valid message, nullptr at the end.
  const uint8_t* next() noexcept {
    while (end - p >= 2) {
      const std::size_t len = proto::load_be16(p);
      const uint8_t* msg = p + 2;
      if (static_cast<std::size_t>(end - msg) < len) [[unlikely]] {
        ++invalid;
        p = end;
        return nullptr;
      }
      p = msg + len;
      if (itch::validate(msg, len) == itch::Error::kOk) [[likely]]
        return msg;
      ++invalid;
    }
    return nullptr;
  }
};

// Stages: 0 no prefetch, 1 order slot 8 ahead, 2 order slot 16 ahead + book and levels 4 ahead.
// Target: apply(itch::MessageView), prefetch(const uint8_t*), prefetch_levels(const uint8_t*).
// Returns the number of messages applied.
template <int Stages, class Target>
uint64_t replay_framed(const uint8_t* data, std::size_t size, Target& t, uint64_t& invalid) {
  FramedStream in{data, data + size};
  uint64_t applied = 0;
  if constexpr (Stages == 0) {
    while (const uint8_t* m = in.next()) {
      t.apply(itch::MessageView{m});
      ++applied;
    }
  } else {
    constexpr std::size_t kAhead = Stages == 1 ? 8 : 16;
    constexpr std::size_t kRing = 32;  // power of two > kAhead
    const uint8_t* ring[kRing];
    std::size_t filled = 0;  // messages taken from the stream (ring[filled % kRing] is the next free slot)
    for (; filled < kAhead; ++filled) {
      const uint8_t* m = in.next();
      if (!m) break;
      t.prefetch(m);
      ring[filled] = m;
    }
    for (std::size_t i = 0; i < filled; ++i) {
      if (const uint8_t* m = in.next()) {
        t.prefetch(m);
        ring[filled++ % kRing] = m;
      }
      if constexpr (Stages == 2)
        if (i + 4 < filled) t.prefetch_levels(ring[(i + 4) % kRing]);
      t.apply(itch::MessageView{ring[i % kRing]});
    }
    applied = filled;
  }
  invalid = in.invalid;
  return applied;
}

}  // namespace sf::perf
