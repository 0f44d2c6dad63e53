// Large preallocated arrays (order map, level arena) backed by 2 MiB-aligned memory with transparent huge
// pages requested (madvise), so the hot path does not pay a TLB miss on top of each cache miss. Memory is
// touched at construction, never on the hot path.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>

namespace sf::book {

template <class T>
class HugeBuffer {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  HugeBuffer() = default;
  explicit HugeBuffer(std::size_t n) : n_(n) {
    const std::size_t bytes = std::max<std::size_t>(n * sizeof(T), 1);
    const bool huge = bytes >= kHugePage;
    const std::size_t align = huge                             ? kHugePage
                              : alignof(std::max_align_t) < 64 ? 64
                                                               : alignof(std::max_align_t);
    const std::size_t rounded = (bytes + align - 1) / align * align;
    p_ = static_cast<T*>(std::aligned_alloc(align, rounded));
    if (p_ == nullptr) throw std::bad_alloc();
    if (huge) ::madvise(p_, rounded, MADV_HUGEPAGE);  // best effort
    for (std::size_t i = 0; i < n; ++i) new (p_ + i) T{};
  }
  HugeBuffer(HugeBuffer&& o) noexcept : p_(o.p_), n_(o.n_) {
    o.p_ = nullptr;
    o.n_ = 0;
  }
  HugeBuffer& operator=(HugeBuffer&& o) noexcept {
    if (this != &o) {
      std::free(p_);
      p_ = o.p_;
      n_ = o.n_;
      o.p_ = nullptr;
      o.n_ = 0;
    }
    return *this;
  }
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;
  ~HugeBuffer() { std::free(p_); }

  [[nodiscard]] T* get() const noexcept { return p_; }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  T& operator[](std::size_t i) const noexcept { return p_[i]; }

 private:
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

}  // namespace sf::book
