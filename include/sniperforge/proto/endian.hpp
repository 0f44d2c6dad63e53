// Big-endian loads and stores for wire formats. Unaligned-safe (memcpy), and
// compile to a single mov+bswap on x86-64.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace sf::proto {

namespace detail {
template <class T>
constexpr T bswap(T v) noexcept {
  if constexpr (sizeof(T) == 2)
    return static_cast<T>(__builtin_bswap16(v));
  else if constexpr (sizeof(T) == 4)
    return static_cast<T>(__builtin_bswap32(v));
  else if constexpr (sizeof(T) == 8)
    return static_cast<T>(__builtin_bswap64(v));
  else
    return v;
}
}  // namespace detail

template <class T>
[[nodiscard]] inline T load_be(const uint8_t* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = detail::bswap(v);
  return v;
}

template <class T>
inline void store_be(uint8_t* p, T v) noexcept {
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = detail::bswap(v);
  std::memcpy(p, &v, sizeof v);
}

[[nodiscard]] inline uint16_t load_be16(const uint8_t* p) noexcept {
  return load_be<uint16_t>(p);
}
[[nodiscard]] inline uint32_t load_be32(const uint8_t* p) noexcept {
  return load_be<uint32_t>(p);
}
[[nodiscard]] inline uint64_t load_be64(const uint8_t* p) noexcept {
  return load_be<uint64_t>(p);
}

// 6-byte big-endian unsigned (ITCH nanosecond timestamps).
[[nodiscard]] inline uint64_t load_be48(const uint8_t* p) noexcept {
  return (uint64_t{load_be16(p)} << 32) | load_be32(p + 2);
}
inline void store_be48(uint8_t* p, uint64_t v) noexcept {
  store_be<uint16_t>(p, static_cast<uint16_t>(v >> 32));
  store_be<uint32_t>(p + 2, static_cast<uint32_t>(v));
}

}  // namespace sf::proto
