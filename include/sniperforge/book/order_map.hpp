// Live orders of one shard keyed by ITCH order reference number: a preallocated open-addressing hash table
// with linear probing and backward-shift deletion (no tombstones, so probe lengths stay short after millions
// of deletes). The order itself lives in the slot, so a lookup costs one cache miss and there is no separate
// pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include "sniperforge/book/huge_buffer.hpp"
#include "sniperforge/book/types.hpp"

namespace sf::book {

struct OrderSlot {
  uint64_t ref;  // kEmptyRef when free
  Price price;
  uint32_t shares;  // remaining
  uint16_t book;    // index of the instrument's book in the shard
  Side side;
  uint8_t pad_;
  uint32_t pad2_;
};
static_assert(sizeof(OrderSlot) == 24);

class OrderMap {
 public:
  static constexpr uint64_t kEmptyRef = ~uint64_t{0};

  // Room for `max_orders` live orders at a load factor of at most 1/2. `ref_shift`: a shard that sees about
  // one reference in 2^ref_shift (one of several shards) drops that many low bits, so its orders stay dense.
  explicit OrderMap(std::size_t max_orders, unsigned ref_shift = 0);

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t max_orders() const noexcept { return max_orders_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

  // Locality-preserving hash: ITCH order references are assigned in increasing order, so the low bits are
  // kept (orders added close in time land in neighbouring slots, and the live set stays compact in cache and
  // TLB); each block of capacity() references is rotated by a multiple of a large odd constant, so strided
  // reference patterns do not pile up on one slot.
  [[nodiscard]] std::size_t home(uint64_t ref) const noexcept {
    const uint64_t r = ref >> ref_shift_;
    return static_cast<std::size_t>((r + (r >> bits_) * 0x9E3779B97F4A7C15ull) & mask_);
  }
  void prefetch(uint64_t ref) const noexcept { __builtin_prefetch(&slots_[home(ref)]); }

  // Slot of a live order, or nullptr.
  [[nodiscard]] OrderSlot* find(uint64_t ref) const noexcept {
    for (std::size_t i = home(ref);; i = (i + 1) & mask_) {
      OrderSlot& s = slots_[i];
      if (s.ref == ref) return &s;
      if (s.ref == kEmptyRef) return nullptr;
    }
  }

  // Inserts a new order (Robin Hood: an entry further from its home takes the slot of one nearer to its home,
  // so every run is ordered by home and erase() can stop early). Returns the new order's slot, or nullptr if
  // `ref` is already live. Caller checks size() < max_orders(). Other slots may move.
  [[nodiscard]] OrderSlot* insert(uint64_t ref) noexcept {
    if (find(ref) != nullptr) return nullptr;
    OrderSlot cur{};
    cur.ref = ref;
    OrderSlot* placed = nullptr;
    std::size_t d = 0;
    for (std::size_t i = home(ref);; i = (i + 1) & mask_, ++d) {
      OrderSlot& s = slots_[i];
      if (s.ref == kEmptyRef) {
        s = cur;
        ++size_;
        return placed ? placed : &s;
      }
      const std::size_t sd = (i - home(s.ref)) & mask_;
      if (sd < d) {
        const OrderSlot tmp = s;
        s = cur;
        cur = tmp;
        if (placed == nullptr) placed = &s;
        d = sd;
      }
    }
  }

  // Removes the order in `slot` (a pointer returned by find/insert) and shifts the rest of its run back one
  // slot, up to the first free slot or the first entry already at its home.
  void erase(OrderSlot* slot) noexcept {
    std::size_t hole = static_cast<std::size_t>(slot - slots_.get());
    for (std::size_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
      OrderSlot& s = slots_[j];
      if (s.ref == kEmptyRef || home(s.ref) == j) break;
      slots_[hole] = s;
      hole = j;
    }
    slots_[hole].ref = kEmptyRef;
    --size_;
  }

  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i <= mask_; ++i)
      if (slots_[i].ref != kEmptyRef) f(slots_[i]);
  }

  void clear() noexcept;

 private:
  HugeBuffer<OrderSlot> slots_;
  std::size_t mask_ = 0;
  unsigned bits_ = 0;
  unsigned ref_shift_ = 0;
  std::size_t size_ = 0;
  std::size_t max_orders_ = 0;
};

}  // namespace sf::book
