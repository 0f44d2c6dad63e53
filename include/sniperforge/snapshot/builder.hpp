// The GLIMPSE 5.0 snapshot of a set of books, computed from the book state (not by replaying history):
// the last System Event, a Stock Directory and a Stock Trading Action per instrument, an Add Order for
// every live order (in order reference order, which is time priority for ITCH references), then the
// Snapshot message naming the ITCH sequence number the live feed continues at. Applied to empty books
// (snapshot/loader.hpp), these messages rebuild books equal to the originals: the same levels, shares,
// order counts, trading states and round lots. Not rebuilt (GLIMPSE does not carry them either): last
// trade price, volume, broken-trade counts, and books that once had orders but have none now.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "sniperforge/book/book_set.hpp"

namespace sf::snapshot {

// One snapshot message (an ITCH 5.0 message, or the final GLIMPSE Snapshot message); the bytes are valid
// during the call only.
using MessageOut = std::function<void(std::span<const uint8_t> message)>;

struct BuildCounts {
  uint64_t system_events = 0;
  uint64_t directory = 0;        // Stock Directory (R)
  uint64_t trading_actions = 0;  // Stock Trading Action (H)
  uint64_t orders = 0;           // Add Order (A)
  [[nodiscard]] uint64_t total() const noexcept {
    return system_events + directory + trading_actions + orders + 1;  // + the Snapshot message
  }
};

// Writes the snapshot of `shards` (one BookSet, or every shard of an appliance: an instrument's directory
// entry is written once, orders of all shards are merged by reference number). `next_sequence` is the ITCH
// sequence number of the first live message not in the books; every message carries `timestamp_ns`.
BuildCounts build_snapshot(std::span<const book::BookSet* const> shards, uint64_t next_sequence,
                           uint64_t timestamp_ns, const MessageOut& out);

}  // namespace sf::snapshot
