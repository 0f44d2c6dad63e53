// Which shard an ITCH message belongs to, and why a shard's books may be stale: the routing
// vocabulary the RX lcore, the executor, the engine and sf-backtest share. Small on purpose: the
// RX side needs it without the rest of the trading core.
#pragma once

#include <cstdint>

#include "sniperforge/proto/itch.hpp"

namespace sf::trade {

// Shard (= Engine = order session) owning an instrument.
[[nodiscard]] constexpr uint32_t shard_of(uint16_t stock_locate, uint32_t shards) noexcept {
  return shards <= 1 ? 0 : stock_locate % shards;
}

inline constexpr uint32_t kAllShards = ~uint32_t{0};

// Which shard gets an ITCH message: the owner of its instrument, or kAllShards for system events
// (stock locate 0), Stock Directory (R) and Stock Trading Action (H).
[[nodiscard]] inline uint32_t route(itch::MessageView msg, uint32_t shards) noexcept {
  const uint16_t locate = msg.stock_locate();
  const char t = msg.type();
  if (locate == 0 || t == 'R' || t == 'H') return kAllShards;
  return shard_of(locate, shards);
}

// Why the feed side declared a shard's books stale (also the byte a books-stale event carries).
enum class StaleReason : uint8_t { kGap = 1, kRingFull = 2 };

}  // namespace sf::trade
