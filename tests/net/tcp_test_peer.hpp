// Test helpers for the TCP connection: a sink that keeps copies of what the connection emits, and a
// scripted peer that builds the segments a kernel would send back.
#pragma once

#include <cstdint>
#include <vector>

#include "sniperforge/net/tcp_connection.hpp"

namespace sf::net::testing {

inline constexpr uint32_t kLocalIp = 0x0a000001;   // 10.0.0.1
inline constexpr uint32_t kRemoteIp = 0x0a000002;  // 10.0.0.2
inline constexpr uint16_t kLocalPort = 40000;
inline constexpr uint16_t kRemotePort = 15000;
inline constexpr uint32_t kIsn = 0xfffff000;  // wraps around 2^32 within the first 4 KiB
inline constexpr uint32_t kPeerIsn = 0x7ffffff0;

struct Sent {
  uint32_t seq, ack;
  uint8_t flags;
  uint16_t window, mss;
  std::vector<uint8_t> payload;
  bool has(uint8_t f) const { return (flags & f) != 0; }
};

class CaptureSink : public SegmentSink {
 public:
  void emit(const OutSegment& s) noexcept override {
    Sent c{s.seq, s.ack, s.flags, s.window, s.mss_option, {}};
    c.payload.assign(s.payload, s.payload + s.payload_length);
    if (s.payload2_length) c.payload.insert(c.payload.end(), s.payload2, s.payload2 + s.payload2_length);
    sent.push_back(std::move(c));
  }
  std::vector<Sent> take() {
    std::vector<Sent> out;
    out.swap(sent);
    return out;
  }
  std::vector<Sent> sent;
};

inline TcpConfig test_config() {
  TcpConfig c;
  c.local_ip = kLocalIp;
  c.remote_ip = kRemoteIp;
  c.local_port = kLocalPort;
  c.remote_port = kRemotePort;
  c.mss = 1000;
  c.send_buffer = 16 * 1024;
  c.receive_buffer = 8 * 1024;
  c.rto.min_ns = 200'000'000;
  c.max_retransmits = 4;
  c.max_syn_retransmits = 2;
  return c;
}

// A segment from the peer; payload bytes live in the caller's storage.
inline TcpSegment peer_segment(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window = 65535,
                               const std::vector<uint8_t>* payload = nullptr) {
  TcpSegment s;
  s.src_ip = kRemoteIp;
  s.dst_ip = kLocalIp;
  s.src_port = kRemotePort;
  s.dst_port = kLocalPort;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  s.window = window;
  if (payload) {
    s.payload = payload->data();
    s.payload_length = payload->size();
  }
  return s;
}

inline std::vector<uint8_t> pattern(std::size_t n, uint8_t salt = 0) {
  std::vector<uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + salt + (i >> 8));
  return v;
}

// Runs the handshake at t=0 (SYN) / t=1 ms (SYN-ACK); the peer's next sequence is kPeerIsn + 1.
inline void establish(TcpConnection& c, CaptureSink& sink, uint16_t peer_window = 65535,
                      uint16_t peer_mss = 1000) {
  c.connect(0, kIsn);
  TcpSegment synack = peer_segment(kPeerIsn, kIsn + 1, tcp_flag::kSyn | tcp_flag::kAck, peer_window);
  synack.mss = peer_mss;
  c.on_segment(synack, 1'000'000);
  sink.take();
}

inline constexpr uint32_t kPeerNext = kPeerIsn + 1;  // the peer's next sequence after establish()
inline constexpr uint32_t kFirst = kIsn + 1;         // our first data byte
inline constexpr uint64_t kMs = 1'000'000;

// A connection and its sink, and the peer's pure ACK: what every connection test fixture holds.
struct ConnectionUnderTest {
  CaptureSink sink;
  TcpConnection c{test_config(), sink};
  void ack(uint32_t a, uint64_t now, uint16_t window = 65535) {
    c.on_segment(peer_segment(kPeerNext, a, tcp_flag::kAck, window), now);
  }
};

}  // namespace sf::net::testing
