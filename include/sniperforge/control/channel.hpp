// One request ring and one response ring per executor lcore (the DPDK ip_pipeline pattern), carrying
// trade::ControlCommand / trade::ControlReply. The control thread is the only producer of requests and the
// only consumer of replies; the executor the only consumer of requests and producer of replies.
// serve_control() is the executor's side: between two polls it applies every waiting command to each engine
// it hosts (Engine::apply) and answers once per engine. DPDK-free: the executor passes how to send Cancels.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "sniperforge/book/dump.hpp"
#include "sniperforge/common/spsc_ring.hpp"
#include "sniperforge/trade/control.hpp"
#include "sniperforge/trade/engine.hpp"

namespace sf::control {

inline constexpr std::size_t kRequestRing = 16;
inline constexpr std::size_t kReplyRing = 64;  // >= kRequestRing x engines of one executor is not needed:
                                               // the controller has one command in flight at a time
inline constexpr std::size_t kCancelsPerCommand = 256;
inline constexpr std::size_t kMaxBookLevels = 64;  // `books SYMBOL --levels N`: N at most this

struct ExecutorChannel {
  explicit ExecutorChannel(uint32_t hosted_engines) : engines(hosted_engines) {}
  uint32_t engines;  // replies per command
  SpscRing<trade::ControlCommand> requests{kRequestRing};
  SpscRing<trade::ControlReply> replies{kReplyRing};
  std::atomic<bool> running{false};  // the executor's loop runs (else the controller answers "not running")
  // Counted by the executor: replies that found the reply ring full (the controller timed out on them).
  std::atomic<uint64_t> reply_drops{0};
  // Book rows, written by the executor for ControlOp::kBooks before its reply (the ring's release/acquire
  // makes them visible); reserved up front so serving allocates nothing. Without a symbol: the top row of
  // every book its engines hold (/sniperforge/books); with one: that book's row, if this executor owns it,
  // and its best `levels` levels a side in `bids` / `asks`.
  std::vector<book::BookRow> rows;
  std::array<book::LevelView, kMaxBookLevels> bids{}, asks{};
  std::size_t bid_levels = 0, ask_levels = 0;
  // The engines this executor hosts (read directly by the control thread once the executor has stopped).
  std::vector<const trade::Engine*> hosted;
  // The executor's own: an engine's cancel sweep still owes Cancels (serve_control() continues it).
  bool sweeping = false;
  // TSC ticks per second of the executors' clock (kill reports its timings in microseconds with it).
  uint64_t tsc_hz = 0;
};

// The executor's clock for one serve_control() call (TSC): when the poll that serves it began, now, when it
// last sent or handed on an order, and the RX stamp of the newest feed event it had handled. All go into
// every reply: kill's "orders stopped within ... of the command's arrival".
struct ExecutorClock {
  uint64_t poll_tsc = 0;
  uint64_t now_tsc = 0;
  uint64_t last_order_tsc = 0;
  uint64_t newest_rx_tsc = 0;  // the RX stamp of the newest feed event the executor has handled
};

// ControlOp::kBooks: the rows (and a symbol's levels) into the channel, for the control thread to read
// after the reply.
inline void copy_books(ExecutorChannel& ch, std::span<trade::Engine* const> engines,
                       const trade::ControlCommand& c) noexcept {
  ch.rows.clear();
  ch.bid_levels = ch.ask_levels = 0;
  if (!c.has_symbol()) {
    for (const trade::Engine* e : engines) e->dump_rows(ch.rows);
    return;
  }
  const std::size_t want = std::min<std::size_t>(std::max<uint16_t>(c.levels, 1), kMaxBookLevels);
  for (const trade::Engine* e : engines) {
    const book::BookSet& books = e->books();
    for (std::size_t i = 0; i < books.book_count(); ++i) {
      const book::OrderBook& b = books.book(static_cast<uint16_t>(i));
      if (b.symbol_padded() != c.symbol || !b.has_had_order()) continue;
      ch.rows.push_back(book::BookRow{std::string(b.symbol()), b.locate(), b.best_price(book::Side::kBuy),
                                      b.best_shares(book::Side::kBuy), b.best_price(book::Side::kSell),
                                      b.best_shares(book::Side::kSell), b.live_orders()});
      ch.bid_levels = b.top(book::Side::kBuy, std::span(ch.bids).first(want));
      ch.ask_levels = b.top(book::Side::kSell, std::span(ch.asks).first(want));
      return;
    }
  }
}

// Executor side, between two polls. Applies every waiting command to each hosted engine and answers once
// per engine; then continues the engines' cancel sweeps (kill, cancel_open). `room(shard)` is how many
// Cancels that shard's order path can take now (a session ring's free slots); `send_cancels(shard, span)`
// puts them on their way. Returns commands served. Allocation-free.
template <class Room, class SendCancels>
unsigned serve_control(ExecutorChannel& ch, std::span<trade::Engine* const> engines,
                       std::span<trade::CancelRequest> scratch, ExecutorClock clock, Room&& room,
                       SendCancels&& send_cancels) noexcept {
  auto budget = [&](const trade::Engine& e) {
    return scratch.first(std::min<std::size_t>(scratch.size(), room(e.shard_index())));
  };
  unsigned served = 0;
  trade::ControlCommand c;
  while (ch.requests.pop(c)) {
    ++served;
    if (c.op == trade::ControlOp::kBooks) copy_books(ch, engines, c);
    for (trade::Engine* e : engines) {
      trade::ControlReply r = e->apply(c, budget(*e));
      if (r.cancels != 0) send_cancels(e->shard_index(), scratch.first(r.cancels));
      r.sent_tsc = c.sent_tsc;
      r.polled_tsc = clock.poll_tsc;
      r.applied_tsc = clock.now_tsc;
      r.last_order_tsc = clock.last_order_tsc;
      r.newest_rx_tsc = clock.newest_rx_tsc;
      if (!ch.replies.push(r)) ch.reply_drops.fetch_add(1, std::memory_order_relaxed);
    }
  }
  bool owed = false;
  for (trade::Engine* e : engines) {
    if (!e->cancels_owed()) continue;
    const uint32_t n = e->next_cancels(budget(*e));
    if (n != 0) send_cancels(e->shard_index(), scratch.first(n));
    owed |= e->cancels_owed();
  }
  ch.sweeping = owed;
  return served;
}

// Without a room limit or a clock (tests, and order paths that take any number of Cancels at once).
template <class SendCancels>
unsigned serve_control(ExecutorChannel& ch, std::span<trade::Engine* const> engines,
                       std::span<trade::CancelRequest> scratch, SendCancels&& send_cancels) noexcept {
  return serve_control(
      ch, engines, scratch, ExecutorClock{}, [](uint32_t) { return std::numeric_limits<std::size_t>::max(); },
      std::forward<SendCancels>(send_cancels));
}

// True when the executor has something to do in serve_control() (its cheap check before each call).
[[nodiscard]] inline bool control_pending(const ExecutorChannel& ch) noexcept {
  return ch.sweeping || !ch.requests.empty();
}

}  // namespace sf::control
