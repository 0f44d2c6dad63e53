// OUCH 5.0 Enter Order and Cancel Order bytes, each in a SoupBinTCP 4.1 Unsequenced Data packet (u16
// length, type 'U', the message), as every order transport sends them: transport "none"'s synthetic TCP
// stream (replay_order_stream.hpp), the DPDK TCP client and the kernel session. DPDK-free.
//
// ClOrdID carries the triggering MoldUDP64 sequence number as 14 zero-padded decimal digits, so
// an order captured on the wire can be matched to its trigger (orders CSV `seq` column).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/proto/soupbintcp.hpp"
#include "sniperforge/trade/control.hpp"
#include "sniperforge/trade/order_request.hpp"

namespace sf::dataplane {

inline constexpr std::size_t kEnterOrderLength = 47;
inline constexpr std::size_t kSessionHeaderLength = soupbintcp::kHeader;  // u16 length + packet type
inline constexpr std::size_t kOrderPayloadLength = kSessionHeaderLength + kEnterOrderLength;
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

// The 3-byte SoupBinTCP header of an Unsequenced Data packet carrying `message_length` bytes of OUCH.
inline void write_unsequenced_header(uint8_t* out, std::size_t message_length) noexcept {
  proto::store_be<uint16_t>(out, static_cast<uint16_t>(message_length + 1));
  out[2] = static_cast<uint8_t>(soupbintcp::type::kUnsequencedData);
}

// OUCH 5.0 Cancel Order (kill switch, sf-ctl kill): one 'U' packet carrying the 9-byte 'X' message.
inline constexpr std::size_t kCancelOrderLength = ouch::inbound::msg::CancelOrder::kFixedLength;
inline constexpr std::size_t kCancelPayloadLength = kSessionHeaderLength + kCancelOrderLength;

// Writes the 9-byte OUCH 5.0 Cancel Order for `c` at `out` (quantity 0: cancel what is left).
inline void encode_cancel_order(uint8_t* out, const trade::CancelRequest& c) noexcept {
  ouch::inbound::msg::CancelOrder m;
  m.user_ref_num = c.user_ref_num;
  m.quantity = c.quantity;
  (void)m.encode(out);
}

}  // namespace sf::dataplane
