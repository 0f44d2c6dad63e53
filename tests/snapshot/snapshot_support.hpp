// Shared by the snapshot tests: a message log replayed into engines, and a book comparison that looks at
// every level of every book (stronger than the top-of-book dump).
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sniperforge/trade/config_parse.hpp"
#include "sniperforge/trade/engine.hpp"
#include "sniperforge/trade/routing.hpp"

namespace sf::testing {

// ITCH messages in sequence order: message i has sequence number i + 1.
struct MessageLog {
  std::vector<uint8_t> bytes;
  std::vector<std::size_t> offsets;
  void add(const uint8_t* m, std::size_t n) {
    offsets.push_back(bytes.size());
    bytes.insert(bytes.end(), m, m + n);
  }
  [[nodiscard]] std::size_t size() const noexcept { return offsets.size(); }
  [[nodiscard]] std::span<const uint8_t> at_seq(uint64_t seq) const noexcept {
    const std::size_t i = seq - 1;
    const std::size_t end = i + 1 < offsets.size() ? offsets[i + 1] : bytes.size();
    return {bytes.data() + offsets[i], end - offsets[i]};
  }
};

// Every shard of one configuration, fed like the appliance feeds its executors.
struct Shards {
  explicit Shards(const trade::TradingConfig& cfg) : sink(storage) {
    for (uint32_t s = 0; s < cfg.shards; ++s) engines.push_back(std::make_unique<trade::Engine>(cfg, s));
  }
  // Applies sequences [from, to) of `log` through Engine::on_itch (the live path).
  void replay(const MessageLog& log, uint64_t from, uint64_t to) {
    for (uint64_t q = from; q < to; ++q) {
      const itch::MessageView m(log.at_seq(q).data());
      const uint32_t shard = trade::route(m, static_cast<uint32_t>(engines.size()));
      for (std::size_t s = 0; s < engines.size(); ++s)
        if (shard == trade::kAllShards || shard == s) {
          sink.clear();
          engines[s]->on_itch(m, q, 0, sink);
          orders += sink.size();
        }
    }
  }
  [[nodiscard]] std::vector<trade::Engine*> pointers() const {
    std::vector<trade::Engine*> v;
    for (const auto& e : engines) v.push_back(e.get());
    return v;
  }
  [[nodiscard]] std::vector<const book::BookSet*> book_sets() const {
    std::vector<const book::BookSet*> v;
    for (const auto& e : engines) v.push_back(&e->books());
    return v;
  }
  std::vector<std::unique_ptr<trade::Engine>> engines;
  std::array<trade::OrderRequest, 64> storage{};
  trade::OrderSink sink;
  uint64_t orders = 0;
};

inline trade::TradingConfig trading_config(std::string_view text) {
  std::vector<std::string> errors;
  const toml::table root = toml::parse(text);
  trade::TradingConfig cfg = trade::parse_trading_config(root, errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors.front());
  return cfg;
}

inline std::vector<book::Level> levels_of(const book::OrderBook& b, book::Side s) {
  const auto l = b.levels(s);
  return {l.begin(), l.end()};
}

// Every book with live orders in `want` has its twin in `got` (same locate), level for level; no book of
// `got` holds an order `want` does not. Returns the number of books compared.
inline std::size_t expect_same_books(const book::BookSet& want, const book::BookSet& got, const char* what) {
  std::size_t compared = 0;
  EXPECT_EQ(want.live_orders(), got.live_orders()) << what;
  for (std::size_t i = 0; i < want.book_count(); ++i) {
    const book::OrderBook& w = want.book(static_cast<uint16_t>(i));
    if (w.live_orders() == 0) continue;
    const book::OrderBook* g = got.find(w.locate());
    if (g == nullptr) {
      ADD_FAILURE() << what << ": book " << w.symbol() << " missing";
      continue;
    }
    ++compared;
    EXPECT_EQ(w.symbol(), g->symbol()) << what;
    EXPECT_EQ(w.round_lot(), g->round_lot()) << what << " " << w.symbol();
    EXPECT_EQ(w.trading_state(), g->trading_state()) << what << " " << w.symbol();
    EXPECT_EQ(w.live_orders(), g->live_orders()) << what << " " << w.symbol();
    for (const book::Side s : {book::Side::kBuy, book::Side::kSell}) {
      const auto wl = levels_of(w, s), gl = levels_of(*g, s);
      EXPECT_EQ(wl.size(), gl.size()) << what << " " << w.symbol();
      for (std::size_t k = 0; k < std::min(wl.size(), gl.size()); ++k) {
        EXPECT_EQ(wl[k].key, gl[k].key) << what << " " << w.symbol() << " level " << k;
        EXPECT_EQ(wl[k].shares, gl[k].shares) << what << " " << w.symbol() << " level " << k;
        EXPECT_EQ(wl[k].orders, gl[k].orders) << what << " " << w.symbol() << " level " << k;
      }
    }
  }
  return compared;
}

}  // namespace sf::testing
