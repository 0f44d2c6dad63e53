// The one path from an Ethernet frame to the ITCH messages it carries, shared by sf-pcap,
// sf-backtest and the DPDK RX lcore: Ethernet/[VLAN]/IPv4/UDP -> feed port check -> MoldUDP64 ->
// ITCH 5.0 validation. Every drop has a labelled reason.
//
// All or nothing: a packet is first validated completely (every block boundary and every ITCH
// type/length); only then is the callback called, once per message in sequence order. So a
// malformed packet never delivers half its messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "sniperforge/proto/itch.hpp"
#include "sniperforge/proto/moldudp64.hpp"
#include "sniperforge/proto/net.hpp"

namespace sf::feed {

inline constexpr uint16_t kDefaultPort = 26477;

// The longest feed frame any reader accepts (#16): one mbuf's data room (RTE_MBUF_DEFAULT_DATAROOM), so
// the appliance never sees a longer one unchained and sf-backtest / sf-pcap drop exactly what it drops.
// A MoldUDP64 feed packet fits a 1,500-byte MTU; a longer frame is dropped as frame_too_long.
inline constexpr std::size_t kMaxFrameBytes = 2048;

// Every reason a parser drops a feed frame: the one list of their names (which are also the
// `reason` label of sniperforge_feed_drops_total; telemetry/feed_labels.hpp appends the data plane's
// own reasons to this same list). Network and MoldUDP64 reasons keep net::Error's and mold::Error's
// order, so they convert by offset (checked below).
#define SF_FEED_PARSE_DROPS(X)                                                                  \
  X(kTruncatedFrame, "truncated_frame") /* shorter than the headers it claims */                \
  X(kNotIpv4, "not_ipv4")               /* ARP, IPv6, LLDP, ... */                              \
  X(kBadIpHeader, "bad_ip_header")      /* IHL / version */                                     \
  X(kBadIpLength, "bad_ip_length")                                                              \
  X(kFragment, "fragment") /* IPv4 fragment (feed packets are never fragmented) */              \
  X(kNotUdp, "not_udp")                                                                         \
  X(kBadUdpLength, "bad_udp_length")                                                            \
  X(kWrongPort, "wrong_port") /* UDP, but not the feed port */                                  \
  X(kMoldTruncated, "mold_truncated")                                                           \
  X(kMoldBadBlockLength, "mold_bad_block_length")                                               \
  X(kMoldTrailingBytes, "mold_trailing_bytes")                                                  \
  X(kItchEmpty, "itch_empty")                                                                   \
  X(kItchUnknownType, "itch_unknown_type")                                                      \
  X(kItchBadLength, "itch_bad_length") /* shorter or longer than the spec length of its type */ \
  X(kFrameTooLong, "frame_too_long")   /* longer than kMaxFrameBytes: one rule for every reader */

enum class Error : uint8_t {
  kOk = 0,
#define SF_X(e, s) e,
  SF_FEED_PARSE_DROPS(SF_X)
#undef SF_X
      kCount_,
};
inline constexpr std::size_t kErrorCount = static_cast<std::size_t>(Error::kCount_);

// The network and MoldUDP64 reasons are net::Error's and mold::Error's, in the same order, so they
// convert by offset.
inline constexpr std::size_t kMoldErrorOffset = static_cast<std::size_t>(Error::kMoldTruncated) - 1;
static_assert(static_cast<int>(Error::kTruncatedFrame) == static_cast<int>(net::Error::kTruncatedFrame) &&
              static_cast<int>(Error::kNotIpv4) == static_cast<int>(net::Error::kNotIpv4) &&
              static_cast<int>(Error::kBadIpHeader) == static_cast<int>(net::Error::kBadIpHeader) &&
              static_cast<int>(Error::kBadIpLength) == static_cast<int>(net::Error::kBadIpLength) &&
              static_cast<int>(Error::kFragment) == static_cast<int>(net::Error::kFragment) &&
              static_cast<int>(Error::kNotUdp) == static_cast<int>(net::Error::kNotUdp) &&
              static_cast<int>(Error::kBadUdpLength) == static_cast<int>(net::Error::kBadUdpLength));
static_assert(static_cast<std::size_t>(Error::kMoldBadBlockLength) ==
                  kMoldErrorOffset + static_cast<std::size_t>(mold::Error::kBadBlockLength) &&
              static_cast<std::size_t>(Error::kMoldTrailingBytes) ==
                  kMoldErrorOffset + static_cast<std::size_t>(mold::Error::kTrailingBytes));

inline constexpr std::string_view kErrorNames[] = {"ok",
#define SF_X(e, s) std::string_view{s},
                                                   SF_FEED_PARSE_DROPS(SF_X)
#undef SF_X
};
static_assert(std::size(kErrorNames) == static_cast<std::size_t>(Error::kCount_));

[[nodiscard]] constexpr std::string_view to_string(Error e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < std::size(kErrorNames) ? kErrorNames[i] : std::string_view{"invalid"};
}
// The parsers' own names agree with the list (they are the same labels).
static_assert(to_string(Error::kFragment) == net::to_string(net::Error::kFragment) &&
              to_string(Error::kBadUdpLength) == net::to_string(net::Error::kBadUdpLength) &&
              to_string(Error::kMoldTrailingBytes) == mold::to_string(mold::Error::kTrailingBytes));

// True for reasons found after the frame was recognised as feed traffic (UDP to the feed port).
[[nodiscard]] constexpr bool is_feed_error(Error e) noexcept {
  return e > Error::kWrongPort && e != Error::kFrameTooLong;
}

[[nodiscard]] constexpr Error from_net(net::Error e) noexcept {
  return static_cast<Error>(e);
}
[[nodiscard]] constexpr Error from_mold(mold::Error e) noexcept {
  return e == mold::Error::kOk ? Error::kOk
                               : static_cast<Error>(static_cast<std::size_t>(e) + kMoldErrorOffset);
}
[[nodiscard]] constexpr Error from_itch(itch::Error e) noexcept {
  switch (e) {
    case itch::Error::kOk:
      return Error::kOk;
    case itch::Error::kEmpty:
      return Error::kItchEmpty;
    case itch::Error::kUnknownType:
      return Error::kItchUnknownType;
    case itch::Error::kTruncated:
    case itch::Error::kBadLength:
      return Error::kItchBadLength;
  }
  return Error::kItchBadLength;
}

// What a decoded packet was. Valid only when the decode returned kOk (udp also for later errors).
struct PacketInfo {
  net::UdpDatagram udp{};
  mold::PacketView mold{};
  [[nodiscard]] mold::Kind kind() const noexcept { return mold.kind(); }
  [[nodiscard]] uint64_t sequence() const noexcept { return mold.sequence(); }
  [[nodiscard]] uint16_t message_count() const noexcept { return mold.message_count(); }
  [[nodiscard]] uint64_t next_sequence() const noexcept { return mold.next_sequence(); }
};

namespace detail {
// The exact reason for a packet the fast walk rejected: MoldUDP64 framing first (anywhere in the
// packet), then the first ITCH block that fails.
[[nodiscard]] inline Error mold_itch_reason(const uint8_t* p, std::size_t len,
                                            mold::PacketView& out) noexcept {
  const mold::Error me = mold::parse(p, len, out);
  if (me != mold::Error::kOk) return from_mold(me);
  for (const mold::Block b : out) {
    const itch::Error ie = itch::validate(b.data, b.length);
    if (ie != itch::Error::kOk) return from_itch(ie);
  }
  return Error::kOk;
}
}  // namespace detail

// Messages of one packet that decode_payload() indexes during validation (a 1,500-byte MTU carries
// at most 103); a larger packet is delivered by walking its blocks again.
inline constexpr std::size_t kMaxIndexedMessages = 128;

namespace detail {
// One walk over the blocks checks the MoldUDP64 framing and every ITCH type/length together (each
// block's offset depends on the previous block's length, so every extra walk is another chain of
// dependent loads) and, if `offsets` is given, records where each message starts. A rejected packet
// is walked again by mold_itch_reason() for its reason.
[[nodiscard]] inline Error walk_mold_itch(const uint8_t* p, std::size_t len, mold::PacketView& out,
                                          uint32_t* offsets) noexcept {
  if (len < mold::kHeaderLength) [[unlikely]]
    return Error::kMoldTruncated;
  out = mold::PacketView(p, len);
  const std::size_t count = out.message_count();
  std::size_t off = mold::kHeaderLength;
  bool bad = false;
  for (std::size_t i = 0; i < count; ++i) {
    if (len - off < mold::kBlockPrefixLength) [[unlikely]]
      return Error::kMoldBadBlockLength;
    const std::size_t bl = proto::load_be16(p + off);
    off += mold::kBlockPrefixLength;
    if (len - off < bl) [[unlikely]]
      return Error::kMoldBadBlockLength;
    // itch::validate() in one compare: the spec length of the type (0 if unknown) must equal bl.
    if (bl == 0) [[unlikely]]
      bad = true;
    else
      bad |= itch::kLengthByType[p[off]] != bl;
    if (offsets) offsets[i] = static_cast<uint32_t>(off);
    off += bl;
  }
  if (off != len) [[unlikely]]
    return Error::kMoldTrailingBytes;
  if (bad) [[unlikely]]
    return mold_itch_reason(p, len, out);
  return Error::kOk;
}
}  // namespace detail

// Validates a MoldUDP64 payload whose blocks must all be valid ITCH 5.0 messages.
[[nodiscard]] inline Error validate_mold_itch(const uint8_t* p, std::size_t len,
                                              mold::PacketView& out) noexcept {
  return detail::walk_mold_itch(p, len, out, nullptr);
}

// Decodes a UDP payload already known to be feed traffic. on_message(uint64_t seq, const uint8_t* msg,
// std::size_t len) is called for each ITCH message (validated: itch::visit() may be used on it).
// Messages are delivered from the offsets recorded while validating, so finding the next message
// does not wait for the previous one's length (nor for a mispredicted dispatch of the previous one).
template <class OnMessage>
[[nodiscard]] inline Error decode_payload(const uint8_t* p, std::size_t len, mold::PacketView& out,
                                          OnMessage&& on_message) {
  if (len >= mold::kHeaderLength && mold::PacketView(p, len).message_count() <= kMaxIndexedMessages) {
    uint32_t offsets[kMaxIndexedMessages];
    const Error e = detail::walk_mold_itch(p, len, out, offsets);
    if (e != Error::kOk) [[unlikely]]
      return e;
    const uint64_t first = out.sequence();
    for (std::size_t i = 0, n = out.message_count(); i < n; ++i)
      on_message(first + i, p + offsets[i], std::size_t{itch::kLengthByType[p[offsets[i]]]});
    return Error::kOk;
  }
  const Error e = validate_mold_itch(p, len, out);
  if (e != Error::kOk) [[unlikely]]
    return e;
  for (const mold::Block b : out) on_message(b.sequence, b.data, std::size_t{b.length});
  return Error::kOk;
}

// Decodes one Ethernet frame: UDP to `feed_port` (any destination address) carrying MoldUDP64 + ITCH.
// Returns kOk for data, heartbeat and end-of-session packets (see info.kind()); otherwise the reason.
template <class OnMessage>
[[nodiscard]] inline Error decode_frame(const uint8_t* frame, std::size_t len, uint16_t feed_port,
                                        PacketInfo& info, OnMessage&& on_message) {
  if (len > kMaxFrameBytes) [[unlikely]]
    return Error::kFrameTooLong;
  const net::Error ne = net::parse_udp(frame, len, info.udp);
  if (ne != net::Error::kOk) [[unlikely]]
    return from_net(ne);
  if (info.udp.dst_port != feed_port) [[unlikely]]
    return Error::kWrongPort;
  return decode_payload(info.udp.payload, info.udp.payload_length, info.mold, on_message);
}

// Per-reason drop counters for callers that tally (tools, tests). The hot path uses its own
// single-writer counters indexed the same way.
struct ErrorCounts {
  uint64_t by_reason[kErrorCount]{};
  void add(Error e) noexcept { ++by_reason[static_cast<std::size_t>(e)]; }
  [[nodiscard]] uint64_t operator[](Error e) const noexcept { return by_reason[static_cast<std::size_t>(e)]; }
};

}  // namespace sf::feed
