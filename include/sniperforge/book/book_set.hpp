// All order books of one shard, built from ITCH 5.0 messages. Everything is sized from BookConfig at
// construction; apply() never allocates. Messages that cannot be applied are counted by Drop reason.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sniperforge/book/level_arena.hpp"
#include "sniperforge/book/order_book.hpp"
#include "sniperforge/book/order_map.hpp"
#include "sniperforge/book/types.hpp"
#include "sniperforge/common/counter.hpp"
#include "sniperforge/proto/itch.hpp"

namespace sf::book {

struct BookConfig {
  std::size_t max_orders = 1 << 20;          // live orders per shard
  std::size_t max_instruments = 10'000;      // books per shard (<= 65535)
  std::size_t max_levels_per_side = 16'384;  // price levels on one side of one book
  std::size_t max_levels_total = 1 << 21;    // level arena per shard (all books, both sides)
  unsigned ref_shift = 0;  // not from TOML: log2 of the shard count, set by the Engine (see OrderMap)
};

// One line of the book dump (see write_book_dump()).
struct BookRow {
  std::string symbol;
  uint16_t locate = 0;
  Price bid_px = 0;
  uint64_t bid_qty = 0;
  Price ask_px = 0;
  uint64_t ask_qty = 0;
  uint64_t orders = 0;
  friend bool operator==(const BookRow&, const BookRow&) = default;
};

class BookSet {
 public:
  static constexpr uint16_t kNoBook = 0xFFFF;

  explicit BookSet(const BookConfig& cfg);
  // Bytes a BookSet of this configuration allocates (order map, level arena, books, locate index), computed
  // without allocating: --check-config refuses what the machine cannot hold.
  [[nodiscard]] static std::size_t footprint_bytes(const BookConfig& cfg) noexcept;

  // What apply() did: the book it touched (kNoBook if none) and whether that book's levels changed.
  struct Result {
    uint16_t book = kNoBook;
    bool levels_changed = false;
  };

  // Applies one validated ITCH message (validate() accepted it).
  Result apply(itch::MessageView msg) noexcept;

  // Hints for batch replays, in two stages: prefetch() pulls in the order slot of a message some 16 positions
  // ahead; prefetch_levels() (some 4 ahead, once the slot has arrived) pulls in the book and the hot end of
  // the level array it will touch. Both only read.
  void prefetch(const uint8_t* msg) const noexcept;
  void prefetch_levels(const uint8_t* msg) const noexcept;
  // Keep-warm hint for an idle lcore: the book of `locate` and its best level on both sides.
  void prefetch_top(uint16_t locate) const noexcept;

  [[nodiscard]] std::size_t book_count() const noexcept { return book_count_; }
  [[nodiscard]] const OrderBook& book(uint16_t index) const noexcept { return books_[index]; }
  [[nodiscard]] uint16_t index_of(uint16_t locate) const noexcept { return by_locate_[locate]; }
  [[nodiscard]] const OrderBook* find(uint16_t locate) const noexcept {
    const uint16_t i = by_locate_[locate];
    return i == kNoBook ? nullptr : &books_[i];
  }
  [[nodiscard]] std::size_t live_orders() const noexcept { return orders_.size(); }
  [[nodiscard]] const OrderMap& orders() const noexcept { return orders_; }
  [[nodiscard]] uint64_t drops(Drop d) const noexcept { return drops_[static_cast<std::size_t>(d)].load(); }
  [[nodiscard]] uint64_t total_drops() const noexcept;
  [[nodiscard]] uint64_t applied() const noexcept { return applied_.load(); }
  // Books marked capacity_lost() (readable from another thread: a Counter).
  [[nodiscard]] uint64_t capacity_stale_books() const noexcept { return capacity_stale_books_.load(); }
  [[nodiscard]] char last_system_event() const noexcept { return system_event_; }
  [[nodiscard]] const BookConfig& config() const noexcept { return cfg_; }

  // Rows for every book that has had at least one order, in book-creation order.
  void dump_rows(std::vector<BookRow>& out) const;

  // Exchanges the books themselves (orders, levels, books, locate index, system event) with `other`, built
  // from the same BookConfig: O(1), no allocation, so an executor can take in books a housekeeping thread
  // rebuilt from a GLIMPSE snapshot between two polls. The counters (drops, applied) stay with this set;
  // the capacity-stale count follows the books.
  void swap_contents(BookSet& other) noexcept;

 private:
  OrderBook* book_for(uint16_t locate, const char* stock8) noexcept;
  void add_order(OrderBook& b, uint16_t bi, uint64_t ref, char side, uint32_t shares, Price px) noexcept;
  bool level_add(OrderBook& b, Side s, Price px, uint32_t shares) noexcept;
  void level_remove(OrderBook& b, Side s, Price px, uint32_t shares, bool last_of_order) noexcept;
  void remove_order(OrderBook& b, OrderSlot* o) noexcept;
  OrderSlot* find_for(uint64_t ref, uint16_t locate) noexcept;
  // Takes `n` shares off an order; removes it at zero. Returns false on over-reduction (order removed).
  bool reduce(OrderSlot* o, uint32_t n) noexcept;
  void count(Drop d) noexcept { drops_[static_cast<std::size_t>(d)].add(); }
  // Counts a capacity drop that loses an order of `b`, and marks `b` stale (once).
  void count_capacity_loss(OrderBook& b, Drop d) noexcept;

  BookConfig cfg_;
  OrderMap orders_;
  LevelArena arena_;
  std::unique_ptr<OrderBook[]> books_;
  std::size_t book_count_ = 0;
  std::unique_ptr<uint16_t[]> by_locate_;
  char system_event_ = 0;
  alignas(64) std::array<Counter, static_cast<std::size_t>(Drop::kCount)> drops_{};
  Counter applied_;
  Counter capacity_stale_books_;
};

}  // namespace sf::book
