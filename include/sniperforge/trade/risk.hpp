// Pre-trade risk gate: every order, whatever its source, passes check_and_commit() before it may be sent.
// Position and notional limits use the worst case over what is still open: per instrument,
//   worst long  = filled position + open buy shares   <= max_position
//   worst short = open sell shares - filled position  <= max_position
// where "open" = leaves of accepted orders not yet final. The Engine reports every change of an order's
// leaves (venue Accepted/Executed/Canceled/Rejected/Replaced, via OrderTracker) with on_open_change() and
// the filled position after fills with on_position(), so a cancel or reject frees room and a sell fill
// reduces a long. Without venue responses (pure replay) orders stay open, so replay and appliance agree.
// Gross notional per account = sum over instruments of |cost basis of the filled position| + notional of
// the open shares at their limit price.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "sniperforge/book/order_book.hpp"
#include "sniperforge/common/counter.hpp"
#include "sniperforge/trade/checked_math.hpp"
#include "sniperforge/trade/config.hpp"
#include "sniperforge/trade/control.hpp"
#include "sniperforge/trade/order_request.hpp"

namespace sf::trade {

enum class Reject : uint8_t {
  kNone = 0,
  kKillSwitch,
  kInstrumentKilled,
  kNotTrading,  // halted, paused or quotation only
  kBadOrder,    // zero shares/price, bad side or TIF
  kMaxOrderShares,
  kMaxOrderNotional,
  kNoReferencePrice,  // the side the order would take is empty
  kPriceCollar,
  kMaxPosition,
  kMaxGrossNotional,
  kMaxOpenOrders,
  kThrottle,
  kUserRefNum,         // not strictly increasing
  kSinkFull,           // caller's order buffer full
  kStale,              // the engine's books are stale (feed gap or full ring) until clear_stale()
  kVenueInconsistent,  // a venue response failed a check (venue_check.hpp) until an operator clears it
  kSessionDown,        // the shard's SoupBinTCP order session is not logged in
  kHalted,             // trading state halted (shard or instrument; sf-ctl state)
  kReducing,           // trading state reducing and the order could grow the position
  kJournalFull,        // the shard's journal ring is full or the journal failed (journal/writer.hpp)
  kRecovering,         // a feed gap is being recovered by re-request: the books are history until it is done
  kCount
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(Reject::kCount)> kRejectNames{
    "none",
    "killed",
    "instrument_killed",
    "not_trading",
    "bad_order",
    "max_order_shares",
    "max_order_notional",
    "no_reference_price",
    "price_collar",
    "max_position",
    "max_gross_notional",
    "max_open_orders",
    "throttle",
    "user_ref_num",
    "sink_full",
    "stale",
    "venue_inconsistent",
    "session_down",
    "halted",
    "reducing",
    "journal_full",
    "recovering"};

[[nodiscard]] constexpr std::string_view to_string(Reject r) noexcept {
  return kRejectNames[static_cast<std::size_t>(r)];
}

class RiskGate {
 public:
  explicit RiskGate(const RiskConfig& cfg);

  // Checks `r` against every limit; on success records it (position, notional, tokens, UserRefNum, open
  // orders). `book` is the instrument's book (nullptr if unknown: rejected as not trading).
  Reject check_and_commit(const OrderRequest& r, const book::OrderBook* book, uint64_t feed_ts) noexcept;

  // The open (not yet final) shares of an order on `side` at `price` changed by `delta_shares` (negative
  // when the venue cancels, rejects or fills; positive for a replacement or an accept with more shares).
  void on_open_change(uint16_t locate, char side, int64_t delta_shares, uint64_t price) noexcept;
  // Filled position of an instrument after a fill or broken trade: shares (+ long) and signed cost basis.
  void on_position(uint16_t locate, int64_t shares, int64_t cost) noexcept;

  // Restart: an order the journal says was sent before the restart is committed again without any check
  // (it is out there whatever the limits say now), so exposure, open orders and the UserRefNum
  // high-water mark start where they were.
  void restore_sent(const OrderRequest& r) noexcept;

  // A resting (non-IOC) order was closed by the venue: frees its open-order slot.
  void on_order_closed() noexcept {
    if (open_orders_ > 0) --open_orders_;
  }

  // Keep-warm hint: the per-instrument limits an order on `locate` reads.
  void prefetch(uint16_t locate) const noexcept { __builtin_prefetch(&inst_[locate]); }

