// sf-rewind's message store: ITCH messages of one MoldUDP64 session indexed by sequence number, filled
// from a pcap, a BinaryFILE or a live recording, in any order (a recording of two lines, or one with
// holes). Shared by the MoldUDP64 re-request answers (mold_answer.hpp) and, later, a GLIMPSE snapshot
// server (#12): both read messages by sequence through `at()`.
//
// Memory: the message bytes live in one growing buffer, each sequence has an 8-byte offset slot from
// the first sequence stored to the highest (a hole costs 8 bytes), so a whole NASDAQ day (~400 M
// messages) fits in ~15 GB and the usual test feeds in a few MB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sf::rewind {

class MessageStore {
 public:
  enum class Added : uint8_t { kStored, kDuplicate, kBelowFirst, kEmpty };
  struct Counts {
    uint64_t stored = 0;
    uint64_t duplicates = 0;     // a sequence already stored (the other line, a retransmission)
    uint64_t below_first = 0;    // before the first sequence of the store (see `start_at`)
    uint64_t packets = 0;        // MoldUDP64 data packets added
    uint64_t bad_packets = 0;    // not a valid MoldUDP64 packet
    uint64_t other_session = 0;  // packets of another session than the store's
  };

  // Fixes the first sequence: earlier ones are refused (kBelowFirst). Only before anything is stored;
  // without it the store starts at the lowest sequence added.
  void start_at(uint64_t first_seq) noexcept;
  // The MoldUDP64 session: set by the caller, else taken from the first packet added.
  void set_session(std::string_view session);
  [[nodiscard]] const std::string& session() const noexcept { return session_; }

  Added add(uint64_t seq, const uint8_t* msg, std::size_t len);
  // Every message of one MoldUDP64 downstream packet (heartbeats and end of session add nothing).
  void add_packet(const uint8_t* mold, std::size_t len);

  // The message with this sequence number; empty when it is not stored.
  [[nodiscard]] std::span<const uint8_t> at(uint64_t seq) const noexcept;
  [[nodiscard]] bool empty() const noexcept { return offsets_.empty(); }
  [[nodiscard]] uint64_t first() const noexcept { return first_; }
  // One past the highest sequence stored.
  [[nodiscard]] uint64_t end() const noexcept { return first_ + offsets_.size(); }
  // Sequences in [first(), end()) that are not stored.
  [[nodiscard]] uint64_t holes() const noexcept { return offsets_.size() - counts_.stored; }
  [[nodiscard]] const Counts& counts() const noexcept { return counts_; }

 private:
  static constexpr uint64_t kMissing = ~uint64_t{0};
  std::vector<uint8_t> bytes_;     // [u16 length][message] records
  std::vector<uint64_t> offsets_;  // offset in bytes_ per sequence first_ + i, kMissing for a hole
  uint64_t first_ = 0;
  bool first_fixed_ = false;
  std::string session_;
  Counts counts_;
};

}  // namespace sf::rewind
