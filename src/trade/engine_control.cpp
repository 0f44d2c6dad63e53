// Engine::apply(): the operator's commands (control.hpp), applied on the engine's own thread.
#include <cstring>

#include "sniperforge/trade/engine.hpp"

namespace sf::trade {

RiskLimits limits_of(const RiskConfig& c) noexcept {
  return {c.max_order_shares, c.max_order_notional,    c.collar_bps,    c.max_position, c.max_gross_notional,
          c.max_open_orders,  c.max_orders_per_second, c.throttle_burst};
}

void assign_limits(RiskConfig& c, const RiskLimits& l) noexcept {
  c.max_order_shares = l.max_order_shares;
  c.max_order_notional = l.max_order_notional;
  c.collar_bps = l.collar_bps;
  c.max_position = l.max_position;
  c.max_gross_notional = l.max_gross_notional;
  c.max_open_orders = l.max_open_orders;
  c.max_orders_per_second = l.max_orders_per_second;
  c.throttle_burst = l.throttle_burst;
}

StrategyParams params_of(const StrategyConfig& c) noexcept {
  return {c.limit_price, c.shares, c.max_position, c.cooldown_ns, c.enabled};
}

void assign_params(StrategyConfig& c, const StrategyParams& p) noexcept {
  c.limit_price = p.limit_price;
  c.shares = p.shares;
  c.max_position = p.max_position;
  c.cooldown_ns = p.cooldown_ns;
  c.enabled = p.enabled;
}

uint16_t Engine::locate_of(const std::array<char, 8>& symbol) const noexcept {
  for (std::size_t i = 0; i < books_.book_count(); ++i) {
    const book::OrderBook& b = books_.book(static_cast<uint16_t>(i));
    if (b.symbol_padded() == symbol) return b.locate();
  }
  return 0;
}

uint32_t Engine::tracked_open_orders(std::span<uint32_t> sample) const noexcept {
  uint32_t n = 0;
  tracker_.for_each_open([&](const OrderRecord& o) {
    if (n < sample.size()) sample[n] = o.user_ref_num;
    ++n;
  });
  return n;
}

uint32_t Engine::next_cancels(std::span<CancelRequest> out) noexcept {
  if (!sweep_.owed) return 0;
  uint32_t n = 0;
  bool more = false;
  tracker_.for_each_open([&](const OrderRecord& o) {
    if (o.user_ref_num <= sweep_.after_urn) return;
    if (n == out.size()) {
      more = true;
      return;
    }
    out[n++] = CancelRequest{o.user_ref_num, 0, o.locate};
    sweep_.after_urn = o.user_ref_num;
  });
  sweep_.owed = more;
  sweep_.written += n;
  return n;
}

ControlReply Engine::apply(const ControlCommand& c, std::span<CancelRequest> cancels) noexcept {
  ControlReply r;
  r.id = c.id;
  r.op = c.op;
  uint16_t locate = 0;
  if (c.has_symbol() && (c.op == ControlOp::kSetState || c.op == ControlOp::kSetLimits)) {
    locate = locate_of(c.symbol);
    if (locate == 0) r.result = ControlResult::kUnknownSymbol;
  }
  if (r.result == ControlResult::kOk) switch (c.op) {
      case ControlOp::kStatus:
      case ControlOp::kBooks:  // the rows are copied by the caller (control/channel.hpp)
        break;
      case ControlOp::kKill:
        set_kill_switch(true);  // before the sweep: no order can join what it cancels
        [[fallthrough]];
      case ControlOp::kCancelOpen:
        sweep_ = {.owed = true, .after_urn = 0, .written = 0};
        r.cancels = next_cancels(cancels);
        break;
      case ControlOp::kUnkill:
        set_kill_switch(false);
        break;
      case ControlOp::kSetState:
        if (locate != 0)
          risk_.set_instrument_state(locate, c.state);
        else
          risk_.set_state(c.state);
        published_.trading_state.set(static_cast<uint8_t>(risk_.state()));
        break;
      case ControlOp::kSetLimits:
        if (locate != 0) {
          risk_.set_instrument_limits(locate, c.instrument_limits);
          break;
        }
        risk_.set_limits(c.limits);
        assign_limits(cfg_.risk, c.limits);
        published_.max_gross_notional.set(c.limits.max_gross_notional);
        published_.max_position.set(c.limits.max_position);
        break;
      case ControlOp::kSetStrategy:
        if (c.strategy >= strategies_.size()) {
          r.result = ControlResult::kUnknownStrategy;
          break;
        }
        strategies_[c.strategy]->set_params(c.params);
        assign_params(cfg_.strategies[c.strategy], c.params);
        break;
      case ControlOp::kClearVenueInconsistent:
        clear_venue_inconsistent();
        break;
      default:
        r.result = ControlResult::kUnknownOp;
    }
  r.state = risk_.state();
  r.killed = risk_.kill_switch();
  r.stale = stale();
  r.venue_inconsistent = venue_inconsistent();
  r.session_up = session_up_;
  r.shard = shard_;
  r.open_orders = tracked_open_orders(r.open_sample);
  r.cancels_swept = sweep_.written;
  r.cancels_owed = sweep_.owed;
  r.gross_notional = risk_.gross_notional();
  r.limits = limits_of(risk_.config());
  return r;
}

}  // namespace sf::trade
