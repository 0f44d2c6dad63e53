#include "sniperforge/snapshot/loader.hpp"

#include <stdexcept>

#include "sniperforge/proto/glimpse.hpp"
#include "sniperforge/trade/routing.hpp"

namespace sf::snapshot {

uint64_t LoadCounts::total_invalid() const noexcept {
  uint64_t t = bad_snapshot_message + after_end;
  for (uint64_t v : invalid) t += v;
  return t;
}

SnapshotLoader::SnapshotLoader(std::vector<trade::Engine*> engines)
    : engines_(std::move(engines)), shards_(static_cast<uint32_t>(engines_.size())) {
  if (engines_.empty()) throw std::invalid_argument("snapshot loader: no engines");
  for (uint32_t s = 0; s < shards_; ++s)
    if (engines_[s] == nullptr || engines_[s]->shard_index() != s || engines_[s]->shards() != shards_)
      throw std::invalid_argument("snapshot loader: engines must be every shard, in shard order");
}

SnapshotLoader::SnapshotLoader(IntoBooks, std::vector<book::BookSet*> books)
    : books_(std::move(books)), shards_(static_cast<uint32_t>(books_.size())) {
  if (books_.empty()) throw std::invalid_argument("snapshot loader: no books");
  for (const book::BookSet* b : books_)
    if (b == nullptr)
      throw std::invalid_argument("snapshot loader: books must be every shard, in shard order");
}

template <class Apply>
void SnapshotLoader::route(itch::MessageView msg, Apply&& apply) noexcept {
  const uint32_t shard = trade::route(msg, shards_);
  for (uint32_t s = 0; s < shards_; ++s)
    if (shard == trade::kAllShards || shard == s) apply(s);
}

SnapshotLoader::Verdict SnapshotLoader::on_message(std::span<const uint8_t> m) noexcept {
  if (failed_) return Verdict::kFailed;
  if (complete_) {
    ++counts_.after_end;
    failed_ = true;
    return Verdict::kFailed;
  }
  if (glimpse::is_snapshot(m)) {
    if (!glimpse::parse_snapshot(m, next_sequence_)) {
      ++counts_.bad_snapshot_message;
      failed_ = true;
      return Verdict::kFailed;
    }
    complete_ = true;
    return Verdict::kComplete;
  }
  const itch::Error e = m.empty() ? itch::Error::kEmpty : itch::validate(m.data(), m.size());
  if (e != itch::Error::kOk) {
    ++counts_.invalid[static_cast<std::size_t>(e)];
    return Verdict::kSkipped;
  }
  const itch::MessageView msg(m.data());
  route(msg, [&](uint32_t s) {
    if (engines_.empty())
      (void)books_[s]->apply(msg);
    else
      engines_[s]->on_snapshot(msg);
  });
  ++counts_.applied;
  return Verdict::kApplied;
}

std::string SnapshotLoader::describe() const {
  std::string s = std::to_string(counts_.applied) + " messages applied, ";
  s += complete_ ? "snapshot at ITCH sequence " + std::to_string(next_sequence_) : "no Snapshot message";
  s += ", " + std::to_string(counts_.total_invalid()) + " invalid";
  for (std::size_t i = 1; i < counts_.invalid.size(); ++i)
    if (counts_.invalid[i])
      s += " (" + std::string(itch::to_string(static_cast<itch::Error>(i))) + " " +
           std::to_string(counts_.invalid[i]) + ")";
  if (counts_.bad_snapshot_message) s += " (bad Snapshot message)";
  if (counts_.after_end) s += " (" + std::to_string(counts_.after_end) + " after the Snapshot message)";
  return s;
}

}  // namespace sf::snapshot
