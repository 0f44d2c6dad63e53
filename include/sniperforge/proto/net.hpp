// Ethernet II (+ optional 802.1Q / 802.1ad tags), IPv4 and UDP: a bounds-checked parser that
// finds the UDP payload of a frame, and builders for the same headers (IPv4 header checksum,
// optional UDP checksum). Standard library only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sniperforge/proto/endian.hpp"

namespace sf::net {

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeVlan = 0x8100;  // 802.1Q customer tag
inline constexpr uint16_t kEtherTypeQinQ = 0x88a8;  // 802.1ad service (outer) tag
inline constexpr std::size_t kEthernetHeaderLength = 14;
inline constexpr std::size_t kVlanTagLength = 4;
inline constexpr std::size_t kMaxVlanTags = 2;
inline constexpr std::size_t kIpv4MinHeaderLength = 20;
inline constexpr std::size_t kUdpHeaderLength = 8;
inline constexpr uint8_t kIpProtoUdp = 17;

enum class Error : uint8_t {
  kOk = 0,
  kTruncatedFrame,  // shorter than the Ethernet header (+ tags)
  kNotIpv4,         // other EtherType, too many tags, or IP version != 4
  kBadIpHeader,     // IHL < 5
  kBadIpLength,     // IHL or total length inconsistent with the bytes present
  kFragment,        // MF set or non-zero fragment offset
  kNotUdp,          // IP protocol != 17
  kBadUdpLength,    // UDP header truncated, or UDP length < 8 or beyond the IP payload
};

[[nodiscard]] constexpr std::string_view to_string(Error e) noexcept {
  switch (e) {
    case Error::kOk:
      return "ok";
    case Error::kTruncatedFrame:
      return "truncated_frame";
    case Error::kNotIpv4:
      return "not_ipv4";
    case Error::kBadIpHeader:
      return "bad_ip_header";
    case Error::kBadIpLength:
      return "bad_ip_length";
    case Error::kFragment:
      return "fragment";
    case Error::kNotUdp:
      return "not_udp";
    case Error::kBadUdpLength:
      return "bad_udp_length";
  }
  return "invalid";
}

// What parse_udp() found. Addresses in host order. `payload` points into the frame.
struct UdpDatagram {
  uint32_t src_ip = 0;
  uint32_t dst_ip = 0;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint16_t vlan_id = 0;   // innermost VLAN ID (0 when untagged)
  uint8_t vlan_tags = 0;  // number of 802.1Q/802.1ad tags seen
  uint8_t ip_header_length = 0;
  const uint8_t* payload = nullptr;
  std::size_t payload_length = 0;
};

// Parses Ethernet II / [VLAN tags] / IPv4 / UDP. Trailing Ethernet padding (bytes beyond the IPv4
// total length) is ignored. Checksums are not verified here (NICs do that; see ipv4_checksum_ok()).
[[nodiscard]] inline Error parse_udp(const uint8_t* frame, std::size_t len, UdpDatagram& out) noexcept {
  if (len < kEthernetHeaderLength) [[unlikely]]
    return Error::kTruncatedFrame;
  std::size_t off = 12;
  uint16_t ether_type = proto::load_be16(frame + off);
  out.vlan_id = 0;
  out.vlan_tags = 0;
  while (ether_type == kEtherTypeVlan || ether_type == kEtherTypeQinQ) {
    if (out.vlan_tags == kMaxVlanTags) [[unlikely]]
      return Error::kNotIpv4;
    if (len < off + kVlanTagLength + 2) [[unlikely]]  // TPID, TCI, next EtherType
      return Error::kTruncatedFrame;
    out.vlan_id = proto::load_be16(frame + off + 2) & 0x0fff;
    ++out.vlan_tags;
    off += kVlanTagLength;
    ether_type = proto::load_be16(frame + off);
  }
  if (ether_type != kEtherTypeIpv4) [[unlikely]]
    return Error::kNotIpv4;
  const uint8_t* ip = frame + off + 2;
  const std::size_t avail = len - (off + 2);
  if (avail < kIpv4MinHeaderLength) [[unlikely]]
    return Error::kBadIpLength;
  if ((ip[0] >> 4) != 4) [[unlikely]]
    return Error::kNotIpv4;
  const std::size_t ihl = std::size_t{ip[0] & 0x0fu} * 4;
  if (ihl < kIpv4MinHeaderLength) [[unlikely]]
    return Error::kBadIpHeader;
  const std::size_t total = proto::load_be16(ip + 2);
  if (ihl > avail || total < ihl || total > avail) [[unlikely]]
    return Error::kBadIpLength;
  if ((proto::load_be16(ip + 6) & 0x3fff) != 0) [[unlikely]]
    return Error::kFragment;
  if (ip[9] != kIpProtoUdp) [[unlikely]]
    return Error::kNotUdp;
  const uint8_t* udp = ip + ihl;
  const std::size_t ip_payload = total - ihl;
  if (ip_payload < kUdpHeaderLength) [[unlikely]]
    return Error::kBadUdpLength;
  const std::size_t udp_len = proto::load_be16(udp + 4);
  if (udp_len < kUdpHeaderLength || udp_len > ip_payload) [[unlikely]]
    return Error::kBadUdpLength;
  out.src_ip = proto::load_be32(ip + 12);
  out.dst_ip = proto::load_be32(ip + 16);
  out.src_port = proto::load_be16(udp);
  out.dst_port = proto::load_be16(udp + 2);
  out.ip_header_length = static_cast<uint8_t>(ihl);
  out.payload = udp + kUdpHeaderLength;
  out.payload_length = udp_len - kUdpHeaderLength;
  return Error::kOk;
}

// ---- Checksums (RFC 1071) ----
[[nodiscard]] inline uint32_t checksum_add(uint32_t sum, const uint8_t* p, std::size_t n) noexcept {
  for (; n >= 2; p += 2, n -= 2) sum += proto::load_be16(p);
  if (n) sum += uint32_t{*p} << 8;
  return sum;
}
[[nodiscard]] inline uint16_t checksum_fold(uint32_t sum) noexcept {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}
// True when the IPv4 header (ihl bytes at ip) sums to zero, i.e. its checksum field is right.
[[nodiscard]] inline bool ipv4_checksum_ok(const uint8_t* ip, std::size_t ihl) noexcept {
  return checksum_fold(checksum_add(0, ip, ihl)) == 0;
}

// ---- Builders ----
using Mac = std::array<uint8_t, 6>;

// IPv4 multicast group -> Ethernet multicast MAC 01:00:5e + low 23 bits.
[[nodiscard]] constexpr Mac multicast_mac(uint32_t group) noexcept {
  return Mac{0x01,
             0x00,
             0x5e,
             static_cast<uint8_t>((group >> 16) & 0x7f),
             static_cast<uint8_t>(group >> 8),
             static_cast<uint8_t>(group)};
}
[[nodiscard]] constexpr uint32_t ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) noexcept {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}

