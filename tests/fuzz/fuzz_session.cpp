// libFuzzer target: UDP order-session datagrams in both directions; embedded OUCH messages and
// payload views are read for every packet of an accepted datagram.
#include <cstddef>
#include <cstdint>

#include "sniperforge/proto/session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace sf::session;
  for (const Direction d : {Direction::kClientToVenue, Direction::kVenueToClient}) {
    std::size_t count = 0, seen = 0, bytes = 0;
    const Error e = validate_datagram(data, size, d, &count);
    const Error f = for_each_packet(data, size, d, [&](const Packet& p) {
      ++seen;
      bytes += 3 + p.payload_length;
      uint64_t v = 0;
      switch (p.type) {
        case type::kLoginRequest:
          (void)LoginRequest{p.payload}.requested_sequence(v);
          break;
        case type::kLoginAccepted:
          (void)LoginAccepted{p.payload}.next_sequence(v);
          break;
        case type::kRetransmissionRequest:
          v = RetransmissionRequest{p.payload}.first_sequence();
          break;
        case type::kServerHeartbeat:
          v = ServerHeartbeat{p.payload}.next_sequence();
          break;
        case type::kSequencedData: {
          const SequencedData s{p.payload, p.payload_length};
          (void)sf::ouch::outbound::visit(s.message(), s.message_length(), [](auto m) { return m.size(); });
          break;
        }
        case type::kUnsequencedData:
          (void)sf::ouch::inbound::visit(p.payload, p.payload_length, [](auto m) { return m.size(); });
          break;
        default:
          break;
      }
      (void)v;
    });
    if (e != f) __builtin_trap();
    if (e == Error::kOk && (seen != count || bytes != size)) __builtin_trap();
  }
  return 0;
}
