// libFuzzer target: the shared feed-frame path (Ethernet/VLAN/IPv4/UDP -> MoldUDP64 -> ITCH).
#include <cstddef>
#include <cstdint>

#include "sniperforge/proto/feed.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  sf::net::UdpDatagram d;
  if (sf::net::parse_udp(data, size, d) == sf::net::Error::kOk) {
    if (d.payload < data || d.payload + d.payload_length > data + size) __builtin_trap();
    (void)sf::net::udp_checksum_ok(d);
  }
  sf::feed::PacketInfo info;
  uint64_t expect = 0;
  bool first = true;
  // Decode whatever port the frame uses, so mutated payloads reach MoldUDP64 and ITCH.
  const uint16_t port = d.dst_port;
  const auto e =
      sf::feed::decode_frame(data, size, port, info, [&](uint64_t seq, const uint8_t* m, std::size_t len) {
        if (!first && seq != expect) __builtin_trap();
        first = false;
        expect = seq + 1;
        if (len != sf::itch::kLengthByType[m[0]]) __builtin_trap();
        (void)sf::itch::visit(m, [](auto v) { return v.stock_locate(); });
      });
  (void)sf::feed::to_string(e);
  return 0;
}
