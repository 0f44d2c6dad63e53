#include "sniperforge/trade/orders.hpp"

#include <algorithm>

namespace sf::trade {

__extension__ typedef __int128 Int128;

void Position::fill(char side, uint32_t qty, uint64_t price) noexcept {
  const int64_t px = static_cast<int64_t>(price);
  int64_t q = qty;
  const int64_t dir = side == 'B' ? 1 : -1;
  (dir > 0 ? bought : sold) += qty;
  if (shares != 0 && (shares > 0) != (dir > 0)) {
    // Closing (part of) the open position: realize against the proportional cost basis.
    const int64_t open = shares > 0 ? shares : -shares;
    const int64_t closing = std::min(q, open);
    const int64_t cost_closed = static_cast<int64_t>(static_cast<Int128>(cost) * closing / open);
    const int64_t sign = shares > 0 ? 1 : -1;
    realized += sign * px * closing - cost_closed;
    cost -= cost_closed;
    shares -= sign * closing;
    q -= closing;
    if (shares == 0) cost = 0;
  }
  if (q > 0) {
    shares += dir * q;
    cost += dir * q * px;
  }
}

OrderTracker::OrderTracker(std::size_t capacity, std::size_t fill_memory)
    : ring_(std::make_unique<OrderRecord[]>(std::max<std::size_t>(capacity, 1))),
      cap_(std::max<std::size_t>(capacity, 1)),
      fill_memo_(std::make_unique<FillMemo[]>(std::max<std::size_t>(fill_memory, 1))),
      fill_cap_(std::max<std::size_t>(fill_memory, 1)),
      positions_(std::make_unique<Position[]>(65536)) {}

OrderRecord* OrderTracker::append(const OrderRecord& r) noexcept {
  if (size_ == cap_) {
    if (!is_terminal(ring_[head_].state)) count(OrderIssue::kEvicted);
    head_ = (head_ + 1) % cap_;
    --size_;
  }
  OrderRecord& slot = ring_[(head_ + size_) % cap_];
  slot = r;
  ++size_;
  return &slot;
}

void OrderTracker::on_sent(const OrderRequest& r) noexcept {
  OrderRecord o;
  o.user_ref_num = r.user_ref_num;
  o.locate = r.locate;
  o.side = r.side;
  o.tif = r.tif;
  o.state = OrderState::kPendingNew;
  o.quantity = r.shares;
  o.leaves = r.shares;
  o.price = r.price;
  append(o);
}

OrderRecord* OrderTracker::find_mut(uint32_t urn) noexcept {
  // Records are appended in strictly increasing UserRefNum order: binary search over the ring.
  std::size_t lo = 0, hi = size_;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (ring_[(head_ + mid) % cap_].user_ref_num < urn)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < size_) {
    OrderRecord& r = ring_[(head_ + lo) % cap_];
    if (r.user_ref_num == urn) return &r;
  }
  return nullptr;
}

const OrderRecord* OrderTracker::find(uint32_t urn) const noexcept {
  return const_cast<OrderTracker*>(this)->find_mut(urn);
}

void OrderTracker::book_fill(OrderRecord& o, uint32_t qty, uint64_t price, uint64_t match) noexcept {
  positions_[o.locate].fill(o.side, qty, price);
  fill_memo_[fill_next_] = FillMemo{match, qty, o.locate, o.side, price};
  fill_next_ = (fill_next_ + 1) % fill_cap_;
  fills_count_.add();
}

const OrderRecord* OrderTracker::on_event(const VenueEvent& e, bool& closed_resting) noexcept {
  closed_resting = false;
  if (e.type == VenueEventType::kReplaced) {
    OrderRecord* orig = find_mut(e.orig_user_ref_num);
    if (orig == nullptr) {
      count(OrderIssue::kUnknownUserRefNum);
      return nullptr;
    }
    if (orig->state != OrderState::kLive && orig->state != OrderState::kPartiallyFilled)
      count(OrderIssue::kIllegalTransition);
    OrderRecord next = *orig;
    orig->state = OrderState::kReplaced;
    orig->leaves = 0;
    next.user_ref_num = e.user_ref_num;
    next.quantity = e.shares;
    next.leaves = e.shares;
    next.filled = 0;
    next.price = e.price;
    next.state = OrderState::kLive;
    if (find_mut(e.user_ref_num) != nullptr ||
        (size_ && ring_[(head_ + size_ - 1) % cap_].user_ref_num > e.user_ref_num)) {
      // The new UserRefNum must be fresh and above every one we sent; otherwise the lookup order breaks.
      count(OrderIssue::kIllegalTransition);
      return nullptr;
    }
    return append(next);
  }

  OrderRecord* o = find_mut(e.user_ref_num);
  if (o == nullptr) {
    count(OrderIssue::kUnknownUserRefNum);
    return nullptr;
  }
  const bool was_terminal = is_terminal(o->state);
  switch (e.type) {
    case VenueEventType::kAccepted:
      if (o->state != OrderState::kPendingNew) {
        count(OrderIssue::kIllegalTransition);
        break;
      }
      o->state = OrderState::kLive;
      if (e.shares != 0) o->quantity = o->leaves = e.shares;
      if (e.price != 0) o->price = e.price;
      break;
    case VenueEventType::kRejected:
      if (o->state != OrderState::kPendingNew) {
        count(OrderIssue::kIllegalTransition);
        break;
      }
      o->state = OrderState::kRejected;
      o->leaves = 0;
      break;
    case VenueEventType::kExecuted: {
      if (o->state != OrderState::kLive && o->state != OrderState::kPartiallyFilled)
        count(OrderIssue::kIllegalTransition);
      uint32_t q = e.shares;
      if (q > o->leaves) count(OrderIssue::kOverfill);
      book_fill(*o, q, e.price, e.match_number);  // the trade happened: always booked
      o->filled += q;
      o->leaves = q >= o->leaves ? 0 : o->leaves - q;
      if (!was_terminal) o->state = o->leaves == 0 ? OrderState::kFilled : OrderState::kPartiallyFilled;
      break;
    }
    case VenueEventType::kCanceled:
      if (o->state != OrderState::kLive && o->state != OrderState::kPartiallyFilled) {
        count(OrderIssue::kIllegalTransition);
        if (was_terminal) break;
      }
      o->leaves = e.shares >= o->leaves ? 0 : o->leaves - e.shares;
      if (o->leaves == 0) o->state = OrderState::kCanceled;
      break;
    case VenueEventType::kBrokenTrade: {
      // Undo the execution: book the opposite fill at the same price.
      const FillMemo* memo = nullptr;
      for (std::size_t i = 0; i < fill_cap_; ++i)
        if (fill_memo_[i].qty != 0 && fill_memo_[i].match == e.match_number) memo = &fill_memo_[i];
      if (memo == nullptr) {
        count(OrderIssue::kUnknownMatch);
        break;
      }
      positions_[memo->locate].fill(memo->side == 'B' ? 'S' : 'B', memo->qty, memo->price);
      o->filled -= std::min(o->filled, memo->qty);
      fill_memo_[memo - fill_memo_.get()].qty = 0;
      break;
    }
    case VenueEventType::kReplaced:
      break;  // handled above
  }
  closed_resting = !was_terminal && is_terminal(o->state) && o->tif != kTifIoc;
  return o;
}

}  // namespace sf::trade
