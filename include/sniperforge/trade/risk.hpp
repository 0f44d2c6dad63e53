// Pre-trade risk gate: every order, whatever its source, passes check_and_commit() before it may be sent.
// Decisions use only state the gate itself owns (orders it accepted, feed time, the book), never venue
// responses, so a replay decides exactly like the live appliance. Position and notional limits therefore
// assume the worst case: every accepted order may fill completely and sells never offset buys (nor buys
// sells) until filled, so the gate keeps total accepted buy shares and total accepted sell shares per
// instrument each within max_position -- whatever the venue fills, |position| <= max_position.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "sniperforge/book/order_book.hpp"
#include "sniperforge/common/counter.hpp"
#include "sniperforge/trade/config.hpp"
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
  kUserRefNum,  // not strictly increasing
  kSinkFull,    // caller's order buffer full
  kCount
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(Reject::kCount)> kRejectNames{
    "none",         "kill_switch",      "instrument_killed",  "not_trading",
    "bad_order",    "max_order_shares", "max_order_notional", "no_reference_price",
    "price_collar", "max_position",     "max_gross_notional", "max_open_orders",
    "throttle",     "user_ref_num",     "sink_full"};

[[nodiscard]] constexpr std::string_view to_string(Reject r) noexcept {
  return kRejectNames[static_cast<std::size_t>(r)];
}

class RiskGate {
 public:
  explicit RiskGate(const RiskConfig& cfg);

  // Checks `r` against every limit; on success records it (position, notional, tokens, UserRefNum, open
  // orders). `book` is the instrument's book (nullptr if unknown: rejected as not trading).
  Reject check_and_commit(const OrderRequest& r, const book::OrderBook* book, uint64_t feed_ts) noexcept;

  // A resting (non-IOC) order was closed by the venue: frees its open-order slot.
  void on_order_closed() noexcept {
    if (open_orders_ > 0) --open_orders_;
  }

  void set_kill_switch(bool on) noexcept { kill_ = on; }
  void set_instrument_killed(uint16_t locate, bool on) noexcept { inst_[locate].killed = on; }
  [[nodiscard]] bool kill_switch() const noexcept { return kill_; }
  [[nodiscard]] bool instrument_killed(uint16_t locate) const noexcept { return inst_[locate].killed; }

  // Net of accepted buy and sell shares (the position if everything filled).
  [[nodiscard]] int64_t committed_position(uint16_t locate) const noexcept {
    return inst_[locate].bought - inst_[locate].sold;
  }
  [[nodiscard]] int64_t committed_buys(uint16_t locate) const noexcept { return inst_[locate].bought; }
  [[nodiscard]] int64_t committed_sells(uint16_t locate) const noexcept { return inst_[locate].sold; }
  [[nodiscard]] uint64_t gross_notional() const noexcept { return gross_notional_; }
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
    int64_t bought = 0;  // shares of every accepted buy
    int64_t sold = 0;    // shares of every accepted sell
    bool killed = false;
  };
  RiskConfig cfg_;
  std::unique_ptr<Instrument[]> inst_;  // by stock locate
  uint64_t gross_notional_ = 0;
  uint32_t open_orders_ = 0;
  uint32_t last_urn_ = 0;
  bool any_urn_ = false;
  bool kill_ = false;
  // Token bucket in nano-tokens (1 order = 1e9) refilled at max_orders_per_second over feed time.
  uint64_t tokens_ = 0;
  uint64_t last_refill_ts_ = 0;
  alignas(64) std::array<Counter, static_cast<std::size_t>(Reject::kCount)> rejects_{};
  Counter accepted_;
};

}  // namespace sf::trade
