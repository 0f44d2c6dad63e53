// The simulated venue's view of the market: for the instruments it trades, every displayed order of the feed
// in its price level's FIFO queue (the L3 book in time priority), with our own resting orders queued among
// them. The trading core's BookSet keeps level totals only; a matching engine needs the queue order, so the
// venue keeps this one for the few instruments the strategies trade.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <vector>

#include "sniperforge/book/types.hpp"

namespace sf::sim {

using book::Price;
using book::Side;

inline constexpr uint32_t kNil = ~uint32_t{0};

// One queued order: a feed order (ours == false) or one of our resting orders.
struct QueueNode {
  uint64_t ref = 0;     // feed order reference (0 for ours)
  uint32_t shares = 0;  // feed: displayed shares left; ours: leaves
  // Feed orders: shares of it our orders have already executed against. They stay displayed in the feed (the
  // feed does not know our orders) but cannot be taken again; a later feed cancel or execution of the order
  // removes the rest first (taken = min(taken, shares)).
  uint32_t taken = 0;
  uint32_t prev = kNil;
  uint32_t next = kNil;
  uint32_t user_ref_num = 0;  // ours
  Price price = 0;
  uint16_t locate = 0;
  Side side = Side::kBuy;
  bool ours = false;
  [[nodiscard]] uint32_t available() const noexcept { return ours ? 0 : shares - taken; }
};

struct LevelQueue {
  uint32_t head = kNil;
  uint32_t tail = kNil;
  uint64_t feed_shares = 0;  // displayed shares of feed orders (what the trading core's book shows)
};

class QueueBook {
 public:
  // Levels of one side keyed by book::key_of(side, price): the best level sorts last, as in book::BookSet.
  using Levels = std::map<uint32_t, LevelQueue>;

  void track(uint16_t locate) { books_.try_emplace(locate); }
  [[nodiscard]] bool tracked(uint16_t locate) const noexcept { return books_.count(locate) != 0; }

  // Appends at the tail of its level; returns the node. A feed ref that is already live is ignored (kNil).
  uint32_t add_feed(uint16_t locate, uint64_t ref, Side side, uint32_t shares, Price price);
  uint32_t add_ours(uint16_t locate, uint32_t user_ref_num, Side side, uint32_t shares, Price price);
  // Node of a live feed order, or kNil.
  [[nodiscard]] uint32_t find(uint64_t ref) const noexcept {
    const auto it = by_ref_.find(ref);
    return it == by_ref_.end() ? kNil : it->second;
  }
  // Takes `n` shares off a node (feed: displayed shares; ours: leaves); removes it at zero.
  void reduce(uint32_t node, uint32_t n);
  void remove(uint32_t node);
  // Our shares taken from a feed order (n <= available()).
  void take(uint32_t node, uint32_t n) noexcept { nodes_[node].taken += n; }

  [[nodiscard]] QueueNode& node(uint32_t i) noexcept { return nodes_[i]; }
  [[nodiscard]] const QueueNode& node(uint32_t i) const noexcept { return nodes_[i]; }
  [[nodiscard]] Levels& levels(uint16_t locate, Side s) { return books_[locate][static_cast<int>(s)]; }

  // Best price with displayed feed shares on a side (0 if none), and the mid of the two (0 if a side is
  // empty).
  [[nodiscard]] Price best(uint16_t locate, Side s) const noexcept;
  [[nodiscard]] Price mid(uint16_t locate) const noexcept;
  // Displayed feed shares at one price, and the part of them our orders have not taken.
  [[nodiscard]] uint64_t displayed(uint16_t locate, Side s, Price p) const noexcept;
  [[nodiscard]] uint64_t available(uint16_t locate, Side s, Price p) const noexcept;
  // Shares queued ahead of our node at its level (feed orders' displayed shares not taken, and our earlier
  // orders).
  [[nodiscard]] uint64_t ahead_of(uint32_t node) const noexcept;
  [[nodiscard]] std::size_t live_feed_orders() const noexcept { return by_ref_.size(); }

 private:
  uint32_t alloc(const QueueNode& n);
  void link(uint32_t i);
  [[nodiscard]] const LevelQueue* level_of(uint16_t locate, Side s, Price p) const noexcept;

  std::vector<QueueNode> nodes_;
  std::vector<uint32_t> free_;
  std::unordered_map<uint64_t, uint32_t> by_ref_;
  std::unordered_map<uint16_t, std::array<Levels, 2>> books_;
};

}  // namespace sf::sim
