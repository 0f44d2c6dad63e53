// libFuzzer target: OUCH 5.0 inbound and outbound validate() -> view -> struct -> encode() must
// reproduce the input exactly (appendage included); TagValues are iterated.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "sniperforge/proto/ouch.hpp"

namespace {
uint8_t g_out[1 << 16];

// Walks the TagValues and checks they tile the appendage.
template <class V>
void check_appendage(const V& v) {
  std::size_t bytes = 0;
  for (const sf::ouch::TagValue tv : v.appendage()) bytes += 2 + tv.value.size();
  if (bytes != v.appendage().size()) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size > sizeof g_out) return 0;
  if (sf::ouch::inbound::validate(data, size) == sf::ouch::Error::kOk) {
    const std::size_t n = sf::ouch::inbound::visit(data, size, [&](auto v) -> std::size_t {
      using V = decltype(v);
#define SF_FUZZ_IN(ch, View, len, app, LAYOUT)                                                      \
  if constexpr (std::is_same_v<V, sf::ouch::inbound::views::View>) {                                \
    check_appendage(v);                                                                             \
    return sf::ouch::inbound::msg::View::from(v).encode(g_out, {data + len, v.appendage().size()}); \
  }
      SF_OUCH_INBOUND(SF_FUZZ_IN)
#undef SF_FUZZ_IN
      return 0;
    });
    if (n != size || std::memcmp(g_out, data, size) != 0) __builtin_trap();
  }
  if (sf::ouch::outbound::validate(data, size) == sf::ouch::Error::kOk) {
    const std::size_t n = sf::ouch::outbound::visit(data, size, [&](auto v) -> std::size_t {
      using V = decltype(v);
#define SF_FUZZ_OUT(ch, View, len, app, LAYOUT)                                                      \
  if constexpr (std::is_same_v<V, sf::ouch::outbound::views::View>) {                                \
    check_appendage(v);                                                                              \
    return sf::ouch::outbound::msg::View::from(v).encode(g_out, {data + len, v.appendage().size()}); \
  }
      SF_OUCH_OUTBOUND(SF_FUZZ_OUT)
#undef SF_FUZZ_OUT
      return 0;
    });
    if (n != size || std::memcmp(g_out, data, size) != 0) __builtin_trap();
  }
  return 0;
}
