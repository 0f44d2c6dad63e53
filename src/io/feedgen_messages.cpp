// sf-feedgen's ITCH 5.0 message stream (io/feedgen.hpp MessageGenerator): the directory, then a seeded mix
// of add/delete/cancel/execute/replace/trade events over the simulated book (feedgen_book.hpp), then the
// end-of-day system events.
#include <cstdio>
#include <cstring>

#include "feedgen_book.hpp"
#include "sniperforge/io/feedgen.hpp"

namespace sf::feedgen {

using detail::kMpids;
using detail::kTick;

std::string symbol(uint32_t instrument) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "SF%04u", instrument);
  return buf;
}

struct MessageGenerator::Impl : detail::SimulatedBook {
  using SimulatedBook::SimulatedBook;

  void add_order(bool mpid) {
    const uint32_t i = static_cast<uint32_t>(rng.below(insts.size()));
    update_mid(i);
    Instrument& in = insts[i];
    const uint32_t slot = new_slot();
    Order& o = orders[slot];
    o.ref = next_ref;
    next_ref += 1 + rng.below(4);
    o.instrument = i;
    o.side = rng.chance(0.5) ? 'B' : 'S';
    o.far = rng.chance(cfg.far_fraction);
    o.price_ticks = place(in, o.side, o.far);
    o.shares = take_liquidity(i, o.side, o.price_ticks, random_shares());
    if (o.shares == 0) {  // fully filled on arrival: nothing rests
      free_slots.push_back(slot);
      if (pending.empty()) trade();  // (cannot happen: a take always queues an E)
      return;
    }
    const auto fill = [&](auto& m) {  // the fields A and F share
      m.stock_locate = static_cast<uint16_t>(i + 1);
      m.order_reference_number = o.ref;
      m.buy_sell_indicator = o.side;
      m.shares = o.shares;
      m.stock = in.stock;
      m.price = o.price_ticks * kTick;
    };
    if (mpid) {
      itch::msg::AddOrderMpid m;
      fill(m);
      m.attribution = kMpids[rng.below(kMpids.size())];
      push(m);
    } else {
      itch::msg::AddOrder m;
      fill(m);
      push(m);
    }
    insert(slot);
  }

  // Picks a live order after moving its instrument's mid (which may execute it).
  bool pick_live(uint32_t& slot) {
    if (live.empty()) return false;
    const uint32_t s = random_live();
    const uint64_t ref = orders[s].ref;
    update_mid(orders[s].instrument);
    if (orders[s].live_pos < live.size() && live[orders[s].live_pos] == s && orders[s].ref == ref) {
      slot = s;
      return true;
    }
    if (live.empty()) return false;
    slot = random_live();
    return true;
  }

  void delete_order() {
    uint32_t slot;
    if (!pick_live(slot)) return add_order(false);
    itch::msg::OrderDelete m;
    m.stock_locate = static_cast<uint16_t>(orders[slot].instrument + 1);
    m.order_reference_number = orders[slot].ref;
    push(m);
    remove(slot);
  }

  void cancel_order() {
    uint32_t slot;
    if (!pick_live(slot)) return add_order(false);
    Order& o = orders[slot];
    itch::msg::OrderCancel m;
    m.stock_locate = static_cast<uint16_t>(o.instrument + 1);
    m.order_reference_number = o.ref;
    m.canceled_shares = o.shares > 1 ? 1 + static_cast<uint32_t>(rng.below(o.shares - 1)) : 1;
    push(m);
    o.shares -= m.canceled_shares;
    if (o.shares == 0) remove(slot);
  }

  // Executions happen at the inside: the best order of one side of a busy instrument.
  void execute_order(bool with_price) {
    uint32_t any;
    if (!pick_live(any)) return add_order(false);
    const uint32_t i = orders[any].instrument;
    Instrument& in = insts[i];
    if (in.bids.empty() && in.asks.empty()) return add_order(false);
    const bool buy_side = in.asks.empty() || (!in.bids.empty() && rng.chance(0.5));
    const uint32_t slot = static_cast<uint32_t>(buy_side ? *in.bids.rbegin() : *in.asks.begin());
    Order& o = orders[slot];
    const uint32_t qty = rng.chance(0.6) ? o.shares : 1 + static_cast<uint32_t>(rng.below(o.shares));
    const auto fill = [&](auto& m) {  // the fields E and C share
      m.stock_locate = static_cast<uint16_t>(i + 1);
      m.order_reference_number = o.ref;
      m.executed_shares = qty;
      m.match_number = match++;
    };
    if (with_price) {
      itch::msg::OrderExecutedWithPrice m;
      fill(m);
      m.printable = rng.chance(0.8) ? 'Y' : 'N';
      m.execution_price =
          (o.price_ticks + (o.side == 'B' ? 1 : -1) * static_cast<uint32_t>(rng.below(2))) * kTick;
      push(m);
    } else {
      itch::msg::OrderExecuted m;
      fill(m);
      push(m);
    }
    o.shares -= qty;
    if (o.shares == 0) remove(slot);
  }

