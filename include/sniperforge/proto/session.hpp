// SniperForge order session over UDP (docs/protocols.md): SoupBinTCP packet framing -- u16 length
// (excluding itself, including the type byte) + 1-byte packet type + payload, one or more packets
// per datagram -- with UDP-specific sequencing ('S' carries an explicit u64 sequence number).
//
//   client -> venue: 'L' login request, 'U' unsequenced data (one OUCH inbound message),
//                    'R' client heartbeat, 'O' logout request, 'T' retransmission request
//   venue -> client: 'A' login accepted, 'J' login rejected, 'S' sequenced data (u64 sequence +
//                    one OUCH outbound message), 'H' server heartbeat (u64 next sequence),
//                    'Z' end of session
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/ouch.hpp"

namespace sf::session {

inline constexpr std::size_t kLengthPrefix = 2;
inline constexpr std::size_t kUsernameLength = 6;
inline constexpr std::size_t kPasswordLength = 10;
inline constexpr std::size_t kSessionLength = 10;
inline constexpr std::size_t kAsciiSequenceLength = 20;
inline constexpr std::size_t kLoginRequestPayload = 46;    // 6 + 10 + 10 + 20
inline constexpr std::size_t kLoginAcceptedPayload = 30;   // 10 + 20
inline constexpr std::size_t kRetransmissionPayload = 20;  // 10 + 8 + 2

enum class Direction : uint8_t { kClientToVenue, kVenueToClient };

namespace type {
// client -> venue
inline constexpr char kLoginRequest = 'L';
inline constexpr char kUnsequencedData = 'U';
inline constexpr char kClientHeartbeat = 'R';
inline constexpr char kLogoutRequest = 'O';
inline constexpr char kRetransmissionRequest = 'T';
// venue -> client
inline constexpr char kLoginAccepted = 'A';
inline constexpr char kLoginRejected = 'J';
inline constexpr char kSequencedData = 'S';
inline constexpr char kServerHeartbeat = 'H';
inline constexpr char kEndOfSession = 'Z';
}  // namespace type

enum class Error : uint8_t {
  kOk = 0,
  kEmpty,             // datagram without any packet
  kTruncated,         // a length prefix or packet runs past the end of the datagram
  kZeroLength,        // packet length 0 (no type byte)
  kUnknownType,       // type not defined for this direction
  kBadPayloadLength,  // payload size wrong for the type
  kBadMessage,        // the OUCH message inside 'U' / 'S' does not validate
};

[[nodiscard]] constexpr std::string_view to_string(Error e) noexcept {
  switch (e) {
    case Error::kOk:
      return "ok";
    case Error::kEmpty:
      return "session_empty";
    case Error::kTruncated:
      return "session_truncated";
    case Error::kZeroLength:
      return "session_zero_length";
    case Error::kUnknownType:
      return "session_unknown_type";
    case Error::kBadPayloadLength:
      return "session_bad_payload_length";
    case Error::kBadMessage:
      return "session_bad_message";
  }
  return "invalid";
}

struct Packet {
  char type;
  const uint8_t* payload;
  std::size_t payload_length;
};

// Checks one packet's type and payload (including the embedded OUCH message).
[[nodiscard]] inline Error validate_packet(Direction d, char t, const uint8_t* p, std::size_t n) noexcept {
  if (d == Direction::kClientToVenue) {
    switch (t) {
      case type::kLoginRequest:
        return n == kLoginRequestPayload ? Error::kOk : Error::kBadPayloadLength;
      case type::kUnsequencedData:
        if (n == 0) return Error::kBadPayloadLength;
        return ouch::inbound::validate(p, n) == ouch::Error::kOk ? Error::kOk : Error::kBadMessage;
      case type::kClientHeartbeat:
      case type::kLogoutRequest:
        return n == 0 ? Error::kOk : Error::kBadPayloadLength;
      case type::kRetransmissionRequest:
        return n == kRetransmissionPayload ? Error::kOk : Error::kBadPayloadLength;
      default:
        return Error::kUnknownType;
    }
  }
  switch (t) {
    case type::kLoginAccepted:
      return n == kLoginAcceptedPayload ? Error::kOk : Error::kBadPayloadLength;
    case type::kLoginRejected:
      return n == 1 ? Error::kOk : Error::kBadPayloadLength;
    case type::kSequencedData:
      if (n <= 8) return Error::kBadPayloadLength;
      return ouch::outbound::validate(p + 8, n - 8) == ouch::Error::kOk ? Error::kOk : Error::kBadMessage;
    case type::kServerHeartbeat:
      return n == 8 ? Error::kOk : Error::kBadPayloadLength;
    case type::kEndOfSession:
      return n == 0 ? Error::kOk : Error::kBadPayloadLength;
    default:
      return Error::kUnknownType;
  }
}

// Validates every packet of a datagram; `count` receives the number of packets.
[[nodiscard]] inline Error validate_datagram(const uint8_t* p, std::size_t len, Direction d,
                                             std::size_t* count = nullptr) noexcept {
  if (len == 0) return Error::kEmpty;
  std::size_t off = 0, n = 0;
  while (off < len) {
    if (len - off < kLengthPrefix) return Error::kTruncated;
    const std::size_t pl = proto::load_be16(p + off);
    if (pl == 0) return Error::kZeroLength;
    if (len - off - kLengthPrefix < pl) return Error::kTruncated;
    const Error e = validate_packet(d, static_cast<char>(p[off + 2]), p + off + 3, pl - 1);
    if (e != Error::kOk) return e;
    off += kLengthPrefix + pl;
    ++n;
  }
  if (count) *count = n;
  return Error::kOk;
}

// All or nothing: validates the whole datagram, then calls f(const Packet&) for each packet.
template <class F>
[[nodiscard]] Error for_each_packet(const uint8_t* p, std::size_t len, Direction d, F&& f) {
  const Error e = validate_datagram(p, len, d);
  if (e != Error::kOk) return e;
  for (std::size_t off = 0; off < len;) {
    const std::size_t pl = proto::load_be16(p + off);
    f(Packet{static_cast<char>(p[off + 2]), p + off + 3, pl - 1});
    off += kLengthPrefix + pl;
  }
  return Error::kOk;
}

// ---- Payload views (over validated packets) ----
// SoupBinTCP ASCII number: right-justified, left space-padded; blank = 0. False on other bytes.
[[nodiscard]] inline bool parse_ascii_number(std::string_view s, uint64_t& out) noexcept {
  out = 0;
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    if (out > (UINT64_MAX - 9) / 10) return false;
    out = out * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  return true;
}
inline void write_ascii_number(uint8_t* out, std::size_t width, uint64_t v) noexcept {
  std::memset(out, ' ', width);
  std::size_t i = width;
  do {
    out[--i] = static_cast<uint8_t>('0' + v % 10);
    v /= 10;
  } while (v && i);
}
inline void write_alpha(uint8_t* out, std::size_t width, std::string_view s) noexcept {
  std::memset(out, ' ', width);
  std::memcpy(out, s.data(), s.size() < width ? s.size() : width);
}
namespace detail {
inline std::string_view text(const uint8_t* p, std::size_t n) noexcept {
  return {reinterpret_cast<const char*>(p), n};
}
}  // namespace detail

struct LoginRequest {
  const uint8_t* p;
  [[nodiscard]] std::string_view username() const noexcept { return detail::text(p, 6); }
  [[nodiscard]] std::string_view password() const noexcept { return detail::text(p + 6, 10); }
  [[nodiscard]] std::string_view requested_session() const noexcept { return detail::text(p + 16, 10); }
  [[nodiscard]] bool requested_sequence(uint64_t& v) const noexcept {
    return parse_ascii_number(detail::text(p + 26, 20), v);
  }
};
struct LoginAccepted {
  const uint8_t* p;
  [[nodiscard]] std::string_view session() const noexcept { return detail::text(p, 10); }
  [[nodiscard]] bool next_sequence(uint64_t& v) const noexcept {
    return parse_ascii_number(detail::text(p + 10, 20), v);
  }
};
struct RetransmissionRequest {
  const uint8_t* p;
  [[nodiscard]] std::string_view session() const noexcept { return detail::text(p, 10); }
  [[nodiscard]] uint64_t first_sequence() const noexcept { return proto::load_be64(p + 10); }
  [[nodiscard]] uint16_t count() const noexcept { return proto::load_be16(p + 18); }
};
struct SequencedData {
  const uint8_t* p;
  std::size_t n;
  [[nodiscard]] uint64_t sequence() const noexcept { return proto::load_be64(p); }
  [[nodiscard]] const uint8_t* message() const noexcept { return p + 8; }
  [[nodiscard]] std::size_t message_length() const noexcept { return n - 8; }
};
struct ServerHeartbeat {
  const uint8_t* p;
  [[nodiscard]] uint64_t next_sequence() const noexcept { return proto::load_be64(p); }
};

// ---- Encoder: appends packets to one datagram ----
class DatagramBuilder {
 public:
  DatagramBuilder(uint8_t* buf, std::size_t cap) noexcept : buf_(buf), cap_(cap) {}

