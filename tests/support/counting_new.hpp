// Counting replacements of the global operator new/delete, for the tests that prove a path allocation-free
// (book_alloc, net_tcp_alloc, dataplane_executor_control_alloc). Include it in exactly ONE translation
// unit of a test executable: it defines the replaceable allocation functions, which may not be inline.
// Count with sf::testing::g_news while sf::testing::g_counting is true (or with AllocationScope). Not
// inlined: GCC would otherwise pair our new with our delete and warn (-Wmismatched-new-delete).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace sf::testing {
inline std::atomic<uint64_t> g_news{0};
inline std::atomic<bool> g_counting{false};

inline void count_new() noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_news.fetch_add(1, std::memory_order_relaxed);
}

// Counts the allocations made while it lives.
class AllocationScope {
 public:
  AllocationScope() noexcept : start_(g_news.load()) { g_counting.store(true); }
  ~AllocationScope() { g_counting.store(false); }
  AllocationScope(const AllocationScope&) = delete;
  AllocationScope& operator=(const AllocationScope&) = delete;
  [[nodiscard]] uint64_t news() const noexcept { return g_news.load() - start_; }

 private:
  uint64_t start_;
};
}  // namespace sf::testing

[[gnu::noinline]] void* operator new(std::size_t n) {
  sf::testing::count_new();
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t n) {
  return operator new(n);
}
[[gnu::noinline]] void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  sf::testing::count_new();
  return std::malloc(n ? n : 1);
}
[[gnu::noinline]] void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
  return operator new(n, t);
}
[[gnu::noinline]] void* operator new(std::size_t n, std::align_val_t a) {
  sf::testing::count_new();
  const std::size_t align = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t n, std::align_val_t a) {
  return operator new(n, a);
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
