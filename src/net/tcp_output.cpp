// TcpConnection: the output side (send, window updates, retransmission) and the timers
// (RFC 6298 retransmission timer with back-off, zero-window probe, delayed ACK, TIME-WAIT).
#include <algorithm>
#include <cstdint>

#include "sniperforge/net/tcp_connection.hpp"

namespace sf::net {

uint16_t TcpConnection::receive_window() const noexcept {
  return static_cast<uint16_t>(std::min<std::size_t>(rx_.free(), 0xffff));
}

bool TcpConnection::can_send_data() const noexcept {
  return state_ == TcpState::kEstablished || state_ == TcpState::kCloseWait;
}

std::size_t TcpConnection::effective_mss() const noexcept {
  return std::max<std::size_t>(1, std::min(peer_mss_, config_.mss));
}

void TcpConnection::emit(uint32_t seq, uint8_t flags, std::size_t offset, std::size_t length) noexcept {
  OutSegment s;
  s.src_ip = config_.local_ip;
  s.dst_ip = config_.remote_ip;
  s.src_port = config_.local_port;
  s.dst_port = config_.remote_port;
  s.seq = seq;
  s.flags = flags;
  s.window = receive_window();
  if (flags & tcp_flag::kAck) {
    s.ack = rcv_nxt_;
    advertised_window_ = s.window;
    delayed_ack_deadline_ = 0;  // this segment carries the acknowledgement
    unacked_segments_ = 0;
  }
  if (flags & tcp_flag::kSyn) s.mss_option = config_.mss;
  if (length) {
    std::span<const uint8_t> a, b;
    tx_.view(offset, length, a, b);
    s.payload = a.data();
    s.payload_length = a.size();
    s.payload2 = b.data();
    s.payload2_length = b.size();
  }
  stats_.segments_out.add();
  sink_.emit(s);
}

void TcpConnection::emit_control(uint32_t seq, uint32_t ack, uint8_t flags) noexcept {
  OutSegment s;
  s.src_ip = config_.local_ip;
  s.dst_ip = config_.remote_ip;
  s.src_port = config_.local_port;
  s.dst_port = config_.remote_port;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  stats_.segments_out.add();
  sink_.emit(s);
}

std::size_t TcpConnection::send(std::span<const uint8_t> bytes, uint64_t now) noexcept {
  last_call_ns_ = now;
  if (!can_send_data() || fin_queued_) return 0;
  const std::size_t taken = tx_.append(bytes.data(), bytes.size());
  transmit(now);
  return taken;
}

void TcpConnection::consume(std::size_t n) noexcept {
  rx_.pop(n);
  const bool receiving =
      state_ == TcpState::kEstablished || state_ == TcpState::kFinWait1 || state_ == TcpState::kFinWait2;
  if (!receiving) return;
  // Receiver-side silly-window avoidance (RFC 9293 3.8.6.2.2): announce only a worthwhile opening.
  const std::size_t w = receive_window();
  const std::size_t step = std::min(effective_mss(), rx_.capacity() / 2);
  if ((advertised_window_ == 0 && w > 0) || w >= advertised_window_ + step) send_ack();
}

std::size_t TcpConnection::read(std::span<uint8_t> out) noexcept {
  std::size_t done = 0;
  while (done < out.size() && rx_.size()) {
    const std::span<const uint8_t> f = rx_.front();
    const std::size_t n = std::min(f.size(), out.size() - done);
    std::copy_n(f.data(), n, out.data() + done);
    rx_.pop(n);
    done += n;
  }
  if (done) consume(0);
  return done;
}

void TcpConnection::transmit(uint64_t now) noexcept {
  if (rto_recovery_ && state_ != TcpState::kSynSent) retransmit_after_timeout(now);
  if (!can_send_data()) return;
  // New data goes out while SND.NXT stays within min(cwnd, peer window) of SND.UNA.
  const uint32_t edge = snd_una_ + std::min(cwnd_, snd_wnd_);
  while (!rto_recovery_ || !seq_lt(rtx_next_, snd_nxt_)) {
    const std::size_t in_flight = snd_nxt_ - snd_una_;
    const std::size_t unsent = tx_.size() - std::min(tx_.size(), in_flight);
    if (unsent == 0) break;
    const std::size_t usable = seq_gt(edge, snd_nxt_) ? edge - snd_nxt_ : 0;
    const std::size_t len = std::min({unsent, usable, effective_mss()});
    if (len == 0) {
      if (snd_wnd_ == 0 && in_flight == 0 && rtx_deadline_ == 0) arm_retransmit(now);  // persist timer
      break;
    }
    emit(snd_nxt_, tcp_flag::kAck | tcp_flag::kPsh, in_flight, len);
    if (!rtt_timing_) {
      rtt_timing_ = true;
      rtt_seq_ = snd_nxt_ + static_cast<uint32_t>(len);
      rtt_start_ = now;
    }
    snd_nxt_ += static_cast<uint32_t>(len);
    if (rto_recovery_) rtx_next_ = snd_nxt_;
    stats_.bytes_sent.add(len);
    if (rtx_deadline_ == 0) arm_retransmit(now);
  }
  if (fin_queued_ && !fin_sent_ && snd_nxt_ - snd_una_ == tx_.size()) {
    emit(snd_nxt_, tcp_flag::kFin | tcp_flag::kAck, 0, 0);
    fin_sent_ = true;
    ++snd_nxt_;
    if (rto_recovery_) rtx_next_ = snd_nxt_;
    state_ = state_ == TcpState::kEstablished ? TcpState::kFinWait1 : TcpState::kLastAck;
    if (rtx_deadline_ == 0) arm_retransmit(now);
  }
}

// Resends the first unacknowledged segment (or the SYN, or the FIN); returns the sequence after it.
uint32_t TcpConnection::retransmit_first(uint64_t now) noexcept {
  rtt_timing_ = false;  // Karn: no RTT sample from anything sent twice
  if (state_ == TcpState::kSynSent) {
    emit(iss_, tcp_flag::kSyn, 0, 0);
    stats_.retransmitted_segments.add();
    return snd_nxt_;
  }
  const std::size_t in_flight = snd_nxt_ - snd_una_;
  const std::size_t data = in_flight - (fin_sent_ ? 1 : 0);
  if (data) {
    const std::size_t len = std::min(data, effective_mss());
    emit(snd_una_, tcp_flag::kAck | tcp_flag::kPsh, 0, len);
    note_retransmission(snd_una_, now);
    return snd_una_ + static_cast<uint32_t>(len);
  }
  if (fin_sent_) {
    emit(snd_una_, tcp_flag::kFin | tcp_flag::kAck, 0, 0);
    note_retransmission(snd_una_, now);
  }
  return snd_nxt_;
}

void TcpConnection::on_retransmit_timer(uint64_t now) noexcept {
  const std::size_t in_flight = snd_nxt_ - snd_una_;
  if (state_ != TcpState::kSynSent && in_flight == 0) {
    // Persist timer: the peer's window is zero and data waits. Send one byte beyond it; it is then
    // retransmitted with back-off like any data until the window opens.
    if (!can_send_data() || snd_wnd_ != 0 || tx_.size() == 0) return;
    stats_.zero_window_probes.add();
    emit(snd_nxt_, tcp_flag::kAck | tcp_flag::kPsh, 0, 1);
    ++snd_nxt_;
    stats_.bytes_sent.add(1);
    rtt_timing_ = false;
    return arm_retransmit(now);
  }
  stats_.timeouts.add();
  const uint32_t limit = state_ == TcpState::kSynSent ? config_.max_syn_retransmits : config_.max_retransmits;
  if (++retransmits_ > limit) {
    if (state_ != TcpState::kSynSent) send_rst(snd_nxt_);
    return finish(TcpCloseReason::kTimeout);
  }
  rto_.back_off();
  stats_.rto_ns.set(rto_.rto_ns());
  if (state_ == TcpState::kSynSent || snd_wnd_ == 0)
    retransmit_first(now);  // a SYN, or a zero-window probe: no sign of congestion
  else
    on_timeout_congestion(now);
  arm_retransmit(now);
}

void TcpConnection::poll(uint64_t now) noexcept {
  // Host-stall guard: our lcore was away longer than stall_gap_ns, so the peer's ACKs may be queued
  // (NIC ring, RX hand-off) unprocessed; an expiry now says nothing about the network. Give them one
  // more stall_gap_ns to be read before the timer fires and collapses cwnd.
  const bool was_away =
      config_.stall_gap_ns != 0 && last_call_ns_ != 0 && now > last_call_ns_ + config_.stall_gap_ns;
  last_call_ns_ = now;
  if (rtx_deadline_ && now >= rtx_deadline_) {
    if (was_away) {
      rtx_deadline_ = now + config_.stall_gap_ns;
      stats_.timeouts_deferred.add();
    } else {
      rtx_deadline_ = 0;
      on_retransmit_timer(now);
    }
  }
  if (delayed_ack_deadline_ && now >= delayed_ack_deadline_) send_ack();
  if (state_ == TcpState::kTimeWait && now >= time_wait_deadline_) finish(TcpCloseReason::kNormal);
}

uint64_t TcpConnection::next_deadline() const noexcept {
  uint64_t d = UINT64_MAX;
  if (rtx_deadline_) d = std::min(d, rtx_deadline_);
  if (delayed_ack_deadline_) d = std::min(d, delayed_ack_deadline_);
  if (state_ == TcpState::kTimeWait) d = std::min(d, time_wait_deadline_);
  return d;
}

}  // namespace sf::net
