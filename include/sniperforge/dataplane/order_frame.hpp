// OUCH 5.0 Enter Order frames built from a prebuilt Ethernet/IPv4/UDP template (DPDK-free).
//
// Frame = headers from [order_session] · order-session packet (u16 length, type 'U' Unsequenced
// Data) · OUCH 'O' Enter Order (47 bytes, no appendage). Every frame has the same length, so
// the IPv4 header (ip id 0, DF) and its checksum are computed once in the template; only the
// OUCH fields and the UDP checksum change per order.
//
// ClOrdID carries the triggering MoldUDP64 sequence number as 14 zero-padded decimal digits, so
// an order captured on the wire can be matched to its trigger (orders CSV `seq` column).
// Shard s's order session uses UDP source port src_port + s (one session per shard/engine).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sniperforge/dataplane/config.hpp"
#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/net.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/proto/soupbintcp.hpp"
#include "sniperforge/trade/control.hpp"
#include "sniperforge/trade/order_request.hpp"

namespace sf::dataplane {

inline constexpr std::size_t kEnterOrderLength = 47;
inline constexpr std::size_t kSessionHeaderLength = soupbintcp::kHeader;  // u16 length + packet type
inline constexpr std::size_t kOrderPayloadLength = kSessionHeaderLength + kEnterOrderLength;
inline constexpr std::size_t kOrderHeadersLength =
    net::kEthernetHeaderLength + net::kIpv4MinHeaderLength + net::kUdpHeaderLength;
inline constexpr std::size_t kOrderFrameLength = kOrderHeadersLength + kOrderPayloadLength;
inline constexpr std::size_t kClOrdIdLength = 14;
static_assert(kEnterOrderLength == ouch::inbound::msg::EnterOrder::kFixedLength);

// Writes the 47-byte OUCH 5.0 Enter Order for `r` at `out` (the proto layer's OUCH encoder).
inline void encode_enter_order(uint8_t* out, const trade::OrderRequest& r) noexcept {
  ouch::inbound::msg::EnterOrder m;
  m.user_ref_num = r.user_ref_num;
  m.side = r.side;
  m.quantity = r.shares;
  m.symbol.c = r.symbol;
  m.price = r.price;
  m.time_in_force = r.tif;
  m.display = 'Y';
  m.capacity = 'P';  // principal
  m.intermarket_sweep_eligibility = 'N';
  m.cross_type = 'N';
  uint64_t seq = r.trigger_seq;
  for (int i = static_cast<int>(kClOrdIdLength) - 1; i >= 0; --i) {
    m.cl_ord_id.c[static_cast<std::size_t>(i)] = static_cast<char>('0' + seq % 10);
    seq /= 10;
  }
  (void)m.encode(out);
}

// Trigger sequence number carried in an Enter Order's ClOrdID (see above); false if not digits.
[[nodiscard]] inline bool trigger_seq_from_cl_ord_id(std::string_view id, uint64_t& seq) noexcept {
  if (id.size() != kClOrdIdLength) return false;
  seq = 0;
  for (char c : id) {
    if (c < '0' || c > '9') return false;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

// The UDP/IPv4/Ethernet headers of shard `shard`'s order session (source port src_port + shard); the UDP
// checksum is left to write_udp_checksum() or the NIC.
inline net::UdpFrameSpec session_udp_spec(const OrderSessionConfig& c, uint32_t shard) noexcept {
  net::UdpFrameSpec s;
  s.dst_mac = c.dst_mac;
  s.src_mac = c.src_mac;
  s.src_ip = net::ipv4(c.src_ip[0], c.src_ip[1], c.src_ip[2], c.src_ip[3]);
  s.dst_ip = net::ipv4(c.dst_ip[0], c.dst_ip[1], c.dst_ip[2], c.dst_ip[3]);
  s.src_port = static_cast<uint16_t>(c.src_port + shard);
  s.dst_port = c.dst_port;
  s.ttl = c.ttl;
  s.udp_checksum = false;
  return s;
}

// Software UDP checksum of a frame built over session_udp_spec() headers carrying `payload_length` bytes.
inline void write_udp_checksum(uint8_t* frame, std::size_t payload_length) noexcept {
  uint8_t* ip = frame + net::kEthernetHeaderLength;
  uint8_t* udp = ip + net::kIpv4MinHeaderLength;
  const std::size_t udp_len = net::kUdpHeaderLength + payload_length;
  uint32_t sum = net::checksum_add(0, ip + 12, 8);
  sum += net::kIpProtoUdp;
  sum += static_cast<uint32_t>(udp_len);
  sum = net::checksum_add(sum, udp, udp_len);
  const uint16_t c = net::checksum_fold(sum);
  proto::store_be<uint16_t>(udp + 6, c == 0 ? 0xffff : c);
}

// The 3-byte SoupBinTCP header of an Unsequenced Data packet carrying `message_length` bytes of OUCH.
inline void write_unsequenced_header(uint8_t* out, std::size_t message_length) noexcept {
  proto::store_be<uint16_t>(out, static_cast<uint16_t>(message_length + 1));
  out[2] = static_cast<uint8_t>(soupbintcp::type::kUnsequencedData);
}

class OrderFrameTemplate {
 public:
  OrderFrameTemplate() = default;
  // `shard` selects the session's source port (src_port + shard).
  OrderFrameTemplate(const OrderSessionConfig& c, uint32_t shard, bool software_udp_checksum)
      : udp_checksum_(software_udp_checksum) {
    (void)net::write_udp_headers(bytes_.data(), session_udp_spec(c, shard), kOrderPayloadLength);
    write_unsequenced_header(bytes_.data() + kOrderHeadersLength, kEnterOrderLength);
  }

  // Writes the whole frame (kOrderFrameLength bytes) for one order.
  void build(uint8_t* out, const trade::OrderRequest& r) const noexcept {
    std::memcpy(out, bytes_.data(), kOrderHeadersLength + kSessionHeaderLength);
    encode_enter_order(out + kOrderHeadersLength + kSessionHeaderLength, r);
    if (udp_checksum_) write_udp_checksum(out, kOrderPayloadLength);
  }
  [[nodiscard]] const uint8_t* bytes() const noexcept { return bytes_.data(); }

 private:
  alignas(64) std::array<uint8_t, kOrderFrameLength> bytes_{};
  bool udp_checksum_ = true;
};

// OUCH 5.0 Cancel Order frames (kill switch, sf-ctl kill): the same headers as the shard's Enter Order
// frames, one 'U' packet carrying the 9-byte 'X' message (quantity 0: cancel what is left).
inline constexpr std::size_t kCancelOrderLength = ouch::inbound::msg::CancelOrder::kFixedLength;
inline constexpr std::size_t kCancelPayloadLength = kSessionHeaderLength + kCancelOrderLength;
inline constexpr std::size_t kCancelFrameLength = kOrderHeadersLength + kCancelPayloadLength;

// Writes the 9-byte OUCH 5.0 Cancel Order for `c` at `out` (quantity 0: cancel what is left).
inline void encode_cancel_order(uint8_t* out, const trade::CancelRequest& c) noexcept {
  ouch::inbound::msg::CancelOrder m;
  m.user_ref_num = c.user_ref_num;
  m.quantity = c.quantity;
  (void)m.encode(out);
}

class CancelFrameTemplate {
 public:
  CancelFrameTemplate() = default;
  CancelFrameTemplate(const OrderSessionConfig& c, uint32_t shard, bool software_udp_checksum)
      : udp_checksum_(software_udp_checksum) {
    (void)net::write_udp_headers(bytes_.data(), session_udp_spec(c, shard), kCancelPayloadLength);
    write_unsequenced_header(bytes_.data() + kOrderHeadersLength, kCancelOrderLength);
  }

  // Writes the whole frame (kCancelFrameLength bytes).
  void build(uint8_t* out, uint32_t user_ref_num, uint32_t quantity) const noexcept {
    std::memcpy(out, bytes_.data(), kOrderHeadersLength + kSessionHeaderLength);
    encode_cancel_order(out + kOrderHeadersLength + kSessionHeaderLength, {user_ref_num, quantity, 0});
    if (udp_checksum_) write_udp_checksum(out, kCancelPayloadLength);
  }

 private:
  std::array<uint8_t, kCancelFrameLength> bytes_{};
  bool udp_checksum_ = true;
};

}  // namespace sf::dataplane
