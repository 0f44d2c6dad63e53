// Start-up scan of a journal directory: every record's length, CRC, type and sequence (one more than the
// previous) are checked in order. The first record that fails is where a torn write (or damage) begins:
// everything from there on is dropped — with repair, cut off the disk (the rest of that segment zeroed,
// later segments deleted), so the writer appends after the last good record. Nothing before it changes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "sniperforge/journal/record.hpp"

namespace sf::journal {

struct ScanReport {
  uint64_t records = 0;
  std::array<uint64_t, kMaxRecordType + 1> by_type{};  // indexed by RecordType
  uint64_t first_sequence = 0, last_sequence = 0;
  uint64_t first_timestamp = 0, last_timestamp = 0;
  uint64_t segments = 0;
  uint64_t bytes = 0;  // of good records
  // Torn or damaged tail: where it starts, why, and how many written (non-zero) bytes were dropped.
  bool torn = false;
  std::string torn_at;  // "segment-00000003.sfj offset 1234"
  std::string torn_why;
  uint64_t dropped_bytes = 0;
  // Where the writer appends next (0/0: an empty journal).
  uint64_t end_segment = 0;
  uint64_t end_offset = 0;
};

using RecordVisitor = std::function<void(const RecordView&)>;

// Scans `dir` (a missing or empty directory is an empty journal). `visit` sees every good record in
// order (may be empty). `repair` cuts a torn tail off as described above. Returns false, with `error`,
// only when the directory or a file cannot be read (or repaired); a torn tail is not an error.
[[nodiscard]] bool scan_journal(const std::string& dir, const RecordVisitor& visit, bool repair,
                                ScanReport& report, std::string& error);

}  // namespace sf::journal