struct UdpFrameSpec {
  Mac dst_mac{};
  Mac src_mac{};
  uint32_t src_ip = 0;
  uint32_t dst_ip = 0;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint16_t vlan_id = 0;  // 802.1Q tag written when has_vlan
  bool has_vlan = false;
  uint8_t ttl = 64;
  uint16_t ip_id = 0;
  bool udp_checksum = false;  // IPv4 allows 0 = "no checksum"
};

[[nodiscard]] constexpr std::size_t udp_headers_length(const UdpFrameSpec& s) noexcept {
  return kEthernetHeaderLength + (s.has_vlan ? kVlanTagLength : 0) + kIpv4MinHeaderLength + kUdpHeaderLength;
}

// Writes Ethernet/[VLAN]/IPv4/UDP headers at `out` for a payload of `payload_len` bytes that is
// already in place right after the headers (needed only for the optional UDP checksum).
// Returns the header length, or 0 when the datagram would not fit IPv4's 16-bit total length.
inline std::size_t write_udp_headers(uint8_t* out, const UdpFrameSpec& s, std::size_t payload_len) noexcept {
  const std::size_t udp_len = kUdpHeaderLength + payload_len;
  const std::size_t ip_len = kIpv4MinHeaderLength + udp_len;
  if (ip_len > 0xffff) return 0;
  std::memcpy(out, s.dst_mac.data(), 6);
  std::memcpy(out + 6, s.src_mac.data(), 6);
  std::size_t off = 12;
  if (s.has_vlan) {
    proto::store_be<uint16_t>(out + off, kEtherTypeVlan);
    proto::store_be<uint16_t>(out + off + 2, static_cast<uint16_t>(s.vlan_id & 0x0fff));
    off += kVlanTagLength;
  }
  proto::store_be<uint16_t>(out + off, kEtherTypeIpv4);
  uint8_t* ip = out + off + 2;
  ip[0] = 0x45;
  ip[1] = 0;
  proto::store_be<uint16_t>(ip + 2, static_cast<uint16_t>(ip_len));
  proto::store_be<uint16_t>(ip + 4, s.ip_id);
  proto::store_be<uint16_t>(ip + 6, 0x4000);  // DF, offset 0
  ip[8] = s.ttl;
  ip[9] = kIpProtoUdp;
  proto::store_be<uint16_t>(ip + 10, 0);
  proto::store_be<uint32_t>(ip + 12, s.src_ip);
  proto::store_be<uint32_t>(ip + 16, s.dst_ip);
  proto::store_be<uint16_t>(ip + 10, checksum_fold(checksum_add(0, ip, kIpv4MinHeaderLength)));
  uint8_t* udp = ip + kIpv4MinHeaderLength;
  proto::store_be<uint16_t>(udp, s.src_port);
  proto::store_be<uint16_t>(udp + 2, s.dst_port);
  proto::store_be<uint16_t>(udp + 4, static_cast<uint16_t>(udp_len));
  proto::store_be<uint16_t>(udp + 6, 0);
  if (s.udp_checksum) {
    uint32_t sum = checksum_add(0, ip + 12, 8);  // pseudo-header: addresses
    sum += kIpProtoUdp;
    sum += static_cast<uint32_t>(udp_len);
    sum = checksum_add(sum, udp, udp_len);
    uint16_t c = checksum_fold(sum);
    proto::store_be<uint16_t>(udp + 6, c == 0 ? 0xffff : c);
  }
  return static_cast<std::size_t>(udp + kUdpHeaderLength - out);
}

