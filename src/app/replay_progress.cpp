#include "replay_progress.hpp"

#include <cstdio>
#include <filesystem>
#include <vector>

namespace sf::app {
namespace {

// True when `path` starts with a classic pcap magic number (either byte order, us or ns timestamps).
bool classic_pcap(const std::string& path) {
  unsigned char m[4] = {};
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  const bool read = std::fread(m, 1, 4, f) == 4;
  std::fclose(f);
  const uint32_t le = m[0] | (m[1] << 8) | (m[2] << 16) | (uint32_t{m[3]} << 24);
  const uint32_t be = m[3] | (m[2] << 8) | (m[1] << 16) | (uint32_t{m[0]} << 24);
  return read && (le == 0xa1b2c3d4 || le == 0xa1b23c4d || be == 0xa1b2c3d4 || be == 0xa1b23c4d);
}

}  // namespace

std::unique_ptr<ProgressLine> start_replay_progress(const dataplane::Runtime& rt, const std::string& pcap,
                                                    bool enabled) {
  if (!enabled || !rt.replay() || pcap.empty()) return nullptr;
  std::vector<const telemetry::RxLcoreStats*> rx;
  for (const auto& ref : rt.stats_refs())
    if (ref.rx != nullptr) rx.push_back(ref.rx);
  std::error_code ec;
  const bool bytes = classic_pcap(pcap);
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
          return ProgressSample{pcap_bytes_consumed(frames, frame_bytes), size, messages};
        return ProgressSample{messages, 0, 0};
      },
      true);
}

}  // namespace sf::app
