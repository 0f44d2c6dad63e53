// The simulated venue: a deterministic matching engine that answers one Engine's orders with real OUCH 5.0
// responses (Accepted, Executed, Canceled) through Engine::on_venue(), so positions, P&L and the risk gate
// behave as they do live. The model (docs/backtest.md):
//   - feed time is the clock: an order triggered by an ITCH message stamped T reaches the venue at
//     T + tick_to_trade + order-entry latency, and each response reaches the engine a response latency later;
//     both links are ordered sessions (nothing overtakes what was sent before it);
//   - at arrival the order executes against the book as it stands then (every feed message stamped before the
//     arrival applied), walking price levels up to its limit in time priority, skipping shares our earlier
//     orders already took; the rest of an IOC is canceled, the rest of a DAY order rests;
//   - a resting order queues behind the displayed shares at its price; executions and cancels of orders ahead
//     of it move it up; it fills when the feed executes an order behind it at its price or any order at a
//     worse price, when a hidden order trades at or through its price, and when a feed order arrives that
//     crosses it.
// One SimVenue per Engine (shard), driven in feed order: advance_to(T) before each message stamped T,
// on_feed(msg), then the Engine's on_itch(), then enter() for each order it sent (replay() does all four).
#pragma once

#include <array>
#include <cstdint>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "sniperforge/proto/itch.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/sim/latency.hpp"
#include "sniperforge/sim/queue_book.hpp"
#include "sniperforge/sim/rule_fill.hpp"
#include "sniperforge/trade/engine.hpp"

namespace sf::sim {

struct VenueConfig {
  uint64_t seed = 1;
  uint64_t tick_to_trade_ns = 0;  // the appliance's own time from the trigger packet to the order on the wire
  LatencyModel order_entry;       // wire + venue gateway, order to matching engine
  LatencyModel response;          // matching engine to the engine's on_venue()
  uint64_t pnl_interval_ns = 60'000'000'000;  // PnlSample period (feed time), besides one after each fill
  // kBook: matching against the L3 book (below); kFull / kSeeded: the rule sf-venue-sim uses
  // (sim/rule_fill.hpp) at the same arrival time, so a backtest can be compared with the appliance.
  FillModel fill_model = FillModel::kBook;
};

// What happened to each order (one row of orders.csv).
struct SimOrder {
  uint32_t user_ref_num = 0;
  uint16_t strategy = 0;
  uint16_t locate = 0;
  std::array<char, 8> symbol{};
  char side = 'B';
  char tif = trade::kTifIoc;
  uint64_t price = 0;
  uint32_t shares = 0;
  uint64_t trigger_seq = 0;
  uint64_t sent_ts = 0;     // feed time the engine sent it (its trigger's ITCH timestamp)
  uint64_t arrival_ts = 0;  // venue time it reached the matching engine (0: never arrived)
  uint64_t done_ts = 0;     // venue time it was filled or canceled (0: still open at the end)
  uint32_t filled = 0;
  uint32_t canceled = 0;
  uint64_t queue_ahead = 0;  // resting orders: displayed shares ahead of it when it joined its level
};

// One execution (one row of fills.csv).
struct SimFill {
  uint32_t user_ref_num = 0;
  uint16_t strategy = 0;
  uint16_t locate = 0;
  char side = 'B';
  bool passive = false;  // a resting order was hit (else the order took liquidity at arrival)
  uint32_t shares = 0;
  uint64_t price = 0;
  uint64_t venue_ts = 0;
  uint64_t delivered_ts = 0;  // when the Executed reached the engine
  uint64_t match_number = 0;
  uint64_t contra_ref = 0;  // the feed order it took shares from (taking fills only)
  uint32_t mid = 0;         // the venue book's mid just before the fill (0: one side empty)
};

// The engine's position of a traded instrument at the end of every pnl_interval_ns period of feed time
// (stamped at the period's last ns), after every fill, and at the end of the input.
struct PnlSample {
  uint64_t ts = 0;
  uint16_t locate = 0;
  int64_t position = 0;
  int64_t realized = 0;    // raw units (1/10000 $)
  int64_t unrealized = 0;  // marked at the engine book's mid (the last one while a side is empty)
  uint32_t mid = 0;
};

struct VenueStats {
  uint64_t orders = 0;
  uint64_t responses = 0;
  uint64_t executions = 0;
  uint64_t shares_filled = 0;
  uint64_t responses_refused = 0;  // on_venue() did not accept one of our messages (a bug: must stay 0)
};

class SimVenue {
 public:
  // `symbols`: instruments whose queues the venue keeps (the strategies'); empty = every instrument.
  SimVenue(const VenueConfig& cfg, std::vector<std::string> symbols, uint32_t shard = 0);

