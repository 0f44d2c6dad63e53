// The [journal] table of the appliance's TOML config (these key names are a contract, issue #13):
//   [journal]
//   path = "/var/lib/sniperforge/journal"   # directory of segment files
//   fsync = "group"                          # group | every | none
//   group_us = 500                           # group: every record reaches the disk within this bound
//   segment_mb = 256                         # size each segment is preallocated to
//   on_full = "stop_orders"                  # a full journal ring stops the shard's orders
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace sf::journal {

enum class FsyncPolicy : uint8_t { kGroup, kEvery, kNone };
[[nodiscard]] constexpr std::string_view to_string(FsyncPolicy p) noexcept {
  return p == FsyncPolicy::kGroup ? "group" : p == FsyncPolicy::kEvery ? "every" : "none";
}

// What a producer does when its journal ring is full. Only one policy exists: the shard refuses every
// order (counted risk reason "journal_full") until the writer has caught up; venue messages keep being
// handed over (a message that finds the ring full is counted, never dropped silently).
enum class OnFull : uint8_t { kStopOrders };

struct JournalConfig {
  bool enabled = false;  // a [journal] table is present
  std::string path;
  FsyncPolicy fsync = FsyncPolicy::kGroup;
  uint32_t group_us = 500;
  uint32_t segment_mb = 256;
  OnFull on_full = OnFull::kStopOrders;
  [[nodiscard]] uint64_t segment_bytes() const noexcept { return uint64_t{segment_mb} << 20; }
};

// Reads root["journal"] (absent: enabled = false). Every problem is appended to `errors` with its key.
[[nodiscard]] JournalConfig parse_journal_config(const toml::table& root, std::vector<std::string>& errors);

}  // namespace sf::journal
