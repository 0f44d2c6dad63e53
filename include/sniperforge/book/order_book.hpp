// The book of one instrument: both sides as sorted level arrays (best level last, so the busy inside of the
// book is at the cheap end for inserts and removals), plus symbol-directory, trading-state and trade
// statistics. Individual orders live in the shard's OrderMap; this type is the read side strategies and
// snapshots use.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "sniperforge/book/level_arena.hpp"
#include "sniperforge/book/types.hpp"
#include "sniperforge/proto/itch.hpp"

namespace sf::book {

// One side's levels: a double-ended sorted array inside an arena chunk, [first, first + size), worst level
// first. A new level shifts whichever part of the array is shorter, so a far level in a deep book moves the
// few levels beyond it, not every level up to the inside. Both ends keep LevelArena::kSlack spare entries.
struct SideLevels {
  uint32_t off = LevelArena::kNone;  // chunk start in the arena
  uint32_t first = 0;                // arena index of the worst level
  uint32_t size = 0;
  uint8_t cls = 0;
  [[nodiscard]] uint32_t chunk() const noexcept {
    return off == LevelArena::kNone ? 0 : LevelArena::chunk_size(cls);
  }
  [[nodiscard]] uint32_t capacity() const noexcept {
    return off == LevelArena::kNone ? 0 : LevelArena::chunk_size(cls) - 2 * LevelArena::kSlack;
  }
};

struct LevelView {
  Price price;
  uint64_t shares;
  uint32_t orders;
  friend bool operator==(const LevelView&, const LevelView&) = default;
};

class alignas(64) OrderBook {
 public:
  OrderBook() = default;
  OrderBook(const Level* arena_base, uint16_t locate) noexcept : base_(arena_base), locate_(locate) {
    symbol_.fill(' ');
  }

  [[nodiscard]] uint16_t locate() const noexcept { return locate_; }
  // Symbol without padding (from Stock Directory, else from the first Add Order).
  [[nodiscard]] std::string_view symbol() const noexcept {
    return itch::trim_alpha({symbol_.data(), symbol_.size()});
  }
  [[nodiscard]] const std::array<char, 8>& symbol_padded() const noexcept { return symbol_; }
  [[nodiscard]] uint32_t round_lot() const noexcept { return round_lot_; }
  [[nodiscard]] TradingState trading_state() const noexcept { return state_; }
  [[nodiscard]] bool can_trade() const noexcept { return state_ == TradingState::kTrading; }
  [[nodiscard]] bool has_had_order() const noexcept { return had_order_; }
  [[nodiscard]] uint32_t live_orders() const noexcept { return live_orders_; }
  [[nodiscard]] Price last_trade_price() const noexcept { return last_trade_price_; }
  [[nodiscard]] uint64_t volume() const noexcept { return volume_; }
  [[nodiscard]] uint64_t broken_trades() const noexcept { return broken_trades_; }
  // An order of this book was dropped for capacity (max live orders or price levels): the book is
  // incomplete from then on, so nothing may trade on it (the engine refuses with reason "stale").
  [[nodiscard]] bool capacity_lost() const noexcept { return capacity_lost_; }

  // Levels of one side, worst first, best last.
  [[nodiscard]] std::span<const Level> levels(Side s) const noexcept {
    const SideLevels& sl = sides_[static_cast<int>(s)];
    if (sl.size == 0) return {};
    return {base_ + sl.first, sl.size};
  }
  [[nodiscard]] uint32_t depth(Side s) const noexcept { return sides_[static_cast<int>(s)].size; }
  [[nodiscard]] bool empty(Side s) const noexcept { return depth(s) == 0; }
  // Best price of a side; 0 when the side is empty.
  [[nodiscard]] Price best_price(Side s) const noexcept {
    const SideLevels& sl = sides_[static_cast<int>(s)];
    return sl.size ? price_of(s, base_[sl.first + sl.size - 1].key) : 0;
  }
  [[nodiscard]] uint64_t best_shares(Side s) const noexcept {
    const SideLevels& sl = sides_[static_cast<int>(s)];
    return sl.size ? base_[sl.first + sl.size - 1].shares : 0;
  }
  // i-th best level (0 = best); i < depth(s).
  [[nodiscard]] LevelView level(Side s, uint32_t i) const noexcept {
    const SideLevels& sl = sides_[static_cast<int>(s)];
    const Level& l = base_[sl.first + sl.size - 1 - i];
    return {price_of(s, l.key), l.shares, l.orders};
  }
  // Writes up to out.size() best levels of a side; returns how many.
  std::size_t top(Side s, std::span<LevelView> out) const noexcept {
    const std::size_t n = std::min<std::size_t>(out.size(), depth(s));
    for (std::size_t i = 0; i < n; ++i) out[i] = level(s, static_cast<uint32_t>(i));
    return n;
  }
  // Shares resting on side `s` at `limit` or better (bids: price >= limit; asks: price <= limit).
  [[nodiscard]] uint64_t shares_at_or_better(Side s, Price limit) const noexcept {
    const SideLevels& sl = sides_[static_cast<int>(s)];
    const uint32_t k = key_of(s, limit);
    uint64_t total = 0;
    for (uint32_t i = sl.size; i > 0 && base_[sl.first + i - 1].key >= k; --i)
      total += base_[sl.first + i - 1].shares;
    return total;
  }
  // Mid of best bid and ask in raw price units (0 if a side is empty).
  [[nodiscard]] Price mid() const noexcept {
    if (empty(Side::kBuy) || empty(Side::kSell)) return 0;
    return static_cast<Price>((uint64_t{best_price(Side::kBuy)} + best_price(Side::kSell)) / 2);
  }

 private:
  friend class BookSet;
  // First cache line: everything a book message touches. Second: directory data and rarely updated stats.
  const Level* base_ = nullptr;
  std::array<SideLevels, 2> sides_{};
  uint32_t live_orders_ = 0;
  Price last_trade_price_ = 0;
  uint64_t volume_ = 0;
  uint16_t locate_ = 0;
  TradingState state_ = TradingState::kTrading;
  bool had_order_ = false;
  alignas(64) std::array<char, 8> symbol_{};
  bool has_symbol_ = false;
  uint32_t round_lot_ = 0;
  uint64_t broken_trades_ = 0;
  bool capacity_lost_ = false;
};

}  // namespace sf::book
