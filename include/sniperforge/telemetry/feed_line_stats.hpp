// Per-line counters of A/B feed arbitration (dataplane/line_arbiter.hpp), one writer: the RX lcore.
#pragma once

#include <array>
#include <cstddef>

#include "sniperforge/common/counter.hpp"

namespace sf::telemetry {

inline constexpr std::size_t kFeedLines = 2;  // line A, line B

struct FeedLineStats {
  Counter packets;          // valid MoldUDP64 packets (data and heartbeats) seen on this line
  Counter first_messages;   // messages this line delivered first
  Counter duplicates;       // packets discarded because every message had been seen (either line)
  Counter gaps;             // holes in this line's own sequence (the other line may have filled them)
  Counter last_packet_tsc;  // caller's time of the last packet on this line
};

}  // namespace sf::telemetry
