#include "sniperforge/trade/engine.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

namespace sf::trade {

namespace {
constexpr uint16_t kNone = 0xFFFF;

// A shard sees about one order reference in `shards`: tell the order map so it keeps them dense.
book::BookConfig book_config_for(const TradingConfig& cfg) {
  book::BookConfig b = cfg.book;
  b.ref_shift = cfg.shards > 1 ? static_cast<unsigned>(std::bit_width(cfg.shards) - 1) : 0;
  return b;
}
}  // namespace

std::size_t Engine::footprint_bytes(const TradingConfig& cfg) noexcept {
  return book::BookSet::footprint_bytes(book_config_for(cfg)) +
         OrderTracker::footprint_bytes(cfg.max_tracked_orders);
}

class Engine::Context final : public StrategyContext {
 public:
  Context(Engine& e, uint16_t book_index, uint16_t strategy, OrderSink& sink) noexcept
      : e_(e), book_(book_index), strategy_(strategy), sink_(sink) {}
  [[nodiscard]] const book::OrderBook& book() const noexcept override { return e_.books_.book(book_); }
  [[nodiscard]] uint64_t feed_ts() const noexcept override { return e_.feed_ts_; }
  [[nodiscard]] uint64_t seq() const noexcept override { return e_.seq_; }
  [[nodiscard]] int64_t committed_shares(book::Side side) const noexcept override {
    const uint16_t locate = e_.books_.book(book_).locate();
    const Position& p = e_.tracker_.position(locate);
    return clamp_int64(side == book::Side::kBuy ? Int128{e_.risk_.open_buys(locate)} + p.bought
                                                : Int128{e_.risk_.open_sells(locate)} + p.sold);
  }
  bool send(const Intent& intent) noexcept override {
    return e_.send(intent, book_, strategy_, sink_) == Reject::kNone;
  }

 private:
  Engine& e_;
  uint16_t book_;
  uint16_t strategy_;
  OrderSink& sink_;
};

Engine::Engine(const TradingConfig& cfg, uint32_t shard_index)
    : cfg_(cfg),
      shard_(shard_index),
      books_(book_config_for(cfg)),
      risk_(cfg.risk),
      tracker_(cfg.max_tracked_orders) {
  if (cfg.shards == 0 || shard_index >= cfg.shards) throw std::invalid_argument("shard index out of range");
  if (cfg.strategies.size() >= kNone) throw std::invalid_argument("too many strategies");
  for (const StrategyConfig& sc : cfg.strategies) {
    auto s = make_strategy(sc);
    if (!s) throw std::invalid_argument("unknown strategy '" + sc.name + "'");
    strategies_.push_back(std::move(s));
  }
  strategy_locate_.assign(strategies_.size(), 0);
  published_.instruments = std::make_unique<EnginePublished::Instrument[]>(strategies_.size());
  published_.kill_switch.set(risk_.kill_switch());
  published_.max_gross_notional.set(cfg.risk.max_gross_notional);
  published_.max_position.set(cfg.risk.max_position);
  next_strategy_.assign(strategies_.size(), kNone);
  first_strategy_.assign(cfg.book.max_instruments, kNone);
}

Engine::~Engine() = default;

void Engine::link_strategies(uint16_t bi) noexcept {
  const book::OrderBook& b = books_.book(bi);
  // Instruments killed from the config ([risk] killed_symbols) are killed as soon as their symbol is known.
  for (const std::string& k : cfg_.risk.killed_symbols)
    if (k == b.symbol()) risk_.set_instrument_killed(b.locate(), true);
  if (shard_of(b.locate(), cfg_.shards) != shard_) return;  // broadcast directory entry of another shard
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    if (strategy_locate_[i] != 0 || strategies_[i]->config().symbol != b.symbol()) continue;
    strategy_locate_[i] = b.locate();
    published_.instruments[i].locate.set(b.locate());
    // Keep config order within a book: append at the tail.
    uint16_t* link = &first_strategy_[bi];
    while (*link != kNone) link = &next_strategy_[*link];
    *link = static_cast<uint16_t>(i);
  }
}

void Engine::on_itch(itch::MessageView msg, uint64_t seq, uint64_t rx_tsc, OrderSink& sink) noexcept {
  stats_.itch_messages.add();
  seq_ = seq;
  rx_tsc_ = rx_tsc;
  feed_ts_ = msg.timestamp();
  const book::BookSet::Result r = books_.apply(msg);
  if (r.book == book::BookSet::kNoBook) return;
  if (books_.book_count() != published_.books.get() || msg.type() == 'R') [[unlikely]] {
    published_.books.set(books_.book_count());
    link_strategies(r.book);
  }
  for (uint16_t si = first_strategy_[r.book]; si != kNone; si = next_strategy_[si]) {
    stats_.strategy_calls.add();
    Context ctx(*this, r.book, si, sink);
    strategies_[si]->on_book(ctx);
    // The mid may have moved (unrealized P&L); not while an order waits to be sent: the next message on
    // this book publishes it.
    if (sink.empty()) publish_instrument(si);
  }
}

