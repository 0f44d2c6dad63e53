#include "loader.hpp"

#include <algorithm>

#include "sniperforge/io/binary_file.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/net.hpp"

namespace sf::rewind {

LoadResult load_pcap(const std::string& path, const std::vector<uint16_t>& ports, MessageStore& store) {
  LoadResult r;
  io::PcapReader reader;
  if (!reader.open(path)) {
    r.error = reader.error();
    return r;
  }
  io::PcapPacket p;
  while (reader.next(p)) {
    ++r.frames;
    net::UdpDatagram d;
    if (net::parse_udp(p.data, p.caplen, d) != net::Error::kOk ||
        std::find(ports.begin(), ports.end(), d.dst_port) == ports.end()) {
      ++r.other_frames;
      continue;
    }
    store.add_packet(d.payload, d.payload_length);
  }
  r.error = reader.error();
  r.ok = r.error.empty();
  return r;
}

LoadResult load_binaryfile(const std::string& path, uint64_t first_seq, MessageStore& store) {
  LoadResult r;
  io::BinaryFileReader reader;
  if (!reader.open(path)) {
    r.error = reader.error();
    return r;
  }
  store.start_at(first_seq);
  const uint8_t* msg = nullptr;
  uint16_t len = 0;
  for (uint64_t seq = first_seq; reader.next(msg, len); ++seq) (void)store.add(seq, msg, len);
  if (reader.truncated()) {
    r.error = "the last message is cut short at byte " + std::to_string(reader.offset());
    return r;
  }
  r.ok = true;
  return r;
}

}  // namespace sf::rewind
