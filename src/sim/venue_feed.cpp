// SimVenue, feed side: keeps the venue's queues in step with the feed and fills resting orders the feed
// shows were reached (the model is in venue.hpp and docs/backtest.md).
#include <algorithm>

#include "sniperforge/sim/venue.hpp"

namespace sf::sim {

namespace {
Side opposite(Side s) noexcept {
  return s == Side::kBuy ? Side::kSell : Side::kBuy;
}
}  // namespace

void SimVenue::on_feed(itch::MessageView msg) {
  const uint16_t locate = msg.stock_locate();
  const uint64_t now = msg.timestamp();
  auto track_if_traded = [&](std::string_view stock8) {
    if (locate == 0 || book_.tracked(locate)) return;
    const std::string_view symbol = itch::trim_alpha(stock8);
    if (symbols_.empty() || std::find(symbols_.begin(), symbols_.end(), symbol) != symbols_.end()) {
      book_.track(locate);
      trading_.emplace(locate, true);
    }
  };
  switch (msg.type()) {
    case 'R':
      track_if_traded(itch::StockDirectory{msg.data()}.stock());
      return;
    case 'H': {
      const itch::StockTradingAction v{msg.data()};
      track_if_traded(v.stock());
      if (book_.tracked(locate)) trading_[locate] = v.trading_state() == 'T';
      return;
    }
    case 'A':
    case 'F': {
      const itch::AddOrder v{msg.data()};  // F is A plus an attribution
      track_if_traded(v.stock());
      if (book_.tracked(locate))
        feed_add(locate, v.order_reference_number(), v.buy_sell_indicator(), v.shares(), v.price(), now);
      return;
    }
    default:
      break;
  }
  if (book_.tracked(locate)) on_order_message(msg, locate, now);
}

// Messages about one order of a tracked instrument: the book drops them when the reference is unknown or
// of another instrument.
void SimVenue::on_order_message(itch::MessageView msg, uint16_t locate, uint64_t now) {
  auto order = [&](uint64_t ref) {
    const uint32_t n = book_.find(ref);
    return n != kNil && book_.node(n).locate == locate ? n : kNil;
  };
  switch (msg.type()) {
    case 'E': {
      const itch::OrderExecuted v{msg.data()};
      if (const uint32_t n = order(v.order_reference_number()); n != kNil)
        feed_execution(n, v.executed_shares(), now);
      return;
    }
    case 'C': {
      const itch::OrderExecutedWithPrice v{msg.data()};
      if (const uint32_t n = order(v.order_reference_number()); n != kNil)
        feed_execution(n, v.executed_shares(), now);
      return;
    }
    case 'X': {
      const itch::OrderCancel v{msg.data()};
      if (const uint32_t n = order(v.order_reference_number()); n != kNil)
        book_.reduce(n, v.canceled_shares());
      return;
    }
    case 'D': {
      if (const uint32_t n = order(itch::OrderDelete{msg.data()}.order_reference_number()); n != kNil)
        book_.remove(n);
      return;
    }
    case 'U': {
      const itch::OrderReplace v{msg.data()};
      const uint32_t n = order(v.original_order_reference_number());
      if (n == kNil) return;
      const char side = book::to_char(book_.node(n).side);
      book_.remove(n);  // the replacement loses its time priority: a new order at the tail
      feed_add(locate, v.new_order_reference_number(), side, v.shares(), v.price(), now);
      return;
    }
    case 'P': {
      // A non-displayed order on `side` traded at `price`: displayed orders at that price or better had
      // priority over it, ours among them.
      const itch::Trade v{msg.data()};
      const char c = v.buy_sell_indicator();
      if (c != 'B' && c != 'S') return;
      const Side side = c == 'B' ? Side::kBuy : Side::kSell;
      if (resting_count_[locate][static_cast<int>(side)] != 0)
        fill_resting_ahead_of(locate, side, v.price(), kNil, v.shares(), now);
      return;
    }
    default:
      return;
  }
}

void SimVenue::feed_add(uint16_t locate, uint64_t ref, char side_char, uint32_t shares, Price price,
                        uint64_t now) {
  // The book drops these (bad_side, duplicate_ref, zero_shares).
  if ((side_char != 'B' && side_char != 'S') || shares == 0 || book_.find(ref) != kNil) return;
  const Side side = side_char == 'B' ? Side::kBuy : Side::kSell;
  // A feed order that crosses one of our resting orders would have traded with it on arrival.
  uint32_t crossed = 0;
  if (resting_count_[locate][static_cast<int>(opposite(side))] != 0)
    crossed = fill_crossed_by(locate, side, price, shares, now);
  const uint32_t n = book_.add_feed(locate, ref, side, shares, price);
  if (n != kNil && crossed != 0) book_.take(n, std::min(crossed, shares));
}

void SimVenue::feed_execution(uint32_t node, uint32_t shares, uint64_t now) {
  const QueueNode x = book_.node(node);
  // An execution of a feed order means every order ahead of it at its price, and every better price, was
  // executed first: our resting orders there fill (up to the executed shares). Orders behind it just moved
  // up.
  if (resting_count_[x.locate][static_cast<int>(x.side)] != 0)
    fill_resting_ahead_of(x.locate, x.side, x.price, node, shares, now);
  book_.reduce(node, shares);
}

void SimVenue::fill_resting_ahead_of(uint16_t locate, Side side, Price price, uint32_t stop_node,
                                     uint32_t shares, uint64_t now) {
  // Collect first: filling removes nodes and may erase a level under the iteration.
  scratch_.clear();
  const uint32_t price_key = book::key_of(side, price);
  QueueBook::Levels& levels = book_.levels(locate, side);
  for (auto it = levels.rbegin(); it != levels.rend() && it->first >= price_key; ++it)
    for (uint32_t n = it->second.head; n != kNil && n != stop_node; n = book_.node(n).next)
      if (book_.node(n).ours) scratch_.push_back(n);
  for (uint32_t n : scratch_) {
    if (shares == 0) break;
    const uint32_t q = std::min(shares, book_.node(n).shares);
    rest_fill(n, q, now);
    shares -= q;
  }
}

uint32_t SimVenue::fill_crossed_by(uint16_t locate, Side feed_side, Price price, uint32_t shares,
                                   uint64_t now) {
  const Side ours = opposite(feed_side);
  scratch_.clear();
  const uint32_t price_key = book::key_of(ours, price);  // ours cross when at this price or better
  QueueBook::Levels& levels = book_.levels(locate, ours);
  for (auto it = levels.rbegin(); it != levels.rend() && it->first >= price_key; ++it)
    for (uint32_t n = it->second.head; n != kNil; n = book_.node(n).next)
      if (book_.node(n).ours) scratch_.push_back(n);
  uint32_t filled = 0;
  for (uint32_t n : scratch_) {
    if (filled == shares) break;
    const uint32_t q = std::min(shares - filled, book_.node(n).shares);
    rest_fill(n, q, now);
    filled += q;
  }
  return filled;
}

}  // namespace sf::sim
