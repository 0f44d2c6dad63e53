// BookSet's hot path: apply() an ITCH message to its book (order map, price levels in chunks of the level
// arena, branch-free level search and moves), and book_for() resolving a locate. Kept in one translation
// unit so the compiler inlines the level operations into apply(). Setup and sizing: book_storage.cpp;
// prefetch hints: book_prefetch.cpp; the dump: book_dump.cpp.
#include <algorithm>
#include <bit>
#include <cstring>

#include "sniperforge/book/book_set.hpp"

namespace sf::book {

namespace {
// 'B' -> 1 + kBuy, 'S' -> 1 + kSell, anything else 0.
constexpr std::array<uint8_t, 256> kSideCode = [] {
  std::array<uint8_t, 256> t{};
  t['B'] = 1;
  t['S'] = 2;
  return t;
}();
}  // namespace

OrderBook* BookSet::book_for(uint16_t locate, const char* stock8) noexcept {
  uint16_t i = by_locate_[locate];
  if (i == kNoBook) [[unlikely]] {
    if (book_count_ >= cfg_.max_instruments) {
      count(Drop::kInstrumentCapacity);
      return nullptr;
    }
    i = static_cast<uint16_t>(book_count_++);
    by_locate_[locate] = i;
    books_[i] = OrderBook(arena_.base(), locate);
  }
  OrderBook& b = books_[i];
  if (stock8 != nullptr && !b.has_symbol_) [[unlikely]] {
    std::memcpy(b.symbol_.data(), stock8, 8);
    b.has_symbol_ = true;
  }
  return &b;
}

// Number of levels among 8 whose key is below `key` (only the first `n` count): branch-free.
static inline uint32_t count_below8(const Level* l, uint32_t n, uint32_t key) noexcept {
  uint32_t c = 0;
  for (uint32_t i = 0; i < 8; ++i) c += static_cast<uint32_t>(i < n) & static_cast<uint32_t>(l[i].key < key);
  return c;
}

// First index whose key is >= key (n >= 1; the 8 entries from `l` are always readable: chunks hold >= 16
// entries and the arena is padded, and entries past the n live ones are masked out).
// The 8 levels nearest the inside are counted branch-free (the common case: two cache lines at the hot end);
// beyond them the search gallops towards the far end (n-9, n-10, n-12, ...) and finishes with a branchless
// binary search, so a far event costs O(log distance) and never touches the middle of a deep book first.
static inline uint32_t lower_bound_key(const Level* l, uint32_t n, uint32_t key) noexcept {
  const uint32_t first = n > 8 ? n - 8 : 0;  // the (up to) 8 levels nearest the inside start here
  const Level* top = l + first;
  if (first == 0 || top[0].key < key) return first + count_below8(top, n - first, key);
  uint32_t hi = first;  // l[hi].key >= key
  uint32_t step = 1;
  while (step <= hi && l[hi - step].key >= key) {
    hi -= step;
    step <<= 1;
  }
  const uint32_t lo = step <= hi ? hi - step + 1 : 0;  // l[lo - 1].key < key (or lo == 0)
  const Level* b = l + lo;
  uint32_t len = hi - lo;  // the answer is in [b, b + len]; b[len] qualifies
  while (len > 1) {
    const uint32_t half = len / 2;
    b += static_cast<uint32_t>(b[half - 1].key < key) * half;
    len -= half;
  }
  return static_cast<uint32_t>(b - l) + static_cast<uint32_t>(len == 1 && b->key < key);
}

// Moves `count` levels (overlapping ranges) by one position. Up to kSlack levels -- the common case -- move
// as one fixed 64-byte block with no branch on the count; the block is anchored so that its extra entries
// fall on the side of the range that holds no live level (`spare_after`: beyond the end, else before the
// start), which the chunk's slack keeps inside the chunk.
static inline void move_levels(Level* dst, const Level* src, uint32_t count, bool spare_after) noexcept {
  constexpr uint32_t k = LevelArena::kSlack;
  if (count <= k) [[likely]] {
    Level tmp[k];
    const uint32_t back = spare_after ? 0 : k - count;  // anchor at the start, or at the end
    std::memcpy(tmp, src - back, sizeof tmp);
    std::memcpy(dst - back, tmp, sizeof tmp);
    return;
  }
  std::memmove(dst, src, count * sizeof(Level));
}

bool BookSet::level_add(OrderBook& b, Side s, Price px, uint32_t shares) noexcept {
  SideLevels& sl = b.sides_[static_cast<int>(s)];
  Level* base = arena_.base();
  const uint32_t key = key_of(s, px);
  uint32_t pos = 0;
  if (sl.size) {
    Level* l = base + sl.first;
    pos = lower_bound_key(l, sl.size, key);
    if (pos < sl.size && l[pos].key == key) {
      l[pos].shares += shares;
      ++l[pos].orders;
      return true;
    }
  }
  if (sl.size >= cfg_.max_levels_per_side) [[unlikely]]
    return false;
  constexpr uint32_t kSlack = LevelArena::kSlack;
  if (sl.size == sl.capacity()) [[unlikely]] {
    const unsigned cls = sl.off == LevelArena::kNone ? 0 : sl.cls + 1u;
    if (cls >= LevelArena::kClasses) return false;
    const uint32_t off = arena_.alloc(cls);
    if (off == LevelArena::kNone) return false;
    const uint32_t first = off + (LevelArena::chunk_size(cls) - sl.size) / 2;  // centred
    if (sl.off != LevelArena::kNone) {
      std::memcpy(base + first, base + sl.first, sl.size * sizeof(Level));
      arena_.release(sl.off, sl.cls);
    }
    sl.off = off;
    sl.first = first;
    sl.cls = static_cast<uint8_t>(cls);
  }
  // Shift the shorter part: the levels worse than the new one (towards the chunk start) or the better ones.
  const uint32_t end = sl.off + sl.chunk();
  uint32_t front_room = sl.first - (sl.off + kSlack);
  uint32_t back_room = end - kSlack - (sl.first + sl.size);
  bool front = pos < sl.size - pos;
  if ((front ? front_room : back_room) == 0) [[unlikely]] {
    if (front_room + back_room >= 2) {  // re-centre, so that side has room again for a while
      const uint32_t first = sl.off + (sl.chunk() - sl.size) / 2;
      std::memmove(base + first, base + sl.first, sl.size * sizeof(Level));
      sl.first = first;
      front_room = sl.first - (sl.off + kSlack);
      back_room = end - kSlack - (sl.first + sl.size);
    }
    if ((front ? front_room : back_room) == 0) front = !front;
  }
  Level* l = base + sl.first;
  if (front) {
    move_levels(l - 1, l, pos, false);
    --sl.first;
    (l - 1)[pos] = Level{key, 1, shares};  // the slot just below the old position `pos`
  } else {
    move_levels(l + pos + 1, l + pos, sl.size - pos, true);
    l[pos] = Level{key, 1, shares};
  }
  ++sl.size;
  return true;
}

void BookSet::level_remove(OrderBook& b, Side s, Price px, uint32_t shares, bool last_of_order) noexcept {
  SideLevels& sl = b.sides_[static_cast<int>(s)];
  Level* l = arena_.base() + sl.first;
  const uint32_t key = key_of(s, px);
  // Every live order has its level; the checks keep a bug from turning into an out-of-bounds access.
  if (sl.size == 0) [[unlikely]]
    return;
  const uint32_t pos = lower_bound_key(l, sl.size, key);
  if (pos >= sl.size || l[pos].key != key) [[unlikely]]
    return;
  l[pos].shares -= shares;
  if (last_of_order && --l[pos].orders == 0) {
    if (pos < sl.size - 1 - pos) {  // fewer levels before it: move those up
      move_levels(l + 1, l, pos, false);
      ++sl.first;
    } else {
      move_levels(l + pos, l + pos + 1, sl.size - pos - 1, true);
    }
    --sl.size;
  }
}

void BookSet::count_capacity_loss(OrderBook& b, Drop d) noexcept {
  count(d);
  if (!b.capacity_lost_) {
    b.capacity_lost_ = true;
    capacity_stale_books_.add();
  }
}

void BookSet::add_order(OrderBook& b, uint16_t bi, uint64_t ref, char side_ch, uint32_t shares,
                        Price px) noexcept {
  const uint8_t side_code = kSideCode[static_cast<uint8_t>(side_ch)];  // one predictable branch, not two
  if (side_code == 0) [[unlikely]]
    return count(Drop::kBadSide);
  if (shares == 0) [[unlikely]]
    return count(Drop::kZeroShares);
  if (ref == OrderMap::kEmptyRef) [[unlikely]]
    return count(Drop::kBadRef);
  if (orders_.size() >= orders_.max_orders()) [[unlikely]]
    return count_capacity_loss(b, Drop::kOrderCapacity);
  OrderSlot* o = orders_.insert(ref);
  if (o == nullptr) [[unlikely]]
    return count(Drop::kDuplicateRef);
  const Side s = static_cast<Side>(side_code - 1);
  if (!level_add(b, s, px, shares)) [[unlikely]] {
    orders_.erase(o);
    return count_capacity_loss(b, Drop::kLevelOverflow);
  }
  o->price = px;
  o->shares = shares;
  o->book = bi;
  o->side = s;
  ++b.live_orders_;
  b.had_order_ = true;
}

void BookSet::remove_order(OrderBook& b, OrderSlot* o) noexcept {
  level_remove(b, o->side, o->price, o->shares, true);
  --b.live_orders_;
  orders_.erase(o);
}

OrderSlot* BookSet::find_for(uint64_t ref, uint16_t locate) noexcept {
  OrderSlot* o = orders_.find(ref);
  if (o == nullptr) [[unlikely]] {
    count(Drop::kUnknownRef);
    return nullptr;
  }
  if (books_[o->book].locate_ != locate) [[unlikely]] {
    count(Drop::kLocateMismatch);
    return nullptr;
  }
  return o;
}

bool BookSet::reduce(OrderSlot* o, uint32_t n) noexcept {
  OrderBook& b = books_[o->book];
  if (n >= o->shares) {
    const bool exact = n == o->shares;
    remove_order(b, o);  // invalidates o
    return exact;
  }
  level_remove(b, o->side, o->price, n, false);
  o->shares -= n;
  return true;
}

BookSet::Result BookSet::apply(itch::MessageView msg) noexcept {
  const uint8_t* p = msg.data();
  const uint16_t locate = msg.stock_locate();
  Result r;
  const char type = msg.type();
  switch (type) {
    case 'A':
    case 'F': {
      const itch::AddOrder m{p};
      if (locate == 0) [[unlikely]] {
        count(Drop::kZeroLocate);
        return r;
      }
      OrderBook* b = book_for(locate, reinterpret_cast<const char*>(p + 24));
      if (b == nullptr) [[unlikely]]
        return r;
      r.book = by_locate_[locate];
      const uint32_t live = b->live_orders_;
      add_order(*b, r.book, m.order_reference_number(), m.buy_sell_indicator(), m.shares(), m.price());
      r.levels_changed = b->live_orders_ != live;
      break;
    }
    case 'E':
    case 'C': {
      const itch::OrderExecutedWithPrice m{p};
      OrderSlot* o = find_for(m.order_reference_number(), locate);
      if (o == nullptr) [[unlikely]]
        return r;
      r.book = o->book;
      r.levels_changed = true;
      OrderBook& b = books_[o->book];
      const uint32_t n = m.executed_shares();
      if (type == 'E') {
        b.last_trade_price_ = o->price;
        b.volume_ += std::min(n, o->shares);
      } else if (m.printable() == 'Y') {
        b.last_trade_price_ = m.execution_price();
        b.volume_ += std::min(n, o->shares);
      }
      if (n > o->shares) [[unlikely]]
        count(Drop::kOverExecution);
      reduce(o, n);
      break;
    }
    case 'X': {
      const itch::OrderCancel m{p};
      OrderSlot* o = find_for(m.order_reference_number(), locate);
      if (o == nullptr) [[unlikely]]
        return r;
      r.book = o->book;
      r.levels_changed = true;
      const uint32_t n = m.canceled_shares();
      if (n > o->shares) [[unlikely]]
        count(Drop::kOverCancel);
      reduce(o, n);
      break;
    }
    case 'D': {
      const itch::OrderDelete m{p};
      OrderSlot* o = find_for(m.order_reference_number(), locate);
      if (o == nullptr) [[unlikely]]
        return r;
      r.book = o->book;
      r.levels_changed = true;
      remove_order(books_[o->book], o);
      break;
    }
    case 'U': {
      const itch::OrderReplace m{p};
      OrderSlot* o = find_for(m.original_order_reference_number(), locate);
      if (o == nullptr) [[unlikely]]
        return r;
      r.book = o->book;
      r.levels_changed = true;
      OrderBook& b = books_[o->book];
      const char side = to_char(o->side);
      remove_order(b, o);  // invalidates o
      add_order(b, r.book, m.new_order_reference_number(), side, m.shares(), m.price());
      break;
    }
    case 'P': {
      const itch::Trade m{p};
      if (OrderBook* b = locate != 0 ? book_for(locate, nullptr) : nullptr; b != nullptr) {
        b->last_trade_price_ = m.price();
        b->volume_ += m.shares();
        r.book = by_locate_[locate];
      }
      break;
    }
    case 'Q': {
      const itch::CrossTrade m{p};
      if (OrderBook* b = locate != 0 ? book_for(locate, nullptr) : nullptr; b != nullptr) {
        b->last_trade_price_ = m.cross_price();
        b->volume_ += m.shares();
        r.book = by_locate_[locate];
      }
      break;
    }
    case 'B': {
      if (locate == 0) break;
      if (OrderBook* b = book_for(locate, nullptr); b != nullptr) {
        ++b->broken_trades_;
        r.book = by_locate_[locate];
      }
      break;
    }
    case 'R': {
      const itch::StockDirectory m{p};
      if (locate == 0) break;
      if (OrderBook* b = book_for(locate, reinterpret_cast<const char*>(p + 11)); b != nullptr) {
        std::memcpy(b->symbol_.data(), p + 11, 8);  // the directory is authoritative
        b->round_lot_ = m.round_lot_size();
        r.book = by_locate_[locate];
      }
      break;
    }
    case 'H': {
      const itch::StockTradingAction m{p};
      if (locate == 0) break;
      if (OrderBook* b = book_for(locate, reinterpret_cast<const char*>(p + 11)); b != nullptr) {
        const char st = m.trading_state();
        b->state_ =
            (st == 'H' || st == 'P' || st == 'Q') ? static_cast<TradingState>(st) : TradingState::kTrading;
        r.book = by_locate_[locate];
      }
      break;
    }
    case 'S':
      system_event_ = itch::SystemEvent{p}.event_code();
      break;
    default:
      break;
  }
  applied_.add();
  return r;
}

}  // namespace sf::book
