// libFuzzer target: the SoupBinTCP 4.1 stream reassembler in both directions. The input is fed
// whole and again in chunks whose sizes come from the input itself; both runs must deliver the
// same packets with the same drop counts (a packet split across chunks must not change anything),
// and every delivered packet's payload views are read.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sniperforge/proto/soupbintcp.hpp"

namespace {
using namespace sf::soupbintcp;

struct Seen {
  std::vector<uint8_t> flat;  // type, length, payload of every packet, concatenated
  uint64_t sum = 0;
};
void read_views(const Packet& p, Seen& s) {
  s.flat.push_back(static_cast<uint8_t>(p.type));
  s.flat.push_back(static_cast<uint8_t>(p.payload.size() >> 8));
  s.flat.push_back(static_cast<uint8_t>(p.payload.size()));
  s.flat.insert(s.flat.end(), p.payload.begin(), p.payload.end());
  if (p.type == type::kLoginRequest) {
    const LoginRequest v{p.payload};
    s.sum += v.requested_sequence() + v.heartbeat_timeout_ms() + v.username().size() + v.password().size() +
             v.requested_session().size();
  } else if (p.type == type::kLoginAccepted) {
    const LoginAccepted v{p.payload};
    s.sum += v.next_sequence() + v.session().size();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  for (const Direction d : {Direction::kClientToServer, Direction::kServerToClient}) {
    Seen whole, split;
    StreamReassembler a(d), b(d);
    a.feed({data, size}, [&](const Packet& p) { read_views(p, whole); });
    std::size_t off = 0, i = 0;
    while (off < size) {
      const std::size_t chunk = 1 + data[i++ % size] % 17;
      const std::size_t n = chunk < size - off ? chunk : size - off;
      b.feed({data + off, n}, [&](const Packet& p) { read_views(p, split); });
      off += n;
    }
    if (whole.flat != split.flat || whole.sum != split.sum) __builtin_trap();
    if (a.counters().dropped != b.counters().dropped || a.counters().debug != b.counters().debug ||
        a.counters().packets != b.counters().packets || a.counters().bytes != size)
      __builtin_trap();
  }
  return 0;
}
