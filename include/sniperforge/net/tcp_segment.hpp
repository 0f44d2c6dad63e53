// A TCP segment: the parsed form the connection consumes (from Ethernet/[VLAN]/IPv4/TCP bytes,
// both checksums verified, options walked) and the outgoing form it emits, which
// build_tcp_frame() writes into a caller's buffer (an mbuf later, a raw-socket buffer in tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sniperforge/net/ipv4_frame.hpp"

namespace sf::net {

inline constexpr std::size_t kTcpMinHeaderLength = 20;
inline constexpr std::size_t kTcpSynOptionsLength = 4;  // MSS only

namespace tcp_flag {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
}  // namespace tcp_flag

enum class TcpParseError : uint8_t {
  kOk = 0,
  kNotIpv4,      // short Ethernet header, too many tags, other EtherType
  kBadIp,        // truncated or malformed IPv4 header, fragment
  kBadChecksum,  // IPv4 header or TCP checksum does not verify
  kNotTcp,       // IPv4 protocol != 6
  kBadTcp,       // TCP header truncated, data offset < 5 or beyond the packet, malformed options
};

[[nodiscard]] constexpr std::string_view to_string(TcpParseError e) noexcept {
  switch (e) {
    case TcpParseError::kOk:
      return "ok";
    case TcpParseError::kNotIpv4:
      return "not_ipv4";
    case TcpParseError::kBadIp:
      return "bad_ip";
    case TcpParseError::kBadChecksum:
      return "bad_checksum";
    case TcpParseError::kNotTcp:
      return "not_tcp";
    case TcpParseError::kBadTcp:
      return "bad_tcp";
  }
  return "invalid";
}

// What parse_tcp_frame() found; addresses and numbers in host order, payload points into the frame.
struct TcpSegment {
  uint32_t src_ip = 0;
  uint32_t dst_ip = 0;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  uint16_t mss = 0;       // MSS option value, 0 when absent
  uint16_t vlan_id = 0;   // innermost tag's VLAN ID
  uint8_t vlan_tags = 0;  // 0: untagged
  const uint8_t* payload = nullptr;
  std::size_t payload_length = 0;

  [[nodiscard]] bool has(uint8_t f) const noexcept { return (flags & f) != 0; }
  // Sequence space the segment occupies: payload plus one for each of SYN and FIN.
  [[nodiscard]] uint32_t sequence_length() const noexcept {
    return static_cast<uint32_t>(payload_length) + (has(tcp_flag::kSyn) ? 1 : 0) +
           (has(tcp_flag::kFin) ? 1 : 0);
  }
};

// Sum of the IPv4 pseudo-header and the TCP bytes (header + payload), before folding.
[[nodiscard]] inline uint32_t tcp_pseudo_sum(uint32_t src, uint32_t dst, std::size_t tcp_length) noexcept {
  uint32_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
  return s + kIpProtoTcp + static_cast<uint32_t>(tcp_length);
}

// Walks the options; false on a malformed option list. Only MSS is kept.
[[nodiscard]] inline bool parse_tcp_options(const uint8_t* p, std::size_t n, uint16_t& mss) noexcept {
  std::size_t i = 0;
  while (i < n) {
    const uint8_t kind = p[i];
    if (kind == 0) break;  // end of options
    if (kind == 1) {       // no-op
      ++i;
      continue;
    }
    if (i + 1 >= n) return false;
    const std::size_t olen = p[i + 1];
    if (olen < 2 || i + olen > n) return false;
    if (kind == 2) {
      if (olen != 4) return false;
      mss = proto::load_be16(p + i + 2);
    }
    i += olen;
  }
  return true;
}

[[nodiscard]] inline TcpParseError parse_tcp_frame(const uint8_t* f, std::size_t len,
                                                   TcpSegment& out) noexcept {
  L2Frame l2;
  if (!parse_l2(f, len, l2) || l2.ether_type != kEtherTypeIpv4) return TcpParseError::kNotIpv4;
  Ipv4Packet ip;
  switch (parse_ipv4(f + l2.l3_offset, len - l2.l3_offset, ip)) {
    case Ipv4Error::kOk:
      break;
    case Ipv4Error::kBadChecksum:
      return TcpParseError::kBadChecksum;
    default:
      return TcpParseError::kBadIp;
  }
  if (ip.protocol != kIpProtoTcp) return TcpParseError::kNotTcp;
  const uint8_t* t = ip.payload;
  if (ip.payload_length < kTcpMinHeaderLength) return TcpParseError::kBadTcp;
  const std::size_t hl = static_cast<std::size_t>(t[12] >> 4) * 4;
  if (hl < kTcpMinHeaderLength || hl > ip.payload_length) return TcpParseError::kBadTcp;
  if (checksum_fold(checksum_add(tcp_pseudo_sum(ip.src, ip.dst, ip.payload_length), t, ip.payload_length)) !=
      0)
    return TcpParseError::kBadChecksum;
  out.mss = 0;
  if (!parse_tcp_options(t + kTcpMinHeaderLength, hl - kTcpMinHeaderLength, out.mss))
    return TcpParseError::kBadTcp;
  out.src_ip = ip.src;
  out.dst_ip = ip.dst;
  out.src_port = proto::load_be16(t);
  out.dst_port = proto::load_be16(t + 2);
  out.seq = proto::load_be32(t + 4);
  out.ack = proto::load_be32(t + 8);
  out.flags = t[13] & 0x3f;
  out.window = proto::load_be16(t + 14);
  out.vlan_id = l2.vlan_id;
  out.vlan_tags = l2.vlan_tags;
  out.payload = t + hl;
  out.payload_length = ip.payload_length - hl;
  return TcpParseError::kOk;
}

// A segment the connection wants sent. The payload may wrap around the send ring: first part, then
// second part (second_length 0 when it does not).
struct OutSegment {
  uint32_t src_ip = 0;
  uint32_t dst_ip = 0;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  uint16_t mss_option = 0;  // written as an MSS option when non-zero (SYN)
  const uint8_t* payload = nullptr;
  std::size_t payload_length = 0;
  const uint8_t* payload2 = nullptr;
  std::size_t payload2_length = 0;

