// libFuzzer target: the SoupBinTCP client session state machine (src/session/client_session.cpp,
// standard library only) driven by an input-chosen script: server bytes in input-sized chunks,
// clock steps, closes, reconnects and order sends. Whatever the server says, the session must
// deliver each sequence number at most once and in increasing order, never deliver while not
// logged in, and keep its next-sequence number one past the last delivered one (further only after
// a counted gap).
#include <cstddef>
#include <cstdint>
#include <span>

#include "sniperforge/session/client_session.hpp"

namespace {
using namespace sf::order_session;

struct Peer : Transport, Listener {
  const ClientSession* s = nullptr;
  uint64_t last = 0;
  bool any = false;
  void connect() override {}
  void send(std::span<const uint8_t>) override {}
  void close() override {}
  void on_sequenced(uint64_t seq, std::span<const uint8_t> m) override {
    if (m.empty() || (any && seq <= last) || !s->logged_in()) __builtin_trap();
    last = seq;
    any = true;
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  Peer peer;
  ClientSession s({"FUZZ", "pw", "", 1u + (size ? data[0] % 3u : 0u)}, {1000, 15000, 100, 800}, peer, peer);
  peer.s = &s;
  uint64_t now = 1'000'000'000;
  s.start(now);
  std::size_t i = 1;
  while (i < size) {
    const uint8_t op = data[i++];
    switch (op % 8) {
      case 0:  // time passes (up to ~16 s)
        now += uint64_t{op} * 64'000'000;
        s.poll(now);
        break;
      case 1:
        s.on_closed(now);
        break;
      case 2:
        s.poll(now);
        s.on_connected(now);
        break;
      case 3: {  // an order
        const uint8_t o[5] = {'O', 0, 0, op, static_cast<uint8_t>(i)};
        (void)s.send(o, now);
        break;
      }
      default: {  // server bytes: the next op / 8 bytes
        const std::size_t n = op / 8u < size - i ? op / 8u : size - i;
        s.on_bytes({data + i, n}, now);
        i += n;
        break;
      }
    }
    // One past the last delivered, or beyond it only after a counted gap (Login Accepted above it).
    if (peer.any && (s.next_sequence() < peer.last + 1 ||
                     (s.counters().sequence_gaps.load() == 0 && s.next_sequence() != peer.last + 1)))
      __builtin_trap();
  }
  return 0;
}
