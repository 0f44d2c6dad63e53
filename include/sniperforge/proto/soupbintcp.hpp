// SoupBinTCP 4.1 (NASDAQ's framing for OUCH 5.0 and GLIMPSE over TCP): packet layouts, checks,
// an encoder and a stream reassembler, over byte spans, standard library only.
//
// Every packet: u16 big-endian packet length (the bytes that follow: type + payload) · type (1 char)
// · payload. Numbers inside payloads are ASCII, alpha fields left-justified and space-padded.
//   client -> server: 'L' Login Request (username 6 · password 10 · requested session 10 ·
//                     requested sequence number 20; 4.1 servers may also take a 5-byte heartbeat
//                     timeout, 51 bytes), 'U' Unsequenced Data, 'R' Client Heartbeat, 'O' Logout Request
//   server -> client: 'A' Login Accepted (session 10 · next sequence number 20), 'J' Login Rejected
//                     (reason 'A' not authorized, 'S' session not available), 'S' Sequenced Data
//                     (sequence number implicit: Login Accepted's, then +1 per 'S'), 'H' Server
//                     Heartbeat, 'Z' End of Session
//   either way:       '+' Debug (text), ignored.
//
// TCP delivers a byte stream, so packets arrive split and glued in any way: StreamReassembler
// turns chunks into whole packets, copying only a packet that straddles two chunks. A packet that
// breaks the rules is a counted drop by reason, never delivered; its bytes are skipped by its length
// prefix, so framing survives (the caller decides whether a protocol error ends the connection).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "sniperforge/proto/endian.hpp"