  void replace_order() {
    uint32_t slot;
    if (!pick_live(slot)) return add_order(false);
    requote(slot);
  }

  void trade() {
    const uint32_t i = static_cast<uint32_t>(rng.below(insts.size()));
    update_mid(i);
    itch::msg::Trade m;
    m.stock_locate = static_cast<uint16_t>(i + 1);
    m.order_reference_number = 0;
    m.buy_sell_indicator = rng.chance(0.5) ? 'B' : 'S';
    m.shares = random_shares();
    m.stock = insts[i].stock;
    m.price = static_cast<uint32_t>(insts[i].mid_ticks) * kTick;
    m.match_number = match++;
    push(m);
  }

  void system_event(char code) {
    itch::msg::SystemEvent m;
    m.event_code = code;
    push(m);
  }

  // Queues the directory, then one event (plus any executions it causes) per call.
  void produce() {
    const uint64_t n_inst = insts.size();
    if (queued == 0) return system_event('O');
    if (queued <= n_inst) {
      const uint32_t i = static_cast<uint32_t>(queued - 1);
      itch::msg::StockDirectory m;
      m.stock_locate = static_cast<uint16_t>(i + 1);
      m.stock = insts[i].stock;
      m.market_category = 'Q';
      m.financial_status_indicator = 'N';
      m.round_lot_size = 100;
      m.round_lots_only = 'N';
      m.issue_classification = 'C';
      m.issue_sub_type = "Z";
      m.authenticity = 'P';
      m.short_sale_threshold_indicator = 'N';
      m.ipo_flag = 'N';
      m.luld_reference_price_tier = '1';
      m.etp_flag = 'N';
      m.etp_leverage_factor = 0;
      m.inverse_indicator = 'N';
      return push(m);
    }
    if (queued <= 2 * n_inst) {
      const uint32_t i = static_cast<uint32_t>(queued - 1 - n_inst);
      itch::msg::StockTradingAction m;
      m.stock_locate = static_cast<uint16_t>(i + 1);
      m.stock = insts[i].stock;
      m.trading_state = 'T';
      m.reserved = ' ';
      return push(m);
    }
    if (queued == 2 * n_inst + 1) return system_event('S');
    if (queued == 2 * n_inst + 2) return system_event('Q');
    if (queued >= tail_start) {
      const uint64_t k = queued - tail_start;
      return system_event(k == 0 ? 'M' : k == 1 ? 'E' : 'C');
    }
    // Base mix (per mille): A 400, F 20, D 340, X 40, E 60, C 10, U 100, P 30; mid moves add E and U.
    uint64_t r = rng.below(1000);
    const double ratio =
        cfg.live_orders ? static_cast<double>(live.size()) / static_cast<double>(cfg.live_orders) : 1.0;
    const bool is_add = r < 420;
    if (!is_add && ratio < 1.0 && rng.chance(std::min(0.9, 3.0 * (1.0 - ratio))))
      r = 0;  // warm up towards the target
    else if (is_add && ratio > 1.02 && rng.chance((ratio - 1.0) * 10))
      r = 500;  // trim back
    if (r < 400) return add_order(false);
    if (r < 420) return add_order(true);
    if (r < 760) return delete_order();
    if (r < 800) return cancel_order();
    if (r < 860) return execute_order(false);
    if (r < 870) return execute_order(true);
    if (r < 970) return replace_order();
    return trade();
  }

  std::size_t next(uint8_t* out) {
    if (emitted >= cfg.messages) return 0;
    while (pending.empty()) produce();
    const Pending& p = pending.front();
    std::memcpy(out, p.bytes, p.len);
    const std::size_t n = p.len;
    pending.pop_front();
    ++emitted;
    return n;
  }
};

MessageGenerator::MessageGenerator(const Config& cfg) : impl_(std::make_unique<Impl>(cfg)) {}
MessageGenerator::~MessageGenerator() = default;
std::size_t MessageGenerator::next(uint8_t* out) {
  return impl_->next(out);
}
uint64_t MessageGenerator::live_orders() const noexcept {
  return impl_->live.size();
}
uint64_t MessageGenerator::max_live_orders() const noexcept {
  return impl_->max_live;
}

}  // namespace sf::feedgen
