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
  // The one-walk validation must give the reason of the reference (framing walk, then each block), and
  // decode_payload() must deliver exactly the blocks the MoldUDP64 iterator yields.
  sf::mold::PacketView w, ref_view;
  const sf::feed::Error e = sf::feed::validate_mold_itch(data, size, w);
  if (e != sf::feed::detail::mold_itch_reason(data, size, ref_view)) __builtin_trap();
  if (e == sf::feed::Error::kOk) {
    auto it = w.begin();
    std::size_t delivered = 0;
    const sf::feed::Error d =
        sf::feed::decode_payload(data, size, w, [&](uint64_t seq, const uint8_t* m, std::size_t len) {
          const sf::mold::Block b = *it;
          if (seq != b.sequence || m != b.data || len != b.length) __builtin_trap();
          ++it;
          ++delivered;
        });
    if (d != sf::feed::Error::kOk || delivered != w.message_count()) __builtin_trap();
  }
  return 0;
}
