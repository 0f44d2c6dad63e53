// sf-rewind: fills a MessageStore from a file. A pcap's MoldUDP64 packets to the given UDP ports (both
// A/B lines may be listed: the first copy of a sequence is kept), or a NASDAQ BinaryFILE (sequence 1
// upwards, in file order).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "message_store.hpp"

namespace sf::rewind {

struct LoadResult {
  bool ok = false;
  std::string error;          // why not ok: the file cannot be read, or it is damaged
  uint64_t frames = 0;        // pcap records read
  uint64_t other_frames = 0;  // not UDP to one of the ports
};

LoadResult load_pcap(const std::string& path, const std::vector<uint16_t>& ports, MessageStore& store);
LoadResult load_binaryfile(const std::string& path, uint64_t first_seq, MessageStore& store);

}  // namespace sf::rewind
