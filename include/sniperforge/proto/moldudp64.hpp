// MoldUDP64 1.00: downstream packets (data, heartbeat, end of session) and the re-request packet.
//
// Downstream header, 20 bytes: session (10 alpha) @0 · sequence number of the first message (u64) @10 ·
// message count (u16) @18; then `count` blocks of u16 length (not counting itself) + message.
// Heartbeat: count 0. End of session: count 0xFFFF, no blocks. Re-request: session · sequence · count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>

#include "sniperforge/proto/endian.hpp"

namespace sf::mold {

inline constexpr std::size_t kSessionLength = 10;
inline constexpr std::size_t kHeaderLength = 20;
inline constexpr std::size_t kRequestLength = 20;
inline constexpr std::size_t kBlockPrefixLength = 2;
inline constexpr uint16_t kEndOfSessionCount = 0xFFFF;
// Largest UDP payload of a 1500-byte Ethernet MTU without fragmentation.
inline constexpr std::size_t kMaxPayloadForMtu1500 = 1500 - 20 - 8;

enum class Error : uint8_t {
  kOk = 0,
  kTruncated,       // fewer than 20 bytes
  kBadBlockLength,  // a block's length prefix or body runs past the end of the packet
  kTrailingBytes,   // bytes after the last block (or after a heartbeat / end-of-session header)
};

[[nodiscard]] constexpr std::string_view to_string(Error e) noexcept {
  switch (e) {
    case Error::kOk:
      return "ok";
    case Error::kTruncated:
      return "mold_truncated";
    case Error::kBadBlockLength:
      return "mold_bad_block_length";
    case Error::kTrailingBytes:
      return "mold_trailing_bytes";
  }
  return "invalid";
}

enum class Kind : uint8_t { kData, kHeartbeat, kEndOfSession };

struct Block {
  const uint8_t* data;
  uint16_t length;
  uint64_t sequence;
};

// Iterates the blocks of a packet that parse() accepted (bounds were checked there).
class BlockIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = Block;
  using difference_type = std::ptrdiff_t;
  using pointer = const Block*;
  using reference = Block;

  constexpr BlockIterator() noexcept = default;
  BlockIterator(const uint8_t* p, uint64_t seq, uint16_t left) noexcept : p_(p), seq_(seq), left_(left) {}
  Block operator*() const noexcept { return Block{p_ + kBlockPrefixLength, proto::load_be16(p_), seq_}; }
  BlockIterator& operator++() noexcept {
    p_ += kBlockPrefixLength + proto::load_be16(p_);
    ++seq_;
    --left_;
    return *this;
  }
  BlockIterator operator++(int) noexcept {
    BlockIterator t = *this;
    ++*this;
    return t;
  }
  bool operator==(const BlockIterator& o) const noexcept { return left_ == o.left_; }

 private:
  const uint8_t* p_ = nullptr;
  uint64_t seq_ = 0;
  uint16_t left_ = 0;
};

class PacketView {
 public:
  constexpr PacketView() noexcept = default;
  // Unchecked: use parse() for untrusted bytes.
  PacketView(const uint8_t* p, std::size_t len) noexcept : p_(p), len_(len) {}
  [[nodiscard]] std::string_view session() const noexcept {
    return {reinterpret_cast<const char*>(p_), kSessionLength};
  }
  [[nodiscard]] const uint8_t* session_bytes() const noexcept { return p_; }
  [[nodiscard]] uint64_t sequence() const noexcept { return proto::load_be64(p_ + 10); }
  [[nodiscard]] uint16_t raw_count() const noexcept { return proto::load_be16(p_ + 18); }
  [[nodiscard]] Kind kind() const noexcept {
    const uint16_t c = raw_count();
    return c == 0 ? Kind::kHeartbeat : c == kEndOfSessionCount ? Kind::kEndOfSession : Kind::kData;
  }
  // Number of message blocks (0 for heartbeat and end of session).
  [[nodiscard]] uint16_t message_count() const noexcept { return kind() == Kind::kData ? raw_count() : 0; }
  // Sequence number the receiver expects after this packet.
  [[nodiscard]] uint64_t next_sequence() const noexcept { return sequence() + message_count(); }
  [[nodiscard]] BlockIterator begin() const noexcept {
    return {p_ + kHeaderLength, sequence(), message_count()};
  }
  [[nodiscard]] BlockIterator end() const noexcept { return {nullptr, 0, 0}; }
  [[nodiscard]] const uint8_t* data() const noexcept { return p_; }
  [[nodiscard]] std::size_t size() const noexcept { return len_; }

