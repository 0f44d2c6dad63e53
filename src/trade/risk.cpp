#include "sniperforge/trade/risk.hpp"

#include <algorithm>

namespace sf::trade {

namespace {
constexpr uint64_t kNanoTokens = 1'000'000'000ull;  // one order
}

RiskGate::RiskGate(const RiskConfig& cfg) : cfg_(cfg), inst_(std::make_unique<Instrument[]>(65536)) {
  kill_ = cfg.kill_switch;
  tokens_ = uint64_t{cfg.throttle_burst} * kNanoTokens;
}

Reject RiskGate::evaluate(const OrderRequest& r, const book::OrderBook* book, uint64_t feed_ts) noexcept {
  using book::Side;
  if (kill_) return Reject::kKillSwitch;
  if (inst_[r.locate].killed) return Reject::kInstrumentKilled;
  const TradingState st = std::max(state_, inst_[r.locate].state);
  if (st == TradingState::kHalted) [[unlikely]]
    return Reject::kHalted;
  if (book == nullptr || !book->can_trade()) return Reject::kNotTrading;
  if (r.shares == 0 || r.price == 0 || r.price > 0xFFFFFFFFull || (r.side != 'B' && r.side != 'S'))
    return Reject::kBadOrder;
  if (r.user_ref_num == 0 || (any_urn_ && r.user_ref_num <= last_urn_)) return Reject::kUserRefNum;
  // The stricter of the shard's limits and the instrument's own (limits set --symbol).
  const Instrument& in = inst_[r.locate];
  if (r.shares > std::min(cfg_.max_order_shares, in.limits.max_order_shares)) return Reject::kMaxOrderShares;
  const uint64_t notional = r.price * r.shares;  // < 2^32 * 2^32
  if (notional > std::min(cfg_.max_order_notional, in.limits.max_order_notional))
    return Reject::kMaxOrderNotional;

  // Collar against the best price of the side the order would take.
  const bool buy = r.side == 'B';
  const Side take = buy ? Side::kSell : Side::kBuy;
  if (book->empty(take)) return Reject::kNoReferencePrice;
  const uint64_t ref = book->best_price(take);
  // buy: price <= ref * (1 + bps/1e4); sell: price >= ref * (1 - bps/1e4). Integer math, no overflow.
  const uint64_t collar_bps = std::min(cfg_.collar_bps, in.limits.collar_bps);
  if (buy ? r.price * 10'000 > ref * (10'000ull + collar_bps)
          : r.price * 10'000 + ref * std::min<uint64_t>(collar_bps, 10'000) < ref * 10'000)
    return Reject::kPriceCollar;

  // Worst case and gross notional in __int128: positions and open shares are int64 fed by the venue.
  const Int128 worst = buy ? Int128{in.position} + in.open_buy : Int128{in.open_sell} - in.position;
  if (worst + r.shares > std::min(cfg_.max_position, in.limits.max_position)) return Reject::kMaxPosition;
  // Reducing: the worst case after this order must not be long (buy) or short (sell), so an order can
  // only close what is filled, never open or flip a position.
  if (st == TradingState::kReducing && worst + r.shares > 0) [[unlikely]]
    return Reject::kReducing;
  if (open_notional_ + filled_notional_ + notional > Int128{cfg_.max_gross_notional})
    return Reject::kMaxGrossNotional;
  const bool resting = r.tif != kTifIoc;
  if (resting && open_orders_ >= cfg_.max_open_orders) return Reject::kMaxOpenOrders;

  // Token bucket over feed time (deterministic in replays); time going backwards refills nothing.
  if (cfg_.max_orders_per_second == 0) return Reject::kThrottle;
  const uint64_t cap = uint64_t{cfg_.throttle_burst} * kNanoTokens;
  if (feed_ts > last_refill_ts_) {
    const uint64_t dt = feed_ts - last_refill_ts_;
    tokens_ = dt >= kNanoTokens ? cap : std::min(cap, tokens_ + dt * cfg_.max_orders_per_second);
    last_refill_ts_ = feed_ts;
  }
  if (tokens_ < kNanoTokens) return Reject::kThrottle;
  return Reject::kNone;
}

Reject RiskGate::check_and_commit(const OrderRequest& r, const book::OrderBook* book,
                                  uint64_t feed_ts) noexcept {
  const Reject rj = evaluate(r, book, feed_ts);
  if (rj != Reject::kNone) {
    count(rj);
    return rj;
  }
  tokens_ -= kNanoTokens;
  on_open_change(r.locate, r.side, r.shares, r.price);
  if (r.tif != kTifIoc) ++open_orders_;
  last_urn_ = r.user_ref_num;
  any_urn_ = true;
  accepted_.add();
  return Reject::kNone;
}

void RiskGate::set_limits(const RiskLimits& l) noexcept {
  assign_limits(cfg_, l);
  tokens_ = std::min(tokens_, uint64_t{cfg_.throttle_burst} * kNanoTokens);
}

void RiskGate::restore_sent(const OrderRequest& r) noexcept {
  on_open_change(r.locate, r.side, r.shares, r.price);
  if (r.tif != kTifIoc) ++open_orders_;
  if (!any_urn_ || r.user_ref_num > last_urn_) last_urn_ = r.user_ref_num;
  any_urn_ = true;
}

void RiskGate::on_open_change(uint16_t locate, char side, int64_t delta_shares, uint64_t price) noexcept {
  Instrument& in = inst_[locate];
  int64_t& open = side == 'B' ? in.open_buy : in.open_sell;
  // Never below zero: a venue reporting more than we know of must not create room. Open shares are sums
  // of u32 leaves over at most max_tracked_orders orders, far inside int64; saturate all the same.
  const Int128 next = std::max<Int128>(Int128{open} + delta_shares, 0);
  delta_shares = static_cast<int64_t>(std::min<Int128>(next, kInt64Max) - open);
  open += delta_shares;
  open_notional_ = std::max<Int128>(open_notional_ + Int128{delta_shares} * price, 0);
}

void RiskGate::on_position(uint16_t locate, int64_t shares, int64_t cost) noexcept {
  Instrument& in = inst_[locate];
  const int64_t abs_cost = cost < 0 ? -cost : cost;  // Position keeps cost within +-INT64_MAX
  filled_notional_ += abs_cost - in.abs_cost;
  in.abs_cost = abs_cost;
  in.position = shares;
}

}  // namespace sf::trade
