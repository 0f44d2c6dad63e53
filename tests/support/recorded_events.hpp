// An executor ring for tests of the RX side: enqueue() (the ring interface RxProcessor writes to) keeps
// every event in `got`, in order, and never refuses one.
#pragma once

#include <cstdint>
#include <vector>

#include "sniperforge/dataplane/event.hpp"

namespace sf::testing {

struct RecordedEvents {
  std::vector<dataplane::Event> got;
  unsigned enqueue(uint16_t /*ring*/, const dataplane::Event* ev, unsigned n) {
    got.insert(got.end(), ev, ev + n);
    return n;
  }
};

}  // namespace sf::testing
