// The GLIMPSE fallback of a running appliance (#12): how books rebuilt from a snapshot off the data plane
// reach the executors. DPDK-free; atomics only: no lcore locks, blocks or allocates.
//
//   RX lcore      a re-request recovery failed (FeedRecovery waits for a snapshot)   want()      idle ->
//   wanted housekeeping  takes the snapshot over kernel TCP into fresh BookSets (allocated  take() wanted ->
//   fetching
//                 there), then publishes them with the Snapshot message's sequence   publish()   -> ready
//                 or gives up                                                        fail()      -> failed
//   RX lcore      ready: one kSnapshotSwap event into every executor's ring, in feed
//                 order (messages before it belong to the old books, after it to the
//                 new), then the held messages from the snapshot's sequence on       swapping(n) -> swapping
//                 failed: FeedRecovery gives up (books stay stale)                   failure_seen() -> idle
//   executor      swaps its hosted shards' books with the fresh ones (Engine::adopt_books, O(1)),
//   acknowledges housekeeping  every executor acknowledged: frees the BookSets, now holding the
//                 old books                                                          finish_if_swapped() ->
//                 idle
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "sniperforge/book/book_set.hpp"
#include "sniperforge/dataplane/event.hpp"
#include "sniperforge/trade/shard_driver.hpp"

namespace sf::dataplane {

class SnapshotHandoff {
 public:
  enum class State : uint32_t { kIdle, kWanted, kFetching, kReady, kFailed, kSwapping };

  [[nodiscard]] State state() const noexcept { return state_.load(std::memory_order_acquire); }

  // RX lcore: ask for a snapshot (false: a previous hand-off is not over yet; ask again later).
  bool want() noexcept { return move(State::kIdle, State::kWanted); }
  // RX lcore, in kReady: where the live feed continues.
  [[nodiscard]] uint64_t next_sequence() const noexcept { return next_sequence_; }
  // RX lcore: `events` kSnapshotSwap events reached executors' rings (0: none; the books are freed).
  void swapping(uint32_t events) noexcept {
    expected_acks_ = events;
    state_.store(State::kSwapping, std::memory_order_release);
  }
  // RX lcore: the failure was seen.
  void failure_seen() noexcept { (void)move(State::kFailed, State::kIdle); }

  // Housekeeping thread.
  bool take() noexcept { return move(State::kWanted, State::kFetching); }
  void publish(std::vector<std::unique_ptr<book::BookSet>> books, uint64_t next_sequence) {
    books_ = std::move(books);
    next_sequence_ = next_sequence;
    acks_.store(0, std::memory_order_relaxed);
    state_.store(State::kReady, std::memory_order_release);
  }
  void fail() noexcept { state_.store(State::kFailed, std::memory_order_release); }
  // Every swap event was handled: frees the old books (here, off the data plane) and returns to idle.
  bool finish_if_swapped() noexcept {
    if (state() != State::kSwapping || acks_.load(std::memory_order_acquire) < expected_acks_) return false;
    books_.clear();
    state_.store(State::kIdle, std::memory_order_release);
    return true;
  }

  // Executor lcore: shard `shard`'s fresh books (nullptr if none).
  [[nodiscard]] book::BookSet* books_of(uint32_t shard) const noexcept {
    return shard < books_.size() ? books_[shard].get() : nullptr;
  }
  void acknowledge() noexcept { acks_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  bool move(State from, State to) noexcept {
    return state_.compare_exchange_strong(from, to, std::memory_order_acq_rel);
  }

  std::atomic<State> state_{State::kIdle};
  std::atomic<uint32_t> acks_{0};
  uint32_t expected_acks_ = 0;  // written by the RX lcore before its release store of kSwapping
  uint64_t next_sequence_ = 0;  // written by housekeeping before its release store of kReady
  std::vector<std::unique_ptr<book::BookSet>> books_;  // by shard; owned by housekeeping outside kReady..
};

// The kSnapshotSwap event carries the hand-off's address (one process: the executors read the books the
// housekeeping thread published before its release store).
inline void pack_snapshot_swap(Event& e, uint64_t seq, uint64_t rx_tsc, SnapshotHandoff* h) noexcept {
  e.seq = seq;
  e.set_tsc(rx_tsc);
  e.payload[0] = static_cast<uint8_t>(EventKind::kSnapshotSwap);
  std::memcpy(e.payload + 8, &h, sizeof h);
}

// Executor: every hosted engine takes its shard's fresh books; then the hand-off is acknowledged.
inline void adopt_snapshot_books(const Event& e, trade::ShardDriver& driver) noexcept {
  SnapshotHandoff* h = nullptr;
  std::memcpy(&h, e.payload + 8, sizeof h);
  if (h == nullptr) return;
  for (trade::Engine* eng : driver.engines())
    if (book::BookSet* b = h->books_of(eng->shard_index())) eng->adopt_books(*b);
  h->acknowledge();
}

}  // namespace sf::dataplane
