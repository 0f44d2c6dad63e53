// ARP (RFC 826, gratuitous ARP per RFC 5227's announcement) and ICMP echo reply (RFC 792).
#include "sniperforge/net/neighbours.hpp"

#include <cstring>

namespace sf::net {

namespace {
constexpr std::size_t kArpLength = 28;
constexpr uint16_t kArpRequest = 1;
constexpr uint16_t kArpReply = 2;
constexpr Mac kBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr std::size_t kIcmpHeaderLength = 8;
}  // namespace

std::string_view to_string(NeighbourDrop d) noexcept {
  switch (d) {
    case NeighbourDrop::kMalformed:
      return "malformed";
    case NeighbourDrop::kOtherVlan:
      return "other_vlan";
    case NeighbourDrop::kNotForUs:
      return "not_for_us";
    case NeighbourDrop::kOversizeEcho:
      return "oversize_echo";
    case NeighbourDrop::kCount:
      break;
  }
  return "invalid";
}

Neighbours::Neighbours(const NeighbourConfig& config, FrameSink& sink) noexcept
    : config_(config), sink_(sink) {}

void Neighbours::start(uint64_t now) noexcept {
  // Announcement: sender and target protocol address both ours, to broadcast.
  send_arp(kArpRequest, kBroadcast, Mac{}, config_.local_ip, config_.local_ip);
  stats_.gratuitous_arps_sent.add();
  failed_ = false;
  requests_sent_ = 0;
  if (config_.static_mac) {
    next_hop_mac_ = *config_.static_mac;
    resolved_ = true;
    return;
  }
  resolved_ = false;
  send_request(now);
}

void Neighbours::send_request(uint64_t now) noexcept {
  send_arp(kArpRequest, kBroadcast, Mac{}, config_.next_hop, config_.local_ip);
  stats_.arp_requests_sent.add();
  ++requests_sent_;
  next_request_ = now + config_.arp_retry_ns;
}

void Neighbours::poll(uint64_t now) noexcept {
  if (resolved_ || failed_ || requests_sent_ == 0 || now < next_request_) return;
  if (requests_sent_ >= config_.arp_max_requests) {
    failed_ = true;
    stats_.resolution_failures.add();
    return;
  }
  send_request(now);
}

void Neighbours::send_arp(uint16_t op, const Mac& eth_dst, const Mac& target_mac, uint32_t target_ip,
                          uint32_t sender_ip) noexcept {
  uint8_t* f = frame_.data();
  const std::size_t off =
      write_l2(f, eth_dst, config_.local_mac, config_.has_vlan, config_.vlan_id, kEtherTypeArp);
  uint8_t* a = f + off;
  proto::store_be<uint16_t>(a, 1);  // Ethernet
  proto::store_be<uint16_t>(a + 2, kEtherTypeIpv4);
  a[4] = 6;
  a[5] = 4;
  proto::store_be<uint16_t>(a + 6, op);
  std::memcpy(a + 8, config_.local_mac.data(), 6);
  proto::store_be<uint32_t>(a + 14, sender_ip);
  std::memcpy(a + 18, target_mac.data(), 6);
  proto::store_be<uint32_t>(a + 24, target_ip);
  std::size_t len = off + kArpLength;
  if (len < 60) {  // pad to the Ethernet minimum (without FCS)
    std::memset(f + len, 0, 60 - len);
    len = 60;
  }
  sink_.emit_frame({f, len});
}

Neighbours::Handled Neighbours::on_frame(const uint8_t* frame, std::size_t length, uint64_t now) noexcept {
  (void)now;
  L2Frame l2;
  if (!parse_l2(frame, length, l2)) return Handled::kNotMine;
  if (l2.ether_type != kEtherTypeArp && l2.ether_type != kEtherTypeIpv4) return Handled::kNotMine;
  const bool vlan_ok =
      config_.has_vlan ? (l2.vlan_tags > 0 && l2.vlan_id == config_.vlan_id) : l2.vlan_tags == 0;
  if (l2.ether_type == kEtherTypeArp) {
    if (!vlan_ok) return drop(NeighbourDrop::kOtherVlan);
    return on_arp(l2, frame + l2.l3_offset, length - l2.l3_offset);
  }
  Ipv4Packet ip;
  if (parse_ipv4(frame + l2.l3_offset, length - l2.l3_offset, ip) != Ipv4Error::kOk) return Handled::kNotMine;
  if (ip.protocol != kIpProtoIcmp) return Handled::kNotMine;
  if (!vlan_ok) return drop(NeighbourDrop::kOtherVlan);
  return on_icmp(l2, ip);
}

Neighbours::Handled Neighbours::on_arp(const L2Frame& l2, const uint8_t* a, std::size_t length) noexcept {
  (void)l2;
  if (length < kArpLength || proto::load_be16(a) != 1 || proto::load_be16(a + 2) != kEtherTypeIpv4 ||
      a[4] != 6 || a[5] != 4)
    return drop(NeighbourDrop::kMalformed);
  const uint16_t op = proto::load_be16(a + 6);
  Mac sender_mac;
  std::memcpy(sender_mac.data(), a + 8, 6);
  const uint32_t sender_ip = proto::load_be32(a + 14);
  const uint32_t target_ip = proto::load_be32(a + 24);
  // Learn the next hop from any ARP it sends (request, reply or announcement), unless configured.
  const bool from_next_hop = sender_ip == config_.next_hop && !config_.static_mac;
  if (from_next_hop) {
    next_hop_mac_ = sender_mac;
    if (!resolved_) stats_.arp_replies_received.add();
    resolved_ = true;
    failed_ = false;
  }
  if (op == kArpRequest && target_ip == config_.local_ip && sender_ip != config_.local_ip) {
    send_arp(kArpReply, sender_mac, sender_mac, sender_ip, config_.local_ip);
    stats_.arp_requests_answered.add();
    return Handled::kArp;
  }
  if (from_next_hop) return Handled::kArp;
  if (op != kArpRequest && op != kArpReply) return drop(NeighbourDrop::kMalformed);
  return drop(NeighbourDrop::kNotForUs);
}

Neighbours::Handled Neighbours::on_icmp(const L2Frame& l2, const Ipv4Packet& ip) noexcept {
  if (ip.dst != config_.local_ip) return drop(NeighbourDrop::kNotForUs);
  if (ip.payload_length < kIcmpHeaderLength ||
      checksum_fold(checksum_add(0, ip.payload, ip.payload_length)) != 0)
    return drop(NeighbourDrop::kMalformed);
  if (ip.payload[0] != 8 || ip.payload[1] != 0) return drop(NeighbourDrop::kNotForUs);  // only echo requests
  const std::size_t l2_len = kEthernetHeaderLength + (config_.has_vlan ? kVlanTagLength : 0);
  if (l2_len + kIpv4MinHeaderLength + ip.payload_length > frame_.size())
    return drop(NeighbourDrop::kOversizeEcho);
  uint8_t* f = frame_.data();
  write_l2(f, l2.src, config_.local_mac, config_.has_vlan, config_.vlan_id, kEtherTypeIpv4);
  write_ipv4(f + l2_len, config_.local_ip, ip.src, kIpProtoIcmp, ip.payload_length, ip_id_++);
  uint8_t* icmp = f + l2_len + kIpv4MinHeaderLength;
  std::memcpy(icmp, ip.payload, ip.payload_length);  // identifier, sequence and data echoed as they came
  icmp[0] = 0;                                       // echo reply
  proto::store_be<uint16_t>(icmp + 2, 0);
  proto::store_be<uint16_t>(icmp + 2, checksum_fold(checksum_add(0, icmp, ip.payload_length)));
  sink_.emit_frame({f, l2_len + kIpv4MinHeaderLength + ip.payload_length});
  stats_.icmp_echo_answered.add();
  return Handled::kIcmp;
}

}  // namespace sf::net