  // Zero-copy: reserve room for a packet with up to max_payload bytes, write the payload at the
  // returned pointer, then commit(actual payload length). nullptr when it does not fit.
  uint8_t* begin_packet(char t, std::size_t max_payload) noexcept {
    if (max_payload + 1 > 0xffff || cap_ - off_ < kLengthPrefix + 1 + max_payload) return nullptr;
    buf_[off_ + 2] = static_cast<uint8_t>(t);
    open_ = true;
    reserved_ = max_payload;
    return buf_ + off_ + 3;
  }
  // payload_len must not exceed the reserved max_payload (larger values are ignored).
  void commit(std::size_t payload_len) noexcept {
    if (!open_ || payload_len > reserved_) return;
    proto::store_be<uint16_t>(buf_ + off_, static_cast<uint16_t>(payload_len + 1));
    off_ += kLengthPrefix + 1 + payload_len;
    ++count_;
    open_ = false;
  }
  bool packet(char t, const uint8_t* payload, std::size_t n) noexcept {
    uint8_t* p = begin_packet(t, n);
    if (!p) return false;
    if (n) std::memcpy(p, payload, n);
    commit(n);
    return true;
  }
  // client -> venue
  bool login_request(std::string_view user, std::string_view pass, std::string_view session,
                     uint64_t seq) noexcept {
    uint8_t* p = begin_packet(type::kLoginRequest, kLoginRequestPayload);
    if (!p) return false;
    write_alpha(p, 6, user);
    write_alpha(p + 6, 10, pass);
    write_alpha(p + 16, 10, session);
    write_ascii_number(p + 26, 20, seq);
    commit(kLoginRequestPayload);
    return true;
  }
  bool unsequenced(std::span<const uint8_t> ouch_inbound) noexcept {
    return packet(type::kUnsequencedData, ouch_inbound.data(), ouch_inbound.size());
  }
  bool client_heartbeat() noexcept { return packet(type::kClientHeartbeat, nullptr, 0); }
  bool logout_request() noexcept { return packet(type::kLogoutRequest, nullptr, 0); }
  bool retransmission_request(std::string_view session, uint64_t first, uint16_t count) noexcept {
    uint8_t* p = begin_packet(type::kRetransmissionRequest, kRetransmissionPayload);
    if (!p) return false;
    write_alpha(p, 10, session);
    proto::store_be<uint64_t>(p + 10, first);
    proto::store_be<uint16_t>(p + 18, count);
    commit(kRetransmissionPayload);
    return true;
  }
  // venue -> client
  bool login_accepted(std::string_view session, uint64_t next_seq) noexcept {
    uint8_t* p = begin_packet(type::kLoginAccepted, kLoginAcceptedPayload);
    if (!p) return false;
    write_alpha(p, 10, session);
    write_ascii_number(p + 10, 20, next_seq);
    commit(kLoginAcceptedPayload);
    return true;
  }
  bool login_rejected(char reason) noexcept {
    const uint8_t r = static_cast<uint8_t>(reason);
    return packet(type::kLoginRejected, &r, 1);
  }
  bool sequenced(uint64_t seq, std::span<const uint8_t> ouch_outbound) noexcept {
    uint8_t* p = begin_packet(type::kSequencedData, 8 + ouch_outbound.size());
    if (!p) return false;
    proto::store_be<uint64_t>(p, seq);
    std::memcpy(p + 8, ouch_outbound.data(), ouch_outbound.size());
    commit(8 + ouch_outbound.size());
    return true;
  }
  bool server_heartbeat(uint64_t next_seq) noexcept {
    uint8_t b[8];
    proto::store_be<uint64_t>(b, next_seq);
    return packet(type::kServerHeartbeat, b, 8);
  }
  bool end_of_session() noexcept { return packet(type::kEndOfSession, nullptr, 0); }

  [[nodiscard]] std::size_t size() const noexcept { return off_; }
  [[nodiscard]] std::size_t packets() const noexcept { return count_; }
  [[nodiscard]] std::span<const uint8_t> bytes() const noexcept { return {buf_, off_}; }

 private:
  uint8_t* buf_;
  std::size_t cap_;
  std::size_t off_ = 0;
  std::size_t count_ = 0;
  std::size_t reserved_ = 0;
  bool open_ = false;
};

}  // namespace sf::session
