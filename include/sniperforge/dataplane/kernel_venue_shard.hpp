// One shard's `transport = "kernel"` order session as its executor sees it: the KernelSession (its own
// thread, off the data-plane lcores) and the two SPSC rings between them, OUCH orders out and venue
// messages back. Started by dataplane/kernel_venue.hpp; the executor's side is executor_kernel_venue.hpp.
// DPDK-free.
#pragma once

#include <cstddef>
#include <memory>

#include "sniperforge/common/spsc_ring.hpp"
#include "sniperforge/session/kernel_session.hpp"

namespace sf::dataplane {

// The rings are sized so a burst of orders or a re-login's replay fits; a full order ring is a counted
// refusal in the executor (session_ring_full).
struct KernelVenueShard {
  static constexpr std::size_t kOrderRing = 1024;
  static constexpr std::size_t kVenueRing = 4096;
  SpscRing<order_session::OrderSlot> orders{kOrderRing};
  SpscRing<order_session::VenueSlot> venue{kVenueRing};
  std::unique_ptr<order_session::KernelSession> session;
};

}  // namespace sf::dataplane
