// The live messages FeedRecovery holds while a gap is recovered (#12): a bounded window of ITCH messages
// keyed by MoldUDP64 sequence (slot = sequence % capacity), preallocated at construction, never
// resized, DPDK-free. The caller keeps the window's bounds (FeedRecovery: next to apply, one past the
// newest) and never holds two sequences `capacity()` or more apart.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sniperforge/proto/itch.hpp"

namespace sf::dataplane {

// Heap bytes of one held-message slot ([feed.rewind] max_held_messages of them, preallocated).
inline constexpr std::size_t kHeldMessageBytes = 1 + itch::kMaxMessageLength;

class HeldMessages {
 public:
  explicit HeldMessages(uint64_t capacity) : slots_(std::max<uint64_t>(capacity, 1)) {}

  [[nodiscard]] uint64_t capacity() const noexcept { return slots_.size(); }
  [[nodiscard]] uint64_t count() const noexcept { return count_; }
  [[nodiscard]] bool has(uint64_t seq) const noexcept { return slots_[slot(seq)].len != 0; }

  // Keeps a copy of `msg` (a validated ITCH message: at most itch::kMaxMessageLength bytes) as `seq`.
  void put(uint64_t seq, const uint8_t* msg, std::size_t len) noexcept {
    Slot& sl = slots_[slot(seq)];
    if (!sl.len) ++count_;
    sl.len = static_cast<uint8_t>(std::min(len, sl.msg.size()));
    std::memcpy(sl.msg.data(), msg, sl.len);
  }

  // If `seq` is held: out.apply(seq, msg, len), then its slot is free again. True if it was held.
  template <class Out>
  bool apply(uint64_t seq, Out& out) noexcept {
    Slot& sl = slots_[slot(seq)];
    if (!sl.len) return false;
    out.apply(seq, sl.msg.data(), sl.len);
    free(sl);
    return true;
  }

  // Frees `seq`'s slot unapplied; true if it held a message.
  bool drop(uint64_t seq) noexcept {
    Slot& sl = slots_[slot(seq)];
    if (!sl.len) return false;
    free(sl);
    return true;
  }

  // Frees every slot unapplied; how many held a message.
  uint64_t drop_all() noexcept {
    const uint64_t n = count_;
    for (Slot& sl : slots_) sl.len = 0;
    count_ = 0;
    return n;
  }

 private:
  struct Slot {
    uint8_t len = 0;  // 0: empty
    std::array<uint8_t, itch::kMaxMessageLength> msg;
  };
  static_assert(sizeof(Slot) == kHeldMessageBytes);

  [[nodiscard]] std::size_t slot(uint64_t seq) const noexcept { return seq % slots_.size(); }
  void free(Slot& sl) noexcept {
    sl.len = 0;
    --count_;
  }

  std::vector<Slot> slots_;
  uint64_t count_ = 0;
};

}  // namespace sf::dataplane
