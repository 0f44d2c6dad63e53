// One shard of the trading core: the books of the instruments it owns, their strategies, the risk gate, the
// order state machine and positions. Single-threaded by design: one input function per source, each run to
// completion without allocating, locking or making a syscall. The DPDK executor lcore and sf-backtest drive
// this same class, so their outputs match for the same config and input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sniperforge/book/book_set.hpp"
#include "sniperforge/common/counter.hpp"
#include "sniperforge/proto/itch.hpp"
#include "sniperforge/trade/config.hpp"
#include "sniperforge/trade/control.hpp"
#include "sniperforge/trade/order_request.hpp"
#include "sniperforge/trade/orders.hpp"
#include "sniperforge/trade/risk.hpp"
#include "sniperforge/trade/routing.hpp"
#include "sniperforge/trade/strategy.hpp"
#include "sniperforge/trade/venue_event.hpp"

namespace sf::trade {

struct alignas(64) EngineStats {
  Counter itch_messages;
  Counter strategy_calls;
  Counter orders_sent;
  Counter venue_messages;
  Counter venue_unknown_type;
  Counter venue_bad_length;
  Counter venue_ignored;
  Counter stale_marks;  // mark_stale() calls, any reason
  Counter stale_gap;
  Counter stale_ring_full;
  Counter orders_adopted;  // orders rebuilt from the venue's replay at a restart (adopt_accepted)
};

// What the stats thread may read while the engine's lcore runs it. Everything else in an Engine
// (books, order records, risk state) belongs to that lcore alone. The engine writes these with relaxed
// single-writer stores: its own stale flag and book count live here, the rest are copied out where they
// change.
struct EnginePublished {
  struct Instrument {            // one per configured strategy, in config order
    Shared<uint16_t> locate;     // 0 until the strategy's symbol appeared in this shard
    Shared<int64_t> position;    // filled shares, + long
    Shared<int64_t> realized;    // realized P&L, raw price units (1/10000 $)
    Shared<int64_t> unrealized;  // marked at the book mid when the book or the position last changed
    Shared<uint64_t> filled;     // shares bought + sold
  };
  Shared<bool> stale;               // the engine's own flag (see mark_stale), not a copy
  Shared<bool> venue_inconsistent;  // the engine's own flag (see on_venue_event), not a copy
  Shared<bool> kill_switch;
  Shared<uint8_t> trading_state;        // TradingState of the shard
  Shared<uint64_t> gross_notional;      // risk gate's, raw units (limit usage)
  Shared<uint64_t> max_gross_notional;  // the limits now in force (sf-ctl may change them)
  Shared<int64_t> max_position;
  Shared<uint32_t> open_orders;
  Shared<uint64_t> books;  // books this shard has seen (also the engine's check for a new book)
  std::unique_ptr<Instrument[]> instruments;
};

class Engine {
 public:
  static constexpr uint16_t kDirectOrder = 0xFFFF;
  // The strategy of an order rebuilt from the venue's Order Accepted at a restart (adopt_accepted).
  static constexpr uint16_t kAdoptedOrder = 0xFFFE;

  // Throws std::invalid_argument for a config that parse_trading_config() would have rejected.
  explicit Engine(const TradingConfig& cfg, uint32_t shard_index = 0);
  // Bytes one Engine of this configuration allocates (books, order tracker), computed without allocating.
  [[nodiscard]] static std::size_t footprint_bytes(const TradingConfig& cfg) noexcept;
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // One ITCH message (validated, routed here by route()) with its MoldUDP64 sequence number and receive TSC.
  // Orders the strategies send (after the risk gate) are appended to `sink`.
  void on_itch(itch::MessageView msg, uint64_t seq, uint64_t rx_tsc, OrderSink& sink) noexcept;
  // One ITCH message of a GLIMPSE snapshot (snapshot/loader.hpp): the books take it exactly as on_itch()
  // would and strategies are bound to new symbols, but no strategy runs: the snapshot describes the past,
  // it is not a market event to trade on.
  void on_snapshot(itch::MessageView msg) noexcept;
  // GLIMPSE fallback of a running appliance (#12): takes in `fresh` (books a housekeeping thread rebuilt
  // from a snapshot, same BookConfig) in place of this shard's books, O(1) and without allocating, and binds
  // the strategies to the new books; `fresh` is left holding the old books, for its owner to free. Stale
  // and recovering are untouched: the caller clears them once the feed after the snapshot is applied.
  void adopt_books(book::BookSet& fresh) noexcept;

