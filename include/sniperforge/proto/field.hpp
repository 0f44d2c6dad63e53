// Fixed-width wire fields by how they are stored: big-endian unsigned integers, one ASCII character,
// or N space-padded ASCII characters. ITCH and OUCH layouts name their field kinds by meaning (prices
// with 4 or 8 implied decimals, quantities, symbols); every kind maps to one of these codecs, so the
// byte handling exists once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sniperforge/proto/endian.hpp"

namespace sf::proto {

// Alpha field with the trailing space (or NUL) padding removed.
[[nodiscard]] constexpr std::string_view trim_alpha(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

// Alpha field value: exactly N characters, space padded on construction.
template <std::size_t N>
struct Alpha {
  std::array<char, N> c;
  constexpr Alpha() noexcept { c.fill(' '); }
  constexpr Alpha(std::string_view s) noexcept {  // NOLINT: implicit on purpose (msg.stock = "AAPL")
    c.fill(' ');
    for (std::size_t i = 0; i < N && i < s.size(); ++i) c[i] = s[i];
  }
  constexpr Alpha(const char* s) noexcept : Alpha(std::string_view{s}) {}  // NOLINT
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {c.data(), N}; }
  [[nodiscard]] constexpr std::string_view trimmed() const noexcept { return trim_alpha(view()); }
  friend constexpr bool operator==(const Alpha&, const Alpha&) noexcept = default;
};

template <class T>
struct UintField {
  using type = T;
  [[nodiscard]] static T get(const uint8_t* p) noexcept { return load_be<T>(p); }
  static void put(uint8_t* p, T v) noexcept { store_be<T>(p, v); }
};

struct CharField {
  using type = char;
  [[nodiscard]] static char get(const uint8_t* p) noexcept { return static_cast<char>(*p); }
  static void put(uint8_t* p, char v) noexcept { *p = static_cast<uint8_t>(v); }
};

template <std::size_t N>
struct AlphaField {
  using type = Alpha<N>;
  // Raw, untrimmed (see trim_alpha()); a view into the message.
  [[nodiscard]] static std::string_view get(const uint8_t* p) noexcept {
    return {reinterpret_cast<const char*>(p), N};
  }
  static void put(uint8_t* p, const Alpha<N>& v) noexcept { std::memcpy(p, v.c.data(), N); }
};

// How a field is stored; a protocol's field kinds map onto these (storage_of) and take their codec.
enum class Storage : uint8_t { kU16, kU32, kU64, kChar, kAlpha };
template <Storage S, std::size_t N>
struct Codec;
template <std::size_t N>
struct Codec<Storage::kU16, N> : UintField<uint16_t> {};
template <std::size_t N>
struct Codec<Storage::kU32, N> : UintField<uint32_t> {};
template <std::size_t N>
struct Codec<Storage::kU64, N> : UintField<uint64_t> {};
template <std::size_t N>
struct Codec<Storage::kChar, N> : CharField {};
template <std::size_t N>
struct Codec<Storage::kAlpha, N> : AlphaField<N> {};

}  // namespace sf::proto
