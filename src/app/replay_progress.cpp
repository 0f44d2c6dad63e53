#include "replay_progress.hpp"

#include <filesystem>
#include <vector>

#include "sniperforge/io/pcap_file.hpp"

namespace sf::app {

std::unique_ptr<ProgressLine> start_replay_progress(const dataplane::Runtime& rt, const std::string& pcap,
                                                    bool enabled) {
  if (!enabled || !rt.replay() || pcap.empty()) return nullptr;
  // The RX lcores' stats, as the stats lcore reads them (pointers valid while `rt` lives).
  std::vector<const telemetry::RxLcoreStats*> rx;
  for (const auto& r : rt.telemetry_inputs(telemetry::TelemetryConfig{}).rx) rx.push_back(r.stats);
  std::error_code ec;
  const bool bytes = io::is_classic_pcap(pcap);
  const uint64_t size = bytes ? std::filesystem::file_size(pcap, ec) : 0;
  ProgressOptions o;
  o.label = "replay";
  if (bytes && !ec) {
    o.unit = ProgressUnit::kBytes;
    o.detail_noun = "msgs";
  }
  return std::make_unique<ProgressLine>(
      o,
      [rx, size, unit = o.unit] {
        uint64_t frames = 0, frame_bytes = 0, messages = 0;
        for (const auto* s : rx) {
          frames += s->packets.load();
          frame_bytes += s->bytes.load();
          messages += s->messages.load();
        }
        if (unit == ProgressUnit::kBytes)
          return ProgressSample{io::pcap_bytes_consumed(frames, frame_bytes), size, messages};
        return ProgressSample{messages, 0, 0};
      },
      true);
}

}  // namespace sf::app