void Engine::on_snapshot(itch::MessageView msg) noexcept {
  stats_.itch_messages.add();
  const book::BookSet::Result r = books_.apply(msg);
  if (r.book == book::BookSet::kNoBook) return;
  if (books_.book_count() != published_.books.get() || msg.type() == 'R') {
    published_.books.set(books_.book_count());
    link_strategies(r.book);
  }
}

void Engine::adopt_books(book::BookSet& fresh) noexcept {
  books_.swap_contents(fresh);
  std::fill(strategy_locate_.begin(), strategy_locate_.end(), uint16_t{0});
  std::fill(next_strategy_.begin(), next_strategy_.end(), kNone);
  std::fill(first_strategy_.begin(), first_strategy_.end(), kNone);
  for (std::size_t bi = 0; bi < books_.book_count(); ++bi) link_strategies(static_cast<uint16_t>(bi));
  published_.books.set(books_.book_count());
}

void Engine::publish_instrument(std::size_t i) noexcept {
  const uint16_t locate = strategy_locate_[i];
  if (locate == 0) return;
  const Position& p = tracker_.position(locate);
  EnginePublished::Instrument& out = published_.instruments[i];
  out.position.set(p.shares);
  out.realized.set(p.realized);
  out.unrealized.set(unrealized_pnl(locate));
  out.filled.set(p.bought + p.sold);
}

uint32_t Engine::next_user_ref_num() const noexcept {
  // Derived from the trigger's feed sequence number (independent of thread/lcore layout), bumped past the
  // last one used so it stays strictly increasing when one message triggers several orders.
  const uint32_t last = risk_.last_user_ref_num();
  const uint32_t from_seq = seq_ > 0xFFFFFFFFull ? 0 : static_cast<uint32_t>(seq_);
  return std::max(last + 1, from_seq);
}

Reject Engine::send(const Intent& in, uint16_t bi, uint16_t strategy, OrderSink& sink) noexcept {
  const book::OrderBook& b = books_.book(bi);
  OrderRequest r;
  r.trigger_seq = seq_;
  r.rx_tsc = rx_tsc_;
  r.feed_ts = feed_ts_;
  r.price = in.price;
  r.shares = in.shares;
  r.user_ref_num = next_user_ref_num();
  r.locate = b.locate();
  r.side = book::to_char(in.side);
  r.tif = in.tif;
  r.symbol = b.symbol_padded();
  r.strategy = strategy;
  if (stale() || b.capacity_lost()) [[unlikely]] {
    risk_.count(Reject::kStale);
    return Reject::kStale;
  }
  if (recovering_) [[unlikely]] {
    risk_.count(Reject::kRecovering);
    return Reject::kRecovering;
  }
  if (venue_inconsistent()) [[unlikely]] {
    risk_.count(Reject::kVenueInconsistent);
    return Reject::kVenueInconsistent;
  }
  if (!session_up_) [[unlikely]] {
    risk_.count(Reject::kSessionDown);
    return Reject::kSessionDown;
  }
  if (!journal_open_) [[unlikely]] {
    risk_.count(Reject::kJournalFull);
    return Reject::kJournalFull;
  }
  if (sink.full()) [[unlikely]] {
    risk_.count(Reject::kSinkFull);
    return Reject::kSinkFull;
  }
  if (const Reject rj = risk_.check_and_commit(r, &b, feed_ts_); rj != Reject::kNone) return rj;
  sink.push(r);
  tracker_.on_sent(r);
  stats_.orders_sent.add();
  published_.open_orders.set(risk_.open_orders());
  published_.gross_notional.set(risk_.gross_notional());
  return Reject::kNone;
}

void Engine::restore_sent(const OrderRequest& r) noexcept {
  risk_.restore_sent(r);
  tracker_.on_sent(r);
  published_.open_orders.set(risk_.open_orders());
}

Engine::Adoption Engine::adopt_accepted(const uint8_t* msg, std::size_t len, uint64_t rx_tsc,
                                        OrderRequest& out) noexcept {
  VenueEvent e;
  if (len == 0 || msg[0] != 'A' || parse_ouch_outbound(msg, len, e) != VenueParse::kOk ||
      e.type != VenueEventType::kAccepted || tracker_.find(e.user_ref_num) != nullptr ||
      e.user_ref_num <= risk_.last_user_ref_num())
    return Adoption::kNo;
  uint16_t locate = locate_of(e.symbol);
  if (locate == 0) locate = tracker_.locate_of(e.symbol);  // no book yet: an earlier order's instrument
  if (locate == 0) return Adoption::kNoInstrument;
  out = OrderRequest{};
  out.rx_tsc = rx_tsc;
  out.price = e.price;
  out.shares = e.shares;
  out.user_ref_num = e.user_ref_num;
  out.locate = locate;
  out.side = e.side;
  out.tif = e.tif;
  out.symbol = e.symbol;
  out.strategy = kAdoptedOrder;
  restore_sent(out);
  stats_.orders_adopted.add();
  return Adoption::kAdopted;
}

