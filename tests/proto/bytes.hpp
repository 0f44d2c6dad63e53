// Test helper: writes wire bytes field by field, in the order a specification table lists them,
// so golden vectors do not depend on the offsets in our own layout tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sf::test {

struct Bytes {
  std::vector<uint8_t> v;
  Bytes& c(char x) {
    v.push_back(static_cast<uint8_t>(x));
    return *this;
  }
  Bytes& u8(uint8_t x) {
    v.push_back(x);
    return *this;
  }
  Bytes& be(uint64_t x, int n) {
    for (int i = n - 1; i >= 0; --i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
    return *this;
  }
  Bytes& u16(uint64_t x) { return be(x, 2); }
  Bytes& u32(uint64_t x) { return be(x, 4); }
  Bytes& u48(uint64_t x) { return be(x, 6); }
  Bytes& u64(uint64_t x) { return be(x, 8); }
  // Alpha: left-justified, space padded to n.
  Bytes& a(std::string_view s, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) v.push_back(i < s.size() ? static_cast<uint8_t>(s[i]) : ' ');
    return *this;
  }
  Bytes& raw(const std::vector<uint8_t>& b) {
    v.insert(v.end(), b.begin(), b.end());
    return *this;
  }
  // ITCH common header.
  Bytes& itch(char type, uint16_t locate, uint16_t tracking, uint64_t ts) {
    return c(type).u16(locate).u16(tracking).u48(ts);
  }
  [[nodiscard]] const uint8_t* data() const { return v.data(); }
  [[nodiscard]] std::size_t size() const { return v.size(); }
};

inline std::vector<uint8_t> hex(std::string_view h) {
  std::vector<uint8_t> out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int hi = -1;
  for (char c : h) {
    const int n = nib(c);
    if (n < 0) continue;
    if (hi < 0) {
      hi = n;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | n));
      hi = -1;
    }
  }
  return out;
}

}  // namespace sf::test
