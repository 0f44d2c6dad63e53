// The neighbour layer of a port the appliance owns (no kernel behind it): answers ARP requests for
// our IPv4 address, resolves the peer (or gateway) by ARP with bounded retries unless a static MAC
// is configured, announces itself with a gratuitous ARP at start, and answers ICMP echo requests.
// Frames are tagged with the configured VLAN and untagged/other-VLAN frames are not ours. Like the
// TCP connection it never reads a clock (the caller passes `now`, ns) and never does I/O (frames go
// to the caller's FrameSink).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/net/ipv4_frame.hpp"

namespace sf::net {

// Where the neighbour layer's frames go; the span is valid only during the call.
class FrameSink {
 public:
  virtual void emit_frame(std::span<const uint8_t> frame) noexcept = 0;

 protected:
  ~FrameSink() = default;
};

struct NeighbourConfig {
  Mac local_mac{};
  uint32_t local_ip = 0;          // host order
  uint32_t next_hop = 0;          // the peer, or the gateway towards it
  std::optional<Mac> static_mac;  // configured neighbour MAC: no ARP resolution
  bool has_vlan = false;
  uint16_t vlan_id = 0;
  uint64_t arp_retry_ns = 1'000'000'000;
  uint32_t arp_max_requests = 5;  // then resolution_failed() until start() again
};

enum class NeighbourDrop : uint8_t {
  kMalformed,     // truncated ARP/IPv4/ICMP, bad IPv4 or ICMP checksum, unsupported ARP hardware
  kOtherVlan,     // tagged differently from the configuration
  kNotForUs,      // ARP or ICMP for another address
  kOversizeEcho,  // echo request too large to answer from our frame buffer
  kCount
};
[[nodiscard]] std::string_view to_string(NeighbourDrop d) noexcept;

struct alignas(kCacheLine) NeighbourStats {
  Counter arp_requests_sent;
  Counter arp_requests_answered;
  Counter arp_replies_received;
  Counter gratuitous_arps_sent;
  Counter icmp_echo_answered;
  Counter resolution_failures;
  std::array<Counter, static_cast<std::size_t>(NeighbourDrop::kCount)> drops;
  [[nodiscard]] uint64_t dropped(NeighbourDrop d) const noexcept {
    return drops[static_cast<std::size_t>(d)].load();
  }
};

class Neighbours {
 public:
  // What on_frame() did with a frame.
  enum class Handled : uint8_t { kNotMine, kArp, kIcmp, kDropped };

  Neighbours(const NeighbourConfig& config, FrameSink& sink) noexcept;

  // Gratuitous ARP, then (without a static MAC) the first ARP request for next_hop.
  void start(uint64_t now) noexcept;
  // ARP and ICMP echo for us are handled here; everything else (TCP, other EtherTypes) is kNotMine
  // and goes on to the connection.
  Handled on_frame(const uint8_t* frame, std::size_t length, uint64_t now) noexcept;
  // Retries the ARP request every arp_retry_ns, at most arp_max_requests times.
  void poll(uint64_t now) noexcept;

  [[nodiscard]] bool resolved() const noexcept { return resolved_; }
  [[nodiscard]] bool resolution_failed() const noexcept { return failed_; }
  [[nodiscard]] const Mac& next_hop_mac() const noexcept { return next_hop_mac_; }
  [[nodiscard]] const NeighbourStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const NeighbourConfig& config() const noexcept { return config_; }

 private:
  Handled on_arp(const L2Frame& l2, const uint8_t* arp, std::size_t length) noexcept;
  Handled on_icmp(const L2Frame& l2, const Ipv4Packet& ip) noexcept;
  void send_arp(uint16_t op, const Mac& eth_dst, const Mac& target_mac, uint32_t target_ip,
                uint32_t sender_ip) noexcept;
  void send_request(uint64_t now) noexcept;
  Handled drop(NeighbourDrop d) noexcept {
    stats_.drops[static_cast<std::size_t>(d)].add();
    return Handled::kDropped;
  }

  NeighbourConfig config_;
  FrameSink& sink_;
  NeighbourStats stats_;
  Mac next_hop_mac_{};
  bool resolved_ = false;
  bool failed_ = false;
  uint32_t requests_sent_ = 0;
  uint64_t next_request_ = 0;
  uint16_t ip_id_ = 0;
  std::array<uint8_t, 1518> frame_{};  // one outgoing frame at a time
};

}  // namespace sf::net
