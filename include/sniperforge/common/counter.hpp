// Single-writer counters shared with a reader thread (the stats lcore).
//
// The owning thread updates with a relaxed load + relaxed store: a plain `add` on x86-64, never a
// lock-prefixed read-modify-write. Readers use relaxed loads and may see a slightly stale value,
// never a torn one. Only one thread may ever write a given counter.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sf {

inline constexpr std::size_t kCacheLine = 64;

class Counter {
 public:
  void add(uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void set(uint64_t n) noexcept { v_.store(n, std::memory_order_relaxed); }
  // Gauge-like high-water mark, single writer.
  void max(uint64_t n) noexcept {
    if (n > v_.load(std::memory_order_relaxed)) v_.store(n, std::memory_order_relaxed);
  }
  [[nodiscard]] uint64_t load() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};
static_assert(sizeof(Counter) == sizeof(uint64_t));

// A single-writer value (flag, gauge, signed position) another thread reads: relaxed store by its
// one writer, relaxed load by readers, so a reader sees an old or a new value, never a torn one and
// never a data race.
template <class T>
class Shared {
 public:
  static_assert(std::atomic<T>::is_always_lock_free);
  void set(T v) noexcept { v_.store(v, std::memory_order_relaxed); }
  [[nodiscard]] T get() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<T> v_{};
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);

}  // namespace sf
