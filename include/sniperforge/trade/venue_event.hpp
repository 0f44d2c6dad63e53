// OUCH 5.0 outbound (venue -> client) messages the order state machine consumes, as one typed event.
// parse_ouch_outbound() maps wire bytes to it through the shared, bounds-checked proto/ouch.hpp views.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sf::trade {

enum class VenueEventType : uint8_t { kAccepted, kExecuted, kCanceled, kRejected, kReplaced, kBrokenTrade };

struct VenueEvent {
  VenueEventType type = VenueEventType::kAccepted;
  uint64_t timestamp = 0;          // venue ns since midnight
  uint32_t user_ref_num = 0;       // for kReplaced: the new UserRefNum
  uint32_t orig_user_ref_num = 0;  // kReplaced only
  uint32_t shares = 0;             // accepted/replaced quantity, executed quantity, or cancel decrement
  uint64_t price = 0;              // OUCH u64, 4 implied decimals (accepted/replaced/executed)
  uint64_t match_number = 0;       // executed / broken trade
  uint64_t order_ref = 0;          // venue order reference number (accepted/replaced)
  char side = 0;                   // accepted/replaced
  char tif = 0;                    // accepted/replaced: the order's time in force
  char order_state = 0;            // accepted/replaced: 'L' live, 'D' dead (accepted and already out)
  std::array<char, 8> symbol{};    // accepted/replaced, space padded as on the wire
  char reason = 0;                 // canceled / broken trade
  uint16_t reject_reason = 0;      // rejected
};

enum class VenueParse : uint8_t {
  kOk,
  kIgnored,      // valid, but a type the state machine does not need (S, P, I, T, M, R)
  kUnknownType,  // empty or not an OUCH 5.0 outbound type
  kBadLength     // wrong length or malformed appendage
};

// Validates (proto/ouch.hpp) and parses one OUCH 5.0 outbound message (type byte first, appendage included).
[[nodiscard]] VenueParse parse_ouch_outbound(const uint8_t* p, std::size_t len, VenueEvent& out) noexcept;

}  // namespace sf::trade