  void set_kill_switch(bool on) noexcept { kill_ = on; }
  void set_instrument_killed(uint16_t locate, bool on) noexcept { inst_[locate].killed = on; }
  [[nodiscard]] bool kill_switch() const noexcept { return kill_; }
  // Trading state of the shard and per instrument; an order obeys the stricter of the two.
  void set_state(TradingState s) noexcept { state_ = s; }
  void set_instrument_state(uint16_t locate, TradingState s) noexcept { inst_[locate].state = s; }
  [[nodiscard]] TradingState state() const noexcept { return state_; }
  [[nodiscard]] TradingState instrument_state(uint16_t locate) const noexcept { return inst_[locate].state; }
  // New limits, all at once (values validated by the config parser before they get here). Open orders and
  // positions stay; the next order is checked against the new values. The throttle keeps its tokens, capped
  // at the new burst.
  void set_limits(const RiskLimits& l) noexcept;
  [[nodiscard]] bool instrument_killed(uint16_t locate) const noexcept { return inst_[locate].killed; }
  // One instrument's own limits (the stricter of them and the shard's apply).
  void set_instrument_limits(uint16_t locate, const InstrumentLimits& l) noexcept {
    inst_[locate].limits = l;
  }
  [[nodiscard]] const InstrumentLimits& instrument_limits(uint16_t locate) const noexcept {
    return inst_[locate].limits;
  }

  // Filled position, open buy / sell shares, and the net if everything open filled.
  [[nodiscard]] int64_t position(uint16_t locate) const noexcept { return inst_[locate].position; }
  [[nodiscard]] int64_t open_buys(uint16_t locate) const noexcept { return inst_[locate].open_buy; }
  [[nodiscard]] int64_t open_sells(uint16_t locate) const noexcept { return inst_[locate].open_sell; }
  [[nodiscard]] int64_t committed_position(uint16_t locate) const noexcept {
    const Instrument& in = inst_[locate];
    return in.position + in.open_buy - in.open_sell;
  }
  // Worst-case long and short exposure (each kept <= max_position by the gate).
  [[nodiscard]] int64_t worst_long(uint16_t locate) const noexcept {
    return inst_[locate].position + inst_[locate].open_buy;
  }
  [[nodiscard]] int64_t worst_short(uint16_t locate) const noexcept {
    return inst_[locate].open_sell - inst_[locate].position;
  }
  // Notionals are kept in __int128 (a forged u32 x u64 change cannot wrap them) and shown clamped.
  [[nodiscard]] uint64_t gross_notional() const noexcept {
    return clamp_uint64(open_notional_ + filled_notional_);
  }
  [[nodiscard]] uint64_t open_notional() const noexcept { return clamp_uint64(open_notional_); }
  [[nodiscard]] uint32_t open_orders() const noexcept { return open_orders_; }
  [[nodiscard]] uint32_t last_user_ref_num() const noexcept { return last_urn_; }
  [[nodiscard]] uint64_t rejects(Reject r) const noexcept {
    return rejects_[static_cast<std::size_t>(r)].load();
  }
  [[nodiscard]] uint64_t accepted() const noexcept { return accepted_.load(); }
  [[nodiscard]] const RiskConfig& config() const noexcept { return cfg_; }
  // Counts a rejection decided outside the gate (e.g. sink full).
  void count(Reject r) noexcept { rejects_[static_cast<std::size_t>(r)].add(); }

 private:
  Reject evaluate(const OrderRequest& r, const book::OrderBook* book, uint64_t feed_ts) noexcept;

  struct Instrument {
    int64_t position = 0;   // filled shares, + long
    int64_t abs_cost = 0;   // |cost basis| of the filled position (its gross notional)
    int64_t open_buy = 0;   // leaves of accepted buys not yet final
    int64_t open_sell = 0;  // leaves of accepted sells not yet final
    bool killed = false;
    TradingState state = TradingState::kActive;
    InstrumentLimits limits;  // `limits set --symbol`
  };
  RiskConfig cfg_;
  std::unique_ptr<Instrument[]> inst_;  // by stock locate
  Int128 open_notional_ = 0;            // sum of open shares x limit price
  Int128 filled_notional_ = 0;          // sum of Instrument::abs_cost
  uint32_t open_orders_ = 0;
  uint32_t last_urn_ = 0;
  bool any_urn_ = false;
  bool kill_ = false;
  TradingState state_ = TradingState::kActive;
  // Token bucket in nano-tokens (1 order = 1e9) refilled at max_orders_per_second over feed time.
  uint64_t tokens_ = 0;
  uint64_t last_refill_ts_ = 0;
  alignas(64) std::array<Counter, static_cast<std::size_t>(Reject::kCount)> rejects_{};
  Counter accepted_;
};

}  // namespace sf::trade
