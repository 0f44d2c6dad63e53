#include "sniperforge/trade/orders.hpp"

#include <algorithm>

namespace sf::trade {

bool Position::fill(char side, uint32_t qty, uint64_t price) noexcept {
  // Everything in __int128: |shares|, |cost| <= 2^63, qty < 2^32, price < 2^64, so every product < 2^127.
  const Int128 px = price;
  const int dir = side == 'B' ? 1 : -1;
  Int128 q = qty, sh = shares, c = cost, re = realized;
  if (sh != 0 && (sh > 0) != (dir > 0)) {
    // Closing (part of) the open position: realize against the proportional cost basis.
    const Int128 open = sh > 0 ? sh : -sh;
    const Int128 closing = std::min(q, open);
    const Int128 cost_closed = c * closing / open;
    const int sign = sh > 0 ? 1 : -1;
    re += sign * px * closing - cost_closed;
    c -= cost_closed;
    sh -= sign * closing;
    q -= closing;
    if (sh == 0) c = 0;
  }
  if (q > 0) {
    sh += dir * q;
    c += dir * q * px;
  }
  uint64_t& total = dir > 0 ? bought : sold;
  uint64_t new_total = 0;
  if (!fits_int64(sh) || !fits_int64(c) || !fits_int64(re) || __builtin_add_overflow(total, qty, &new_total))
    return false;
  shares = static_cast<int64_t>(sh);
  cost = static_cast<int64_t>(c);
  realized = static_cast<int64_t>(re);
  total = new_total;
  return true;
}

std::size_t OrderTracker::footprint_bytes(std::size_t capacity, std::size_t fill_memory) noexcept {
  return std::max<std::size_t>(capacity, 1) * sizeof(OrderRecord) +
         std::max<std::size_t>(fill_memory, 1) * sizeof(FillMemo) + 65536 * sizeof(Position);
}

OrderTracker::OrderTracker(std::size_t capacity, std::size_t fill_memory)
    : ring_(std::make_unique<OrderRecord[]>(std::max<std::size_t>(capacity, 1))),
      cap_(std::max<std::size_t>(capacity, 1)),
      fill_memory_(fill_memory),
      positions_(std::make_unique<Position[]>(65536)) {}

OrderRecord* OrderTracker::append(const OrderRecord& r) noexcept {
  if (size_ == cap_) {
    if (!is_terminal(ring_[head_].state)) evicted_.add();
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
  o.symbol = r.symbol;
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

uint16_t OrderTracker::locate_of(const std::array<char, 8>& symbol) const noexcept {
  for (std::size_t i = size_; i-- > 0;)
    if (const OrderRecord& r = ring_[(head_ + i) % cap_]; r.symbol == symbol) return r.locate;
  return 0;
}

VenueVerdict OrderTracker::on_event(const VenueEvent& e, bool& closed_resting) noexcept {
  closed_resting = false;
  VenueVerdict v = judge(e);
  if (v.ok()) {
    const bool replace = e.type == VenueEventType::kReplaced;
    OrderRecord& o = *find_mut(replace ? e.orig_user_ref_num : e.user_ref_num);  // judge() found it
    const bool was_terminal = is_terminal(o.state);
    if (replace) {
      apply_replace(e, o);  // the replacement keeps the original's open-order slot
    } else {
      v.check = apply(e, o);
      if (!v.ok()) v.value = e.price;
      closed_resting = !was_terminal && is_terminal(o.state) && o.tif != kTifIoc;
    }
  }
  if (!v.ok()) {
    failures_[static_cast<std::size_t>(v.check)].add();
    failures_total_.add();
  }
  return v;
}

OrderRecord* OrderTracker::apply_replace(const VenueEvent& e, OrderRecord& orig) noexcept {
  OrderRecord next = orig;
  orig.state = OrderState::kReplaced;
  orig.leaves = 0;
  next.user_ref_num = e.user_ref_num;
  next.quantity = e.shares;
  next.leaves = e.shares;
  next.filled = 0;
  next.price = e.price;
  next.state = e.order_state == 'D' ? OrderState::kCanceled : OrderState::kLive;
  if (next.state == OrderState::kCanceled) next.leaves = 0;
  return append(next);  // judge() checked the new UserRefNum is above every one we hold
}

VenueCheck OrderTracker::apply(const VenueEvent& e, OrderRecord& o) noexcept {
  switch (e.type) {
    case VenueEventType::kAccepted:
      o.state = OrderState::kLive;
      if (e.order_state == 'D') {  // accepted dead: nothing of it is left at the venue
        o.state = OrderState::kCanceled;
        o.leaves = 0;
      }
      break;
    case VenueEventType::kRejected:
      o.state = OrderState::kRejected;
      o.leaves = 0;
      break;
    case VenueEventType::kExecuted: {
      Position p = positions_[o.locate];
      if (!p.fill(o.side, e.shares, e.price)) return VenueCheck::kArithmeticOverflow;
      positions_[o.locate] = p;
      fill_memory_.add(FillMemo{e.match_number, e.price, o.user_ref_num, e.shares, o.locate, o.side, false});
      fills_count_.add();
      o.filled += e.shares;  // judge(): shares <= leaves <= quantity - filled
      o.leaves -= e.shares;
      o.state = o.leaves == 0 ? OrderState::kFilled : OrderState::kPartiallyFilled;
      break;
    }
    case VenueEventType::kCanceled:
      o.leaves -= e.shares;  // judge(): shares <= leaves
      if (o.leaves == 0) o.state = OrderState::kCanceled;
      break;
    case VenueEventType::kBrokenTrade: {
      // Undo the execution: book the opposite fill at the same price.
      FillMemo& memo = *fill_memory_.find(e.match_number);  // judge(): remembered, of this order
      Position p = positions_[memo.locate];
      if (!p.fill(memo.side == 'B' ? 'S' : 'B', memo.qty, memo.price)) return VenueCheck::kArithmeticOverflow;
      positions_[memo.locate] = p;
      o.filled -= std::min(o.filled, memo.qty);
      memo.broken = true;
      break;
    }
    case VenueEventType::kReplaced:
      break;  // apply_replace()
  }
  return VenueCheck::kOk;
}

}  // namespace sf::trade
