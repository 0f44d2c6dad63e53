// Out-of-order receive bookkeeping: which sequence ranges beyond RCV.NXT are already in the receive
// buffer. A fixed number of disjoint ranges (no allocation); a segment that would need one more is
// dropped by the caller (counted) and re-requested by the duplicate ACK it triggers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "sniperforge/net/seq.hpp"

namespace sf::net {

class OooRanges {
 public:
  static constexpr std::size_t kMaxRanges = 8;

  void clear() noexcept { count_ = 0; }
  [[nodiscard]] std::size_t count() const noexcept { return count_; }

  // Records [start, end); merges with overlapping or adjacent ranges. False when a new range is
  // needed and all are in use (nothing changes then).
  bool insert(uint32_t start, uint32_t end) noexcept {
    for (std::size_t i = 0; i < count_;) {
      Range& r = ranges_[i];
      if (seq_le(start, r.end) && seq_le(r.start, end)) {  // overlap or touch: absorb r
        if (seq_lt(r.start, start)) start = r.start;
        if (seq_gt(r.end, end)) end = r.end;
        r = ranges_[--count_];
        continue;
      }
      ++i;
    }
    if (count_ == kMaxRanges) return false;
    ranges_[count_++] = {start, end};
    return true;
  }
  // Called after in-order data moved RCV.NXT to `next`: consumes every range that now starts at or
  // before it and returns the new RCV.NXT (past all contiguous buffered data).
  [[nodiscard]] uint32_t advance(uint32_t next) noexcept {
    bool moved = true;
    while (moved) {
      moved = false;
      for (std::size_t i = 0; i < count_; ++i) {
        if (seq_le(ranges_[i].start, next)) {
          next = seq_max(next, ranges_[i].end);
          ranges_[i] = ranges_[--count_];
          moved = true;
          break;
        }
      }
    }
    return next;
  }

 private:
  struct Range {
    uint32_t start, end;
  };
  std::array<Range, kMaxRanges> ranges_{};
  std::size_t count_ = 0;
};

}  // namespace sf::net
