// A wire for tests: a net::FrameSink that keeps a copy of every frame emitted to it, in order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sniperforge/net/neighbours.hpp"

namespace sf::testing {

struct RecordedFrames final : net::FrameSink {
  std::vector<std::vector<uint8_t>> frames;
  void emit_frame(std::span<const uint8_t> f) noexcept override { frames.emplace_back(f.begin(), f.end()); }
};

}  // namespace sf::testing