  // One OUCH 5.0 outbound message from the venue (type byte first). `sink` is reserved for strategies that
  // react to fills; the sniper does not.
  VenueParse on_venue(const uint8_t* msg, std::size_t len, uint64_t rx_tsc, OrderSink& sink) noexcept;
  // A response is applied only if it passes every check against the order it answers (venue_check.hpp).
  // One that fails changes nothing, is counted (orders().failures(check)), and stops the shard: every
  // order is refused with Reject::kVenueInconsistent until clear_venue_inconsistent(), because an engine
  // that no longer knows its position must not keep trading.
  VenueVerdict on_venue_event(const VenueEvent& e) noexcept;
  [[nodiscard]] bool venue_inconsistent() const noexcept { return published_.venue_inconsistent.get(); }
  // The operator's call once positions were reconciled with the venue (e.g. its drop copy): sf-ctl
  // clear-venue-inconsistent (ControlOp::kClearVenueInconsistent), on the engine's own thread.
  void clear_venue_inconsistent() noexcept { published_.venue_inconsistent.set(false); }
  // The last response that failed a check (check kOk if none has), for the lcore's log.
  [[nodiscard]] const VenueVerdict& last_venue_failure() const noexcept { return last_venue_failure_; }

  // An order from outside the strategies (operator, tests); goes through the same risk gate.
  Reject submit(const Intent& intent, uint16_t locate, uint64_t seq, uint64_t rx_tsc,
                OrderSink& sink) noexcept;

  // Books may be wrong (a MoldUDP64 gap, or the executor's ring overflowed): from now on every order, from
  // strategies or submit(), is suppressed and counted as Reject::kStale, while books keep applying the
  // feed. Stays stale until clear_stale() (called by recovery once the books are rebuilt).
  void mark_stale(StaleReason why) noexcept;
  void clear_stale() noexcept { published_.stale.set(false); }
  [[nodiscard]] bool stale() const noexcept { return published_.stale.get(); }
  // Books of this engine currently stale: all of them while stale(), else those that lost an order to
  // capacity (BookSet::capacity_stale_books()).
  [[nodiscard]] std::size_t stale_books() const noexcept {
    return stale() ? books_.book_count() : books_.capacity_stale_books();
  }
  [[nodiscard]] uint64_t stale_marks() const noexcept { return stats_.stale_marks.load(); }

  // A feed gap is being recovered by re-request (#12): the messages applied meanwhile are history, so
  // every order is refused as Reject::kRecovering until the recovery ends (then clear_stale() if the
  // books are complete again).
  void set_recovering(bool on) noexcept { recovering_ = on; }
  [[nodiscard]] bool recovering() const noexcept { return recovering_; }

  // The shard's SoupBinTCP order session is down: every order is refused as Reject::kSessionDown until
  // it is logged in again. Set by the engine's own thread from the session's logged_in(); up by default
  // (a replay, transport "none", has no login).
  void set_session_up(bool up) noexcept { session_up_ = up; }
  [[nodiscard]] bool session_up() const noexcept { return session_up_; }

  // The shard's journal cannot take more records (its ring is full, or the writer failed: disk full, I/O
  // error): every order is refused as Reject::kJournalFull until it can again ([journal] on_full =
  // "stop_orders"). Set by the engine's own thread before each input; open by default (no journal).
  void set_journal_open(bool open) noexcept { journal_open_ = open; }
  [[nodiscard]] bool journal_open() const noexcept { return journal_open_; }

  // Restart (journal/reconcile.hpp): an order the journal recorded as sent is known again, as sent,
  // without a risk check: exposure, open orders and the UserRefNum high-water mark resume from it. The
  // venue messages the journal recorded are then applied with on_venue(), as they were live.
  void restore_sent(const OrderRequest& r) noexcept;
  // Restart, while the venue replays what came since the journal's last venue message (before any order
  // of this run): an Order Accepted for a UserRefNum this engine does not know and above every one it
  // has used is an order the previous run sent whose record was still in the journal's ring when it
  // died. The venue is the book of record for what it accepted: the order is rebuilt from the Accepted
  // (restore_sent(), strategy kAdoptedOrder, its shares as exposure), the UserRefNum high-water mark
  // rises past it, and the caller applies the Accepted (and the fills behind it) with on_venue(). False,
  // and nothing changes, for anything else (a known or lower UserRefNum, another message type, a symbol
  // this shard has neither a book nor an order for): on_venue() then judges it as usual. `out` is the
  // order adopted (for the journal). Never call it once the engine may have sent orders of its own.
  // kNoInstrument: it would be adopted but the symbol has no locate yet (the feed's directory has not
  // reached this shard): the caller may hold it and ask again once the feed has moved on.
  enum class Adoption : uint8_t { kNo, kAdopted, kNoInstrument };
  Adoption adopt_accepted(const uint8_t* msg, std::size_t len, uint64_t rx_tsc, OrderRequest& out) noexcept;

  void set_kill_switch(bool on) noexcept {
    risk_.set_kill_switch(on);
    published_.kill_switch.set(risk_.kill_switch());
  }
  void set_instrument_killed(uint16_t locate, bool on) noexcept { risk_.set_instrument_killed(locate, on); }

