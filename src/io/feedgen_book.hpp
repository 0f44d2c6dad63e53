// The simulated order book behind sf-feedgen's messages: live orders by slot, each instrument's bids and
// asks around a mid that oscillates (plus noise), quotes that fade or trade as the mid reaches them, and
// marketable orders that take liquidity. Each move queues the ITCH messages it causes in `pending`; the
// message mix that drives it is MessageGenerator::Impl (feedgen_messages.cpp). Private to src/io.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <numbers>
#include <set>
#include <vector>

#include "feedgen_rng.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/proto/itch.hpp"

namespace sf::feedgen::detail {

constexpr uint32_t kTick = 100;       // raw price units per tick (0.01 dollar)
constexpr double kAmplitude = 0.015;  // mid oscillation, fraction of the start mid
constexpr double kPeriodMessages = 100'000.0;
constexpr int kMaxSweepPerEvent = 64;
constexpr double kMaxAmplitudeTicks = 60.0;
constexpr std::array<const char*, 6> kMpids = {"GSCO", "MSCO", "JPMS", "UBSS", "NITE", "CDRG"};

struct SimulatedBook {
  struct Order {
    uint64_t ref;
    uint32_t instrument;
    uint32_t price_ticks;
    uint32_t shares;
    uint32_t live_pos;  // index in live_
    char side;
    bool far;
  };
  struct Instrument {
    itch::Alpha<8> stock;
    int64_t base_ticks;
    int64_t mid_ticks;
    int64_t noise_ticks = 0;
    double phase;
    std::set<uint64_t> bids, asks;  // (price_ticks << 32) | slot
  };
  struct Pending {
    uint8_t bytes[itch::kMaxMessageLength];
    uint8_t len;
  };

  explicit SimulatedBook(const Config& c) : cfg(c), rng(c.seed) {
    insts.resize(cfg.instruments);
    for (uint32_t i = 0; i < cfg.instruments; ++i) {
      auto& in = insts[i];
      in.stock = itch::Alpha<8>(symbol(i));
      in.base_ticks = 2000 + 100 * int64_t{i};
      in.mid_ticks = in.base_ticks;
      in.phase = rng.unit() * 2 * std::numbers::pi;
    }
    const uint64_t reserve = std::min<uint64_t>(cfg.live_orders + cfg.live_orders / 4 + 1024, 1ull << 26);
    orders.reserve(reserve);
    live.reserve(reserve);
    // 100k messages up to 200 instruments (~500 events of an instrument per period); above that
    // ~5000 events per period, so deep books are not re-quoted on most events.
    period = cfg.instruments <= 200 ? kPeriodMessages
                                    : kPeriodMessages * static_cast<double>(cfg.instruments) / 20.0;
    interval_ns = cfg.packet_rate > 0 ? 1e9 / cfg.packet_rate : 0.0;
    const uint64_t directory = 2ull * cfg.instruments + 3;
    tail_start = cfg.messages >= directory + 3 ? cfg.messages - 3 : cfg.messages;
  }

  const Config cfg;
  Rng rng;
  std::vector<Instrument> insts;
  std::vector<Order> orders;  // slots
  std::vector<uint32_t> free_slots;
  std::vector<uint32_t> live;  // slots of live orders
  std::deque<Pending> pending;
  uint64_t emitted = 0;  // messages returned so far
  uint64_t queued = 0;   // messages queued so far (>= emitted)
  uint64_t next_ref = 1000;
  uint64_t match = 1;
  uint64_t max_live = 0;
  uint64_t tail_start = 0;
  double interval_ns = 0;
  double period = kPeriodMessages;

