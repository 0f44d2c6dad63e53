// Strategy interface and by-name registry. A strategy lives in one .cpp file that defines a class deriving
// from Strategy and registers it with SF_REGISTER_STRATEGY("name", Class); [[strategy]] entries with
// name = "name" then create it (the trade library is linked whole, so registration always runs).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sniperforge/book/order_book.hpp"
#include "sniperforge/trade/config.hpp"
#include "sniperforge/trade/control.hpp"

namespace sf::trade {

// An order a strategy wants; the engine assigns the UserRefNum and runs the risk gate.
struct Intent {
  book::Side side = book::Side::kBuy;
  book::Price price = 0;
  uint32_t shares = 0;
  char tif = '3';
};

// What a strategy sees when its instrument's book changed. send() returns true if the risk gate accepted.
class StrategyContext {
 public:
  virtual ~StrategyContext() = default;
  [[nodiscard]] virtual const book::OrderBook& book() const noexcept = 0;
  [[nodiscard]] virtual uint64_t feed_ts() const noexcept = 0;  // ITCH timestamp of the current message
  [[nodiscard]] virtual uint64_t seq() const noexcept = 0;      // its MoldUDP64 sequence number
  // Shares of this instrument sent on `side` and not known dead: open orders plus fills on that side.
  // Venue cancels and rejects give shares back; with no venue answering, every share sent counts.
  [[nodiscard]] virtual int64_t committed_shares(book::Side side) const noexcept = 0;
  virtual bool send(const Intent& intent) noexcept = 0;
};

class Strategy {
 public:
  explicit Strategy(const StrategyConfig& cfg) : cfg_(cfg) {}
  virtual ~Strategy() = default;
  Strategy(const Strategy&) = delete;
  Strategy& operator=(const Strategy&) = delete;

  // Called after every feed message that touched the strategy's instrument. Must not allocate.
  virtual void on_book(StrategyContext& ctx) noexcept = 0;
  [[nodiscard]] const StrategyConfig& config() const noexcept { return cfg_; }
  // New parameters from the control plane (validated like the config file); takes effect on the next
  // book event. Only numbers and flags change, so this never allocates.
  void set_params(const StrategyParams& p) noexcept { assign_params(cfg_, p); }

 protected:
  StrategyConfig cfg_;
};

using StrategyFactory = std::unique_ptr<Strategy> (*)(const StrategyConfig&);

// Returns false if the name is taken.
bool register_strategy(std::string_view name, StrategyFactory factory);
// nullptr if no strategy of that name is registered.
[[nodiscard]] std::unique_ptr<Strategy> make_strategy(const StrategyConfig& cfg);
[[nodiscard]] bool strategy_registered(std::string_view name);
[[nodiscard]] std::vector<std::string> registered_strategies();

#define SF_REGISTER_STRATEGY(NAME, TYPE)                                                             \
  [[maybe_unused]] static const bool sf_strategy_registered_##TYPE = ::sf::trade::register_strategy( \
      NAME, [](const ::sf::trade::StrategyConfig& c) -> std::unique_ptr<::sf::trade::Strategy> {     \
        return std::make_unique<TYPE>(c);                                                            \
      })

}  // namespace sf::trade
