// One journal record as one JSON object (sf-journal dump): common keys "type", "seq", "ts" (ns since the
// Unix epoch), "shard", then the type's own fields; raw protocol bytes as lowercase hex.
#pragma once

#include <string>

#include "sniperforge/journal/record.hpp"

namespace sf::journal {

[[nodiscard]] std::string record_json(const RecordView& r);
// "2026-11-29T07:30:06.123456789Z"
[[nodiscard]] std::string utc_time(uint64_t ns_since_epoch);

}  // namespace sf::journal