  // Applies one operator command (control.hpp) and describes the shard after it. Between two polls, on the
  // engine's own thread; never allocates. Kill and cancel_open start a cancel sweep: every order open at
  // that moment is owed one OUCH Cancel; the first ones go into `cancels` (as many as fit), the rest come
  // from next_cancels() as the caller has room. Per-symbol commands on a symbol this shard has not seen
  // answer kUnknownSymbol.
  ControlReply apply(const ControlCommand& c, std::span<CancelRequest> cancels) noexcept;
  // A sweep still owes Cancels (the executor calls next_cancels() between polls until it does not).
  [[nodiscard]] bool cancels_owed() const noexcept { return sweep_.owed; }
  // The next Cancels of the sweep, oldest order first, each open order once; ends the sweep when every
  // one was written. Returns how many it wrote into `out`.
  uint32_t next_cancels(std::span<CancelRequest> out) noexcept;
  // Orders not yet final, as the tracker sees them; the first ones' UserRefNums into `sample`.
  [[nodiscard]] uint32_t tracked_open_orders(std::span<uint32_t> sample = {}) const noexcept;

  // Batch replay hints (see BookSet): prefetch() for the message ~16 ahead, prefetch_levels() for ~4 ahead.
  void prefetch(const uint8_t* msg) const noexcept { books_.prefetch(msg); }
  void prefetch_levels(const uint8_t* msg) const noexcept { books_.prefetch_levels(msg); }
  // For an idle lcore: prefetches what an order trigger touches (the strategies' books and objects,
  // risk and position entries), so the first order after a quiet spell does not start from cold caches.
  // Reads only; changes nothing.
  void keep_warm() const noexcept;

  [[nodiscard]] uint32_t shard_index() const noexcept { return shard_; }
  [[nodiscard]] uint32_t shards() const noexcept { return cfg_.shards; }
  [[nodiscard]] const book::BookSet& books() const noexcept { return books_; }
  [[nodiscard]] const RiskGate& risk() const noexcept { return risk_; }
  [[nodiscard]] const OrderTracker& orders() const noexcept { return tracker_; }
  [[nodiscard]] const EngineStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const TradingConfig& config() const noexcept { return cfg_; }
  [[nodiscard]] std::size_t strategy_count() const noexcept { return strategies_.size(); }
  [[nodiscard]] const Strategy& strategy(std::size_t i) const noexcept { return *strategies_[i]; }
  // Stock locate a strategy is bound to (0 until its symbol appeared in this shard).
  [[nodiscard]] uint16_t strategy_locate(std::size_t i) const noexcept { return strategy_locate_[i]; }
  // The values other threads may read while this engine runs (see EnginePublished).
  [[nodiscard]] const EnginePublished& published() const noexcept { return published_; }
  // Unrealized P&L of an instrument marked at its book mid (raw units).
  [[nodiscard]] int64_t unrealized_pnl(uint16_t locate) const noexcept;

  // Book dump rows of this shard (merge shards with book::write_book_dump()).
  void dump_rows(std::vector<book::BookRow>& out) const { books_.dump_rows(out); }

 private:
  class Context;
  Reject send(const Intent& intent, uint16_t book_index, uint16_t strategy, OrderSink& sink) noexcept;
  void link_strategies(uint16_t book_index) noexcept;
  uint32_t next_user_ref_num() const noexcept;
  // Copies strategy `i`'s instrument (position, P&L) into published_.
  void publish_instrument(std::size_t i) noexcept;
  // Locate of a (space padded) symbol among this shard's books; 0 if none.
  [[nodiscard]] uint16_t locate_of(const std::array<char, 8>& symbol) const noexcept;
  // The cancel sweep of kill / cancel_open: UserRefNums only grow, so "after" marks how far it got.
  struct CancelSweep {
    bool owed = false;
    uint32_t after_urn = 0;  // Cancels were written for every open order up to this UserRefNum
    uint32_t written = 0;    // since the sweep began
  };
  CancelSweep sweep_;

  TradingConfig cfg_;
  uint32_t shard_;
  book::BookSet books_;
  RiskGate risk_;
  OrderTracker tracker_;
  std::vector<std::unique_ptr<Strategy>> strategies_;
  std::vector<uint16_t> strategy_locate_;
  std::vector<uint16_t> next_strategy_;   // per strategy: next one on the same book
  std::vector<uint16_t> first_strategy_;  // per book index
  // Current message (valid during on_itch).
  uint64_t seq_ = 0;
  uint64_t rx_tsc_ = 0;
  uint64_t feed_ts_ = 0;
  VenueVerdict last_venue_failure_;
  bool session_up_ = true;
  bool journal_open_ = true;
  bool recovering_ = false;
  EngineStats stats_;
  EnginePublished published_;
};

}  // namespace sf::trade