 private:
  const uint8_t* p_ = nullptr;
  std::size_t len_ = 0;
};

// Validates the header and every block boundary. On kOk, `out` may be iterated safely.
[[nodiscard]] inline Error parse(const uint8_t* p, std::size_t len, PacketView& out) noexcept {
  if (len < kHeaderLength) [[unlikely]]
    return Error::kTruncated;
  out = PacketView(p, len);
  const uint16_t count = out.message_count();
  std::size_t off = kHeaderLength;
  for (uint16_t i = 0; i < count; ++i) {
    if (len - off < kBlockPrefixLength) [[unlikely]]
      return Error::kBadBlockLength;
    const std::size_t bl = proto::load_be16(p + off);
    off += kBlockPrefixLength;
    if (len - off < bl) [[unlikely]]
      return Error::kBadBlockLength;
    off += bl;
  }
  if (off != len) [[unlikely]]
    return Error::kTrailingBytes;
  return Error::kOk;
}

// ---- Encoders ----
inline void write_header(uint8_t* out, std::string_view session, uint64_t seq, uint16_t count) noexcept {
  std::memset(out, ' ', kSessionLength);
  std::memcpy(out, session.data(), session.size() < kSessionLength ? session.size() : kSessionLength);
  proto::store_be<uint64_t>(out + 10, seq);
  proto::store_be<uint16_t>(out + 18, count);
}

// Builds one downstream data packet in a caller buffer.
class PacketBuilder {
 public:
  PacketBuilder(uint8_t* buf, std::size_t cap, std::string_view session, uint64_t first_sequence) noexcept
      : buf_(buf), cap_(cap), session_(session), seq_(first_sequence) {}
  // Appends one message; false (nothing written) when it would not fit or the count is full.
  bool add(const uint8_t* msg, std::size_t len) noexcept {
    if (len > 0xffff || count_ >= kEndOfSessionCount - 1 || cap_ < off_ + kBlockPrefixLength + len)
      return false;
    proto::store_be<uint16_t>(buf_ + off_, static_cast<uint16_t>(len));
    std::memcpy(buf_ + off_ + kBlockPrefixLength, msg, len);
    off_ += kBlockPrefixLength + len;
    ++count_;
    return true;
  }
  [[nodiscard]] bool fits(std::size_t len) const noexcept { return cap_ >= off_ + kBlockPrefixLength + len; }
  [[nodiscard]] uint16_t count() const noexcept { return count_; }
  [[nodiscard]] std::size_t size() const noexcept { return off_; }
  // Writes the header; returns the packet length (0 if the buffer cannot even hold a header).
  std::size_t finish() noexcept {
    if (cap_ < kHeaderLength) return 0;
    write_header(buf_, session_, seq_, count_);
    return off_;
  }

 private:
  uint8_t* buf_;
  std::size_t cap_;
  std::string_view session_;
  uint64_t seq_;
  std::size_t off_ = kHeaderLength;
  uint16_t count_ = 0;
};

// Heartbeat: count 0, sequence = next expected sequence number. Writes 20 bytes.
inline std::size_t encode_heartbeat(uint8_t* out, std::string_view session, uint64_t next_seq) noexcept {
  write_header(out, session, next_seq, 0);
  return kHeaderLength;
}
// End of session: count 0xFFFF, sequence = next expected sequence number. Writes 20 bytes.
inline std::size_t encode_end_of_session(uint8_t* out, std::string_view session, uint64_t next_seq) noexcept {
  write_header(out, session, next_seq, kEndOfSessionCount);
  return kHeaderLength;
}

// ---- Re-request (client -> re-request server) ----
struct Request {
  char session[kSessionLength];
  uint64_t sequence;
  uint16_t count;
  [[nodiscard]] std::string_view session_view() const noexcept { return {session, kSessionLength}; }
};

inline std::size_t encode_request(uint8_t* out, std::string_view session, uint64_t first_seq,
                                  uint16_t count) noexcept {
  write_header(out, session, first_seq, count);
  return kRequestLength;
}
[[nodiscard]] inline Error parse_request(const uint8_t* p, std::size_t len, Request& out) noexcept {
  if (len < kRequestLength) return Error::kTruncated;
  if (len != kRequestLength) return Error::kTrailingBytes;
  std::memcpy(out.session, p, kSessionLength);
  out.sequence = proto::load_be64(p + 10);
  out.count = proto::load_be16(p + 18);
  return Error::kOk;
}

}  // namespace sf::mold
