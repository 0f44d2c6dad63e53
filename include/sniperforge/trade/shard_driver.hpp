// How a stream of ITCH messages drives the engines of the shards one thread hosts: route fan-out (a
// message goes to its shard's engine, a broadcast to every hosted engine), stale marking, and the two-stage
// prefetch look-ahead that hides the books' cache misses. The appliance's executor
// (dataplane/executor.hpp) and sf-backtest's shard replay both drive their engines through it, so they
// share their driver as they share their Engine. No DPDK, no allocation after host().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sniperforge/trade/engine.hpp"
#include "sniperforge/trade/routing.hpp"

namespace sf::trade {

class ShardDriver {
 public:
  // The look-ahead: an order's slot is prefetched this many messages before it is applied, its book
  // levels this many (the second stage needs the slot the first one fetched).
  static constexpr std::size_t kSlotAhead = 16;
  static constexpr std::size_t kLevelsAhead = 4;

  ShardDriver() : ShardDriver(1) {}
  explicit ShardDriver(uint32_t shards) : shards_(shards ? shards : 1), by_shard_(shards_, nullptr) {}

  // This thread runs `engine` (its shard_index() below the shard count).
  void host(Engine* engine) {
    engines_.push_back(engine);
    by_shard_[engine->shard_index()] = engine;
  }

  [[nodiscard]] uint32_t shards() const noexcept { return shards_; }
  [[nodiscard]] std::span<Engine* const> engines() const noexcept { return engines_; }
  // The hosted engine of `shard`, nullptr if another thread hosts it (or the shard does not exist).
  [[nodiscard]] Engine* engine(uint32_t shard) const noexcept {
    return shard < by_shard_.size() ? by_shard_[shard] : nullptr;
  }

  // The engine one message goes to: nullptr for a broadcast or a shard hosted elsewhere.
  [[nodiscard]] Engine* engine_for(const uint8_t* msg) const noexcept {
    const uint32_t r = route(itch::MessageView(msg), shards_);
    return r == kAllShards ? nullptr : by_shard_[r];
  }
  // The engine to prefetch a message's state in. With one hosted engine (sf-backtest's shard replay, and
  // an executor hosting one shard) that engine without routing: a stream holds only its own shard's
  // messages and broadcasts, whose prefetch is a no-op.
  [[nodiscard]] const Engine* prefetch_engine(const uint8_t* msg) const noexcept {
    return engines_.size() == 1 ? engines_.front() : engine_for(msg);
  }

  // Applies `apply(Engine&)` to the engine(s) `msg` goes to. False if its shard is hosted elsewhere
  // (misrouted: the caller counts it).
  template <class Apply>
  bool dispatch(itch::MessageView msg, Apply&& apply) noexcept {
    const uint32_t r = route(msg, shards_);
    if (r == kAllShards) {
      for (Engine* eng : engines_) apply(*eng);
      return true;
    }
    if (Engine* eng = by_shard_[r]) [[likely]] {
      apply(*eng);
      return true;
    }
    return false;
  }

  // The look-ahead over messages [0, n) of a batch, `at(k)` giving message k (nullptr: not an ITCH
  // message). Call prefetch_first() once before the batch, prefetch_ahead(i) before applying message i.
  // `stages`: 0 none, 1 order slots, 2 slots and book levels.
  template <class At>
  void prefetch_first(At&& at, std::size_t n, int stages = 2) const noexcept {
    // The first messages' slots together: a batch arriving after an idle spell overlaps those misses.
    if (stages < 1) return;
    for (std::size_t k = 0; k < n && k < kSlotAhead; ++k) prefetch_slot(at(k));
  }
  template <class At>
  void prefetch_ahead(At&& at, std::size_t i, std::size_t n, int stages = 2) const noexcept {
    if (stages >= 1 && i + kSlotAhead < n) prefetch_slot(at(i + kSlotAhead));
    if (stages >= 2 && i + kLevelsAhead < n) {
      if (const uint8_t* msg = at(i + kLevelsAhead))
        if (const Engine* eng = prefetch_engine(msg)) eng->prefetch_levels(msg);
    }
  }

  // The feed side says the books may be wrong (a gap, a full ring): every hosted engine keeps applying the
  // feed but refuses orders (reason stale) until clear_stale(). Returns how many books are now stale.
  uint64_t mark_stale(StaleReason why) noexcept {
    uint64_t stale_books = 0;
    for (Engine* eng : engines_) {
      eng->mark_stale(why);
      stale_books += eng->stale_books();
    }
    return stale_books;
  }

  // A feed gap's re-request recovery (#12): while `recovering` every hosted engine refuses orders (reason
  // recovering); `books_complete` at its end clears stale. Returns how many books are now stale.
  uint64_t set_recovering(bool recovering, bool books_complete) noexcept {
    uint64_t stale_books = 0;
    for (Engine* eng : engines_) {
      eng->set_recovering(recovering);
      if (books_complete) eng->clear_stale();
      stale_books += eng->stale_books();
    }
    return stale_books;
  }

 private:
  void prefetch_slot(const uint8_t* msg) const noexcept {
    if (msg == nullptr) return;
    if (const Engine* eng = prefetch_engine(msg)) eng->prefetch(msg);
  }

  uint32_t shards_ = 1;
  std::vector<Engine*> engines_;
  std::vector<Engine*> by_shard_;
};

}  // namespace sf::trade
