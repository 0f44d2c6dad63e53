// Bounded label sets used by the per-lcore stats: feed drop reasons and ITCH message types.
//
// Drop reasons are the labelled errors of the frame -> MoldUDP64 -> ITCH pipeline (proto layer)
// plus the data plane's own reasons. The proto layer owns its error enum; the RX lcore maps it
// once (at start-up) with drop_reason_from_name(to_string(err)), so both enums may evolve apart:
// an unknown name maps to kOther, never out of bounds.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sniperforge/proto/feed.hpp"
#include "sniperforge/proto/itch.hpp"

namespace sf::telemetry {

#define SF_FEED_DROP_REASONS(X)                                                                 \
  X(kTruncatedFrame, "truncated_frame") /* shorter than the headers it claims */                \
  X(kNotIpv4, "not_ipv4")               /* ARP, IPv6, LLDP, ... */                              \
  X(kFragment, "fragment")              /* IPv4 fragment (feed packets are never fragmented) */ \
  X(kNotUdp, "not_udp")                                                                         \
  X(kBadIpHeader, "bad_ip_header") /* IHL / version / checksum */                               \
  X(kBadIpLength, "bad_ip_length")                                                              \
  X(kBadUdpLength, "bad_udp_length")                                                            \
  X(kWrongPort, "wrong_port") /* UDP, but not the feed port */                                  \
  X(kMoldTruncated, "mold_truncated")                                                           \
  X(kMoldBadBlockLength, "mold_bad_block_length")                                               \
  X(kMoldTrailingBytes, "mold_trailing_bytes")                                                  \
  X(kMoldWrongSession, "mold_wrong_session")                                                    \
  X(kItchEmpty, "itch_empty")                                                                   \
  X(kItchUnknownType, "itch_unknown_type")                                                      \
  X(kItchBadLength, "itch_bad_length")                                                          \
  X(kMbufChained, "mbuf_chained") /* multi-segment mbuf the parser does not walk */             \
  X(kOther, "other")

enum class FeedDropReason : uint8_t {
#define SF_X(e, s) e,
  SF_FEED_DROP_REASONS(SF_X)
#undef SF_X
};

inline constexpr std::array<std::string_view, 17> kFeedDropReasonNames = {
#define SF_X(e, s) std::string_view{s},
    SF_FEED_DROP_REASONS(SF_X)
#undef SF_X
};
inline constexpr std::size_t kFeedDropReasonCount = kFeedDropReasonNames.size();
static_assert(static_cast<std::size_t>(FeedDropReason::kOther) + 1 == kFeedDropReasonCount);

[[nodiscard]] constexpr std::string_view to_string(FeedDropReason r) noexcept {
  const auto i = static_cast<std::size_t>(r);
  return i < kFeedDropReasonCount ? kFeedDropReasonNames[i] : std::string_view{"other"};
}

// Accepts the bare name ("not_udp") or the name prefixed by a layer ("itch_" + ITCH's
// "unknown_type" is also found as "itch_unknown_type" by the caller). Unknown -> kOther.
[[nodiscard]] constexpr FeedDropReason drop_reason_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kFeedDropReasonCount; ++i)
    if (kFeedDropReasonNames[i] == name) return static_cast<FeedDropReason>(i);
  return FeedDropReason::kOther;
}

// The proto layer's feed::Error -> our reason, resolved by name at compile time.
inline constexpr std::array<FeedDropReason, feed::kErrorCount> kDropReasonByFeedError = [] {
  std::array<FeedDropReason, feed::kErrorCount> t{};
  for (std::size_t i = 0; i < feed::kErrorCount; ++i)
    t[i] = drop_reason_from_name(feed::to_string(static_cast<feed::Error>(i)));
  return t;
}();
[[nodiscard]] constexpr FeedDropReason drop_reason(feed::Error e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < feed::kErrorCount ? kDropReasonByFeedError[i] : FeedDropReason::kOther;
}

// ITCH message types as a dense index 0..22 (order of itch::kSchemas); 23 = not an ITCH 5.0 type.
inline constexpr std::size_t kItchTypeSlots = itch::kMessageTypeCount + 1;
inline constexpr std::size_t kItchTypeUnknownSlot = itch::kMessageTypeCount;

inline constexpr std::array<uint8_t, 256> kItchSlotByType = [] {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = static_cast<uint8_t>(kItchTypeUnknownSlot);
  for (std::size_t i = 0; i < itch::kSchemas.size(); ++i)
    t[static_cast<uint8_t>(itch::kSchemas[i].type)] = static_cast<uint8_t>(i);
  return t;
}();

[[nodiscard]] constexpr std::size_t itch_slot(char type) noexcept {
  return kItchSlotByType[static_cast<uint8_t>(type)];
}
// Label value of a slot: the ITCH type character ("A", "E", ...), "unknown" for the last slot.
[[nodiscard]] inline std::string_view itch_slot_label(std::size_t slot) noexcept {
  static constexpr std::array<char, itch::kMessageTypeCount> kChars = [] {
    std::array<char, itch::kMessageTypeCount> c{};
    for (std::size_t i = 0; i < itch::kSchemas.size(); ++i) c[i] = itch::kSchemas[i].type;
    return c;
  }();
  if (slot >= itch::kMessageTypeCount) return "unknown";
  return {&kChars[slot], 1};
}

}  // namespace sf::telemetry
