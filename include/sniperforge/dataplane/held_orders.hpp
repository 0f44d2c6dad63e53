// The orders of one TCP order session whose bytes did not leave at once: the congestion window (or the
// venue's receive window) held them in the send buffer. Each is kept as the sequence number just after
// its last byte and its RX stamp, oldest first; when a segment carrying that last byte leaves, the order
// has left, and its tick-to-trade is taken then, its wait included (not lost from the histogram).
// Fixed capacity, allocated at construction; DPDK-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sniperforge/net/seq.hpp"

namespace sf::dataplane {

class HeldOrders {
 public:
  explicit HeldOrders(std::size_t capacity) : slots_(capacity) {}

  // False when full. Size it so that it cannot be: the appliance gives each session room for every order its
  // send buffer can hold (kHeldOrdersCapacity, dataplane/tcp_venue.hpp), so an order is never left
  // unmeasured.
  bool push(uint32_t end_seq, uint64_t rx_tsc) noexcept {
    if (size_ == slots_.size()) return false;
    slots_[(head_ + size_) % slots_.size()] = {end_seq, rx_tsc};
    ++size_;
    return true;
  }
  // A segment ending before `sent_end` left: is any held order complete with it?
  [[nodiscard]] bool any_through(uint32_t sent_end) const noexcept {
    return size_ != 0 && net::seq_le(slots_[head_].end_seq, sent_end);
  }
  // Pops each held order whose last byte is below `sent_end`, oldest first: on_left(rx_tsc).
  template <class OnLeft>
  void release_through(uint32_t sent_end, OnLeft&& on_left) noexcept {
    while (any_through(sent_end)) {
      on_left(slots_[head_].rx_tsc);
      head_ = (head_ + 1) % slots_.size();
      --size_;
    }
  }
  // The connection started over: its send buffer (and these orders' bytes) is gone.
  void clear() noexcept { head_ = size_ = 0; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  struct Slot {
    uint32_t end_seq = 0;
    uint64_t rx_tsc = 0;
  };
  std::vector<Slot> slots_;
  std::size_t head_ = 0, size_ = 0;
};

}  // namespace sf::dataplane
