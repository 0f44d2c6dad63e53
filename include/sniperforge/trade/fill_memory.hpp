// The executions an order session remembers, by match number: to refuse a duplicate Executed (the same
// match number twice) and to reverse a Broken Trade. Bounded memory: the last `capacity` fills in a ring
// plus an open-addressing index (linear probing, at least 2x capacity slots, backward-shift deletion), so
// lookups and inserts are O(1) on the venue path and nothing grows. When the ring is full the oldest fill
// is forgotten; a duplicate of a forgotten execution can then only fill what its order still has open,
// which the risk gate counts as exposure already (docs/protocols.md, "OUCH 5.0 order state machine").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace sf::trade {

struct FillMemo {
  uint64_t match = 0;
  uint64_t price = 0;
  uint32_t user_ref_num = 0;
  uint32_t qty = 0;
  uint16_t locate = 0;
  char side = 0;
  bool broken = false;  // reversed by a Broken Trade (still a seen match number)
};

class FillMemory {
 public:
  explicit FillMemory(std::size_t capacity);

  [[nodiscard]] FillMemo* find(uint64_t match) noexcept;
  // Remembers `f` (its match number must not be remembered already), forgetting the oldest when full.
  void add(const FillMemo& f) noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return cap_; }

 private:
  [[nodiscard]] std::size_t home(uint64_t match) const noexcept {
    return static_cast<std::size_t>((match * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void erase(std::size_t ring_pos) noexcept;

  std::unique_ptr<FillMemo[]> ring_;
  std::size_t cap_;
  std::size_t next_ = 0;  // ring position the next fill takes (the oldest once full)
  std::size_t size_ = 0;
  std::unique_ptr<uint32_t[]> index_;  // ring position + 1; 0 = empty slot
  std::size_t mask_;
  unsigned shift_;
};

}  // namespace sf::trade
