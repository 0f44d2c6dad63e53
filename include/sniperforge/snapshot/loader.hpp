// Applies a GLIMPSE 5.0 snapshot to the engines of every shard, message by message, through the engines'
// own book path (Engine::on_snapshot: BookSet::apply, strategies bound, none run), routed exactly as the
// live feed is (trade::route). The Snapshot message ends it and names the ITCH sequence number the live
// feed continues at: live messages below it are already in the books and must be dropped, the rest applied.
// DPDK-free and I/O-free: the GLIMPSE client (snapshot/client.hpp) or a test feeds it the Sequenced Data.
//
// Bad input never corrupts a book: a message ITCH 5.0 does not accept is counted by its itch::Error reason
// and skipped; a malformed Snapshot message, or anything after the Snapshot message, is counted and fails
// the load (failed()); the caller must not trade on books whose load failed.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sniperforge/proto/itch.hpp"
#include "sniperforge/trade/engine.hpp"

namespace sf::snapshot {

struct LoadCounts {
  uint64_t applied = 0;               // ITCH messages applied (once, however many shards took them)
  std::array<uint64_t, 5> invalid{};  // by itch::Error (kOk unused): skipped
  uint64_t bad_snapshot_message = 0;  // type 'M' but not 21 bytes of digits naming a sequence >= 1
  uint64_t after_end = 0;             // anything after the Snapshot message
  [[nodiscard]] uint64_t total_invalid() const noexcept;
};

class SnapshotLoader {
 public:
  // `engines[s]` is shard s's engine; every shard of the configuration must be present.
  explicit SnapshotLoader(std::vector<trade::Engine*> engines);
  // Into bare books instead (the running appliance's fallback: books built off the data plane, then
  // swapped in by the executors, Engine::adopt_books); `books[s]` is shard s's, every shard present.
  [[nodiscard]] static SnapshotLoader into_books(std::vector<book::BookSet*> books) {
    return SnapshotLoader(IntoBooks{}, std::move(books));
  }

  enum class Verdict : uint8_t { kApplied, kSkipped, kComplete, kFailed };
  // One Sequenced Data message of the GLIMPSE session.
  Verdict on_message(std::span<const uint8_t> message) noexcept;

  // The Snapshot message arrived and nothing went wrong.
  [[nodiscard]] bool complete() const noexcept { return complete_ && !failed_; }
  [[nodiscard]] bool failed() const noexcept { return failed_; }
  // The ITCH sequence number the live feed continues at (0 until complete).
  [[nodiscard]] uint64_t next_sequence() const noexcept { return next_sequence_; }
  [[nodiscard]] const LoadCounts& counts() const noexcept { return counts_; }
  // One line for logs: "1234 messages applied, snapshot at ITCH sequence 5678, 0 invalid".
  [[nodiscard]] std::string describe() const;

 private:
  struct IntoBooks {};
  SnapshotLoader(IntoBooks, std::vector<book::BookSet*> books);
  template <class Apply>
  void route(itch::MessageView msg, Apply&& apply) noexcept;

  std::vector<trade::Engine*> engines_;
  std::vector<book::BookSet*> books_;  // instead of engines_
  uint32_t shards_;
  LoadCounts counts_;
  uint64_t next_sequence_ = 0;
  bool complete_ = false;
  bool failed_ = false;
};

}  // namespace sf::snapshot
