// TCP sequence-number arithmetic (RFC 9293 section 3.4): 32-bit numbers compared modulo 2^32.
#pragma once

#include <cstdint>

namespace sf::net {

[[nodiscard]] constexpr bool seq_lt(uint32_t a, uint32_t b) noexcept {
  return static_cast<int32_t>(a - b) < 0;
}
[[nodiscard]] constexpr bool seq_le(uint32_t a, uint32_t b) noexcept {
  return static_cast<int32_t>(a - b) <= 0;
}
[[nodiscard]] constexpr bool seq_gt(uint32_t a, uint32_t b) noexcept {
  return seq_lt(b, a);
}
[[nodiscard]] constexpr bool seq_ge(uint32_t a, uint32_t b) noexcept {
  return seq_le(b, a);
}
[[nodiscard]] constexpr uint32_t seq_max(uint32_t a, uint32_t b) noexcept {
  return seq_lt(a, b) ? b : a;
}

}  // namespace sf::net
