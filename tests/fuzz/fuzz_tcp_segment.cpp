// libFuzzer target: Ethernet/[VLAN]/IPv4/TCP frames through parse_tcp_frame(). An accepted frame's
// payload must lie inside the input, and building the parsed segment again must parse back to the
// same fields (builder and parser agree on every header they both know).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sniperforge/net/tcp_segment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace sf::net;
  TcpSegment seg;
  if (parse_tcp_frame(data, size, seg) != TcpParseError::kOk) return 0;
  if (seg.payload < data || seg.payload + seg.payload_length > data + size) __builtin_trap();
  OutSegment out;
  out.src_ip = seg.src_ip;
  out.dst_ip = seg.dst_ip;
  out.src_port = seg.src_port;
  out.dst_port = seg.dst_port;
  out.seq = seg.seq;
  out.ack = seg.ack;
  out.flags = seg.flags;
  out.window = seg.window;
  out.mss_option = seg.mss;
  out.payload = seg.payload;
  out.payload_length = seg.payload_length;
  std::vector<uint8_t> frame(size + 64);
  const std::size_t n = build_tcp_frame(frame.data(), frame.size(), L2Spec{}, out);
  TcpSegment again;
  if (n == 0 || parse_tcp_frame(frame.data(), n, again) != TcpParseError::kOk) __builtin_trap();
  if (again.seq != seg.seq || again.ack != seg.ack || again.flags != seg.flags ||
      again.window != seg.window || again.mss != seg.mss || again.payload_length != seg.payload_length ||
      std::memcmp(again.payload, seg.payload, seg.payload_length) != 0)
    __builtin_trap();
  return 0;
}
