#include "sniperforge/trade/fill_memory.hpp"

#include <algorithm>
#include <bit>

namespace sf::trade {

namespace {
std::size_t index_slots(std::size_t cap) {
  return std::bit_ceil(std::max<std::size_t>(cap, 1) * 2);
}
}  // namespace

FillMemory::FillMemory(std::size_t capacity)
    : ring_(std::make_unique<FillMemo[]>(std::max<std::size_t>(capacity, 1))),
      cap_(std::max<std::size_t>(capacity, 1)),
      index_(std::make_unique<uint32_t[]>(index_slots(capacity))),
      mask_(index_slots(capacity) - 1),
      shift_(static_cast<unsigned>(64 - std::countr_zero(index_slots(capacity)))) {}

FillMemo* FillMemory::find(uint64_t match) noexcept {
  for (std::size_t i = home(match) & mask_;; i = (i + 1) & mask_) {
    const uint32_t v = index_[i];
    if (v == 0) return nullptr;
    if (ring_[v - 1].match == match) return &ring_[v - 1];
  }
}

void FillMemory::erase(std::size_t ring_pos) noexcept {
  std::size_t i = home(ring_[ring_pos].match) & mask_;
  while (index_[i] != ring_pos + 1) i = (i + 1) & mask_;
  // Backward-shift deletion: pull later entries of the probe run into the hole when their home allows.
  for (std::size_t j = i;;) {
    index_[i] = 0;
    for (;;) {
      j = (j + 1) & mask_;
      if (index_[j] == 0) return;
      const std::size_t k = home(ring_[index_[j] - 1].match) & mask_;
      const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (!stays) break;
    }
    index_[i] = index_[j];
    i = j;
  }
}

void FillMemory::add(const FillMemo& f) noexcept {
  if (size_ == cap_)
    erase(next_);
  else
    ++size_;
  ring_[next_] = f;
  std::size_t i = home(f.match) & mask_;
  while (index_[i] != 0) i = (i + 1) & mask_;
  index_[i] = static_cast<uint32_t>(next_ + 1);
  next_ = (next_ + 1) % cap_;
}

}  // namespace sf::trade