namespace sf::soupbintcp {

inline constexpr std::size_t kLengthPrefix = 2;
inline constexpr std::size_t kHeader = 3;  // length prefix + type byte
inline constexpr std::size_t kUsernameLength = 6;
inline constexpr std::size_t kPasswordLength = 10;
inline constexpr std::size_t kSessionLength = 10;
inline constexpr std::size_t kSequenceLength = 20;
inline constexpr std::size_t kHeartbeatTimeoutLength = 5;
inline constexpr std::size_t kLoginRequestPayload = 46;        // 6 + 10 + 10 + 20
inline constexpr std::size_t kLoginRequestPayloadWithHb = 51;  // + heartbeat timeout (ms, 5)
inline constexpr std::size_t kLoginAcceptedPayload = 30;       // 10 + 20
// Largest payload we accept in 'S' / 'U' / '+' (OUCH 5.0 messages with appendages are < 200 bytes).
inline constexpr std::size_t kMaxPayload = 1024;
inline constexpr std::size_t kMaxPacket = kHeader + kMaxPayload;

enum class Direction : uint8_t { kClientToServer, kServerToClient };

namespace type {
inline constexpr char kDebug = '+';
// client -> server
inline constexpr char kLoginRequest = 'L';
inline constexpr char kUnsequencedData = 'U';
inline constexpr char kClientHeartbeat = 'R';
inline constexpr char kLogoutRequest = 'O';
// server -> client
inline constexpr char kLoginAccepted = 'A';
inline constexpr char kLoginRejected = 'J';
inline constexpr char kSequencedData = 'S';
inline constexpr char kServerHeartbeat = 'H';
inline constexpr char kEndOfSession = 'Z';
}  // namespace type

namespace reject_reason {
inline constexpr char kNotAuthorized = 'A';
inline constexpr char kSessionNotAvailable = 'S';
}  // namespace reject_reason

// Why a packet was dropped (metric label = to_string()).
enum class Drop : uint8_t {
  kOversize,     // length prefix larger than kHeader-1 + kMaxPayload: skipped by its length
  kUnknownType,  // not a packet type of this direction
  kBadLength,    // payload size wrong for the type
  kGarbage,      // zero length (no type byte), or a field that must be ASCII digits / a known code is not
  kCount
};
[[nodiscard]] constexpr std::string_view to_string(Drop d) noexcept {
  switch (d) {
    case Drop::kOversize:
      return "oversize";
    case Drop::kUnknownType:
      return "unknown_type";
    case Drop::kBadLength:
      return "bad_length";
    case Drop::kGarbage:
      return "garbage";
    case Drop::kCount:
      break;
  }
  return "invalid";
}

struct Packet {
  char type;
  std::span<const uint8_t> payload;
};

// ---- ASCII fields ----
// Numeric field: right-justified, left space-padded (we also accept left-justified, right-padded,
// which some servers send); all blank = 0. False on any other byte or overflow.
[[nodiscard]] constexpr bool parse_number(std::span<const uint8_t> s, uint64_t& out) noexcept {
  out = 0;
  std::size_t i = 0, end = s.size();
  while (i < end && s[i] == ' ') ++i;
  while (end > i && s[end - 1] == ' ') --end;
  for (; i < end; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const auto digit = static_cast<uint64_t>(s[i] - '0');
    if (out > (UINT64_MAX - digit) / 10) return false;
    out = out * 10 + digit;
  }
  return true;
}
// Right-justified, left space-padded; false when v needs more than `width` digits.
constexpr bool write_number(uint8_t* out, std::size_t width, uint64_t v) noexcept {
  for (std::size_t i = 0; i < width; ++i) out[i] = ' ';
  std::size_t i = width;
  do {
    if (i == 0) return false;
    out[--i] = static_cast<uint8_t>('0' + v % 10);
    v /= 10;
  } while (v);
  return true;
}
// Left-justified, space-padded, truncated to width.
inline void write_alpha(uint8_t* out, std::size_t width, std::string_view s) noexcept {
  std::memset(out, ' ', width);
  std::memcpy(out, s.data(), s.size() < width ? s.size() : width);
}
// An alpha field without its padding.
[[nodiscard]] inline std::string_view trim(std::span<const uint8_t> s) noexcept {
  std::size_t n = s.size();
  while (n > 0 && s[n - 1] == ' ') --n;
  return {reinterpret_cast<const char*>(s.data()), n};
}

// ---- Payload views (valid only over payloads check() accepted) ----
struct LoginRequest {
  std::span<const uint8_t> p;
  [[nodiscard]] std::string_view username() const noexcept { return trim(p.subspan(0, 6)); }
  [[nodiscard]] std::string_view password() const noexcept { return trim(p.subspan(6, 10)); }
  [[nodiscard]] std::string_view requested_session() const noexcept { return trim(p.subspan(16, 10)); }
  [[nodiscard]] uint64_t requested_sequence() const noexcept {
    uint64_t v = 0;
    (void)parse_number(p.subspan(26, 20), v);
    return v;
  }
  // 0 when absent (46-byte form).
  [[nodiscard]] uint64_t heartbeat_timeout_ms() const noexcept {
    uint64_t v = 0;
    if (p.size() == kLoginRequestPayloadWithHb) (void)parse_number(p.subspan(46, 5), v);
    return v;
  }
};
struct LoginAccepted {
  std::span<const uint8_t> p;
  [[nodiscard]] std::string_view session() const noexcept { return trim(p.subspan(0, 10)); }
  [[nodiscard]] uint64_t next_sequence() const noexcept {
    uint64_t v = 0;
    (void)parse_number(p.subspan(10, 20), v);
    return v;
  }
};

// Checks one packet's type and payload for the direction it travels in.
[[nodiscard]] constexpr bool check(Direction d, char t, std::span<const uint8_t> p, Drop& why) noexcept {
  const std::size_t n = p.size();
  auto fail = [&why](Drop r) {
    why = r;
    return false;
  };
  auto digits = [](std::span<const uint8_t> s) {
    uint64_t v = 0;
    return parse_number(s, v);
  };
  if (t == type::kDebug) return true;
  if (d == Direction::kClientToServer) {
    switch (t) {
      case type::kLoginRequest:
        if (n != kLoginRequestPayload && n != kLoginRequestPayloadWithHb) return fail(Drop::kBadLength);
        if (!digits(p.subspan(26, 20)) || (n == kLoginRequestPayloadWithHb && !digits(p.subspan(46, 5))))
          return fail(Drop::kGarbage);
        return true;
      case type::kUnsequencedData:
        return n > 0 ? true : fail(Drop::kBadLength);
      case type::kClientHeartbeat:
      case type::kLogoutRequest:
        return n == 0 ? true : fail(Drop::kBadLength);
      default:
        return fail(Drop::kUnknownType);
    }
  }
  switch (t) {
    case type::kLoginAccepted:
      if (n != kLoginAcceptedPayload) return fail(Drop::kBadLength);
      return digits(p.subspan(10, 20)) ? true : fail(Drop::kGarbage);
    case type::kLoginRejected:
      if (n != 1) return fail(Drop::kBadLength);
      return p[0] == reject_reason::kNotAuthorized || p[0] == reject_reason::kSessionNotAvailable
                 ? true
                 : fail(Drop::kGarbage);
    case type::kSequencedData:
      return n > 0 ? true : fail(Drop::kBadLength);
    case type::kServerHeartbeat:
    case type::kEndOfSession:
      return n == 0 ? true : fail(Drop::kBadLength);
    default:
      return fail(Drop::kUnknownType);
  }
}

// ---- Encoder: appends whole packets to a caller's buffer ----
class PacketWriter {
 public:
  PacketWriter(uint8_t* buf, std::size_t cap) noexcept : buf_(buf), cap_(cap) {}
  explicit PacketWriter(std::span<uint8_t> b) noexcept : buf_(b.data()), cap_(b.size()) {}

