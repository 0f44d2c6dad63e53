// Test helper: one Engine (no strategies) answered by a SimVenue; orders go in through Engine::submit().
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <string_view>
#include <vector>

#include "../book/itch_builder.hpp"
#include "sniperforge/sim/venue.hpp"
#include "sniperforge/trade/config_parse.hpp"

namespace sf::test {

inline trade::TradingConfig sim_trading_config() {
  constexpr std::string_view kConfig = R"(
[book]
max_orders = 100000
max_instruments = 16
max_levels_per_side = 4096
max_levels_total = 262144
[risk]
max_order_shares = 1000000
max_order_notional = 100000000
collar_bps = 10000
max_position = 100000000
max_gross_notional = 1000000000
max_open_orders = 100000
max_orders_per_second = 1000000
throttle_burst = 1000000
)";
  std::vector<std::string> errors;
  trade::TradingConfig cfg = trade::parse_trading_config(toml::parse(kConfig), errors);
  EXPECT_TRUE(errors.empty());
  return cfg;
}

inline sim::VenueConfig fixed_latency(uint64_t order_ns, uint64_t response_ns) {
  sim::VenueConfig v;
  v.order_entry.fixed_ns = order_ns;
  v.response.fixed_ns = response_ns;
  return v;
}

struct SimHarness {
  explicit SimHarness(const sim::VenueConfig& v, std::vector<std::string> symbols = {"SF0000"})
      : engine(sim_trading_config()), venue(v, std::move(symbols)), sink(storage) {}

  // Feeds messages [from, size) of `b` in order.
  void feed(const ItchBuilder& b, std::size_t from = 0) {
    for (std::size_t i = from; i < b.size(); ++i) venue.replay(engine, b[i], seq++, sink);
  }
  // Sends an order on locate 1 at feed time `now`; returns its UserRefNum (0 if the risk gate refused).
  uint32_t send(book::Side side, uint32_t price, uint32_t shares, char tif, uint64_t now) {
    sink.clear();
    if (engine.submit(trade::Intent{side, price, shares, tif}, 1, seq++, 0, sink) != trade::Reject::kNone)
      return 0;
    const trade::OrderRequest r = sink[0];
    venue.enter(r, now);
    return r.user_ref_num;
  }
  const trade::OrderRecord& order(uint32_t urn) const { return *engine.orders().find(urn); }
  [[nodiscard]] uint64_t issues() const {
    // Responses the engine's venue checks refused (any reason), evicted records, unparseable messages.
    return engine.orders().failures() + engine.orders().evicted() + venue.stats().responses_refused;
  }

  trade::Engine engine;
  sim::SimVenue venue;
  std::array<trade::OrderRequest, 16> storage{};
  trade::OrderSink sink;
  uint64_t seq = 1;
};

}  // namespace sf::test
