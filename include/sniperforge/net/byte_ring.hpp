// A fixed-capacity byte ring allocated once at construction (no allocation afterwards). The TCP
// connection keeps its send queue (unacknowledged + unsent bytes) and its receive buffer (bytes
// delivered in order but not yet read, followed by out-of-order bytes written ahead) in two of them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace sf::net {

class ByteRing {
 public:
  explicit ByteRing(std::size_t capacity) : data_(new uint8_t[capacity]()), capacity_(capacity) {}

  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t free() const noexcept { return capacity_ - size_; }
  void clear() noexcept { head_ = size_ = 0; }

  // Copies up to free() bytes to the end; returns how many were taken.
  std::size_t append(const uint8_t* p, std::size_t n) noexcept {
    n = std::min(n, free());
    write_at(size_, p, n);
    size_ += n;
    return n;
  }
  // Writes n bytes at `offset` past the first byte without changing size() (out-of-order data
  // beyond the end). Requires offset + n <= capacity().
  void write_at(std::size_t offset, const uint8_t* p, std::size_t n) noexcept {
    std::size_t pos = wrap(head_ + offset);
    const std::size_t first = std::min(n, capacity_ - pos);
    if (first) std::memcpy(data_.get() + pos, p, first);
    if (n > first) std::memcpy(data_.get(), p + first, n - first);
  }
  // Makes n bytes already written past the end part of the contents.
  void commit(std::size_t n) noexcept { size_ = std::min(capacity_, size_ + n); }
  void pop(std::size_t n) noexcept {
    n = std::min(n, size_);
    head_ = wrap(head_ + n);
    size_ -= n;
  }
  // The bytes [offset, offset + n) of the contents as up to two contiguous pieces.
  void view(std::size_t offset, std::size_t n, std::span<const uint8_t>& first,
            std::span<const uint8_t>& second) const noexcept {
    const std::size_t pos = wrap(head_ + offset);
    const std::size_t a = std::min(n, capacity_ - pos);
    first = {data_.get() + pos, a};
    second = {data_.get(), n - a};
  }
  // The contiguous readable bytes at the front (all of them unless they wrap).
  [[nodiscard]] std::span<const uint8_t> front() const noexcept {
    return {data_.get() + head_, std::min(size_, capacity_ - head_)};
  }

 private:
  [[nodiscard]] std::size_t wrap(std::size_t i) const noexcept { return i >= capacity_ ? i - capacity_ : i; }

  std::unique_ptr<uint8_t[]> data_;
  std::size_t capacity_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace sf::net
