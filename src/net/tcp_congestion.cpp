// TcpConnection: congestion control. RFC 5681 slow start and congestion avoidance (byte counting,
// RFC 3465 with L = 2), an RFC 6928 initial window (IW10: an order burst is not throttled), fast
// retransmit and NewReno fast recovery (RFC 6582), and after a timeout: cwnd = 1 MSS and go-back-N
// from SND.UNA bounded by cwnd. A timeout is undone as spurious (RFC 4015's response, detected
// without timestamps) on an ACK that can only answer original transmissions: one that ends inside the
// segment the timeout resent (a receiver given [SND.UNA, E) in one piece acknowledges at least E, so
// a smaller ACK is for the smaller originals: small orders, coalesced on resending), or one that comes
// sooner after a retransmission than any answer to it could (half the smallest RTT). So our own host
// stalling past the RTO with the ACKs queued unread costs one resent segment, not a window (the old
// go-back-N resent 175 orders once). Restart after idle (RFC 5681 4.1) is not done: a trading
// session idles for long stretches on a LAN and restarting at IW10 gains nothing.
#include <algorithm>

#include "sniperforge/net/tcp_connection.hpp"

namespace sf::net {

void TcpConnection::init_congestion(bool syn_retransmitted) noexcept {
  const auto mss = static_cast<uint32_t>(effective_mss());
  // RFC 5681 3.1: after a lost SYN the initial window is one segment.
  cwnd_ = syn_retransmitted ? mss : std::min(10 * mss, std::max(2 * mss, 14600u));
  ssthresh_ = UINT32_MAX;
  bytes_acked_ = 0;
  rto_recovery_ = false;
  stats_.cwnd.set(cwnd_);
}

void TcpConnection::take_rtt_sample(uint64_t rtt_ns) noexcept {
  rto_.sample(rtt_ns);
  if (min_rtt_ns_ == 0 || rtt_ns < min_rtt_ns_) min_rtt_ns_ = std::max<uint64_t>(rtt_ns, 1);
  stats_.srtt_ns.set(rto_.srtt_ns());
  stats_.rto_ns.set(rto_.rto_ns());
}

void TcpConnection::note_retransmission(uint32_t seq, uint64_t now) noexcept {
  if (now != last_rtx_ns_ || seq_lt(seq, last_rtx_seq_)) last_rtx_seq_ = seq;
  last_rtx_ns_ = now;
  stats_.retransmitted_segments.add();
}

// A new ACK (SND.UNA moved to `ack`) that acknowledges original transmissions, so those segments
// were not lost: it stops inside the segment the timeout resent (whose own answer would cover all of
// it), or it covers bytes whose only retransmission left less than half the smallest RTT ago.
bool TcpConnection::timeout_was_spurious(uint32_t ack, uint64_t now) const noexcept {
  if (!rto_recovery_) return false;
  if (seq_lt(ack, timeout_rtx_end_)) return true;
  return min_rtt_ns_ != 0 && seq_gt(ack, last_rtx_seq_) && now - last_rtx_ns_ < min_rtt_ns_ / 2;
}

// Called with every ACK that advances SND.UNA by `acked` bytes (SND.UNA already moved).
void TcpConnection::on_ack_congestion(uint32_t acked, uint64_t now) noexcept {
  const auto mss = static_cast<uint32_t>(effective_mss());
  if (timeout_was_spurious(snd_una_, now)) {
    stats_.spurious_timeouts.add();
    cwnd_ = cwnd_before_timeout_;
    ssthresh_ = ssthresh_before_timeout_;
    rto_recovery_ = in_recovery_ = false;
  } else if (rto_recovery_) {
    if (seq_lt(rtx_next_, snd_una_)) rtx_next_ = snd_una_;
    if (seq_ge(snd_una_, recover_)) rto_recovery_ = in_recovery_ = false;
    cwnd_ += std::min(acked, 2 * mss);  // slow start (cwnd < ssthresh after a timeout)
  } else if (in_recovery_) {
    if (seq_ge(snd_una_, recover_)) {
      // Full ACK: deflate to ssthresh (RFC 6582 3.2 step 3, option 2: on a LAN the next order
      // burst matters more than a possible burst of new data now).
      in_recovery_ = false;
      cwnd_ = ssthresh_;
    } else {  // partial ACK: resend the next hole, deflate by what was acknowledged
      retransmit_first(now);
      cwnd_ = (cwnd_ > acked ? cwnd_ - acked : 0) + (acked >= mss ? mss : 0);
      cwnd_ = std::max(cwnd_, mss);
    }
  } else if (cwnd_ < ssthresh_) {
    cwnd_ += std::min(acked, 2 * mss);
  } else {
    bytes_acked_ += acked;
    if (bytes_acked_ >= cwnd_) {
      bytes_acked_ -= cwnd_;
      cwnd_ += mss;
    }
  }
  stats_.cwnd.set(cwnd_);
}

void TcpConnection::on_duplicate_ack(uint64_t now) noexcept {
  const auto mss = static_cast<uint32_t>(effective_mss());
  if (rto_recovery_) return;  // go-back-N resends everything anyway
  if (in_recovery_) {
    cwnd_ += mss;                 // each duplicate: a segment left the network (RFC 5681 3.2 step 4)
  } else if (++dup_acks_ == 3) {  // RFC 5681 3.2 / RFC 6582
    stats_.fast_retransmits.add();
    ssthresh_ = std::max((snd_nxt_ - snd_una_) / 2, 2 * mss);
    in_recovery_ = true;
    recover_ = snd_nxt_;
    retransmit_first(now);
    cwnd_ = ssthresh_ + 3 * mss;
  }
  stats_.cwnd.set(cwnd_);
}

// The retransmission timer expired with data or FIN outstanding.
void TcpConnection::on_timeout_congestion(uint64_t now) noexcept {
  const auto mss = static_cast<uint32_t>(effective_mss());
  if (retransmits_ == 1) {  // first expiry for this data: later ones do not halve again
    cwnd_before_timeout_ = std::max(cwnd_, mss);
    ssthresh_before_timeout_ = ssthresh_;
    ssthresh_ = std::max((snd_nxt_ - snd_una_) / 2, 2 * mss);
  }
  cwnd_ = mss;
  bytes_acked_ = 0;
  dup_acks_ = 0;
  in_recovery_ = rto_recovery_ = true;
  recover_ = snd_nxt_;
  rtx_next_ = timeout_rtx_end_ = retransmit_first(now);
  stats_.cwnd.set(cwnd_);
}

// Go-back-N after a timeout: resend from rtx_next_ what cwnd and the peer's window allow.
void TcpConnection::retransmit_after_timeout(uint64_t now) noexcept {
  const uint32_t data_end = snd_nxt_ - (fin_sent_ ? 1 : 0);
  const uint32_t limit = std::min(cwnd_, snd_wnd_);
  while (seq_lt(rtx_next_, snd_nxt_)) {
    const uint32_t flight = rtx_next_ - snd_una_;
    if (flight >= limit) return;
    if (seq_lt(rtx_next_, data_end)) {
      const std::size_t len = std::min<std::size_t>({data_end - rtx_next_, effective_mss(), limit - flight});
      emit(rtx_next_, tcp_flag::kAck | tcp_flag::kPsh, flight, len);
      note_retransmission(rtx_next_, now);
      rtx_next_ += static_cast<uint32_t>(len);
    } else {
      emit(rtx_next_, tcp_flag::kFin | tcp_flag::kAck, 0, 0);
      note_retransmission(rtx_next_, now);
      rtx_next_ = snd_nxt_;
    }
  }
}

}  // namespace sf::net
