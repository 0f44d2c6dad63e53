// The RX processor's recovery plumbing (#12): FeedRecovery's sink (Recover: retransmitted messages to apply,
// the recovery's steps for the executors), the GLIMPSE fallback's side of the RX lcore (poll_snapshot) and
// the recovery step events (push_recovery). Members of RxProcessor<Sink>, kept apart from rx_processor.hpp.
#pragma once

#include "sniperforge/dataplane/rx_processor.hpp"

namespace sf::dataplane {

// FeedRecovery's sink: messages to apply in order, and the recovery's steps for the executors.
template <class Sink>
struct RxProcessor<Sink>::Recover {
  RxProcessor& rx;
  void apply(uint64_t seq, const uint8_t* msg, std::size_t len) noexcept {
    rx.route(mold::Block{msg, static_cast<uint16_t>(len), seq}, rx.now_);
  }
  void recovery_started() noexcept {
    for (uint16_t e = 0; e < rx.stages_.size(); ++e)
      rx.ring_drops_at_start_[e] = rx.stats_.ring_dropped_full[e].load();
    rx.push_recovery(RecoveryStep::kStarted, [](uint16_t) { return true; });
  }
  // An executor whose ring overflowed meanwhile lost events of its own: its books stay stale.
  void recovered(uint64_t /*ticks*/) noexcept {
    rx.push_recovery(RecoveryStep::kRecovered, [this](uint16_t e) {
      return rx.stats_.ring_dropped_full[e].load() == rx.ring_drops_at_start_[e];
    });
    rx.push_recovery(RecoveryStep::kEnded, [this](uint16_t e) {
      return rx.stats_.ring_dropped_full[e].load() != rx.ring_drops_at_start_[e];
    });
  }
  void recovery_failed(uint64_t next_seq) noexcept {
    rx.mark_all_stale(StaleReason::kGap, rx.now_, next_seq);
    rx.push_recovery(RecoveryStep::kEnded, [](uint16_t) { return true; });
  }
  // The engines stay recovering (no order) on stale books until the snapshot's books are in.
  void snapshot_wanted(uint64_t next_seq) noexcept {
    rx.mark_all_stale(StaleReason::kGap, rx.now_, next_seq);
    if (rx.handoff_) (void)rx.handoff_->want();  // busy: poll_snapshot() asks again
  }
};

// The GLIMPSE fallback's side of the RX lcore, once per tick: ask, swap in, or give up.
template <class Sink>
inline void RxProcessor<Sink>::poll_snapshot(uint64_t tsc) noexcept {
  const SnapshotHandoff::State st = handoff_->state();
  if (!recovery_->awaiting_snapshot()) {
    if (st == SnapshotHandoff::State::kReady) handoff_->swapping(0);  // no longer wanted: freed unused
    if (st == SnapshotHandoff::State::kFailed) handoff_->failure_seen();
    return;
  }
  Recover out{*this};
  if (st == SnapshotHandoff::State::kIdle) {
    (void)handoff_->want();
  } else if (st == SnapshotHandoff::State::kFailed) {
    handoff_->failure_seen();
    recovery_->on_snapshot_failed(out);
  } else if (st == SnapshotHandoff::State::kReady) {
    // One swap event per executor, behind everything routed so far; one a full ring lost is not awaited
    // (that executor's books stay stale: ring_dropped_full).
    uint32_t delivered = 0;
    for (uint16_t e = 0; e < stages_.size(); ++e) {
      const uint64_t lost_before = stats_.ring_dropped_full[e].load();
      Event ev;
      pack_snapshot_swap(ev, handoff_->next_sequence(), tsc, handoff_);
      push(e, ev);
      flush_one(e);
      if (stats_.ring_dropped_full[e].load() == lost_before) ++delivered;
    }
    handoff_->swapping(delivered);
    recovery_->on_snapshot(handoff_->next_sequence(), tsc, out);
  }
}

template <class Sink>
template <class Which>
inline void RxProcessor<Sink>::push_recovery(RecoveryStep step, Which which) noexcept {
  for (uint16_t e = 0; e < stages_.size(); ++e) {
    if (!which(e)) continue;
    Event ev;
    pack_recovery(ev, arb_.next(), now_, step);
    push(e, ev);
  }
}

}  // namespace sf::dataplane
