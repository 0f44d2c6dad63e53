// Preallocated storage for the price-level arrays of every book side in a shard. Each side owns one
// power-of-two chunk and moves to the next size class when full; freed chunks go to a per-class free list, so
// after warm-up no level operation touches the heap.
#pragma once

#include <array>
#include <cstdint>
#include "sniperforge/book/huge_buffer.hpp"
#include "sniperforge/book/types.hpp"

namespace sf::book {

class LevelArena {
 public:
  static constexpr uint32_t kNone = ~uint32_t{0};
  static constexpr uint32_t kMinChunk = 16;
  // Entries at each end of every chunk that never hold levels (fixed-size moves may touch them).
  static constexpr uint32_t kSlack = 4;
  // Entries before and after the arena: branch-free searches may read (never write) a few past a chunk.
  static constexpr uint32_t kPad = 16;
  static constexpr unsigned kClasses = 24;

  explicit LevelArena(std::size_t total_levels);

  [[nodiscard]] static constexpr uint32_t chunk_size(unsigned cls) noexcept { return kMinChunk << cls; }

  // Offset of a free chunk of class `cls`, or kNone if the arena is exhausted.
  [[nodiscard]] uint32_t alloc(unsigned cls) noexcept {
    if (uint32_t off = free_[cls]; off != kNone) {
      free_[cls] = base()[off].key;
      return off;
    }
    if (static_cast<std::size_t>(bump_) + chunk_size(cls) > total_) return kNone;
    const uint32_t off = bump_;
    bump_ += chunk_size(cls);
    return off;
  }
  void release(uint32_t off, unsigned cls) noexcept {
    base()[off].key = free_[cls];
    free_[cls] = off;
  }
  [[nodiscard]] Level* base() const noexcept { return base_.get() + kPad; }
  [[nodiscard]] std::size_t used() const noexcept { return bump_; }
  void clear() noexcept {
    bump_ = 0;
    free_.fill(kNone);
  }

 private:
  HugeBuffer<Level> base_;
  std::size_t total_;
  uint32_t bump_ = 0;
  std::array<uint32_t, kClasses> free_;
};

}  // namespace sf::book
