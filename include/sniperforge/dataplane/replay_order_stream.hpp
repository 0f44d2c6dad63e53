// `[order_session] transport = "none"` (replay, no venue): each shard's orders leave as OUCH 5.0 inside
// SoupBinTCP 4.1 Unsequenced Data packets, one packet per TCP segment, in a synthetic TCP connection
// that starts with a SYN / SYN-ACK / ACK handshake and keeps consistent sequence numbers, so the TX
// pcap reads as a real order session (`tshark -d tcp.port==PORT,soupbintcp`). Nobody answers: the
// venue's half of the handshake is written by us too, and it advertises the largest window (scale 14)
// so a day of orders never fills it. DPDK-free; the executor writes the frames into mbufs.
//
// Addresses: `local_ip` and `venue` (session/config.hpp gives transport "none" defaults for both); shard
// s sends from src_port + s, as the TCP transports connect from. MACs: ours 02:00:00:00:00:01, the
// venue's `gateway_mac` when given, else 02:00:00:00:00:02 (nobody receives these frames). The ISNs are
// fixed per shard: a replay is deterministic, its pcap included.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "sniperforge/dataplane/config.hpp"
#include "sniperforge/dataplane/ouch_order.hpp"
#include "sniperforge/net/tcp_segment.hpp"
#include "sniperforge/proto/soupbintcp.hpp"

namespace sf::dataplane {

inline constexpr std::size_t kReplayTcpHeadersLength =
    net::kEthernetHeaderLength + net::kIpv4MinHeaderLength + net::kTcpMinHeaderLength;
inline constexpr std::size_t kReplayOrderFrameLength = kReplayTcpHeadersLength + kOrderPayloadLength;
inline constexpr std::size_t kReplayCancelFrameLength = kReplayTcpHeadersLength + kCancelPayloadLength;
// SYN and SYN-ACK carry MSS, NOP and window scale (8 option bytes) and no payload; the ACK nothing.
inline constexpr std::size_t kReplayHandshakeFrameLength = kReplayTcpHeadersLength + 8;
[[nodiscard]] constexpr std::size_t replay_handshake_frame_length(unsigned i) noexcept {
  return i == 2 ? kReplayTcpHeadersLength : kReplayHandshakeFrameLength;
}
inline constexpr unsigned kReplayHandshakeFrames = 3;
inline constexpr uint8_t kReplayWindowScale = 14;
inline constexpr net::Mac kReplayLocalMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
inline constexpr net::Mac kReplayVenueMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static_assert(kSessionHeaderLength == soupbintcp::kHeader);

class ReplayOrderStream {
 public:
  ReplayOrderStream() = default;
  ReplayOrderStream(const OrderSessionConfig& c, uint32_t shard) noexcept {
    const order_session::VenueSessionConfig& v = c.soupbintcp;
    client_.ip = net::ipv4(v.local_ip[0], v.local_ip[1], v.local_ip[2], v.local_ip[3]);
    venue_.ip = net::ipv4(v.venue_ip[0], v.venue_ip[1], v.venue_ip[2], v.venue_ip[3]);
    client_.port = static_cast<uint16_t>(c.src_port + shard);
    venue_.port = v.venue_port;
    client_.mac = kReplayLocalMac;
    venue_.mac = v.gateway_mac.value_or(kReplayVenueMac);
    client_.next = 0x53460000u + shard * 0x01000000u;  // "SF": fixed, so the pcap is reproducible
    venue_.next = 0x56000000u + shard * 0x00100000u;
  }

