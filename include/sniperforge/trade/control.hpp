// Operator commands as the trading core sees them (issue #14): small trivially copyable structs that travel
// through one request ring and one response ring per executor lcore, applied by Engine::apply() between two
// polls without allocating. Parsing and validating what an operator typed happens off the data plane
// (limits_edit.hpp); an Engine only ever receives values that passed the start-up validation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include "sniperforge/trade/config.hpp"

namespace sf::trade {

// active: every order may go (subject to risk); reducing: only orders that cannot grow the position
// (worst case, open orders included) away from zero; halted: none.
enum class TradingState : uint8_t { kActive = 0, kReducing, kHalted };

[[nodiscard]] constexpr std::string_view to_string(TradingState s) noexcept {
  constexpr std::string_view n[] = {"active", "reducing", "halted"};
  return n[static_cast<int>(s)];
}
[[nodiscard]] constexpr std::optional<TradingState> parse_trading_state(std::string_view s) noexcept {
  if (s == "active") return TradingState::kActive;
  if (s == "reducing") return TradingState::kReducing;
  if (s == "halted") return TradingState::kHalted;
  return std::nullopt;
}

// The numeric part of RiskConfig (what `limits set` may change at run time).
struct RiskLimits {
  uint32_t max_order_shares = 0;
  uint64_t max_order_notional = 0;
  uint32_t collar_bps = 0;
  int64_t max_position = 0;
  uint64_t max_gross_notional = 0;
  uint32_t max_open_orders = 0;
  uint32_t max_orders_per_second = 0;
  uint32_t throttle_burst = 0;
  friend bool operator==(const RiskLimits&, const RiskLimits&) = default;
};
[[nodiscard]] RiskLimits limits_of(const RiskConfig& c) noexcept;

// One symbol's own limits (`limits set KEY=VALUE --symbol S`): an order on it obeys the stricter of these
// and the shard's (as with trading states). Only the limits of one order or one instrument exist per symbol;
// the shard-wide ones (gross notional, open orders, rate) do not. The defaults limit nothing.
struct InstrumentLimits {
  uint32_t max_order_shares = UINT32_MAX;
  uint32_t collar_bps = UINT32_MAX;
  uint64_t max_order_notional = UINT64_MAX;
  int64_t max_position = INT64_MAX;
  friend bool operator==(const InstrumentLimits&, const InstrumentLimits&) = default;
};
inline constexpr std::array<std::string_view, 4> kInstrumentLimitKeys = {
    "max_order_shares", "max_order_notional", "collar_bps", "max_position"};
void assign_limits(RiskConfig& c, const RiskLimits& l) noexcept;

// What `strategy set` may change (StrategyConfig without its name, symbol and side, which would move the
// strategy to another book).
struct StrategyParams {
  uint32_t limit_price = 0;
  uint32_t shares = 0;
  int64_t max_position = 0;
  uint64_t cooldown_ns = 0;
  bool enabled = true;
  friend bool operator==(const StrategyParams&, const StrategyParams&) = default;
};
[[nodiscard]] StrategyParams params_of(const StrategyConfig& c) noexcept;
void assign_params(StrategyConfig& c, const StrategyParams& p) noexcept;

enum class ControlOp : uint8_t {
  kStatus = 0,
  kKill,  // kill switch on + an OUCH Cancel for every open order
  kUnkill,
  kSetState,     // state (symbol: that instrument only)
  kSetLimits,    // limits (every field; the control side sends current values for the rest); with a
                 // symbol: that instrument's InstrumentLimits, in `instrument_limits`
  kSetStrategy,  // params of strategy `strategy` (enable/disable/set)
  kClearVenueInconsistent,
  kCancelOpen,  // a Cancel for every order still open
  kBooks,       // the executor copies its books' top rows (control/channel.hpp) before answering
  kCount
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(ControlOp::kCount)> kControlOpNames{
    "status",      "kill", "unkill", "state", "limits", "strategy", "clear_venue_inconsistent",
    "cancel_open", "books"};
[[nodiscard]] constexpr std::string_view to_string(ControlOp o) noexcept {
  return kControlOpNames[static_cast<std::size_t>(o)];
}

enum class ControlResult : uint8_t { kOk = 0, kUnknownSymbol, kUnknownStrategy, kUnknownOp, kCount };
[[nodiscard]] constexpr std::string_view to_string(ControlResult r) noexcept {
  constexpr std::string_view n[] = {"ok", "unknown_symbol", "unknown_strategy", "unknown_op"};
  return n[static_cast<int>(r)];
}

// A symbol as the books hold it: 8 characters, space padded (longer: cut at 8).
[[nodiscard]] inline std::array<char, 8> padded_symbol(std::string_view s) noexcept {
  std::array<char, 8> a;
  a.fill(' ');
  for (std::size_t i = 0; i < a.size() && i < s.size(); ++i) a[i] = s[i];
  return a;
}

struct ControlCommand {
  uint64_t id = 0;  // echoed in the reply
  ControlOp op = ControlOp::kStatus;
  TradingState state = TradingState::kActive;
  uint16_t strategy = 0;         // index in the config's [[strategy]] list
  uint16_t levels = 0;           // kBooks with a symbol: levels a side to copy
  std::array<char, 8> symbol{};  // space padded; all zero: the whole shard
  RiskLimits limits{};
  InstrumentLimits instrument_limits{};
  StrategyParams params{};
  uint64_t sent_tsc = 0;  // TSC when the control thread put it in the executor's ring (its arrival)
  [[nodiscard]] bool has_symbol() const noexcept { return symbol[0] != 0; }
};

// One shard's answer, with its state after the command (what `status` shows).
struct ControlReply {
  uint64_t id = 0;
  ControlOp op = ControlOp::kStatus;
  ControlResult result = ControlResult::kOk;
  TradingState state = TradingState::kActive;
  bool killed = false;
  bool stale = false;
  bool venue_inconsistent = false;
  bool session_up = true;
  uint32_t shard = 0;
  uint32_t open_orders = 0;    // orders the tracker holds open (Cancels still outstanding after a kill)
  uint32_t cancels = 0;        // Cancels this command produced
  uint32_t cancels_swept = 0;  // Cancels written since the last kill / cancel_open began its sweep
  bool cancels_owed = false;   // that sweep still owes Cancels (the executor sends them as it has room)
  uint64_t gross_notional = 0;
  RiskLimits limits{};
  // Set by the executor (control/channel.hpp), TSC: when the poll that found the command began (the
  // command arrived at max(sent_tsc, polled_tsc): before that it waited for the executor's thread to be
  // scheduled), when it applied the command, and when it last sent or handed on an order.
  uint64_t sent_tsc = 0;  // the command's, echoed
  uint64_t polled_tsc = 0;
  uint64_t applied_tsc = 0;
  uint64_t last_order_tsc = 0;
  // The RX stamp of the newest feed event handled before the command: every order the shard sent was
  // triggered by feed data received no later (a paused thread pauses the feed with it, so this measures the
  // kill's reach in the feed's own time, whatever the scheduler did).
  uint64_t newest_rx_tsc = 0;
  // The first orders still open (UserRefNums, oldest first; 0: none), so kill can say which.
  std::array<uint32_t, 8> open_sample{};
};

static_assert(std::is_trivially_copyable_v<ControlCommand>);
static_assert(std::is_trivially_copyable_v<ControlReply>);

// An OUCH Cancel Order the executor must send (quantity 0: cancel everything left).
struct CancelRequest {
  uint32_t user_ref_num = 0;
  uint32_t quantity = 0;
  uint16_t locate = 0;
};

}  // namespace sf::trade
