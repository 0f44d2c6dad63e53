// /health and /ready decisions, computed from live per-lcore structs at request time.
//  health: every lcore has written its heartbeat within telemetry.heartbeat_timeout_ms
//          (an lcore that appears as RX and executor, i.e. run-to-completion, counts its freshest one).
//  ready:  healthy, and a feed packet within telemetry.feed_stale_ms, and no stale book, and the
//          order session up when one is configured.
#pragma once

#include <cstdint>
#include <vector>

#include "sniperforge/telemetry/config.hpp"
#include "sniperforge/telemetry/snapshot.hpp"
#include "sniperforge/telemetry/sources.hpp"

namespace sf::telemetry {

[[nodiscard]] Status evaluate_health(const TelemetrySources& src, const TelemetryConfig& cfg,
                                     uint64_t now_tsc);

[[nodiscard]] Status evaluate_ready(const TelemetrySources& src, const TelemetryConfig& cfg, uint64_t now_tsc,
                                    const std::vector<EngineStats>& engines);

// Seconds since the newest feed packet of any RX lcore; negative when none arrived yet.
[[nodiscard]] double feed_age_seconds(const TelemetrySources& src, uint64_t now_tsc);

}  // namespace sf::telemetry