  // Handshake frame i (0 SYN from us, 1 SYN-ACK from the venue, 2 our ACK) into out; its length.
  std::size_t handshake(unsigned i, uint8_t* out) noexcept {
    if (i == 2) return segment(client_, venue_, net::tcp_flag::kAck, {}, out);
    End& from = i == 0 ? client_ : venue_;
    const End& to = i == 0 ? venue_ : client_;
    const uint8_t flags = i == 0 ? net::tcp_flag::kSyn : net::tcp_flag::kSyn | net::tcp_flag::kAck;
    net::OutSegment s = out_segment(from, to, flags);
    s.ack = i == 0 ? 0 : to.next;
    // The window-scale option needs more than build_tcp_frame's MSS option: write a 4-byte option area
    // of MSS, then patch in NOP + window scale after it (both counted in the header length).
    s.mss_option = 1460;
    s.payload = kWindowScaleOption.data();
    s.payload_length = kWindowScaleOption.size();
    const std::size_t n = net::build_tcp_frame(out, kReplayHandshakeFrameLength, l2(from, to), s, ip_id_++);
    uint8_t* tcp = out + net::kEthernetHeaderLength + net::kIpv4MinHeaderLength;
    tcp[12] = static_cast<uint8_t>(((net::kTcpMinHeaderLength + 8) / 4) << 4);
    // The data offset now covers the 4 bytes build_tcp_frame counted as payload: same bytes and TCP
    // length, but the header word changed, so the checksum is computed again.
    const std::size_t tcp_len = net::kTcpMinHeaderLength + 8;
    proto::store_be<uint16_t>(tcp + 16, 0);
    proto::store_be<uint16_t>(tcp + 16, net::checksum_fold(net::checksum_add(
                                            net::tcp_pseudo_sum(s.src_ip, s.dst_ip, tcp_len), tcp, tcp_len)));
    from.next += 1;
    return n;
  }

  // One OUCH Enter Order in a SoupBinTCP Unsequenced Data packet; returns the frame length
  // (kReplayOrderFrameLength) and points `ouch` at the 47 OUCH bytes inside the frame.
  std::size_t enter_order(uint8_t* out, const trade::OrderRequest& r, const uint8_t*& ouch) noexcept {
    std::array<uint8_t, kOrderPayloadLength> p;
    write_unsequenced_header(p.data(), kEnterOrderLength);
    encode_enter_order(p.data() + kSessionHeaderLength, r);
    ouch = out + kReplayTcpHeadersLength + kSessionHeaderLength;
    return segment(client_, venue_, net::tcp_flag::kAck | net::tcp_flag::kPsh, p, out);
  }

  // One OUCH Cancel Order (kill switch); returns the frame length (kReplayCancelFrameLength).
  std::size_t cancel_order(uint8_t* out, uint32_t user_ref_num, uint32_t quantity) noexcept {
    std::array<uint8_t, kCancelPayloadLength> p;
    write_unsequenced_header(p.data(), kCancelOrderLength);
    encode_cancel_order(p.data() + kSessionHeaderLength, {user_ref_num, quantity, 0});
    return segment(client_, venue_, net::tcp_flag::kAck | net::tcp_flag::kPsh, p, out);
  }

  [[nodiscard]] uint16_t venue_port() const noexcept { return venue_.port; }
  [[nodiscard]] uint32_t next_seq() const noexcept { return client_.next; }

 private:
  struct End {
    uint32_t ip = 0;
    uint16_t port = 0;
    net::Mac mac{};
    uint32_t next = 0;  // next sequence number this end sends
  };
  static constexpr std::array<uint8_t, 4> kWindowScaleOption{1, 3, 3, kReplayWindowScale};

  static net::L2Spec l2(const End& from, const End& to) noexcept {
    net::L2Spec s;
    s.src = from.mac;
    s.dst = to.mac;
    return s;
  }
  [[nodiscard]] net::OutSegment out_segment(const End& from, const End& to, uint8_t flags) const noexcept {
    net::OutSegment s;
    s.src_ip = from.ip;
    s.dst_ip = to.ip;
    s.src_port = from.port;
    s.dst_port = to.port;
    s.seq = from.next;
    s.ack = to.next;
    s.flags = flags;
    s.window = 0xffff;
    return s;
  }
  std::size_t segment(End& from, const End& to, uint8_t flags, std::span<const uint8_t> payload,
                      uint8_t* out) noexcept {
    net::OutSegment s = out_segment(from, to, flags);
    s.payload = payload.data();
    s.payload_length = payload.size();
    const std::size_t n =
        net::build_tcp_frame(out, kReplayTcpHeadersLength + payload.size(), l2(from, to), s, ip_id_++);
    from.next += static_cast<uint32_t>(payload.size());
    return n;
  }

  End client_;
  End venue_;
  uint16_t ip_id_ = 0;
};

}  // namespace sf::dataplane
