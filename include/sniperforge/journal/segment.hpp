// Segment files of a journal directory: segment-00000001.sfj, segment-00000002.sfj, ... each preallocated
// (zeros) to [journal] segment_mb and starting with a 16-byte header: the magic "SFJRNL01" and the u64
// segment number. Records follow back to back; a record never straddles two segments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sf::journal {

inline constexpr char kSegmentMagic[8] = {'S', 'F', 'J', 'R', 'N', 'L', '0', '1'};
inline constexpr std::size_t kSegmentHeaderSize = 16;

[[nodiscard]] std::string segment_name(uint64_t number);
// Segment numbers present in `dir`, ascending (other files are ignored). Empty if `dir` does not exist.
[[nodiscard]] std::vector<uint64_t> list_segments(const std::string& dir);

}  // namespace sf::journal