  // One feed message of this shard, in order: venue events due before it, the venue's book, the engine
  // (whose orders `sink` collects), then those orders enter the order-entry link.
  void replay(trade::Engine& engine, itch::MessageView msg, uint64_t seq, trade::OrderSink& sink);
  // Delivers every venue event stamped before `t` (arrivals, responses) in time order.
  void advance_to(uint64_t t, trade::Engine& engine);
  // Updates the venue's queues from one feed message (resting orders may fill).
  void on_feed(itch::MessageView msg);
  // An order the engine sent at feed time `now`.
  void enter(const trade::OrderRequest& r, uint64_t now);
  // End of input: everything still in flight is delivered (resting orders stay open), then a last P&L sample.
  void finish(trade::Engine& engine);

  [[nodiscard]] const std::vector<SimOrder>& orders() const noexcept { return orders_; }
  [[nodiscard]] const std::vector<SimFill>& fills() const noexcept { return fills_; }
  [[nodiscard]] const std::vector<PnlSample>& pnl() const noexcept { return pnl_; }
  [[nodiscard]] const VenueStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const QueueBook& book() const noexcept { return book_; }
  [[nodiscard]] const VenueConfig& config() const noexcept { return cfg_; }

 private:
  struct Event {
    uint64_t time;
    uint64_t order;  // scheduling order: ties keep it
    uint32_t index;  // into orders_ (arrival) or responses_ (response)
    bool arrival;
    bool operator>(const Event& o) const noexcept { return time != o.time ? time > o.time : order > o.order; }
  };
  struct Response {
    std::array<uint8_t, ouch::kMaxFixedLength + 2> bytes{};
    uint8_t len = 0;
    int32_t fill = -1;  // index into fills_ for an Executed
  };

  void run_events_before(uint64_t t, trade::Engine& engine);
  void arrive(uint32_t order_index, uint64_t now);
  // Executes up to the order's leaves against the opposite side, best price first, FIFO in a level.
  uint32_t take_liquidity(uint32_t order_index, uint64_t now);
  void fill_resting_ahead_of(uint16_t locate, Side side, Price price, uint32_t stop_node, uint32_t shares,
                             uint64_t now);
  uint32_t fill_crossed_by(uint16_t locate, Side feed_side, Price price, uint32_t shares, uint64_t now);
  void rest_fill(uint32_t node, uint32_t shares, uint64_t now);
  void on_order_message(itch::MessageView msg, uint16_t locate, uint64_t now);  // E C X D U P
  void feed_add(uint16_t locate, uint64_t ref, char side, uint32_t shares, Price price, uint64_t now);
  void feed_execution(uint32_t node, uint32_t shares, uint64_t now);
  // Responses: one response latency per venue action, never overtaking an earlier response.
  void respond_accepted(const SimOrder& o, uint64_t now);
  void respond_executed(uint32_t order_index, uint32_t shares, Price price, uint64_t contra_ref, uint64_t now,
                        bool passive);
  void arrive_by_rule(uint32_t order_index, uint64_t now);
  void respond_canceled(uint32_t order_index, uint32_t shares, char reason, uint64_t now);
  void schedule_response(Response r, uint64_t now);
  void deliver(const Response& r, uint64_t t, trade::Engine& engine);
  void sample_periods_ended_by(uint64_t t, trade::Engine& engine);
  void sample_pnl(uint64_t ts, trade::Engine& engine);

  VenueConfig cfg_;
  std::vector<std::string> symbols_;
  Rng rng_;
  QueueBook book_;
  std::unordered_map<uint16_t, bool> trading_;  // per tracked locate: false while halted or paused
  std::unordered_map<uint16_t, std::array<uint32_t, 2>> resting_count_;
  std::unordered_map<uint32_t, uint32_t> resting_order_;  // our node -> orders_ index
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  uint64_t next_event_order_ = 0;
  uint64_t last_arrival_ = 0;
  uint64_t last_delivery_ = 0;
  uint64_t response_at_ = 0;  // delivery time of the current venue action's responses
  uint64_t action_ts_ = ~uint64_t{0};
  uint64_t next_match_ = 1;
  uint64_t next_order_ref_ = 1;
  uint64_t interval_;         // PnlSample period
  uint64_t next_sample_ = 0;  // next PnlSample boundary
  uint64_t last_ts_ = 0;      // latest feed or venue time seen
  std::vector<SimOrder> orders_;
  std::vector<uint32_t> leaves_;  // per orders_ index
  std::vector<Response> responses_;
  std::vector<SimFill> fills_;
  std::vector<PnlSample> pnl_;
  std::vector<uint16_t> sampled_locates_;
  std::unordered_map<uint16_t, uint32_t> last_mid_;
  std::array<trade::OrderRequest, 64> sink_storage_{};
  std::vector<uint32_t> scratch_;  // our nodes a feed message fills, collected before filling
  VenueStats stats_;
};

}  // namespace sf::sim
