// The executor's side of `transport = "kernel"` (kernel_venue_shard.hpp): orders into the shard's session
// ring, venue messages and the logged-in state back between polls, the sessions' counters into the
// executor's stats. Member functions of Executor<Port>, kept apart from executor.hpp. DPDK-free.
#pragma once

#include "sniperforge/dataplane/executor.hpp"
#include "sniperforge/dataplane/session_counter_sum.hpp"

namespace sf::dataplane {

// The risk gate passed these orders: encode each OUCH Enter Order into the session's ring (no
// allocation, no syscall: the session thread writes the socket). A full ring refuses, counted.
template <class Port>
inline void Executor<Port>::hand_orders_to_session(uint32_t shard) noexcept {
  SpscRing<order_session::OrderSlot>& ring = venue_sessions[shard]->orders;
  for (const trade::OrderRequest& r : sink) {
    order_slot.length = static_cast<uint16_t>(kEnterOrderLength);
    order_slot.stamp = r.rx_tsc;  // the session thread records RX burst -> send() returned
    encode_enter_order(order_slot.bytes.data(), r);
    if (journal) journal_order(shard, r, order_slot.bytes.data());  // in the writer's ring before it leaves
    if (ring.push(order_slot)) [[likely]]
      stats->count_order(side_from_char(r.side));
    else
      stats->session_ring_full.add();
  }
}

// Kill's OUCH Cancel Orders into the same ring, behind the orders they cancel. serve_control() hands
// out no more than cancel_room() says, so none is refused here; the sweep sends the rest next poll.
template <class Port>
inline void Executor<Port>::hand_cancels_to_session(uint32_t shard,
                                                    std::span<const trade::CancelRequest> cancels) noexcept {
  SpscRing<order_session::OrderSlot>& ring = venue_sessions[shard]->orders;
  for (const trade::CancelRequest& c : cancels) {
    order_slot.length = static_cast<uint16_t>(kCancelOrderLength);
    order_slot.stamp = 0;
    encode_cancel_order(order_slot.bytes.data(), c);
    if (!ring.push(order_slot)) [[unlikely]]
      stats->session_ring_full.add();
  }
}

// Cancels the shard's session ring takes now; a quarter of it stays for the orders after an unkill.
template <class Port>
inline std::size_t Executor<Port>::cancel_room(uint32_t shard) noexcept {
  SpscRing<order_session::OrderSlot>& ring = venue_sessions[shard]->orders;
  const std::size_t free = ring.free_slots(), keep = ring.capacity() / 4;
  return free > keep ? free - keep : 0;
}

// Between polls: the session's state (a change is journaled), then the venue messages it delivered (each
// sequence number once, in order: journaled, then applied to the engine). The risk gate sees the session
// up only once it is logged in and every shard has reconciled (its venue's replay applied), so no strategy
// fires on a position the venue is still telling us about (`session_down` until then).
template <class Port>
inline void Executor<Port>::poll_venue_sessions(uint64_t now) noexcept {
  for (trade::Engine* eng : driver.engines()) {
    const uint32_t shard = eng->shard_index();
    KernelVenueShard& vs = *venue_sessions[shard];
    const bool up = vs.session->logged_in();
    if (up != vs.was_logged_in) [[unlikely]]
      note_session_state(shard, vs, up);
    const bool caught_up = up && vs.session->caught_up();  // read before the pops: all it held is queued
    for (unsigned k = 0; k < kVenueMessagesPerPoll && next_venue_message(vs); ++k) {
      if (!vs.reconciled && !adopt_replayed_order(*eng, shard, vs, now)) [[unlikely]]
        break;  // held until the feed names its instrument
      stats->venue_messages.add();
      if (journal) journal_venue(shard, venue_slot.sequence, venue_slot.bytes.data(), venue_slot.length, now);
      vs.next_venue_seq = venue_slot.sequence + 1;
      apply_venue(*eng, shard, venue_slot.bytes.data(), venue_slot.length, now, now);
    }
    if (!vs.reconciled && caught_up && vs.venue.empty() && !vs.holding) [[unlikely]] {
      vs.reconciled = true;
      vs.reconciled_shards->fetch_add(1, std::memory_order_acq_rel);
    }
    eng->set_session_up(up && vs.every_shard_reconciled());
  }
  if ((++session_stats_polls & kSessionStatsEveryPolls) == 0) [[unlikely]]
    copy_session_stats();
}

// The next venue message of the shard into venue_slot: the one held back, or the ring's next.
template <class Port>
inline bool Executor<Port>::next_venue_message(KernelVenueShard& vs) noexcept {
  if (!vs.holding) return vs.venue.pop(venue_slot);
  venue_slot = vs.held;
  vs.holding = false;
  return true;
}

// The venue's replay before this shard reconciled (no order of this run has left yet): an Accepted for an
// order the journal lost (its record was still in the writer's ring at a kill -9) is adopted
// (Engine::adopt_accepted) and journaled as an order record, ahead of the Accepted's own record, so the
// next restart reads a journal that knows the order. One whose symbol the feed has not named yet is held
// (false: take no more of this shard's messages this poll) for up to adopt_wait_ticks; after that it is
// judged, and refused, as any unknown order.
template <class Port>
inline bool Executor<Port>::adopt_replayed_order(trade::Engine& eng, uint32_t shard, KernelVenueShard& vs,
                                                 uint64_t now) noexcept {
  trade::OrderRequest r;
  const auto a = eng.adopt_accepted(venue_slot.bytes.data(), venue_slot.length, last_now, r);
  if (a == trade::Engine::Adoption::kNoInstrument) {
    if (vs.held_since == 0) vs.held_since = now;
    if (now - vs.held_since < vs.adopt_wait_ticks) {
      vs.held = venue_slot;
      vs.holding = true;
      return false;
    }
  }
  if (a != trade::Engine::Adoption::kAdopted || !journal) return true;
  std::array<uint8_t, kEnterOrderLength> ouch{};
  encode_enter_order(ouch.data(), r);
  journal_order(shard, r, ouch.data());
  return true;
}

// A login (the first), a reconnect (a later login) or the session going down, as a "session" record
// with the venue sequence number the next message will carry.
template <class Port>
inline void Executor<Port>::note_session_state(uint32_t shard, KernelVenueShard& vs,
                                               bool logged_in) noexcept {
  vs.was_logged_in = logged_in;
  journal::SessionEvent ev = journal::SessionEvent::kDown;
  if (logged_in) ev = vs.logins++ == 0 ? journal::SessionEvent::kLogin : journal::SessionEvent::kReconnect;
  if (journal) journal_session(shard, ev, vs.next_venue_seq);
}

// The hosted sessions' counters into this lcore's stats (the descriptor tables export them). Called
// by this lcore, or by the main thread once the lcores have stopped.
template <class Port>
inline void Executor<Port>::copy_session_stats() noexcept {
  SessionCounterSum sum;
  for (const trade::Engine* eng : driver.engines()) {
    const KernelVenueShard& vs = *venue_sessions[eng->shard_index()];
    sum.add(vs.session->counters(), vs.session->logged_in());
    const order_session::KernelCounters& kc = vs.session->kernel_counters();
    sum.add_tcp(kc.tcp_retransmits.load(), kc.tcp_srtt_ns.load());
  }
  sum.store(*stats);
}

}  // namespace sf::dataplane