// Builds a whole frame (headers + copy of the payload) into out[0..cap). Returns its length, 0 if
// it does not fit.
inline std::size_t build_udp_frame(uint8_t* out, std::size_t cap, const UdpFrameSpec& s,
                                   const uint8_t* payload, std::size_t payload_len) noexcept {
  const std::size_t hl = udp_headers_length(s);
  if (hl > cap || payload_len > cap - hl) return 0;  // (hl + payload_len could wrap)
  if (payload_len) std::memmove(out + hl, payload, payload_len);
  return write_udp_headers(out, s, payload_len) == 0 ? 0 : hl + payload_len;
}

// True when the UDP checksum of a parsed datagram is absent (0) or correct.
[[nodiscard]] inline bool udp_checksum_ok(const UdpDatagram& d) noexcept {
  const uint8_t* udp = d.payload - kUdpHeaderLength;
  if (proto::load_be16(udp + 6) == 0) return true;
  const uint8_t* ip = udp - d.ip_header_length;
  const std::size_t udp_len = d.payload_length + kUdpHeaderLength;
  uint32_t sum = checksum_add(0, ip + 12, 8);
  sum += kIpProtoUdp;
  sum += static_cast<uint32_t>(udp_len);
  sum = checksum_add(sum, udp, udp_len);
  return checksum_fold(sum) == 0;
}

}  // namespace sf::net
