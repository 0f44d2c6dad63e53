// sf-venue-sim: one SoupBinTCP session's sequenced messages (message n has sequence number n,
// from 1), in memory and optionally appended to a file so that a killed and restarted simulator
// serves the same session on (a re-login with sequence N gets everything from N).
// File format: records of [u16 big-endian length][message]; a torn last record (killed mid-write)
// is cut off at load.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sf::venue_sim {

class MessageStore {
 public:
  // `path` empty: memory only. Loads the file when it exists; false (with `error`) when it cannot
  // be opened or written.
  bool open(const std::string& path, std::string& error);
  ~MessageStore();

  // Stores a message that becomes visible (sendable) at `visible_at` (steady-clock ns; 0 = now).
  bool append(std::span<const uint8_t> message, uint64_t visible_at);
  [[nodiscard]] uint64_t size() const noexcept { return messages_.size(); }
  // Sequence numbers are 1-based.
  [[nodiscard]] std::span<const uint8_t> at(uint64_t seq) const noexcept { return messages_[seq - 1]; }
  [[nodiscard]] uint64_t visible_at(uint64_t seq) const noexcept { return visible_[seq - 1]; }
  [[nodiscard]] uint64_t loaded() const noexcept { return loaded_; }

 private:
  std::vector<std::vector<uint8_t>> messages_;
  std::vector<uint64_t> visible_;
  uint64_t loaded_ = 0;
  int fd_ = -1;
};

}  // namespace sf::venue_sim
