// sniperforge's progress line for a pcap replay (see sniperforge/common/progress.hpp): how much of the
// feed pcap the RX lcores have consumed, from the counters they already keep for telemetry (frames and
// their bytes, ITCH messages). The lcores do nothing more for it; the line is printed by a housekeeping
// thread started from the main thread.
#pragma once

#include <memory>
#include <string>

#include "runtime.hpp"
#include "sniperforge/common/progress.hpp"

namespace sf::app {

// The progress line of a replay of `pcap` (the feed port's rx_pcap), or nullptr when there is no
// replay. Done/total are bytes of the pcap (io::pcap_bytes_consumed of the frames and their bytes); a
// pcapng file (no fixed record header) shows the message count and rate without a total.
[[nodiscard]] std::unique_ptr<ProgressLine> start_replay_progress(const dataplane::Runtime& rt,
                                                                  const std::string& pcap, bool enabled);

}  // namespace sf::app
