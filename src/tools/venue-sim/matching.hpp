// sf-venue-sim's order handling, shared by the UDP and the SoupBinTCP modes: what the venue answers
// to one OUCH 5.0 Enter Order, per session.
//   - A UserRefNum that is not above every one the session used before: Rejected (as NASDAQ does).
//   - Otherwise Order Accepted, then by the fill rule shared with sf-backtest (sim/rule_fill.hpp):
//     "full" executes the whole quantity at the order's price; "seeded" draws from (seed, UserRefNum):
//     60 % full fill, 20 % partial fill, 20 % none. An IOC order's unfilled rest is Canceled (reason
//     'I'); a day order's stays open.
//   - --no-fill: Accepted only. --fault overfill|duplicate-exec: see faulty_executions().
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "sniperforge/proto/ouch.hpp"

namespace sf::venue_sim {

enum class Fault { kNone, kOverfill, kDuplicateExec };
enum class FillRule { kFull, kSeeded };

struct Rules {
  FillRule fill = FillRule::kFull;
  uint64_t seed = 1;
  Fault fault = Fault::kNone;
  bool no_fill = false;
};

// OUCH 5.0 Rejected reason we send for a reused or non-increasing UserRefNum (our code: the
// simulator does not reproduce NASDAQ's reason table).
inline constexpr uint16_t kRejectUserRefNum = 0x0001;
// OUCH 5.0 Order Canceled reason for the unfilled rest of an IOC order.
inline constexpr char kCancelImmediateOrCancel = 'I';

// OUCH 5.0 Order Canceled reason for a Cancel Order the client sent.
inline constexpr char kCancelUserRequested = 'U';

// One session's order state at the venue; rebuilt from its stored messages after a restart.
struct SessionOrders {
  uint32_t last_user_ref_num = 0;
  uint64_t next_order_ref = 1;
  uint64_t next_match = 1;
  // Orders resting at the venue (--no-fill, or a day order's unfilled rest): UserRefNum -> open shares.
  std::map<uint32_t, uint32_t> open;
  // Learns from one outbound message the venue sent earlier (replayed from the store).
  void learn(std::span<const uint8_t> outbound_message);
  // `shares` of a resting order were executed or canceled (the order leaves `open` at zero).
  void take_open(uint32_t urn, uint32_t shares);
};

using Message = std::vector<uint8_t>;

// Appends the outbound messages answering one Enter Order to `out`.
void answer_enter_order(const ouch::inbound::views::EnterOrder& o, const Rules& rules, SessionOrders& s,
                        uint64_t timestamp, std::vector<Message>& out);

// Appends the answer to one Cancel Order: Order Canceled (reason 'U') for the shares it takes off a
// resting order (quantity: the order's new size, 0 = all of it); nothing for an order that is not open
// any more (already executed or canceled: too late, as at NASDAQ).
void answer_cancel_order(const ouch::inbound::views::CancelOrder& c, SessionOrders& s, uint64_t timestamp,
                         std::vector<Message>& out);

// The Executed messages a faulty venue sends for an order of `quantity` shares:
//   overfill        Executed for ceil(q/2) shares, then another Executed (new match number) for q
//                   shares: the second exceeds what is still open.
//   duplicate-exec  Executed for ceil(q/2) shares, then the very same Executed again (same match).
// In both, the valid fills are ceil(q/2) shares per order. Returns how many it wrote to `out`.
std::size_t faulty_executions(Fault fault, ouch::outbound::msg::OrderExecuted first, uint32_t quantity,
                              uint64_t& match, std::array<ouch::outbound::msg::OrderExecuted, 2>& out);

// Nanoseconds since midnight (OUCH timestamps).
uint64_t ns_since_midnight();

}  // namespace sf::venue_sim