  // ---- helpers ----
  uint64_t timestamp_for(uint64_t index) const noexcept {
    const uint64_t mpp = std::max<uint32_t>(cfg.msgs_per_packet, 1);
    return cfg.start_ns + static_cast<uint64_t>(static_cast<double>(index / mpp) * interval_ns) + index % mpp;
  }
  template <class M>
  void push(M& m) {
    m.timestamp = timestamp_for(queued);
    Pending p;
    p.len = static_cast<uint8_t>(m.encode(p.bytes));
    pending.push_back(p);
    ++queued;
  }
  std::set<uint64_t>& side_set(Instrument& in, char side) { return side == 'B' ? in.bids : in.asks; }
  static uint64_t key(uint32_t price_ticks, uint32_t slot) { return (uint64_t{price_ticks} << 32) | slot; }

  uint32_t new_slot() {
    if (!free_slots.empty()) {
      const uint32_t s = free_slots.back();
      free_slots.pop_back();
      return s;
    }
    orders.push_back({});
    return static_cast<uint32_t>(orders.size() - 1);
  }
  void insert(uint32_t slot) {
    Order& o = orders[slot];
    o.live_pos = static_cast<uint32_t>(live.size());
    live.push_back(slot);
    side_set(insts[o.instrument], o.side).insert(key(o.price_ticks, slot));
    max_live = std::max<uint64_t>(max_live, live.size());
  }
  void remove(uint32_t slot) {
    Order& o = orders[slot];
    side_set(insts[o.instrument], o.side).erase(key(o.price_ticks, slot));
    const uint32_t last = live.back();
    live[o.live_pos] = last;
    orders[last].live_pos = o.live_pos;
    live.pop_back();
    free_slots.push_back(slot);
  }
  uint32_t random_live() { return live[rng.below(live.size())]; }
  uint32_t random_shares() {
    if (rng.chance(0.1)) return 1 + static_cast<uint32_t>(rng.below(999));
    return 100 * (1 + static_cast<uint32_t>(rng.below(10)));
  }
  uint32_t place(const Instrument& in, char side, bool far) {
    int64_t d;
    if (far) {
      d = cfg.far_min_ticks + static_cast<int64_t>(rng.below(cfg.far_max_ticks - cfg.far_min_ticks + 1));
    } else {
      // Half at or next to the inside (geometric, mean ~2 ticks), half spread over the first
      // levels (exponential, mean ~20 ticks), like real depth.
      d = 1;
      if (rng.chance(0.5)) {
        while (d < 50 && rng.chance(0.5)) ++d;
      } else {
        d += std::min<int64_t>(400, static_cast<int64_t>(-20.0 * std::log(1.0 - rng.unit())));
      }
    }
    const int64_t p = side == 'B' ? in.mid_ticks - d : in.mid_ticks + d;
    return static_cast<uint32_t>(std::clamp<int64_t>(p, 1, 2'000'000'000 / kTick));
  }

  // Moves the instrument's mid (at most one tick per event) towards its oscillating target.
  void update_mid(uint32_t i) {
    Instrument& in = insts[i];
    const double amp = std::min(static_cast<double>(in.base_ticks) * kAmplitude, kMaxAmplitudeTicks);
    if (rng.chance(0.03)) in.noise_ticks += rng.chance(0.5) ? 1 : -1;
    const int64_t noise_cap = std::max<int64_t>(2, static_cast<int64_t>(amp / 4));
    in.noise_ticks = std::clamp(in.noise_ticks, -noise_cap, noise_cap);
    const double phase = 2 * std::numbers::pi * static_cast<double>(queued) / period + in.phase;
    const int64_t target = std::max<int64_t>(
        2, in.base_ticks + static_cast<int64_t>(std::lround(amp * std::sin(phase))) + in.noise_ticks);
    if (target == in.mid_ticks) return;
    in.mid_ticks += target > in.mid_ticks ? 1 : -1;
    // Orders the mid has reached fade as quotes do: mostly canceled or re-quoted, some taken out.
    for (int n = 0; n < kMaxSweepPerEvent; ++n) {
      uint32_t slot;
      if (!in.asks.empty() && static_cast<int64_t>(*in.asks.begin() >> 32) <= in.mid_ticks) {
        slot = static_cast<uint32_t>(*in.asks.begin());
      } else if (!in.bids.empty() && static_cast<int64_t>(*in.bids.rbegin() >> 32) > in.mid_ticks) {
        // Bids may sit at the mid (asks never do), so the book can neither cross nor lock.
        slot = static_cast<uint32_t>(*in.bids.rbegin());
      } else {
        break;
      }
      // While warming up towards the live-order target, faded quotes come back (U) rather than go (D).
      const uint64_t r = rng.below(100);
      const uint64_t deletes = static_cast<uint64_t>(live.size()) * 20 < cfg.live_orders * 19 ? 0 : 45;
      if (r < 15) {
        itch::msg::OrderExecuted e;
        e.stock_locate = static_cast<uint16_t>(i + 1);
        e.order_reference_number = orders[slot].ref;
        e.executed_shares = orders[slot].shares;
        e.match_number = match++;
        push(e);
        remove(slot);
      } else if (r < 15 + deletes) {
        itch::msg::OrderDelete d;
        d.stock_locate = static_cast<uint16_t>(i + 1);
        d.order_reference_number = orders[slot].ref;
        push(d);
        remove(slot);
      } else {
        requote(slot);
      }
    }
  }

  // Best opposite order that a new order at `price_ticks` on `side` would trade with (or none).
  bool crossing(const Instrument& in, char side, uint32_t price_ticks, uint32_t& slot) const {
    if (side == 'B') {
      if (in.asks.empty() || (*in.asks.begin() >> 32) > price_ticks) return false;
      slot = static_cast<uint32_t>(*in.asks.begin());
    } else {
      if (in.bids.empty() || (*in.bids.rbegin() >> 32) < price_ticks) return false;
      slot = static_cast<uint32_t>(*in.bids.rbegin());
    }
    return true;
  }

  // A marketable order: trades with the resting orders it crosses (E messages); returns the shares
  // left to rest in the book.
  uint32_t take_liquidity(uint32_t i, char side, uint32_t price_ticks, uint32_t shares) {
    Instrument& in = insts[i];
    uint32_t slot;
    for (int n = 0; n < kMaxSweepPerEvent && shares > 0 && crossing(in, side, price_ticks, slot); ++n) {
      Order& o = orders[slot];
      const uint32_t qty = std::min(shares, o.shares);
      itch::msg::OrderExecuted e;
      e.stock_locate = static_cast<uint16_t>(i + 1);
      e.order_reference_number = o.ref;
      e.executed_shares = qty;
      e.match_number = match++;
      push(e);
      shares -= qty;
      o.shares -= qty;
      if (o.shares == 0) remove(slot);
    }
    // Never rest crossed (only possible when the sweep cap stopped early).
    return crossing(in, side, price_ticks, slot) ? 0 : shares;
  }

  // A passive price that does not cross the opposite side.
  uint32_t passive_price(const Instrument& in, char side, uint32_t p) const {
    if (side == 'B' && !in.asks.empty())
      p = std::min<uint32_t>(p, static_cast<uint32_t>(*in.asks.begin() >> 32) - 1);
    if (side == 'S' && !in.bids.empty())
      p = std::max<uint32_t>(p, static_cast<uint32_t>(*in.bids.rbegin() >> 32) + 1);
    return std::max<uint32_t>(p, 1);
  }

  // U: the order leaves the book and comes back with a new ref, size and price near the mid.
  void requote(uint32_t slot) {
    const Order old = orders[slot];
    remove(slot);
    const uint32_t ns = new_slot();
    Order& o = orders[ns];
    o = old;
    o.ref = next_ref;
    next_ref += 1 + rng.below(4);
    o.shares = random_shares();
    o.price_ticks = passive_price(insts[o.instrument], o.side, place(insts[o.instrument], o.side, o.far));
    itch::msg::OrderReplace m;
    m.stock_locate = static_cast<uint16_t>(o.instrument + 1);
    m.original_order_reference_number = old.ref;
    m.new_order_reference_number = o.ref;
    m.shares = o.shares;
    m.price = o.price_ticks * kTick;
    push(m);
    insert(ns);
  }
};

}  // namespace sf::feedgen::detail
