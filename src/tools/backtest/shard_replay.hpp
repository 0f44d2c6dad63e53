// The backtester's unit of work: one shard's messages (split from the input once, replayed by any number of
// configurations) and one run of that shard's Engine over them, answered by a SimVenue when one is wanted.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "replay_input.hpp"
#include "sniperforge/common/counter.hpp"
#include "sniperforge/sim/venue.hpp"
#include "sniperforge/trade/engine.hpp"

namespace sf::backtest {

// One shard's messages copied into one contiguous stream, so the replay reads memory sequentially.
struct ShardStream {
  std::vector<uint8_t> bytes;
  std::vector<uint64_t> offsets;
  std::vector<uint64_t> seqs;
  // Indices into this shard's messages before which a feed gap marks the engine stale (ascending).
  std::vector<std::size_t> stale_at;
  void add(const uint8_t* msg, std::size_t len, uint64_t seq) {
    offsets.push_back(bytes.size());
    bytes.insert(bytes.end(), msg, msg + len);
    seqs.push_back(seq);
  }
  [[nodiscard]] std::size_t size() const noexcept { return seqs.size(); }
  [[nodiscard]] const uint8_t* msg(std::size_t i) const noexcept { return bytes.data() + offsets[i]; }
};

// Routes every message to its shard (broadcasts to all); a gap makes every shard stale at that point of its
// own stream (one feed session).
std::vector<ShardStream> split_by_shard(const Input& in, uint32_t shards);

// The messages of `s` that can change what strategies trading `symbols` see: every message of their
// instruments (known from Stock Directory, or an Add Order's stock), and every broadcast (system events,
// Stock Directory, Trading Action). Gap points move to the next kept message. Replaying these instead of
// the whole stream gives the same orders, fills and P&L, provided no capacity limit shared by all
// instruments of the shard was hit (see capacity_shared()).
ShardStream traded_only(const ShardStream& s, const std::vector<std::string>& symbols);
// True if replaying `s` with `cfg`'s books hits a shard-wide capacity (orders, level arena, instruments):
// then other instruments' messages can change a traded book and the whole stream must be replayed.
bool capacity_shared(const ShardStream& s, const trade::TradingConfig& cfg, uint32_t shard);

struct ShardRun {
  std::unique_ptr<trade::Engine> engine;
  std::unique_ptr<sim::SimVenue> venue;  // null: nobody answers (orders stay open, as in a pure replay)
  std::vector<trade::OrderRequest> orders;
  double cpu_seconds = 0;  // thread CPU time of the replay
};

// The engines (and venues, when `venue` is not null) of one run over `cfg.shards` shards. Throws
// std::invalid_argument for a config the Engine refuses.
std::vector<ShardRun> make_runs(const trade::TradingConfig& cfg, const sim::VenueConfig* venue);

// Replays one shard. `prefetch`: 0 none, 1 order slots 16 messages ahead, 2 also book levels 4 ahead.
// `applied`, when given, follows the messages replayed (every 4096, then the total) for a progress line.
void replay_shard(const ShardStream& s, ShardRun& run, int prefetch, Counter* applied = nullptr);

}  // namespace sf::backtest
