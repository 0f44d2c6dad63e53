// What an RX lcore does with a frame from the order port before any state is touched: which
// executor gets it. TCP segments go to the shard whose connection they name (our address, local
// port = base + shard); ARP and ICMP go to the neighbour layer's owner; everything else is counted
// by the caller. Cheap on purpose: header fields only, no checksum (the owner's TcpConnection and
// Neighbours verify everything and count their own drops).
#pragma once

#include <cstddef>
#include <cstdint>

#include "sniperforge/net/ipv4_frame.hpp"

namespace sf::net {

enum class OrderFrameKind : uint8_t {
  kTcp,        // for shard `shard`'s connection
  kNeighbour,  // ARP, or ICMP to our address
  kNotOurs,    // other EtherType/protocol, other address, port outside our range, malformed
};

struct OrderFrameRoute {
  OrderFrameKind kind = OrderFrameKind::kNotOurs;
  uint32_t shard = 0;
};

struct OrderPortDemux {
  uint32_t local_ip = 0;   // host order
  uint16_t base_port = 0;  // shard s's connection uses local port base_port + s
  uint32_t shards = 1;

  [[nodiscard]] OrderFrameRoute route(const uint8_t* f, std::size_t len) const noexcept {
    L2Frame l2;
    if (!parse_l2(f, len, l2)) return {};
    if (l2.ether_type == kEtherTypeArp) return {OrderFrameKind::kNeighbour, 0};
    if (l2.ether_type != kEtherTypeIpv4 || len < l2.l3_offset + kIpv4MinHeaderLength) return {};
    const uint8_t* ip = f + l2.l3_offset;
    const std::size_t ihl = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
    if ((ip[0] >> 4) != 4 || ihl < kIpv4MinHeaderLength || proto::load_be32(ip + 16) != local_ip) return {};
    if (ip[9] == kIpProtoIcmp) return {OrderFrameKind::kNeighbour, 0};
    if (ip[9] != kIpProtoTcp || len < l2.l3_offset + ihl + 4) return {};
    const uint16_t dst_port = proto::load_be16(ip + ihl + 2);
    if (dst_port < base_port || uint32_t{dst_port} - base_port >= shards) return {};
    return {OrderFrameKind::kTcp, uint32_t{dst_port} - base_port};
  }
};

}  // namespace sf::net