  // Each returns false (writing nothing) when the packet does not fit.
  bool packet(char t, std::span<const uint8_t> payload) noexcept {
    uint8_t* p = open(t, payload.size());
    if (!p) return false;
    if (!payload.empty()) std::memcpy(p, payload.data(), payload.size());
    return true;
  }
  bool login_request(std::string_view user, std::string_view pass, std::string_view session,
                     uint64_t sequence) noexcept {
    uint8_t* p = open(type::kLoginRequest, kLoginRequestPayload);
    if (!p) return false;
    write_alpha(p, 6, user);
    write_alpha(p + 6, 10, pass);
    write_alpha(p + 16, 10, session);
    (void)write_number(p + 26, 20, sequence);  // 20 digits hold any u64
    return true;
  }
  bool unsequenced(std::span<const uint8_t> msg) noexcept { return packet(type::kUnsequencedData, msg); }
  bool client_heartbeat() noexcept { return packet(type::kClientHeartbeat, {}); }
  bool logout_request() noexcept { return packet(type::kLogoutRequest, {}); }
  bool login_accepted(std::string_view session, uint64_t next_sequence) noexcept {
    uint8_t* p = open(type::kLoginAccepted, kLoginAcceptedPayload);
    if (!p) return false;
    write_alpha(p, 10, session);
    (void)write_number(p + 10, 20, next_sequence);
    return true;
  }
  bool login_rejected(char reason) noexcept {
    const uint8_t r = static_cast<uint8_t>(reason);
    return packet(type::kLoginRejected, {&r, 1});
  }
  bool sequenced(std::span<const uint8_t> msg) noexcept { return packet(type::kSequencedData, msg); }
  bool server_heartbeat() noexcept { return packet(type::kServerHeartbeat, {}); }
  bool end_of_session() noexcept { return packet(type::kEndOfSession, {}); }
  bool debug(std::string_view text) noexcept {
    return packet(type::kDebug, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  }

  [[nodiscard]] std::size_t size() const noexcept { return off_; }
  [[nodiscard]] std::span<const uint8_t> bytes() const noexcept { return {buf_, off_}; }
  void clear() noexcept { off_ = 0; }

 private:
  uint8_t* open(char t, std::size_t payload) noexcept {
    if (payload + 1 > 0xffff || cap_ - off_ < kHeader + payload) return nullptr;
    proto::store_be<uint16_t>(buf_ + off_, static_cast<uint16_t>(payload + 1));
    buf_[off_ + 2] = static_cast<uint8_t>(t);
    uint8_t* p = buf_ + off_ + kHeader;
    off_ += kHeader + payload;
    return p;
  }
  uint8_t* buf_;
  std::size_t cap_;
  std::size_t off_ = 0;
};

// ---- Stream reassembler ----
struct ReassemblerCounters {
  uint64_t bytes = 0;
  uint64_t packets = 0;  // delivered
  uint64_t debug = 0;    // '+' packets, ignored
  std::array<uint64_t, static_cast<std::size_t>(Drop::kCount)> dropped{};
  [[nodiscard]] uint64_t drops(Drop d) const noexcept { return dropped[static_cast<std::size_t>(d)]; }
  [[nodiscard]] uint64_t total_drops() const noexcept {
    uint64_t s = 0;
    for (uint64_t v : dropped) s += v;
    return s;
  }
};

// Feed it the stream in chunks of any size; it calls on_packet(const Packet&) for every whole,
// valid packet in order. A packet lying wholly inside one chunk is delivered in place (its payload
// points into the chunk, valid during the call); only one that straddles chunks is copied, into a
// fixed buffer inside the object (no allocation). reset() forgets a partial packet (new connection).
class StreamReassembler {
 public:
  explicit StreamReassembler(Direction d) noexcept : dir_(d) {}

