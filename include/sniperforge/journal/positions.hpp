// Positions as the journal tells them, without the trading configuration (sf-journal positions): one
// OrderTracker per shard fed with the order records (on_sent) and the venue records (on_event), the same
// state machine and checks the Engine uses. Off the hot path: allocates freely.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sniperforge/journal/reconcile.hpp"
#include "sniperforge/trade/orders.hpp"

namespace sf::journal {

struct PositionRow {
  uint16_t shard = 0;
  std::string symbol;  // as sent, trailing spaces removed
  uint16_t locate = 0;
  int64_t position = 0;  // shares, + long
  int64_t realized = 0;  // realized P&L, raw price units (1/10000 $)
  uint64_t bought = 0, sold = 0;
  uint32_t open_orders = 0;  // orders not yet final (pending, live, partially filled)
};

class PositionRebuild {
 public:
  // `orders_per_shard`: order records remembered per shard (older ones are evicted, and counted).
  explicit PositionRebuild(std::size_t orders_per_shard = 1 << 18) : capacity_(orders_per_shard) {}
  void apply(const RecordView& r);
  // Every (shard, symbol) an order was sent for, sorted by shard then symbol.
  [[nodiscard]] std::vector<PositionRow> rows() const;
  // Venue messages the tracker refused (failed a check) or could not parse, over all shards.
  [[nodiscard]] uint64_t venue_refused() const noexcept { return venue_refused_; }
  [[nodiscard]] uint64_t evicted() const noexcept;

 private:
  struct Shard {
    std::unique_ptr<trade::OrderTracker> tracker;
    std::map<uint16_t, std::string> symbols;  // locate -> symbol
    std::vector<uint32_t> urns;               // every UserRefNum sent, for the open-order count
  };
  Shard& shard(uint16_t i);

  std::size_t capacity_;
  std::map<uint16_t, Shard> shards_;
  uint64_t venue_refused_ = 0;
};

}  // namespace sf::journal
