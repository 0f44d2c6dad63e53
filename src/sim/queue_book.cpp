#include "sniperforge/sim/queue_book.hpp"

namespace sf::sim {

uint32_t QueueBook::alloc(const QueueNode& n) {
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
    nodes_[i] = n;
  } else {
    i = static_cast<uint32_t>(nodes_.size());
    nodes_.push_back(n);
  }
  return i;
}

void QueueBook::link(uint32_t i) {
  QueueNode& n = nodes_[i];
  LevelQueue& q = books_[n.locate][static_cast<int>(n.side)][book::key_of(n.side, n.price)];
  n.prev = q.tail;
  n.next = kNil;
  if (q.tail != kNil)
    nodes_[q.tail].next = i;
  else
    q.head = i;
  q.tail = i;
  if (!n.ours) q.feed_shares += n.shares;
}

uint32_t QueueBook::add_feed(uint16_t locate, uint64_t ref, Side side, uint32_t shares, Price price) {
  if (shares == 0 || by_ref_.count(ref)) return kNil;
  QueueNode n;
  n.ref = ref;
  n.shares = shares;
  n.price = price;
  n.locate = locate;
  n.side = side;
  const uint32_t i = alloc(n);
  by_ref_.emplace(ref, i);
  link(i);
  return i;
}

uint32_t QueueBook::add_ours(uint16_t locate, uint32_t user_ref_num, Side side, uint32_t shares,
                             Price price) {
  QueueNode n;
  n.user_ref_num = user_ref_num;
  n.shares = shares;
  n.price = price;
  n.locate = locate;
  n.side = side;
  n.ours = true;
  const uint32_t i = alloc(n);
  link(i);
  return i;
}

void QueueBook::remove(uint32_t i) {
  QueueNode& n = nodes_[i];
  Levels& side = books_[n.locate][static_cast<int>(n.side)];
  const auto it = side.find(book::key_of(n.side, n.price));
  LevelQueue& q = it->second;
  (n.prev != kNil ? nodes_[n.prev].next : q.head) = n.next;
  (n.next != kNil ? nodes_[n.next].prev : q.tail) = n.prev;
  if (!n.ours) {
    q.feed_shares -= n.shares;
    by_ref_.erase(n.ref);
  }
  if (q.head == kNil) side.erase(it);
  free_.push_back(i);
}

void QueueBook::reduce(uint32_t i, uint32_t k) {
  QueueNode& n = nodes_[i];
  if (k >= n.shares) return remove(i);
  if (!n.ours) books_[n.locate][static_cast<int>(n.side)][book::key_of(n.side, n.price)].feed_shares -= k;
  n.shares -= k;
  if (n.taken > n.shares) n.taken = n.shares;
}

const LevelQueue* QueueBook::level_of(uint16_t locate, Side s, Price p) const noexcept {
  const auto b = books_.find(locate);
  if (b == books_.end()) return nullptr;
  const Levels& side = b->second[static_cast<int>(s)];
  const auto it = side.find(book::key_of(s, p));
  return it == side.end() ? nullptr : &it->second;
}

Price QueueBook::best(uint16_t locate, Side s) const noexcept {
  const auto b = books_.find(locate);
  if (b == books_.end()) return 0;
  const Levels& side = b->second[static_cast<int>(s)];
  for (auto it = side.rbegin(); it != side.rend(); ++it)
    if (it->second.feed_shares != 0) return book::price_of(s, it->first);
  return 0;
}

Price QueueBook::mid(uint16_t locate) const noexcept {
  const Price bid = best(locate, Side::kBuy), ask = best(locate, Side::kSell);
  if (bid == 0 || ask == 0) return 0;
  return static_cast<Price>((uint64_t{bid} + ask) / 2);
}

uint64_t QueueBook::displayed(uint16_t locate, Side s, Price p) const noexcept {
  const LevelQueue* q = level_of(locate, s, p);
  return q == nullptr ? 0 : q->feed_shares;
}

uint64_t QueueBook::available(uint16_t locate, Side s, Price p) const noexcept {
  const LevelQueue* q = level_of(locate, s, p);
  uint64_t total = 0;
  for (uint32_t i = q == nullptr ? kNil : q->head; i != kNil; i = nodes_[i].next)
    total += nodes_[i].available();
  return total;
}

uint64_t QueueBook::ahead_of(uint32_t node) const noexcept {
  uint64_t total = 0;
  for (uint32_t i = nodes_[node].prev; i != kNil; i = nodes_[i].prev)
    total += nodes_[i].ours ? nodes_[i].shares : nodes_[i].available();
  return total;
}

}  // namespace sf::sim
