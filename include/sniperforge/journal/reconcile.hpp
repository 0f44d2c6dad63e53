// Restart: the journal's records are applied, in order, to each shard's Engine before it trades again.
// Order records become restore_sent() (the order is known as sent, no risk check), venue records go
// through Engine::on_venue() exactly as they did live, so open orders, positions, realized P&L, risk
// exposure and the UserRefNum high-water mark come back as they were; the last venue sequence number
// each shard processed is kept for the session's re-login. Books and strategy state are not journaled:
// books rebuild from the feed.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sniperforge/journal/entry.hpp"
#include "sniperforge/journal/record.hpp"
#include "sniperforge/trade/engine.hpp"
#include "sniperforge/trade/order_request.hpp"

namespace sf::journal {

struct ShardRecovery {
  uint64_t orders = 0;          // order records applied
  uint64_t venue_messages = 0;  // venue records applied
  uint64_t session_events = 0;
  uint64_t bad_orders = 0;  // order records whose OUCH bytes are no valid Enter Order: counted, skipped
  uint32_t user_ref_num_high_water = 0;
  uint64_t last_venue_sequence = 0;  // highest SoupBinTCP sequence number processed (0: none)
};

// The OrderRequest an order record says was sent (OUCH Enter Order fields plus the record's locate,
// strategy, trigger sequence and TSC). False if the bytes are not a valid Enter Order.
[[nodiscard]] bool order_request_from_record(const RecordView& r, trade::OrderRequest& out) noexcept;

// Builds the order record of `r` as sent on shard `shard`; `ouch` holds the bytes that went out (the
// Enter Order). False if they do not fit a record. Inline: the executor builds it in its ring slot on
// the order's path, where a call and a variable-length copy would be most of its cost.
[[nodiscard]] inline bool make_order_record(Entry& e, uint16_t shard, uint64_t wall_ns,
                                            const trade::OrderRequest& r,
                                            std::span<const uint8_t> ouch) noexcept {
  return make_order(e, shard, wall_ns, {r.user_ref_num, r.locate, r.strategy, r.trigger_seq, r.rx_tsc, ouch});
}

class Reconciler {
 public:
  // engines[i] is shard i's; each gets only its own shard's records.
  explicit Reconciler(std::span<trade::Engine* const> engines);
  // One journal record (the visitor of Writer::open() or scan_journal()).
  void apply(const RecordView& r) noexcept;
  [[nodiscard]] const ShardRecovery& shard(std::size_t i) const noexcept { return shards_[i]; }
  // Records of a shard this configuration does not have (the shard count changed): counted, not applied.
  [[nodiscard]] uint64_t foreign_records() const noexcept { return foreign_; }

 private:
  std::vector<trade::Engine*> engines_;
  std::vector<ShardRecovery> shards_;
  uint64_t foreign_ = 0;
};

}  // namespace sf::journal
