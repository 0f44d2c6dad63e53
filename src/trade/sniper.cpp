// The sniper: when the opposite side crosses the configured limit (buy: best ask <= limit; sell: best bid >=
// limit), send an IOC limit order at the limit for min(shares at or through the limit, shares per shot,
// remaining allowance). The allowance is max_position minus the shares committed on the sniper's side
// (open orders plus fills on that side): an IOC the venue cancels unfilled gives its shares back, a fill
// keeps them. With no venue answering (a pure replay) every order stays open, so every share sent counts
// and a replay sends what a live run whose orders all fill sends. The cooldown runs on feed time from the
// last attempt, so replays decide exactly like the live appliance.
#include <algorithm>

#include "sniperforge/trade/strategy.hpp"

namespace sf::trade {
namespace {

class Sniper final : public Strategy {
 public:
  using Strategy::Strategy;

  void on_book(StrategyContext& ctx) noexcept override {
    if (!cfg_.enabled) return;
    const book::OrderBook& b = ctx.book();
    if (!b.can_trade()) return;
    const bool buy = cfg_.side == book::Side::kBuy;
    const book::Side take = buy ? book::Side::kSell : book::Side::kBuy;
    if (b.empty(take)) return;
    const book::Price best = b.best_price(take);
    if (buy ? best > cfg_.limit_price : best < cfg_.limit_price) return;
    if (attempted_ && ctx.feed_ts() < last_attempt_ts_ + cfg_.cooldown_ns) return;
    const int64_t allowance = cfg_.max_position - ctx.committed_shares(cfg_.side);
    if (allowance <= 0) return;
    const uint64_t available = b.shares_at_or_better(take, cfg_.limit_price);
    const uint64_t size = std::min<uint64_t>({available, cfg_.shares, static_cast<uint64_t>(allowance)});
    if (size == 0) return;
    attempted_ = true;
    last_attempt_ts_ = ctx.feed_ts();
    (void)ctx.send(Intent{cfg_.side, cfg_.limit_price, static_cast<uint32_t>(size), '3'});
  }

 private:
  uint64_t last_attempt_ts_ = 0;
  bool attempted_ = false;
};

SF_REGISTER_STRATEGY("sniper", Sniper);

}  // namespace
}  // namespace sf::trade
