// Bounded label sets used by the per-lcore stats: feed drop reasons and ITCH message types.
//
// Drop reasons are the proto layer's feed parse reasons (SF_FEED_PARSE_DROPS in proto/feed.hpp, the
// one list of names) followed by the data plane's own: a feed::Error converts by offset, never by
// name or by a second list kept in step.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sniperforge/proto/feed.hpp"
#include "sniperforge/proto/itch.hpp"

namespace sf::telemetry {

#define SF_DATAPLANE_DROPS(X)                                                                        \
  X(kMoldWrongSession, "mold_wrong_session") /* not the MoldUDP64 session followed */                \
  X(kMbufChained, "mbuf_chained")            /* multi-segment mbuf the parser does not walk */       \
  X(kForgedSource, "forged_source")          /* source address not in [feed] sources */              \
  X(kSeqJump, "seq_jump")                    /* sequence beyond [feed] max_seq_jump: not believed */ \
  X(kOther, "other")                         /* out-of-range reason (clamped), never produced */

enum class FeedDropReason : uint8_t {
#define SF_X(e, s) e,
  SF_FEED_PARSE_DROPS(SF_X) SF_DATAPLANE_DROPS(SF_X)
#undef SF_X
};

inline constexpr std::string_view kFeedDropReasonNames[] = {
#define SF_X(e, s) std::string_view{s},
    SF_FEED_PARSE_DROPS(SF_X) SF_DATAPLANE_DROPS(SF_X)
#undef SF_X
};
inline constexpr std::size_t kFeedDropReasonCount = std::size(kFeedDropReasonNames);
static_assert(static_cast<std::size_t>(FeedDropReason::kOther) + 1 == kFeedDropReasonCount);

[[nodiscard]] constexpr std::string_view to_string(FeedDropReason r) noexcept {
  const auto i = static_cast<std::size_t>(r);
  return i < kFeedDropReasonCount ? kFeedDropReasonNames[i] : std::string_view{"other"};
}

// A label back to its reason (tests, tools). Unknown -> kOther.
[[nodiscard]] constexpr FeedDropReason drop_reason_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kFeedDropReasonCount; ++i)
    if (kFeedDropReasonNames[i] == name) return static_cast<FeedDropReason>(i);
  return FeedDropReason::kOther;
}

// The proto layer's feed::Error -> our reason: the same list without its kOk, so an offset of one.
[[nodiscard]] constexpr FeedDropReason drop_reason(feed::Error e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i >= 1 && i < feed::kErrorCount ? static_cast<FeedDropReason>(i - 1) : FeedDropReason::kOther;
}
static_assert(drop_reason(feed::Error::kItchBadLength) == FeedDropReason::kItchBadLength &&
              drop_reason(feed::Error::kTruncatedFrame) == FeedDropReason::kTruncatedFrame);

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
