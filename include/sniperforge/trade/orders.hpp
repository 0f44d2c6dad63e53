// Order state machine driven by the venue's OUCH responses, plus positions and P&L from fills.
//   pending_new --Accepted--> live --Executed--> partially_filled --Executed--> filled
//        |                     |  \--Canceled (to 0)--> canceled      |--Canceled (to 0)--> canceled
//        \--Rejected--> rejected \--Replaced--> replaced (the new UserRefNum continues as live)
// Anything else is an illegal transition: counted, and applied in the way that keeps positions true (a fill
// is always booked, because the trade happened).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/trade/order_request.hpp"
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
  uint32_t quantity = 0;  // current order quantity
  uint32_t leaves = 0;    // open shares
  uint32_t filled = 0;    // cumulative
  uint64_t price = 0;
};

// Position of one instrument. Money is in raw units: 1/10000 dollar x shares.
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
  // Unrealized P&L marked at `mark` (e.g. the book mid); raw units.
  [[nodiscard]] int64_t unrealized(uint32_t mark) const noexcept {
    return shares == 0 ? 0 : static_cast<int64_t>(mark) * shares - cost;
  }
  // Books a fill: side 'B' buys, anything else sells.
  void fill(char side, uint32_t qty, uint64_t price) noexcept;
};

enum class OrderIssue : uint8_t {
  kIllegalTransition,
  kUnknownUserRefNum,
  kOverfill,
  kEvicted,       // record overwritten while not terminal (ring full)
  kUnknownMatch,  // broken trade for an execution we do not remember
  kCount
};
inline constexpr std::array<std::string_view, static_cast<std::size_t>(OrderIssue::kCount)> kOrderIssueNames{
    "illegal_transition", "unknown_user_ref_num", "overfill", "evicted", "unknown_match"};

class OrderTracker {
 public:
  // `capacity` records (ring, oldest overwritten), `fill_memory` remembered executions for broken trades.
  explicit OrderTracker(std::size_t capacity, std::size_t fill_memory = 4096);

  // A new order was sent (UserRefNums must be strictly increasing).
  void on_sent(const OrderRequest& r) noexcept;
  // Applies a venue event. Returns the affected record (nullptr if unknown). `closed_resting` is set when a
  // non-IOC order reached a terminal state (the risk gate frees its open-order slot).
  const OrderRecord* on_event(const VenueEvent& e, bool& closed_resting) noexcept;

  [[nodiscard]] const OrderRecord* find(uint32_t urn) const noexcept;
  [[nodiscard]] const Position& position(uint16_t locate) const noexcept { return positions_[locate]; }
  // Keep-warm hint: the position an order on `locate` will update, and the record slot the next order takes.
  void prefetch(uint16_t locate) const noexcept {
    __builtin_prefetch(&positions_[locate]);
    __builtin_prefetch(&ring_[(head_ + size_) % cap_]);
  }
  [[nodiscard]] uint64_t issues(OrderIssue i) const noexcept {
    return issues_[static_cast<std::size_t>(i)].load();
  }
  [[nodiscard]] uint64_t fills() const noexcept { return fills_count_.load(); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  OrderRecord* find_mut(uint32_t urn) noexcept;
  OrderRecord* append(const OrderRecord& r) noexcept;
  void count(OrderIssue i) noexcept { issues_[static_cast<std::size_t>(i)].add(); }
  void book_fill(OrderRecord& o, uint32_t qty, uint64_t price, uint64_t match) noexcept;

  struct FillMemo {
    uint64_t match = 0;
    uint32_t qty = 0;
    uint16_t locate = 0;
    char side = 0;
    uint64_t price = 0;
  };
  std::unique_ptr<OrderRecord[]> ring_;
  std::size_t cap_;
  std::size_t head_ = 0;  // oldest
  std::size_t size_ = 0;
  std::unique_ptr<FillMemo[]> fill_memo_;
  std::size_t fill_cap_;
  std::size_t fill_next_ = 0;
  std::unique_ptr<Position[]> positions_;  // by stock locate
  std::array<Counter, static_cast<std::size_t>(OrderIssue::kCount)> issues_{};
  Counter fills_count_;
};

}  // namespace sf::trade