  template <class OnPacket>
  void feed(std::span<const uint8_t> in, OnPacket&& on_packet) {
    counters_.bytes += in.size();
    std::size_t off = 0;
    while (off < in.size()) {
      if (skip_ > 0) {  // the rest of an oversize packet
        const std::size_t k = skip_ < in.size() - off ? skip_ : in.size() - off;
        skip_ -= k;
        off += k;
        continue;
      }
      if (have_ == 0 && in.size() - off >= kLengthPrefix) {
        const std::size_t len = proto::load_be16(in.data() + off);
        if (len <= kMaxPayload + 1 && in.size() - off >= kLengthPrefix + len) {  // whole: zero-copy
          deliver(in.subspan(off, kLengthPrefix + len), on_packet);
          off += kLengthPrefix + len;
          continue;
        }
      }
      off += stage(in.subspan(off), on_packet);
    }
  }
  void reset() noexcept {
    have_ = 0;
    skip_ = 0;
  }
  [[nodiscard]] bool mid_packet() const noexcept { return have_ != 0 || skip_ != 0; }
  [[nodiscard]] const ReassemblerCounters& counters() const noexcept { return counters_; }

 private:
  // Copies bytes of a packet that straddles chunks; returns how many it took.
  template <class OnPacket>
  std::size_t stage(std::span<const uint8_t> in, OnPacket& on_packet) {
    std::size_t want = kLengthPrefix;
    if (have_ >= kLengthPrefix) want = kLengthPrefix + proto::load_be16(buf_.data());
    const std::size_t k = want - have_ < in.size() ? want - have_ : in.size();
    std::memcpy(buf_.data() + have_, in.data(), k);
    have_ += k;
    if (have_ == kLengthPrefix) {
      const std::size_t len = proto::load_be16(buf_.data());
      if (len > kMaxPayload + 1) {  // never buffered: skip it by its length
        ++counters_.dropped[static_cast<std::size_t>(Drop::kOversize)];
        skip_ = len;
        have_ = 0;
        return k;
      }
    }
    if (have_ >= kLengthPrefix && have_ == kLengthPrefix + proto::load_be16(buf_.data())) {
      const std::size_t n = have_;
      have_ = 0;
      deliver({buf_.data(), n}, on_packet);
    }
    return k;
  }
  template <class OnPacket>
  void deliver(std::span<const uint8_t> whole, OnPacket& on_packet) {
    if (whole.size() == kLengthPrefix) {  // length 0: no type byte
      ++counters_.dropped[static_cast<std::size_t>(Drop::kGarbage)];
      return;
    }
    const char t = static_cast<char>(whole[2]);
    const auto payload = whole.subspan(kHeader);
    Drop why{};
    if (!check(dir_, t, payload, why)) {
      ++counters_.dropped[static_cast<std::size_t>(why)];
      return;
    }
    if (t == type::kDebug) {
      ++counters_.debug;
      return;
    }
    ++counters_.packets;
    on_packet(Packet{t, payload});
  }

  Direction dir_;
  std::size_t have_ = 0;  // bytes of a straddling packet in buf_
  std::size_t skip_ = 0;  // bytes of an oversize packet still to skip
  ReassemblerCounters counters_;
  std::array<uint8_t, kMaxPacket> buf_{};
};

}  // namespace sf::soupbintcp
