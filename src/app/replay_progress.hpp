// sniperforge's progress line for a pcap replay (see sniperforge/common/progress.hpp): how much of the
// feed pcap the RX lcores have consumed, from the counters they already keep for telemetry (frames and
// their bytes, ITCH messages). The lcores do nothing more for it; the line is printed by a housekeeping
// thread started from the main thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime.hpp"
#include "sniperforge/common/progress.hpp"

namespace sf::app {

// Bytes of a classic pcap consumed after `frames` records holding `frame_bytes` captured bytes: the
// 24-byte file header and a 16-byte header per record, so the count reaches the file size at its end.
[[nodiscard]] constexpr uint64_t pcap_bytes_consumed(uint64_t frames, uint64_t frame_bytes) noexcept {
  return 24 + 16 * frames + frame_bytes;
}

// The progress line of a replay of `pcap` (the feed port's rx_pcap), or nullptr when there is no
// replay. A pcapng file (no fixed record header) shows the message count and rate without a total.
[[nodiscard]] std::unique_ptr<ProgressLine> start_replay_progress(const dataplane::Runtime& rt,
                                                                  const std::string& pcap, bool enabled);

}  // namespace sf::app
