// Ethernet II (+ up to two 802.1Q/802.1ad tags) and IPv4 with a verified header checksum: the
// common front of every frame the TCP connection and the neighbour layer (ARP, ICMP) read, and the
// writer of the same headers. Bounds-checked over a byte span; standard library only. The
// constants and RFC 1071 checksum helpers are proto/net.hpp's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/net.hpp"

namespace sf::net {

inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;

// Link layer of a frame: where the payload of the last EtherType starts.
struct L2Frame {
  Mac dst{};
  Mac src{};
  uint16_t ether_type = 0;  // after the tags
  uint16_t vlan_id = 0;     // innermost tag's VLAN ID (0 untagged)
  uint8_t vlan_tags = 0;
  std::size_t l3_offset = 0;
};

// False when the frame is shorter than its Ethernet header and tags, or carries more than two tags.
[[nodiscard]] inline bool parse_l2(const uint8_t* f, std::size_t len, L2Frame& out) noexcept {
  if (len < kEthernetHeaderLength) return false;
  std::memcpy(out.dst.data(), f, 6);
  std::memcpy(out.src.data(), f + 6, 6);
  std::size_t off = 12;
  uint16_t type = proto::load_be16(f + off);
  out.vlan_id = 0;
  out.vlan_tags = 0;
  while (type == kEtherTypeVlan || type == kEtherTypeQinQ) {
    if (out.vlan_tags == kMaxVlanTags || len < off + kVlanTagLength + 2) return false;
    out.vlan_id = proto::load_be16(f + off + 2) & 0x0fff;
    ++out.vlan_tags;
    off += kVlanTagLength;
    type = proto::load_be16(f + off);
  }
  out.ether_type = type;
  out.l3_offset = off + 2;
  return true;
}

// Writes Ethernet (+ one 802.1Q tag when has_vlan) and returns the header length.
inline std::size_t write_l2(uint8_t* out, const Mac& dst, const Mac& src, bool has_vlan, uint16_t vlan_id,
                            uint16_t ether_type) noexcept {
  std::memcpy(out, dst.data(), 6);
  std::memcpy(out + 6, src.data(), 6);
  std::size_t off = 12;
  if (has_vlan) {
    proto::store_be<uint16_t>(out + off, kEtherTypeVlan);
    proto::store_be<uint16_t>(out + off + 2, static_cast<uint16_t>(vlan_id & 0x0fff));
    off += kVlanTagLength;
  }
  proto::store_be<uint16_t>(out + off, ether_type);
  return off + 2;
}

enum class Ipv4Error : uint8_t { kOk = 0, kTruncated, kBadHeader, kBadChecksum, kFragment };

// An IPv4 packet inside a frame (addresses host order); payload bounded by the total length.
struct Ipv4Packet {
  uint32_t src = 0;
  uint32_t dst = 0;
  uint8_t protocol = 0;
  uint8_t header_length = 0;
  const uint8_t* header = nullptr;
  const uint8_t* payload = nullptr;
  std::size_t payload_length = 0;
};

[[nodiscard]] inline Ipv4Error parse_ipv4(const uint8_t* ip, std::size_t avail, Ipv4Packet& out) noexcept {
  if (avail < kIpv4MinHeaderLength) return Ipv4Error::kTruncated;
  const std::size_t ihl = std::size_t{ip[0] & 0x0fu} * 4;
  if ((ip[0] >> 4) != 4 || ihl < kIpv4MinHeaderLength) return Ipv4Error::kBadHeader;
  const std::size_t total = proto::load_be16(ip + 2);
  if (ihl > avail || total < ihl || total > avail) return Ipv4Error::kTruncated;
  if (!ipv4_checksum_ok(ip, ihl)) return Ipv4Error::kBadChecksum;
  if ((proto::load_be16(ip + 6) & 0x3fff) != 0) return Ipv4Error::kFragment;  // we never reassemble
  out.src = proto::load_be32(ip + 12);
  out.dst = proto::load_be32(ip + 16);
  out.protocol = ip[9];
  out.header_length = static_cast<uint8_t>(ihl);
  out.header = ip;
  out.payload = ip + ihl;
  out.payload_length = total - ihl;
  return Ipv4Error::kOk;
}

// Writes a 20-byte IPv4 header (DF, checksum filled in) for a payload of payload_len bytes.
inline void write_ipv4(uint8_t* ip, uint32_t src, uint32_t dst, uint8_t protocol, std::size_t payload_len,
                       uint16_t id, uint8_t ttl = 64) noexcept {
  ip[0] = 0x45;
  ip[1] = 0;
  proto::store_be<uint16_t>(ip + 2, static_cast<uint16_t>(kIpv4MinHeaderLength + payload_len));
  proto::store_be<uint16_t>(ip + 4, id);
  proto::store_be<uint16_t>(ip + 6, 0x4000);
  ip[8] = ttl;
  ip[9] = protocol;
  proto::store_be<uint16_t>(ip + 10, 0);
  proto::store_be<uint32_t>(ip + 12, src);
  proto::store_be<uint32_t>(ip + 16, dst);
  proto::store_be<uint16_t>(ip + 10, checksum_fold(checksum_add(0, ip, kIpv4MinHeaderLength)));
}

}  // namespace sf::net
