// libFuzzer target: MoldUDP64 downstream packet and re-request parsing, block iteration, ITCH
// validation of every block.
#include <cstddef>
#include <cstdint>

#include "sniperforge/proto/feed.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  sf::mold::PacketView v;
  if (sf::mold::parse(data, size, v) == sf::mold::Error::kOk) {
    std::size_t total = sf::mold::kHeaderLength, n = 0;
    for (const sf::mold::Block b : v) {
      total += 2 + b.length;
      ++n;
      if (sf::itch::validate(b.data, b.length) == sf::itch::Error::kOk)
        (void)sf::itch::visit(b.data, [](auto m) { return m.timestamp(); });
    }
    if (total != size || n != v.message_count()) __builtin_trap();
  }
  sf::mold::Request r;
  (void)sf::mold::parse_request(data, size, r);
  sf::mold::PacketView w;
  (void)sf::feed::validate_mold_itch(data, size, w);
  return 0;
}
