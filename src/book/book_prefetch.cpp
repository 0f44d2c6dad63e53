// BookSet's prefetch hints (the shard driver's look-ahead): the order slot, the touched side's inside level,
// and an instrument's book top, for messages a few ahead of the one being applied.
#include <array>

#include "sniperforge/book/book_set.hpp"

namespace sf::book {

namespace {
// Message types whose order reference (@11) names the order slot they touch.
constexpr std::array<bool, 256> kHasOrderRef = [] {
  std::array<bool, 256> t{};
  for (const char c : {'A', 'F', 'E', 'C', 'X', 'D', 'U'}) t[static_cast<uint8_t>(c)] = true;
  return t;
}();
}  // namespace

void BookSet::prefetch(const uint8_t* msg) const noexcept {
  if (kHasOrderRef[msg[0]]) orders_.prefetch(proto::load_be64(msg + 11));
}

void BookSet::prefetch_levels(const uint8_t* msg) const noexcept {
  const char t = static_cast<char>(msg[0]);
  const OrderBook* b = nullptr;
  Side s = Side::kBuy;
  if (t == 'A' || t == 'F') {
    const uint16_t i = by_locate_[proto::load_be16(msg + 1)];
    if (i == kNoBook) return;
    b = &books_[i];
    s = msg[19] == 'S' ? Side::kSell : Side::kBuy;
  } else if (kHasOrderRef[msg[0]]) {
    const OrderSlot* o = orders_.find(proto::load_be64(msg + 11));
    if (o == nullptr) return;
    b = &books_[o->book];
    s = o->side;
  } else {
    return;
  }
  const SideLevels& sl = b->sides_[static_cast<int>(s)];
  if (sl.size) __builtin_prefetch(arena_.base() + sl.first + sl.size - 1);
}

void BookSet::prefetch_top(uint16_t locate) const noexcept {
  const uint16_t i = by_locate_[locate];
  if (i == kNoBook) return;
  const OrderBook& b = books_[i];
  __builtin_prefetch(&b);
  for (const SideLevels& sl : b.sides_)
    if (sl.size) __builtin_prefetch(arena_.base() + sl.first + sl.size - 1);
}

}  // namespace sf::book
