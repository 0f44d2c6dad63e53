// Counters of one TCP connection: single writer (the lcore or thread that drives it), read by the
// stats thread with relaxed loads. Every segment not delivered is counted under a named reason.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sniperforge/common/counter.hpp"

namespace sf::net {

enum class TcpDrop : uint8_t {
  kMalformed,      // not Ethernet/IPv4/TCP, truncated, bad header or options
  kBadChecksum,    // IPv4 header or TCP checksum
  kOtherSource,    // source or destination IPv4 address is not the connection's
  kWrongPort,      // right addresses, other ports
  kNoConnection,   // nothing open (closed, or a segment that would need a listener)
  kUnexpectedSyn,  // SYN on a synchronized connection (answered by a challenge ACK, RFC 5961)
  kOutOfWindow,    // sequence number outside the receive window (answered by an ACK)
  kBadAck,         // acknowledges data never sent, or far older than SND.UNA
  kNoAckFlag,      // synchronized state, ACK bit off
  kRstNotExact,    // RST in window but not at RCV.NXT (challenge ACK, RFC 5961)
  kOooOverflow,    // out-of-order segment with no reassembly range left
  kOtherVlan,      // untagged, or tagged with another VLAN than the connection's (TcpConfig::vlan_id)
  kCount
};

[[nodiscard]] constexpr std::string_view to_string(TcpDrop d) noexcept {
  constexpr std::array<std::string_view, static_cast<std::size_t>(TcpDrop::kCount)> names{
      "malformed",     "bad_checksum", "other_source", "wrong_port",    "no_connection", "unexpected_syn",
      "out_of_window", "bad_ack",      "no_ack_flag",  "rst_not_exact", "ooo_overflow",  "other_vlan"};
  const auto i = static_cast<std::size_t>(d);
  return i < names.size() ? names[i] : "invalid";
}

struct alignas(kCacheLine) TcpStats {
  Counter segments_in;             // segments that passed the 4-tuple check
  Counter segments_out;            // everything emitted, retransmissions included
  Counter bytes_sent;              // new payload bytes sent (retransmissions not counted again)
  Counter bytes_received;          // payload bytes delivered in order
  Counter retransmitted_segments;  // RTO, fast retransmit and post-loss partial-ACK retransmissions
  Counter fast_retransmits;        // triggered by the third duplicate ACK
  Counter timeouts;                // retransmission timer expiries (each one backs off)
  Counter spurious_timeouts;       // expiries undone: the original segments were acknowledged
  Counter timeouts_deferred;       // expiries found after a host stall, given stall_gap_ns more
  Counter duplicate_acks;
  Counter duplicate_segments;  // data entirely below RCV.NXT (the peer retransmitted): re-ACKed
  Counter ooo_segments;        // buffered out of order
  Counter zero_window_probes;
  Counter challenge_acks;
  Counter answers_suppressed;  // answers to invalid segments over invalid_answers_per_s
  Counter connects;
  Counter resets_received;
  Counter srtt_ns;  // gauge: smoothed RTT
  Counter rto_ns;   // gauge: current retransmission timeout
  Counter cwnd;     // gauge: congestion window, bytes
  std::array<Counter, static_cast<std::size_t>(TcpDrop::kCount)> drops;

  void drop(TcpDrop d) noexcept { drops[static_cast<std::size_t>(d)].add(); }
  [[nodiscard]] uint64_t dropped(TcpDrop d) const noexcept {
    return drops[static_cast<std::size_t>(d)].load();
  }
};

}  // namespace sf::net
