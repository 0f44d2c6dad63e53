// Reading back what the appliance sent (its TX pcap): the OUCH 5.0 messages from us to the venue, in the
// order they left. One decoder for every tool and test that reads TX pcaps (sf-tx-orders, sf-pcap orders).
// SoupBinTCP 4.1 over TCP (transport "none"'s synthetic stream, and the DPDK TCP client): per connection
// (4-tuple, from its SYN) the stream is reassembled by sequence number, so a retransmitted or duplicated
// segment is read once and a SoupBinTCP packet split across segments is whole; only Unsequenced Data
// packets from the client side carry OUCH.
// Anything else (the venue's half of a handshake, ARP, other traffic) is counted as skipped.
// DPDK-free; allocates (a map of connections): tools and tests only, never the data plane.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <tuple>

#include "sniperforge/net/tcp_segment.hpp"
#include "sniperforge/proto/net.hpp"
#include "sniperforge/proto/soupbintcp.hpp"

namespace sf::dataplane {

class TxCaptureDecoder {
 public:
  struct Counts {
    uint64_t frames = 0;
    uint64_t messages = 0;             // OUCH messages delivered
    uint64_t skipped = 0;              // frames that carried no client-to-venue order-session bytes
    uint64_t tcp_bytes_unordered = 0;  // stream bytes ahead of a hole (never seen in our own streams)
  };

  // on_message(std::span<const uint8_t> ouch) for every OUCH message the frame completes.
  template <class OnMessage>
  void frame(const uint8_t* f, std::size_t len, OnMessage&& on_message) {
    ++counts_.frames;
    net::TcpSegment seg;
    if (net::parse_tcp_frame(f, len, seg) == net::TcpParseError::kOk) return tcp(seg, on_message);
    ++counts_.skipped;
  }

  [[nodiscard]] const Counts& counts() const noexcept { return counts_; }

 private:
  using Key = std::tuple<uint32_t, uint32_t, uint16_t, uint16_t>;  // src ip, dst ip, src port, dst port
  struct Stream {
    uint32_t next = 0;  // next byte expected
    std::unique_ptr<soupbintcp::StreamReassembler> soup =
        std::make_unique<soupbintcp::StreamReassembler>(soupbintcp::Direction::kClientToServer);
  };

  template <class OnMessage>
  void tcp(const net::TcpSegment& seg, OnMessage& on_message) {
    const Key key{seg.src_ip, seg.dst_ip, seg.src_port, seg.dst_port};
    if (seg.has(net::tcp_flag::kSyn)) {
      // Our SYN opens a stream; the venue's SYN-ACK is the other direction and carries no orders.
      if (!seg.has(net::tcp_flag::kAck)) {
        Stream& s = streams_[key];
        s.next = seg.seq + 1;
        s.soup->reset();
      }
      ++counts_.skipped;
      return;
    }
    const auto it = streams_.find(key);
    if (it == streams_.end() || seg.payload_length == 0) {
      ++counts_.skipped;
      return;
    }
    Stream& s = it->second;
    // Only the bytes at s.next onwards are new (retransmissions overlap what we have).
    const uint32_t offset = s.next - seg.seq;
    if (static_cast<int32_t>(offset) < 0) {
      counts_.tcp_bytes_unordered += seg.payload_length;
      ++counts_.skipped;
      return;
    }
    if (offset >= seg.payload_length) {
      ++counts_.skipped;
      return;
    }
    const std::span<const uint8_t> fresh(seg.payload + offset, seg.payload_length - offset);
    s.next += static_cast<uint32_t>(fresh.size());
    s.soup->feed(fresh, [&](const soupbintcp::Packet& p) {
      if (p.type != soupbintcp::type::kUnsequencedData) return;
      ++counts_.messages;
      on_message(p.payload);
    });
  }

  std::map<Key, Stream> streams_;
  Counts counts_;
};

}  // namespace sf::dataplane
