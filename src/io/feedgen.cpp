#include "sniperforge/io/feedgen.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <numbers>
#include <optional>
#include <set>

#include "sniperforge/proto/itch.hpp"
#include "sniperforge/proto/moldudp64.hpp"
#include "sniperforge/proto/net.hpp"

namespace sf::feedgen {

namespace {

// xoshiro256** seeded by splitmix64: portable and identical on every platform (std::
// distributions are not), so a seed gives the same feed everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) noexcept {
    for (auto& w : s_) {
      seed += 0x9e3779b97f4a7c15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      w = z ^ (z >> 31);
    }
  }
  uint64_t next() noexcept {
    const uint64_t r = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }
  // Uniform in [0, n).
  uint64_t below(uint64_t n) noexcept {
    __extension__ using u128 = unsigned __int128;
    return static_cast<uint64_t>((static_cast<u128>(next()) * n) >> 64);
  }
  // Uniform in [0, 1).
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) noexcept { return p > 0 && unit() < p; }

 private:
  static uint64_t rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

constexpr uint32_t kTick = 100;       // raw price units per tick (0.01 dollar)
constexpr double kAmplitude = 0.015;  // mid oscillation, fraction of the start mid
constexpr double kPeriodMessages = 100'000.0;
constexpr int kMaxSweepPerEvent = 64;
constexpr double kMaxAmplitudeTicks = 60.0;
constexpr std::array<const char*, 6> kMpids = {"GSCO", "MSCO", "JPMS", "UBSS", "NITE", "CDRG"};

}  // namespace

std::string symbol(uint32_t instrument) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "SF%04u", instrument);
  return buf;
}

// ---------------------------------------------------------------------------------------------
struct MessageGenerator::Impl {
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

