// One shard's `transport = "kernel"` order session as its executor sees it: the KernelSession (its own
// thread, off the data-plane lcores) and the two SPSC rings between them, OUCH orders out and venue
// messages back. Started by dataplane/kernel_venue.hpp; the executor's side is executor_kernel_venue.hpp.
// DPDK-free.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "sniperforge/common/spsc_ring.hpp"
#include "sniperforge/common/tsc.hpp"
#include "sniperforge/session/kernel_session.hpp"
#include "sniperforge/telemetry/histogram.hpp"

namespace sf::dataplane {

// The kernel transport's tick-to-trade: from an order's RX burst TSC (stamped by the executor into its
// OrderSlot) to the return of send() on the session thread, which is this histogram's one writer.
class OrderWriteLatency final : public order_session::OrderWrittenObserver {
 public:
  void order_written(uint64_t stamp) noexcept override {
    const uint64_t now = read_tsc();
    ticks.record(now > stamp ? now - stamp : 0);  // TSCs of two cpus may differ a little
  }
  telemetry::LatencyHistogram ticks;
};

// The rings are sized so a burst of orders or a re-login's replay fits; a full order ring is a counted
// refusal in the executor (session_ring_full).
struct KernelVenueShard {
  static constexpr std::size_t kOrderRing = 1024;
  static constexpr std::size_t kVenueRing = 4096;
  SpscRing<order_session::OrderSlot> orders{kOrderRing};
  SpscRing<order_session::VenueSlot> venue{kVenueRing};
  std::unique_ptr<order_session::KernelSession> session;
  OrderWriteLatency written;  // the session's observer

  // The executor's own state of this session (only its thread writes these while it runs):
  uint64_t next_venue_seq = 1;  // the sequence number the next venue message carries (session records)
  bool was_logged_in = false;   // at the previous poll: a change is a session record
  uint32_t logins = 0;          // the first is "login", the later ones "reconnect"
  // Reconciled: logged in, the venue's replay since the login over (KernelSession::caught_up()) and applied.
  // Strategies fire on no shard until every shard has reconciled once (issue #13): until then the engines
  // see the session as down (reason session_down) and /ready says "reconciling".
  bool reconciled = false;
  // Before reconciling: a replayed Accepted to adopt whose symbol has no locate yet waits here (and the
  // messages behind it in the ring) until the feed's directory brings one, at most kAdoptWaitNs.
  static constexpr uint64_t kAdoptWaitNs = 5'000'000'000;
  order_session::VenueSlot held{};
  bool holding = false;
  uint64_t held_since = 0;        // executor clock
  uint64_t adopt_wait_ticks = 0;  // kAdoptWaitNs in the executor's clock (set by the runtime)
  std::atomic<uint32_t>* reconciled_shards = nullptr;  // KernelVenue's count over every shard
  uint32_t shard_count = 1;
  [[nodiscard]] bool every_shard_reconciled() const noexcept {
    return reconciled_shards->load(std::memory_order_acquire) == shard_count;
  }
};

}  // namespace sf::dataplane
