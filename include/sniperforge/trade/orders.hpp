// Order state machine driven by the venue's OUCH 5.0 responses, plus positions and P&L from fills.
//   pending_new --Accepted--> live --Executed--> partially_filled --Executed--> filled
//     |  |                     |  \--Canceled (to 0)--> canceled  |--Canceled (to 0)--> canceled
//     |  \--Accepted, order state D--> canceled
//     \--Rejected--> rejected     live, partially_filled --Replaced--> replaced (the new UserRefNum: live)
// Every response is first checked against the order it answers (venue_check.hpp); one that fails any check
// changes nothing and is counted under its reason. docs/protocols.md lists each accepted transition.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/trade/checked_math.hpp"
#include "sniperforge/trade/fill_memory.hpp"
#include "sniperforge/trade/order_request.hpp"
#include "sniperforge/trade/venue_check.hpp"
#include "sniperforge/trade/venue_event.hpp"

namespace sf::trade {

enum class OrderState : uint8_t {
  kPendingNew,
  kLive,
  kPartiallyFilled,
  kFilled,
  kCanceled,
  kRejected,
  kReplaced
};

[[nodiscard]] constexpr std::string_view to_string(OrderState s) noexcept {
  constexpr std::string_view n[] = {"pending_new", "live",     "partially_filled", "filled",
                                    "canceled",    "rejected", "replaced"};
  return n[static_cast<int>(s)];
}
[[nodiscard]] constexpr bool is_terminal(OrderState s) noexcept {
  return s == OrderState::kFilled || s == OrderState::kCanceled || s == OrderState::kRejected ||
         s == OrderState::kReplaced;
}

struct OrderRecord {
  uint32_t user_ref_num = 0;
  uint16_t locate = 0;
  char side = 'B';
  char tif = kTifIoc;
  OrderState state = OrderState::kPendingNew;
  uint32_t quantity = 0;         // current order quantity
  uint32_t leaves = 0;           // open shares
  uint32_t filled = 0;           // cumulative
  uint64_t price = 0;            // limit price
  std::array<char, 8> symbol{};  // as sent (space padded)
};

// Position of one instrument. Money is in raw units: 1/10000 dollar x shares. Every field stays within
// +-INT64_MAX: fill() computes in __int128 and refuses a fill whose result would not fit.
struct Position {
  int64_t shares = 0;
  int64_t cost = 0;      // signed cost basis of the open position (sum of price x signed shares)
  int64_t realized = 0;  // realized P&L
  uint64_t bought = 0;
  uint64_t sold = 0;
  // Average cost in raw price units (0 when flat).
  [[nodiscard]] double average_cost() const noexcept {
    return shares == 0 ? 0.0 : static_cast<double>(cost) / static_cast<double>(shares);
  }
  // Unrealized P&L marked at `mark` (e.g. the book mid); raw units, clamped to +-INT64_MAX.
  [[nodiscard]] int64_t unrealized(uint32_t mark) const noexcept {
    return shares == 0 ? 0 : clamp_int64(Int128{mark} * shares - cost);
  }
  // Books a fill: side 'B' buys, anything else sells. Returns false, and changes nothing, when a field
  // would leave int64 (only absurd quantities and prices get there).
  bool fill(char side, uint32_t qty, uint64_t price) noexcept;
};

class OrderTracker {
 public:
  // `capacity` records (ring, oldest overwritten), `fill_memory` remembered executions (duplicate match
  // numbers, broken trades; see fill_memory.hpp).
  explicit OrderTracker(std::size_t capacity, std::size_t fill_memory = 4096);
  // Bytes the constructor allocates for `capacity` records (and the default fill memory).
  [[nodiscard]] static std::size_t footprint_bytes(std::size_t capacity,
                                                   std::size_t fill_memory = 4096) noexcept;

  // A new order was sent (UserRefNums must be strictly increasing).
  void on_sent(const OrderRequest& r) noexcept;
  // Checks a venue event against the order it answers and applies it only if every check passes; a
  // failure is counted by reason and leaves every record and position as it was. `closed_resting` is set
  // when a non-IOC order reached a terminal state (the risk gate frees its open-order slot).
  VenueVerdict on_event(const VenueEvent& e, bool& closed_resting) noexcept;

  [[nodiscard]] const OrderRecord* find(uint32_t urn) const noexcept;
  // Locate of the newest order on `symbol` (space padded) still held; 0 if none (restart adoption).
  [[nodiscard]] uint16_t locate_of(const std::array<char, 8>& symbol) const noexcept;
  [[nodiscard]] const Position& position(uint16_t locate) const noexcept { return positions_[locate]; }
  // Keep-warm hint: the position an order on `locate` will update, and the record slot the next order takes.
  void prefetch(uint16_t locate) const noexcept {
    __builtin_prefetch(&positions_[locate]);
    __builtin_prefetch(&ring_[(head_ + size_) % cap_]);
  }
  // Venue events refused, by the check they failed (kOk: 0), and in all.
  [[nodiscard]] uint64_t failures(VenueCheck c) const noexcept {
    return failures_[static_cast<std::size_t>(c)].load();
  }
  [[nodiscard]] uint64_t failures() const noexcept { return failures_total_.load(); }
  // Records overwritten while their order was not final (the ring was too small).
  [[nodiscard]] uint64_t evicted() const noexcept { return evicted_.load(); }
  [[nodiscard]] uint64_t fills() const noexcept { return fills_count_.load(); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  // Calls f(const OrderRecord&) for every order not yet final, oldest first (kill's Cancels).
  template <class F>
  void for_each_open(F&& f) const noexcept {
    for (std::size_t i = 0; i < size_; ++i) {
      const OrderRecord& r = ring_[(head_ + i) % cap_];
      if (!is_terminal(r.state)) f(r);
    }
  }

 private:
  OrderRecord* find_mut(uint32_t urn) noexcept;
  OrderRecord* append(const OrderRecord& r) noexcept;
  // The checks (venue_checks.cpp): kOk, or the first check `e` fails against the tracker's state.
  [[nodiscard]] VenueVerdict judge(const VenueEvent& e) noexcept;
  // Applies an event judge() passed; only a position overflow can still refuse it (before any change).
  VenueCheck apply(const VenueEvent& e, OrderRecord& o) noexcept;
  OrderRecord* apply_replace(const VenueEvent& e, OrderRecord& orig) noexcept;

  std::unique_ptr<OrderRecord[]> ring_;
  std::size_t cap_;
  std::size_t head_ = 0;  // oldest
  std::size_t size_ = 0;
  FillMemory fill_memory_;
  std::unique_ptr<Position[]> positions_;  // by stock locate
  std::array<Counter, static_cast<std::size_t>(VenueCheck::kCount)> failures_{};
  Counter failures_total_;
  Counter evicted_;
  Counter fills_count_;
};

}  // namespace sf::trade
