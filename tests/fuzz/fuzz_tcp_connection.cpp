// libFuzzer target: the TCP connection driven by a script read from the input: peer segments with
// sequence and acknowledgement numbers near what the connection expects (or anywhere), raw frames,
// sends, reads, clock jumps, close/abort/reconnect. Checks: every emitted segment builds into a
// frame that parses back; buffers stay within their bounds; and the bytes delivered in order are
// exactly the peer's stream (the scripted peer's byte at sequence s is a function of s, so any
// reassembly error shows).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sniperforge/net/tcp_connection.hpp"

namespace {
using namespace sf::net;

uint8_t peer_byte(uint32_t seq) {
  return static_cast<uint8_t>(seq * 2654435761u >> 24);
}

struct Script {
  const uint8_t* p;
  std::size_t n;
  uint8_t u8() { return n ? (--n, *p++) : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint32_t u32() { return static_cast<uint32_t>(u16()) | (static_cast<uint32_t>(u16()) << 16); }
};

struct CheckingSink : SegmentSink {
  uint32_t last_seq = 0, last_ack = 0;
  uint8_t frame[4096];
  void emit(const OutSegment& s) noexcept override {
    const std::size_t n = build_tcp_frame(frame, sizeof frame, L2Spec{}, s);
    TcpSegment back;
    if (n == 0 || parse_tcp_frame(frame, n, back) != TcpParseError::kOk || back.seq != s.seq)
      __builtin_trap();
    last_seq = s.seq + static_cast<uint32_t>(s.total_payload());
    if (s.flags & tcp_flag::kAck) last_ack = s.ack;
  }
};

constexpr uint32_t kLocal = 0x0a000001, kRemote = 0x0a000002;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  Script in{data, size};
  TcpConfig cfg;
  cfg.local_ip = kLocal;
  cfg.remote_ip = kRemote;
  cfg.local_port = 40000;
  cfg.remote_port = 15000;
  cfg.mss = static_cast<uint16_t>(64 + in.u8());
  cfg.send_buffer = 4096;
  cfg.receive_buffer = 2048;
  const uint8_t options = in.u8();
  cfg.delayed_ack_ns = options & 1 ? 1000 : 0;
  cfg.stall_gap_ns = options & 2 ? 1'000'000 : 0;  // the host-stall guard on in half the runs
  CheckingSink sink;
  TcpConnection c(cfg, sink);
  uint64_t now = 0;
  c.connect(now, in.u32());
  bool trusted = true;  // no raw frame was accepted: the stream must be the scripted peer's
  bool synced = false;
  uint32_t next_byte_seq = 0;  // peer sequence number of the next byte read()
  std::vector<uint8_t> buf(3000);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<uint8_t>(i);
  while (in.n) {
    const uint8_t op = in.u8() % 8;
    if (op <= 2) {  // a segment from the peer
      TcpSegment s;
      s.src_ip = kRemote;
      s.dst_ip = kLocal;
      s.src_port = 15000;
      s.dst_port = c.config().local_port;
      const uint8_t mode = in.u8();
      s.flags = in.u8() & 0x3f;
      s.seq = (mode & 1) ? in.u32() : sink.last_ack + static_cast<uint32_t>(static_cast<int16_t>(in.u16()));
      s.ack = (mode & 2) ? in.u32() : sink.last_seq - static_cast<uint32_t>(in.u8());
      s.window = (mode & 4) ? in.u16() : 65535;
      s.mss = in.u16();
      std::vector<uint8_t> payload(in.u8() % 220);
      for (std::size_t k = 0; k < payload.size(); ++k)
        payload[k] = peer_byte(s.seq + (s.has(tcp_flag::kSyn) ? 1 : 0) + static_cast<uint32_t>(k));
      s.payload = payload.data();
      s.payload_length = payload.size();
      c.on_segment(s, now);
    } else if (op == 3) {  // raw bytes as a frame
      const std::size_t len = in.u8();
      std::vector<uint8_t> f(in.p, in.p + std::min(len, in.n));
      in.p += f.size();
      in.n -= f.size();
      const uint64_t before = c.stats().segments_in.load();
      c.on_frame(f.data(), f.size(), now);
      if (c.stats().segments_in.load() != before) trusted = false;
    } else if (op == 4) {
      (void)c.send({buf.data(), in.u16() % buf.size()}, now);
    } else if (op == 5) {
      std::vector<uint8_t> out(in.u16() % 3000);
      const std::size_t got = c.read(out);
      for (std::size_t k = 0; trusted && synced && k < got; ++k)
        if (out[k] != peer_byte(next_byte_seq + static_cast<uint32_t>(k))) __builtin_trap();
      next_byte_seq += static_cast<uint32_t>(got);
    } else if (op == 6) {
      now += uint64_t{in.u32()} << (in.u8() % 16);
      c.poll(now);
    } else {
      const uint8_t what = in.u8() % 4;
      if (what == 0) c.close(now);
      if (what == 1) c.abort();
      if (what == 2 && c.state() == TcpState::kClosed) {
        c.connect(now, in.u32());
        synced = false;
      }
    }
    if (!synced && c.state() != TcpState::kSynSent && c.state() != TcpState::kClosed) {
      synced = true;
      next_byte_seq = sink.last_ack;  // the handshake's ACK acknowledges IRS + 1
    }
    if (c.readable() > cfg.receive_buffer || c.queued() > cfg.send_buffer ||
        c.unacknowledged() > c.queued() + 1 || c.unsent() > c.queued())
      __builtin_trap();
  }
  return 0;
}
