// libFuzzer target: ITCH 5.0 validate() -> typed view -> struct -> encode() must reproduce the input.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "sniperforge/proto/itch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (sf::itch::validate(data, size) != sf::itch::Error::kOk) return 0;
  uint8_t out[sf::itch::kMaxMessageLength];
  const std::size_t n = sf::itch::visit(data, [&](auto v) -> std::size_t {
    if constexpr (std::is_same_v<decltype(v), sf::itch::MessageView>) {
      return 0;  // unreachable after validate()
    } else {
      return sf::itch::to_message(v).encode(out);
    }
  });
  if (n != size || std::memcmp(out, data, size) != 0) __builtin_trap();
  return 0;
}
