// The writer's side of the segment files: buffers records, writes them with pwrite() at the end of the
// current segment, starts (and preallocates) the next segment when a record would not fit, and syncs
// with fdatasync(). Used by one thread only (the journal writer, or a backtest writing synchronously).
// Once an operation fails (disk full, I/O error) the store refuses everything after: what was written
// before stays as it was, and the reason is kept for the alert.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sf::journal {

class SegmentStore {
 public:
  SegmentStore() = default;
  ~SegmentStore();
  SegmentStore(const SegmentStore&) = delete;
  SegmentStore& operator=(const SegmentStore&) = delete;

  // Appends after (end_segment, end_offset) as scan_journal() reported (0/0: a new journal); creates
  // `dir` if needed. `sync_on_roll`: fdatasync a segment before leaving it.
  bool open(const std::string& dir, uint64_t segment_bytes, uint64_t end_segment, uint64_t end_offset,
            bool sync_on_roll);
  // Buffers one record (it is written by flush(), or here when the buffer is full).
  bool append(const uint8_t* record, std::size_t size);
  bool flush();
  bool sync();  // flush + fdatasync
  void close();

  [[nodiscard]] bool failed() const noexcept { return !error_.empty(); }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] uint64_t segment() const noexcept { return segment_; }
  [[nodiscard]] uint64_t syncs() const noexcept { return syncs_; }
  [[nodiscard]] int fd() const noexcept { return fd_; }  // the current segment's (-1 when none)

 private:
  bool roll();
  bool fail(const std::string& what);

  std::string dir_;
  uint64_t segment_bytes_ = 0;
  bool sync_on_roll_ = true;
  int fd_ = -1;
  uint64_t segment_ = 0;
  uint64_t offset_ = 0;  // of the buffer's first byte in the segment
  std::vector<uint8_t> buf_;
  std::size_t used_ = 0;
  uint64_t syncs_ = 0;
  std::string error_;
};

}  // namespace sf::journal
