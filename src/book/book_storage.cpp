// BookSet's storage, set up once (cold): the order map and level arena sized from the config, the books by
// locate, footprint_bytes() computing the same sizes without allocating, and swap_contents() (the GLIMPSE
// fallback: the books themselves exchanged, O(1)).
#include <algorithm>
#include <bit>
#include <stdexcept>
#include <utility>

#include "sniperforge/book/book_set.hpp"

namespace sf::book {

OrderMap::OrderMap(std::size_t max_orders, unsigned ref_shift)
    : ref_shift_(ref_shift), max_orders_(max_orders) {
  const std::size_t cap = std::bit_ceil(std::max<std::size_t>(16, max_orders * 2));
  slots_ = HugeBuffer<OrderSlot>(cap);
  mask_ = cap - 1;
  bits_ = static_cast<unsigned>(std::countr_zero(cap));
  clear();
}

void OrderMap::clear() noexcept {
  for (std::size_t i = 0; i <= mask_; ++i) slots_[i] = OrderSlot{kEmptyRef, 0, 0, 0, Side::kBuy, 0, 0};
  size_ = 0;
}

LevelArena::LevelArena(std::size_t total_levels)
    : base_(std::max<std::size_t>(total_levels, kMinChunk) + 2 * kPad),
      total_(std::max<std::size_t>(total_levels, kMinChunk)) {
  if (total_ >= kNone) throw std::invalid_argument("level arena too large");
  free_.fill(kNone);
}

BookSet::BookSet(const BookConfig& cfg)
    : cfg_(cfg),
      orders_(cfg.max_orders, cfg.ref_shift),
      arena_(cfg.max_levels_total),
      books_(std::make_unique<OrderBook[]>(std::max<std::size_t>(cfg.max_instruments, 1))),
      by_locate_(std::make_unique<uint16_t[]>(65536)) {
  if (cfg.max_instruments == 0 || cfg.max_instruments >= kNoBook)
    throw std::invalid_argument("book.max_instruments must be in 1..65534");
  std::fill_n(by_locate_.get(), 65536, kNoBook);
}

std::size_t BookSet::footprint_bytes(const BookConfig& cfg) noexcept {
  // The same sizes as the constructors above (OrderMap: 2x max_orders rounded up to a power of two).
  const std::size_t map_slots = std::bit_ceil(std::max<std::size_t>(16, cfg.max_orders * 2));
  const std::size_t levels =
      std::max<std::size_t>(cfg.max_levels_total, LevelArena::kMinChunk) + 2 * LevelArena::kPad;
  return map_slots * sizeof(OrderSlot) + levels * sizeof(Level) +
         std::max<std::size_t>(cfg.max_instruments, 1) * sizeof(OrderBook) + 65536 * sizeof(uint16_t);
}

void BookSet::swap_contents(BookSet& other) noexcept {
  using std::swap;
  swap(orders_, other.orders_);
  swap(arena_, other.arena_);
  swap(books_, other.books_);
  swap(book_count_, other.book_count_);
  swap(by_locate_, other.by_locate_);
  swap(system_event_, other.system_event_);
  const uint64_t mine = capacity_stale_books_.load();
  capacity_stale_books_.set(other.capacity_stale_books_.load());
  other.capacity_stale_books_.set(mine);
}

uint64_t BookSet::total_drops() const noexcept {
  uint64_t t = 0;
  for (const auto& c : drops_) t += c.load();
  return t;
}

}  // namespace sf::book