  explicit Impl(const Config& c) : cfg(c), rng(c.seed) {
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

// ---------------------------------------------------------------------------------------------
struct Packetizer::Impl {
  Impl(const Config& c, FrameCallback f, MessageCallback m)
      : cfg(c),
        on_frame(std::move(f)),
        on_message(std::move(m)),
        rng(c.seed ^ 0xfa017fa017ull),
        line_rng(c.seed ^ 0x11e10b11e1ull) {
    spec.dst_mac = net::multicast_mac(cfg.group);
    spec.src_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    spec.src_ip = cfg.src_ip;
    spec.dst_ip = cfg.group;
    spec.src_port = cfg.src_port;
    spec.dst_port = cfg.port;
    spec.has_vlan = cfg.vlan_id != 0;
    spec.vlan_id = cfg.vlan_id;
    spec.udp_checksum = cfg.udp_checksum;
    hdr = net::udp_headers_length(spec);
    payload_cap =
        std::clamp<std::size_t>(cfg.max_payload, mold::kHeaderLength + 2 + itch::kMaxMessageLength, 65'000);
    frame.resize(hdr + payload_cap);
    stats.first_sequence = stats.next_sequence = cfg.first_sequence;
    reset_builder();
  }

  const Config cfg;
  FrameCallback on_frame;
  MessageCallback on_message;
  Rng rng;
  Rng line_rng;  // per-line loss: its own stream, so the lossless and lossy feeds carry the same packets
  net::UdpFrameSpec spec;
  std::size_t hdr = 0;
  std::size_t payload_cap = 0;
  std::vector<uint8_t> frame;
  std::optional<mold::PacketBuilder> builder;
  uint64_t packet_ts = 0;  // ITCH timestamp of the first message of the packet
  uint64_t last_ts = 0;
  Stats stats;

  void reset_builder() { builder.emplace(frame.data() + hdr, payload_cap, cfg.session, stats.next_sequence); }

  void emit(const uint8_t* f, std::size_t len, const FrameMeta& meta) {
    ++stats.frames;
    if (on_frame) on_frame(cfg.midnight_unix_ns + last_ts, f, len, meta);
  }

  void write_frame(std::size_t payload_len, const FrameMeta& meta) {
    spec.ip_id = static_cast<uint16_t>(stats.frames);
    net::write_udp_headers(frame.data(), spec, payload_len);
    emit(frame.data(), hdr + payload_len, meta);
  }

  // A packet on every line: line A as write_frame(), then line B's copy to line_b_port.
  void write_lines(std::size_t payload_len, const FrameMeta& meta, bool may_lose) {
    if (cfg.line_b_port == 0) return write_frame(payload_len, meta);
    bool lose_a = may_lose && line_rng.chance(cfg.line_loss);
    bool lose_b = may_lose && line_rng.chance(cfg.line_loss);
    if (lose_a && lose_b && !cfg.line_loss_both) (line_rng.below(2) ? lose_a : lose_b) = false;
    if (lose_a)
      ++stats.line_a_lost;
    else
      write_frame(payload_len, meta);
    if (lose_b) {
      ++stats.line_b_lost;
      return;
    }
    spec.dst_port = cfg.line_b_port;
    write_frame(payload_len, meta);
    spec.dst_port = cfg.port;
  }

  void garbage() {
    ++stats.garbage;
    std::vector<uint8_t> g(hdr + 64);
    std::size_t plen;
    switch (rng.below(3)) {
      case 0:  // shorter than a MoldUDP64 header
        plen = 1 + rng.below(mold::kHeaderLength - 1);
        for (std::size_t i = 0; i < plen; ++i) g[hdr + i] = static_cast<uint8_t>(rng.next());
        break;
      case 1:  // claims more blocks than it carries
        mold::write_header(g.data() + hdr, cfg.session, stats.next_sequence, 3);
        proto::store_be<uint16_t>(g.data() + hdr + 20, 12);
        std::memset(g.data() + hdr + 22, 'S', 12);
        plen = 34;
        break;
      default:  // a block with a type ITCH 5.0 does not define
        mold::write_header(g.data() + hdr, cfg.session, stats.next_sequence, 1);
        proto::store_be<uint16_t>(g.data() + hdr + 20, 12);
        std::memset(g.data() + hdr + 22, 'z', 12);
        plen = 34;
        break;
    }
    net::UdpFrameSpec s = spec;
    s.ip_id = static_cast<uint16_t>(stats.frames);
    net::write_udp_headers(g.data(), s, plen);
    emit(g.data(), hdr + plen, FrameMeta{FrameKind::kGarbage, 0, 0});
  }

  void flush() {
    if (builder->count() == 0) return;
    const uint16_t count = builder->count();
    const std::size_t plen = builder->finish();
    const uint64_t seq = stats.next_sequence;
    ++stats.packets;
    stats.next_sequence += count;
    if (rng.chance(cfg.garbage_rate)) garbage();
    if (rng.chance(cfg.gap_rate)) {
      ++stats.gaps;
    } else {
      write_lines(plen, FrameMeta{FrameKind::kData, seq, count}, true);
      if (rng.chance(cfg.dup_rate)) {
        ++stats.duplicates;
        write_frame(plen, FrameMeta{FrameKind::kDuplicate, seq, count});
      }
    }
    if (cfg.heartbeat_every != 0 && stats.packets % cfg.heartbeat_every == 0) {
      ++stats.heartbeats;
      const std::size_t hl = mold::encode_heartbeat(frame.data() + hdr, cfg.session, stats.next_sequence);
      write_lines(hl, FrameMeta{FrameKind::kHeartbeat, stats.next_sequence, 0}, false);
    }
    reset_builder();
  }

  void add(const uint8_t* msg, std::size_t len) {
    if (len > payload_cap - mold::kHeaderLength - mold::kBlockPrefixLength) {
      ++stats.oversize;  // only possible for foreign input (--from-binaryfile)
      return;
    }
    const uint32_t mpp = std::max<uint32_t>(cfg.msgs_per_packet, 1);
    if (builder->count() >= mpp || !builder->fits(len)) flush();
    if (builder->count() == 0 && len >= itch::kHeaderLength) last_ts = proto::load_be48(msg + 5);
    if (on_message) on_message(stats.next_sequence + builder->count(), msg, len);
    builder->add(msg, len);
    ++stats.messages;
    ++stats.by_type[len ? msg[0] : 0];
  }

  void finish() {
    flush();
    if (cfg.end_of_session) {
      const std::size_t plen =
          mold::encode_end_of_session(frame.data() + hdr, cfg.session, stats.next_sequence);
      write_lines(plen, FrameMeta{FrameKind::kEndOfSession, stats.next_sequence, mold::kEndOfSessionCount},
                  false);
    }
  }
};

Packetizer::Packetizer(const Config& cfg, FrameCallback on_frame, MessageCallback on_message)
    : impl_(std::make_unique<Impl>(cfg, std::move(on_frame), std::move(on_message))) {}
Packetizer::~Packetizer() = default;
void Packetizer::add(const uint8_t* msg, std::size_t len) {
  impl_->add(msg, len);
}
void Packetizer::finish() {
  impl_->finish();
}
const Stats& Packetizer::stats() const noexcept {
  return impl_->stats;
}

Stats generate(const Config& cfg, const FrameCallback& on_frame, const MessageCallback& on_message) {
  MessageGenerator gen(cfg);
  Packetizer pk(cfg, on_frame, on_message);
  uint8_t buf[64];
  while (const std::size_t n = gen.next(buf)) pk.add(buf, n);
  pk.finish();
  Stats s = pk.stats();
  s.live_orders = gen.live_orders();
  s.max_live_orders = gen.max_live_orders();
  return s;
}

Frames generate_frames(const Config& cfg) {
  Frames out;
  out.stats = generate(cfg, [&](uint64_t ts, const uint8_t* f, std::size_t len, const FrameMeta&) {
    out.data.insert(out.data.end(), f, f + len);
    out.offsets.push_back(out.data.size());
    out.ts_ns.push_back(ts);
  });
  return out;
}

}  // namespace sf::feedgen
