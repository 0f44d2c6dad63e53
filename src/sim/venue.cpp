// SimVenue: the two latency links, arrival matching and the OUCH responses (feed side: venue_feed.cpp).
#include <algorithm>

#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/sim/venue.hpp"

namespace sf::sim {

namespace out = ouch::outbound::msg;

namespace {
// Per-shard seed: shards draw independent latency sequences, each fixed by (seed, shard).
uint64_t shard_seed(uint64_t seed, uint32_t shard) {
  Rng mix(seed ^ (uint64_t{shard} * 0xD1B54A32D192ED03ull));
  return mix.next();
}

Side side_of(char c) noexcept {
  return c == 'B' ? Side::kBuy : Side::kSell;
}
Price itch_price(uint64_t ouch_price) noexcept {
  return static_cast<Price>(std::min<uint64_t>(ouch_price, 0xFFFFFFFFull));
}
}  // namespace

SimVenue::SimVenue(const VenueConfig& cfg, std::vector<std::string> symbols, uint32_t shard)
    : cfg_(cfg),
      symbols_(std::move(symbols)),
      rng_(shard_seed(cfg.seed, shard)),
      interval_(cfg.pnl_interval_ns == 0 ? 60'000'000'000ull : cfg.pnl_interval_ns) {}

void SimVenue::replay(trade::Engine& engine, itch::MessageView msg, uint64_t seq, trade::OrderSink& sink) {
  const uint64_t ts = msg.timestamp();
  advance_to(ts, engine);
  on_feed(msg);
  sink.clear();
  engine.on_itch(msg, seq, 0, sink);
  for (const trade::OrderRequest& r : sink) enter(r, ts);
}

void SimVenue::enter(const trade::OrderRequest& r, uint64_t now) {
  SimOrder o;
  o.user_ref_num = r.user_ref_num;
  o.strategy = r.strategy;
  o.locate = r.locate;
  o.symbol = r.symbol;
  o.side = r.side;
  o.tif = r.tif;
  o.price = r.price;
  o.shares = r.shares;
  o.trigger_seq = r.trigger_seq;
  o.sent_ts = std::max(r.feed_ts, now);
  // The order-entry link is one ordered session: an order never overtakes the one sent before it.
  const uint64_t at =
      std::max(o.sent_ts + cfg_.tick_to_trade_ns + cfg_.order_entry.draw(rng_), last_arrival_);
  last_arrival_ = at;
  const auto index = static_cast<uint32_t>(orders_.size());
  orders_.push_back(o);
  leaves_.push_back(r.shares);
  events_.push(Event{at, next_event_order_++, index, true});
  ++stats_.orders;
}

void SimVenue::advance_to(uint64_t t, trade::Engine& engine) {
  run_events_before(t, engine);
  sample_periods_ended_by(t, engine);
  last_ts_ = std::max(last_ts_, t);
}

void SimVenue::run_events_before(uint64_t t, trade::Engine& engine) {
  while (!events_.empty() && events_.top().time < t) {
    const Event e = events_.top();
    events_.pop();
    sample_periods_ended_by(e.time, engine);
    last_ts_ = std::max(last_ts_, e.time);
    if (e.arrival)
      arrive(e.index, e.time);
    else
      deliver(responses_[e.index], e.time, engine);
  }
}

void SimVenue::finish(trade::Engine& engine) {
  run_events_before(~uint64_t{0}, engine);
  sample_pnl(last_ts_, engine);  // the closing marks
}

void SimVenue::arrive(uint32_t index, uint64_t now) {
  SimOrder& o = orders_[index];
  o.arrival_ts = now;
  respond_accepted(o, now);
  if (cfg_.fill_model != FillModel::kBook) return arrive_by_rule(index, now);
  const Side side = side_of(o.side);
  // Not tracked (no queues for it) or halted: nothing executes.
  const auto st = trading_.find(o.locate);
  const bool can_match = book_.tracked(o.locate) && st != trading_.end() && st->second;
  if (can_match) take_liquidity(index, now);
  if (leaves_[index] == 0) return;
  if (o.tif == trade::kTifIoc || !book_.tracked(o.locate)) {
    respond_canceled(index, leaves_[index], 'I', now);
    return;
  }
  const uint32_t node = book_.add_ours(o.locate, o.user_ref_num, side, leaves_[index], itch_price(o.price));
  o.queue_ahead = book_.ahead_of(node);
  resting_order_[node] = index;
  ++resting_count_[o.locate][static_cast<int>(side)];
}

// A rule-based fill model (sim/rule_fill.hpp, the rule sf-venue-sim answers with): the rule's shares at the
// order's limit price, taking liquidity; an IOC's rest canceled, a DAY order's rest left open (never filled).
void SimVenue::arrive_by_rule(uint32_t index, uint64_t now) {
  const SimOrder& o = orders_[index];
  const uint32_t filled = rule_fill_shares(cfg_.fill_model, cfg_.seed, o.user_ref_num, o.shares);
  if (filled > 0) respond_executed(index, filled, itch_price(o.price), 0, now, false);
  if (leaves_[index] != 0 && o.tif == trade::kTifIoc) respond_canceled(index, leaves_[index], 'I', now);
}

uint32_t SimVenue::take_liquidity(uint32_t index, uint64_t now) {
  const SimOrder& o = orders_[index];
  const Side opposite = side_of(o.side) == Side::kBuy ? Side::kSell : Side::kBuy;
  const uint32_t limit_key = book::key_of(opposite, itch_price(o.price));
  QueueBook::Levels& levels = book_.levels(o.locate, opposite);
  uint32_t taken = 0;
  for (auto it = levels.rbegin(); it != levels.rend() && it->first >= limit_key && leaves_[index] != 0;
       ++it) {
    const Price px = book::price_of(opposite, it->first);
    for (uint32_t n = it->second.head; n != kNil && leaves_[index] != 0; n = book_.node(n).next) {
      // Our own resting orders on the other side are skipped (self-match prevention).
      const uint32_t q = std::min(book_.node(n).available(), leaves_[index]);
      if (q == 0) continue;
      book_.take(n, q);
      respond_executed(index, q, px, book_.node(n).ref, now, false);
      taken += q;
    }
  }
  return taken;
}

void SimVenue::rest_fill(uint32_t node, uint32_t shares, uint64_t now) {
  const auto it = resting_order_.find(node);
  const uint32_t index = it->second;
  const Price px = book_.node(node).price;
  const Side side = book_.node(node).side;
  const uint16_t locate = book_.node(node).locate;
  if (shares >= book_.node(node).shares) {
    resting_order_.erase(it);
    --resting_count_[locate][static_cast<int>(side)];
  }
  book_.reduce(node, shares);
  respond_executed(index, shares, px, 0, now, true);
}

void SimVenue::respond_accepted(const SimOrder& o, uint64_t now) {
  out::OrderAccepted m;
  m.timestamp = now;
  m.user_ref_num = o.user_ref_num;
  m.side = o.side;
  m.quantity = o.shares;
  m.symbol = std::string_view{o.symbol.data(), o.symbol.size()};
  m.price = o.price;
  m.time_in_force = o.tif;
  m.display = 'Y';
  m.order_reference_number = next_order_ref_++;
  m.capacity = 'A';
  m.intermarket_sweep_eligibility = 'N';
  m.cross_type = 'N';
  m.order_state = 'L';
  Response r;
  r.len = static_cast<uint8_t>(m.encode(r.bytes.data()));
  schedule_response(r, now);
}

void SimVenue::respond_executed(uint32_t index, uint32_t shares, Price price, uint64_t contra_ref,
                                uint64_t now, bool passive) {
  SimOrder& o = orders_[index];
  SimFill f;
  f.user_ref_num = o.user_ref_num;
  f.strategy = o.strategy;
  f.locate = o.locate;
  f.side = o.side;
  f.passive = passive;
  f.shares = shares;
  f.price = price;
  f.venue_ts = now;
  f.match_number = next_match_++;
  f.contra_ref = contra_ref;
  f.mid = book_.mid(o.locate);
  o.filled += shares;
  leaves_[index] -= shares;
  if (leaves_[index] == 0) o.done_ts = now;
  out::OrderExecuted m;
  m.timestamp = now;
  m.user_ref_num = o.user_ref_num;
  m.quantity = shares;
  m.price = price;
  m.liquidity_flag = passive ? 'A' : 'R';  // added / removed liquidity
  m.match_number = f.match_number;
  Response r;
  r.len = static_cast<uint8_t>(m.encode(r.bytes.data()));
  r.fill = static_cast<int32_t>(fills_.size());
  fills_.push_back(f);
  ++stats_.executions;
  stats_.shares_filled += shares;
  schedule_response(r, now);
}

void SimVenue::respond_canceled(uint32_t index, uint32_t shares, char reason, uint64_t now) {
  SimOrder& o = orders_[index];
  o.canceled += shares;
  leaves_[index] -= shares;
  if (leaves_[index] == 0) o.done_ts = now;
  out::OrderCanceled m;
  m.timestamp = now;
  m.user_ref_num = o.user_ref_num;
  m.quantity = shares;
  m.reason = reason;
  Response r;
  r.len = static_cast<uint8_t>(m.encode(r.bytes.data()));
  schedule_response(r, now);
}

void SimVenue::schedule_response(Response r, uint64_t now) {
  // One latency draw per venue action (the responses of one arrival or one resting fill travel together);
  // the response link is an ordered session too.
  if (now != action_ts_) {
    action_ts_ = now;
    response_at_ = std::max(now + cfg_.response.draw(rng_), last_delivery_);
  }
  response_at_ = std::max(response_at_, last_delivery_);
  last_delivery_ = response_at_;
  const auto index = static_cast<uint32_t>(responses_.size());
  responses_.push_back(r);
  events_.push(Event{response_at_, next_event_order_++, index, false});
}

void SimVenue::deliver(const Response& r, uint64_t t, trade::Engine& engine) {
  trade::OrderSink sink(sink_storage_);
  ++stats_.responses;
  if (engine.on_venue(r.bytes.data(), r.len, 0, sink) != trade::VenueParse::kOk) ++stats_.responses_refused;
  // A strategy that reacts to a response sends now.
  for (const trade::OrderRequest& o : sink) enter(o, t);
  if (r.fill >= 0) {
    fills_[static_cast<std::size_t>(r.fill)].delivered_ts = t;
    sample_pnl(t, engine);
  }
}

void SimVenue::sample_periods_ended_by(uint64_t t, trade::Engine& engine) {
  // Called before anything stamped `t` happens: the state now is the state at the end of every period that
  // ended since, so the sample is stamped at the end of the last of them. It then does not depend on which
  // messages of other instruments happened to arrive in between.
  if (t < next_sample_) return;
  const uint64_t boundary = t / interval_ * interval_;
  next_sample_ = boundary + interval_;
  sample_pnl(boundary == 0 ? 0 : boundary - 1, engine);
}

void SimVenue::sample_pnl(uint64_t ts, trade::Engine& engine) {
  for (std::size_t i = 0; i < engine.strategy_count(); ++i) {
    const uint16_t locate = engine.strategy_locate(i);
    if (locate == 0) continue;
    if (std::find(sampled_locates_.begin(), sampled_locates_.end(), locate) == sampled_locates_.end())
      sampled_locates_.push_back(locate);
  }
  for (uint16_t locate : sampled_locates_) {
    const trade::Position& p = engine.orders().position(locate);
    const book::OrderBook* b = engine.books().find(locate);
    PnlSample s;
    s.ts = ts;
    s.locate = locate;
    s.position = p.shares;
    s.realized = p.realized;
    // A one-sided book has no mid: keep marking at the last one.
    uint32_t& mark = last_mid_[locate];
    if (b != nullptr && b->mid() != 0) mark = b->mid();
    s.mid = mark;
    s.unrealized = p.unrealized(mark);
    pnl_.push_back(s);
  }
}

}  // namespace sf::sim