  [[nodiscard]] std::size_t total_payload() const noexcept { return payload_length + payload2_length; }
};

// Link-layer part of an outgoing frame.
struct L2Spec {
  Mac dst{};
  Mac src{};
  bool has_vlan = false;
  uint16_t vlan_id = 0;
};

[[nodiscard]] inline std::size_t tcp_frame_length(const L2Spec& l2, const OutSegment& s) noexcept {
  return kEthernetHeaderLength + (l2.has_vlan ? kVlanTagLength : 0) + kIpv4MinHeaderLength +
         kTcpMinHeaderLength + (s.mss_option ? kTcpSynOptionsLength : 0) + s.total_payload();
}

// Who finishes the checksums: we (software), or the NIC (DPDK TX offload: RTE_MBUF_F_TX_IP_CKSUM |
// RTE_MBUF_F_TX_TCP_CKSUM want the IPv4 checksum 0 and the TCP field holding the pseudo-header sum).
enum class ChecksumMode : uint8_t { kSoftware, kOffload };

// Writes the whole frame (headers, payload copy, checksums per `mode`) into out[0..cap).
// Returns its length, or 0 when it does not fit.
inline std::size_t build_tcp_frame(uint8_t* out, std::size_t cap, const L2Spec& l2, const OutSegment& s,
                                   uint16_t ip_id = 0, ChecksumMode mode = ChecksumMode::kSoftware) noexcept {
  const std::size_t total = tcp_frame_length(l2, s);
  if (total > cap) return 0;
  const std::size_t opt = s.mss_option ? kTcpSynOptionsLength : 0;
  const std::size_t tcp_len = kTcpMinHeaderLength + opt + s.total_payload();
  const std::size_t l2_len = write_l2(out, l2.dst, l2.src, l2.has_vlan, l2.vlan_id, kEtherTypeIpv4);
  uint8_t* ip = out + l2_len;
  write_ipv4(ip, s.src_ip, s.dst_ip, kIpProtoTcp, tcp_len, ip_id);
  uint8_t* t = ip + kIpv4MinHeaderLength;
  proto::store_be<uint16_t>(t, s.src_port);
  proto::store_be<uint16_t>(t + 2, s.dst_port);
  proto::store_be<uint32_t>(t + 4, s.seq);
  proto::store_be<uint32_t>(t + 8, s.ack);
  t[12] = static_cast<uint8_t>(((kTcpMinHeaderLength + opt) / 4) << 4);
  t[13] = s.flags;
  proto::store_be<uint16_t>(t + 14, s.window);
  proto::store_be<uint16_t>(t + 16, 0);
  proto::store_be<uint16_t>(t + 18, 0);
  uint8_t* p = t + kTcpMinHeaderLength;
  if (opt) {
    p[0] = 2;
    p[1] = 4;
    proto::store_be<uint16_t>(p + 2, s.mss_option);
    p += opt;
  }
  if (s.payload_length) std::memcpy(p, s.payload, s.payload_length);
  if (s.payload2_length) std::memcpy(p + s.payload_length, s.payload2, s.payload2_length);
  if (mode == ChecksumMode::kOffload) {
    proto::store_be<uint16_t>(ip + 10, 0);
    // The pseudo-header sum, folded but not complemented (what rte_ipv4_phdr_cksum() returns).
    proto::store_be<uint16_t>(
        t + 16, static_cast<uint16_t>(~checksum_fold(tcp_pseudo_sum(s.src_ip, s.dst_ip, tcp_len))));
    return total;
  }
  const uint16_t sum = checksum_fold(checksum_add(tcp_pseudo_sum(s.src_ip, s.dst_ip, tcp_len), t, tcp_len));
  proto::store_be<uint16_t>(t + 16, sum);
  return total;
}

}  // namespace sf::net
