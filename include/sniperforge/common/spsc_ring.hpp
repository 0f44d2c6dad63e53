// Bounded single-producer / single-consumer ring of trivially copyable slots, standard C++ only
// (for hand-offs that are not between DPDK lcores, e.g. an executor and the kernel order-session
// thread). Lock-free: the producer owns head_, the consumer tail_, each published with a release
// store and read with an acquire load; each side caches the other's index to touch its cache line
// only when the ring looks full (producer) or empty (consumer). No allocation after construction.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "sniperforge/common/counter.hpp"

namespace sf {

template <class T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  // capacity: a power of two >= 2.
  explicit SpscRing(std::size_t capacity) : mask_(capacity - 1), slots_(std::make_unique<T[]>(capacity)) {}
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  [[nodiscard]] static constexpr bool valid_capacity(std::size_t c) noexcept {
    return c >= 2 && (c & (c - 1)) == 0;
  }
  [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

  // Producer side.
  [[nodiscard]] bool push(const T& v) noexcept {
    const uint64_t h = head_.load(std::memory_order_relaxed);
    if (h - tail_cache_ > mask_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (h - tail_cache_ > mask_) return false;
    }
    slots_[h & mask_] = v;
    head_.store(h + 1, std::memory_order_release);
    return true;
  }
  // In place, for large slots: claim() the next free slot (nullptr when full), write it where it lies,
  // then publish() it. Unpublished, it is not seen and the next claim() returns it again.
  [[nodiscard]] T* claim() noexcept {
    const uint64_t h = head_.load(std::memory_order_relaxed);
    if (h - tail_cache_ > mask_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (h - tail_cache_ > mask_) return nullptr;
    }
    return &slots_[h & mask_];
  }
  void publish() noexcept {
    head_.store(head_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  // True if the producer can certainly fill `n` more slots now. Reads the consumer's index (a cache
  // line the consumer writes) only when the cached copy says there may not be room.
  [[nodiscard]] bool has_room(std::size_t n) noexcept {
    const uint64_t h = head_.load(std::memory_order_relaxed);
    if (capacity() - (h - tail_cache_) >= n) return true;
    tail_cache_ = tail_.load(std::memory_order_acquire);
    return capacity() - (h - tail_cache_) >= n;
  }
  // Slots the producer can certainly fill now.
  [[nodiscard]] std::size_t free_slots() noexcept {
    tail_cache_ = tail_.load(std::memory_order_acquire);
    return capacity() - (head_.load(std::memory_order_relaxed) - tail_cache_);
  }

  // Consumer side.
  [[nodiscard]] bool pop(T& out) noexcept {
    const uint64_t t = tail_.load(std::memory_order_relaxed);
    if (t == head_cache_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (t == head_cache_) return false;
    }
    out = slots_[t & mask_];
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }
  // In place: the oldest slot (nullptr when empty), read where it lies, then release() it.
  [[nodiscard]] T* front() noexcept {
    const uint64_t t = tail_.load(std::memory_order_relaxed);
    if (t == head_cache_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (t == head_cache_) return nullptr;
    }
    return &slots_[t & mask_];
  }
  void release() noexcept {
    tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  [[nodiscard]] bool empty() const noexcept {
    return tail_.load(std::memory_order_relaxed) == head_.load(std::memory_order_acquire);
  }

 private:
  const std::size_t mask_;
  std::unique_ptr<T[]> slots_;
  alignas(kCacheLine) std::atomic<uint64_t> head_{0};
  uint64_t tail_cache_ = 0;  // producer's copy of tail_
  alignas(kCacheLine) std::atomic<uint64_t> tail_{0};
  uint64_t head_cache_ = 0;  // consumer's copy of head_
};

}  // namespace sf
