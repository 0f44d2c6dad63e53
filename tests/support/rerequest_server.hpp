// The scripted MoldUDP64 re-request server at the other end of an RxProcessor's wire, for DPDK-free tests of
// [feed.rewind]: its addresses and ours, the [feed.rewind] settings that point at it, its ARP reply to our
// request, and its answer to a request, built from the messages the test holds by sequence number.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "sniperforge/dataplane/feed_recovery.hpp"
#include "sniperforge/net/ipv4_frame.hpp"
#include "sniperforge/proto/moldudp64.hpp"

namespace sf::testing::rerequest_server {

inline constexpr uint32_t kLocalIp = net::ipv4(10, 0, 0, 1), kServerIp = net::ipv4(10, 0, 0, 2);
inline constexpr uint16_t kServerPort = 26400;  // the server's, and our source port
inline const net::Mac kLocalMac{2, 0, 0, 0, 0, 1}, kServerMac{2, 0, 0, 0, 0, 2};

// Recovery through this server: `timeout` and `retries` as the test wants, requests at most 1 tick apart,
// ARP retried every 1000 ticks, at most `max_held` live messages held meanwhile.
inline dataplane::FeedRecoverySettings settings(uint64_t timeout, uint32_t retries, uint64_t max_held) {
  return {.server_ip = kServerIp,
          .server_port = kServerPort,
          .local_ip = kLocalIp,
          .local_port = kServerPort,
          .local_mac = kLocalMac,
          .timeout = timeout,
          .retries = retries,
          .min_interval = 1,
          .arp_retry = 1000,
          .max_held_messages = max_held};
}

// The server's ARP reply (kServerIp is at kServerMac) to us.
inline std::vector<uint8_t> arp_reply() {
  std::vector<uint8_t> f(64, 0);
  const std::size_t off = net::write_l2(f.data(), kLocalMac, kServerMac, false, 0, net::kEtherTypeArp);
  uint8_t* a = f.data() + off;
  proto::store_be<uint16_t>(a, 1);
  proto::store_be<uint16_t>(a + 2, net::kEtherTypeIpv4);
  a[4] = 6;
  a[5] = 4;
  proto::store_be<uint16_t>(a + 6, 2);
  std::memcpy(a + 8, kServerMac.data(), 6);
  proto::store_be<uint32_t>(a + 14, kServerIp);
  std::memcpy(a + 18, kLocalMac.data(), 6);
  proto::store_be<uint32_t>(a + 24, kLocalIp);
  return f;
}

// The server's answer to `r` in `session`: the requested messages from r.sequence on, as many as one
// 1472-byte payload carries, up to the first one message(seq) does not have (an empty span).
template <class MessageBySequence>
std::vector<uint8_t> answer_frame(std::string_view session, const mold::Request& r,
                                  MessageBySequence message) {
  std::vector<uint8_t> payload(1472);
  mold::PacketBuilder b(payload.data(), payload.size(), session, r.sequence);
  for (uint64_t s = r.sequence; s < r.sequence + r.count; ++s) {
    const std::span<const uint8_t> m = message(s);
    if (m.empty() || !b.add(m.data(), m.size())) break;
  }
  payload.resize(b.finish());
  const net::UdpFrameSpec spec{.dst_mac = kLocalMac,
                               .src_mac = kServerMac,
                               .src_ip = kServerIp,
                               .dst_ip = kLocalIp,
                               .src_port = kServerPort,
                               .dst_port = kServerPort};
  std::vector<uint8_t> frame(1600);
  frame.resize(net::build_udp_frame(frame.data(), frame.size(), spec, payload.data(), payload.size()));
  return frame;
}

}  // namespace sf::testing::rerequest_server