Reject Engine::submit(const Intent& in, uint16_t locate, uint64_t seq, uint64_t rx_tsc,
                      OrderSink& sink) noexcept {
  const uint16_t bi = books_.index_of(locate);
  if (bi == book::BookSet::kNoBook) {
    risk_.count(Reject::kNotTrading);
    return Reject::kNotTrading;
  }
  seq_ = seq;
  rx_tsc_ = rx_tsc;
  return send(in, bi, kDirectOrder, sink);
}

VenueParse Engine::on_venue(const uint8_t* msg, std::size_t len, uint64_t, OrderSink&) noexcept {
  stats_.venue_messages.add();
  VenueEvent e;
  const VenueParse p = parse_ouch_outbound(msg, len, e);
  switch (p) {
    case VenueParse::kOk:
      on_venue_event(e);
      break;
    case VenueParse::kIgnored:
      stats_.venue_ignored.add();
      break;
    case VenueParse::kUnknownType:
      stats_.venue_unknown_type.add();
      break;
    case VenueParse::kBadLength:
      stats_.venue_bad_length.add();
      break;
  }
  return p;
}

void Engine::mark_stale(StaleReason why) noexcept {
  published_.stale.set(true);
  stats_.stale_marks.add();
  (why == StaleReason::kRingFull ? stats_.stale_ring_full : stats_.stale_gap).add();
}

namespace {
// The open part of an order as the tracker sees it (zero when unknown).
struct OpenPart {
  uint16_t locate = 0;
  char side = 'B';
  int64_t leaves = 0;
  uint64_t price = 0;
};
OpenPart open_part(const OrderTracker& t, uint32_t urn) noexcept {
  const OrderRecord* o = t.find(urn);
  if (o == nullptr) return {};
  return {o->locate, o->side, is_terminal(o->state) ? 0 : int64_t{o->leaves}, o->price};
}
}  // namespace

VenueVerdict Engine::on_venue_event(const VenueEvent& e) noexcept {
  // The risk gate follows the tracker: whatever the event did to an order's open shares (accept, fill,
  // cancel, reject, replace) is released or added, and fills move the gate's filled position.
  const bool replace = e.type == VenueEventType::kReplaced;
  const OpenPart before = open_part(tracker_, replace ? e.orig_user_ref_num : e.user_ref_num);
  bool closed_resting = false;
  const VenueVerdict verdict = tracker_.on_event(e, closed_resting);
  if (!verdict.ok()) [[unlikely]] {
    last_venue_failure_ = verdict;
    published_.venue_inconsistent.set(true);
    return verdict;  // nothing changed in the tracker: nothing to tell the risk gate
  }
  if (closed_resting) risk_.on_order_closed();
  const OpenPart after = open_part(tracker_, replace ? e.orig_user_ref_num : e.user_ref_num);
  if (before.leaves != 0) risk_.on_open_change(before.locate, before.side, -before.leaves, before.price);
  if (after.leaves != 0) risk_.on_open_change(after.locate, after.side, after.leaves, after.price);
  if (replace) {
    const OpenPart next = open_part(tracker_, e.user_ref_num);
    if (next.leaves != 0) risk_.on_open_change(next.locate, next.side, next.leaves, next.price);
  }
  const uint16_t locate = before.locate != 0 ? before.locate : after.locate;
  if (locate != 0) {
    const Position& p = tracker_.position(locate);
    risk_.on_position(locate, p.shares, p.cost);
    for (std::size_t i = 0; i < strategies_.size(); ++i)
      if (strategy_locate_[i] == locate) publish_instrument(i);
  }
  published_.open_orders.set(risk_.open_orders());
  published_.gross_notional.set(risk_.gross_notional());
  return verdict;
}

void Engine::keep_warm() const noexcept {
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    const uint16_t locate = strategy_locate_[i];
    if (locate == 0) continue;
    books_.prefetch_top(locate);
    risk_.prefetch(locate);
    tracker_.prefetch(locate);
    __builtin_prefetch(strategies_[i].get());
  }
}

int64_t Engine::unrealized_pnl(uint16_t locate) const noexcept {
  const book::OrderBook* b = books_.find(locate);
  return b == nullptr ? 0 : tracker_.position(locate).unrealized(b->mid());
}

}  // namespace sf::trade
