// TcpConnection: open, close, and the input side (RFC 9293 section 3.10.7, RFC 5961 challenge
// ACKs). The output side and the timers are in tcp_output.cpp.
#include "sniperforge/net/tcp_connection.hpp"

#include <algorithm>
#include <random>

namespace sf::net {

std::string_view to_string(TcpState s) noexcept {
  switch (s) {
    case TcpState::kClosed:
      return "closed";
    case TcpState::kSynSent:
      return "syn_sent";
    case TcpState::kEstablished:
      return "established";
    case TcpState::kFinWait1:
      return "fin_wait_1";
    case TcpState::kFinWait2:
      return "fin_wait_2";
    case TcpState::kCloseWait:
      return "close_wait";
    case TcpState::kClosing:
      return "closing";
    case TcpState::kLastAck:
      return "last_ack";
    case TcpState::kTimeWait:
      return "time_wait";
  }
  return "invalid";
}

std::string_view to_string(TcpCloseReason r) noexcept {
  switch (r) {
    case TcpCloseReason::kNone:
      return "none";
    case TcpCloseReason::kNormal:
      return "normal";
    case TcpCloseReason::kReset:
      return "reset";
    case TcpCloseReason::kRefused:
      return "refused";
    case TcpCloseReason::kTimeout:
      return "timeout";
    case TcpCloseReason::kAborted:
      return "aborted";
  }
  return "invalid";
}

uint32_t random_isn() {
  std::random_device rd;
  return static_cast<uint32_t>(rd());
}

TcpConnection::TcpConnection(const TcpConfig& config, SegmentSink& sink)
    : config_(config), sink_(sink), tx_(config.send_buffer), rx_(config.receive_buffer), rto_(config.rto) {}

void TcpConnection::connect(uint64_t now, uint32_t isn, uint16_t local_port) noexcept {
  if (local_port) config_.local_port = local_port;
  tx_.clear();
  rx_.clear();
  ooo_.clear();
  rto_.reset();
  state_ = TcpState::kSynSent;
  close_reason_ = TcpCloseReason::kNone;
  iss_ = snd_una_ = isn;
  snd_nxt_ = isn + 1;
  snd_wnd_ = max_snd_wnd_ = snd_wl1_ = snd_wl2_ = 0;
  irs_ = rcv_nxt_ = 0;
  peer_mss_ = 536;
  fin_queued_ = fin_sent_ = peer_fin_ = false;
  retransmits_ = dup_acks_ = unacked_segments_ = 0;
  in_recovery_ = rto_recovery_ = false;
  min_rtt_ns_ = last_rtx_ns_ = 0;
  last_call_ns_ = now;
  rtt_timing_ = true;
  rtt_seq_ = snd_nxt_;
  rtt_start_ = now;
  delayed_ack_deadline_ = time_wait_deadline_ = 0;
  stats_.connects.add();
  stats_.rto_ns.set(rto_.rto_ns());
  emit(iss_, tcp_flag::kSyn, 0, 0);
  arm_retransmit(now);
}

void TcpConnection::close(uint64_t now) noexcept {
  if (state_ == TcpState::kSynSent) {
    finish(TcpCloseReason::kNormal);
  } else if (state_ == TcpState::kEstablished || state_ == TcpState::kCloseWait) {
    fin_queued_ = true;
    transmit(now);
  }
}

void TcpConnection::abort() noexcept {
  if (state_ == TcpState::kClosed) return;
  if (state_ != TcpState::kSynSent) send_rst(snd_nxt_);
  finish(TcpCloseReason::kAborted);
}

void TcpConnection::finish(TcpCloseReason reason) noexcept {
  state_ = TcpState::kClosed;
  close_reason_ = reason;
  rtx_deadline_ = delayed_ack_deadline_ = time_wait_deadline_ = 0;
}

void TcpConnection::enter_time_wait(uint64_t now) noexcept {
  state_ = TcpState::kTimeWait;
  rtx_deadline_ = 0;
  time_wait_deadline_ = now + std::max<uint64_t>(config_.time_wait_ns, 1);
}

void TcpConnection::on_frame(const uint8_t* frame, std::size_t length, uint64_t now) noexcept {
  TcpSegment seg;
  const TcpParseError e = parse_tcp_frame(frame, length, seg);
  if (e == TcpParseError::kOk) return on_segment(seg, now);
  stats_.drop(e == TcpParseError::kBadChecksum ? TcpDrop::kBadChecksum : TcpDrop::kMalformed);
}

void TcpConnection::on_segment(const TcpSegment& seg, uint64_t now) noexcept {
  if (config_.has_vlan ? seg.vlan_tags == 0 || seg.vlan_id != config_.vlan_id : seg.vlan_tags != 0)
    return stats_.drop(TcpDrop::kOtherVlan);
  if (seg.src_ip != config_.remote_ip || seg.dst_ip != config_.local_ip)
    return stats_.drop(TcpDrop::kOtherSource);
  if (seg.src_port != config_.remote_port || seg.dst_port != config_.local_port)
    return stats_.drop(TcpDrop::kWrongPort);
  stats_.segments_in.add();
  last_call_ns_ = now;
  if (state_ == TcpState::kClosed) {
    stats_.drop(TcpDrop::kNoConnection);
    if (seg.has(tcp_flag::kRst) || !may_answer_invalid(now)) return;
    // RFC 9293 3.10.7.1: a reset tells the peer this connection no longer exists.
    if (seg.has(tcp_flag::kAck)) return emit_control(seg.ack, 0, tcp_flag::kRst);
    return emit_control(0, seg.seq + seg.sequence_length(), tcp_flag::kRst | tcp_flag::kAck);
  }
  if (state_ == TcpState::kSynSent) return on_syn_sent(seg, now);

  if (!acceptable(seg)) {
    if (!seg.has(tcp_flag::kRst) && may_answer_invalid(now)) send_ack();
    const bool old = seg.sequence_length() > 0 && seq_le(seg.seq + seg.sequence_length(), rcv_nxt_);
    if (old)
      stats_.duplicate_segments.add();  // the peer retransmitted what we have: our ACK was lost
    else
      stats_.drop(TcpDrop::kOutOfWindow);
    return;
  }
  if (seg.has(tcp_flag::kRst)) {
    if (seg.seq != rcv_nxt_) {  // RFC 5961 3.2: only an exact RST resets; ask for proof otherwise
      send_challenge_ack(now);
      return stats_.drop(TcpDrop::kRstNotExact);
    }
    stats_.resets_received.add();
    return finish(state_ == TcpState::kTimeWait ? TcpCloseReason::kNormal : TcpCloseReason::kReset);
  }
  if (seg.has(tcp_flag::kSyn)) {  // RFC 5961 4.2
    send_challenge_ack(now);
    return stats_.drop(TcpDrop::kUnexpectedSyn);
  }
  if (!seg.has(tcp_flag::kAck)) return stats_.drop(TcpDrop::kNoAckFlag);
  if (!process_ack(seg, now)) return;
  const bool receiving =
      state_ == TcpState::kEstablished || state_ == TcpState::kFinWait1 || state_ == TcpState::kFinWait2;
  if (receiving && seg.payload_length) process_payload(seg, now);
  if (receiving && seg.has(tcp_flag::kFin)) process_fin(seg, now);
  transmit(now);
}

void TcpConnection::on_syn_sent(const TcpSegment& seg, uint64_t now) noexcept {
  if (seg.has(tcp_flag::kAck) && seg.ack != snd_nxt_) {
    if (!seg.has(tcp_flag::kRst)) emit_control(seg.ack, 0, tcp_flag::kRst);
    return stats_.drop(TcpDrop::kBadAck);
  }
  if (seg.has(tcp_flag::kRst)) {
    if (!seg.has(tcp_flag::kAck)) return stats_.drop(TcpDrop::kNoAckFlag);
    stats_.resets_received.add();
    return finish(TcpCloseReason::kRefused);
  }
  if (!seg.has(tcp_flag::kSyn)) return stats_.drop(TcpDrop::kNoConnection);
  if (!seg.has(tcp_flag::kAck))
    return stats_.drop(TcpDrop::kUnexpectedSyn);  // simultaneous open: unsupported
  irs_ = seg.seq;
  rcv_nxt_ = seg.seq + 1;
  snd_una_ = seg.ack;
  peer_mss_ = seg.mss ? seg.mss : 536;
  snd_wnd_ = max_snd_wnd_ = seg.window;
  snd_wl1_ = seg.seq;
  snd_wl2_ = seg.ack;
  if (rtt_timing_) {
    take_rtt_sample(now - rtt_start_);
  } else if (!rto_.has_sample()) {
    rto_.reset();  // the SYN was retransmitted: do not start data on a backed-off timer
  }
  stats_.rto_ns.set(rto_.rto_ns());
  init_congestion(!rtt_timing_);
  rtt_timing_ = false;
  retransmits_ = 0;
  rtx_deadline_ = 0;
  state_ = TcpState::kEstablished;
  send_ack();
  transmit(now);
}

// RFC 5961 section 7: answers to invalid segments (ACKs to out-of-window data, challenge ACKs, RSTs
// from a closed connection) are limited per second, so forged traffic cannot make us send at will.
bool TcpConnection::may_answer_invalid(uint64_t now) noexcept {
  if (now - invalid_window_start_ >= 1'000'000'000) {
    invalid_window_start_ = now;
    invalid_answers_ = 0;
  }
  if (invalid_answers_ >= config_.invalid_answers_per_s) {
    stats_.answers_suppressed.add();
    return false;
  }
  ++invalid_answers_;
  return true;
}

void TcpConnection::send_challenge_ack(uint64_t now) noexcept {
  if (!may_answer_invalid(now)) return;
  send_ack();
  stats_.challenge_acks.add();
}

bool TcpConnection::acceptable(const TcpSegment& seg) const noexcept {
  const uint32_t wnd = receive_window();
  const uint32_t len = seg.sequence_length();
  const bool starts_in = seq_le(rcv_nxt_, seg.seq) && seq_lt(seg.seq, rcv_nxt_ + wnd);
  if (wnd == 0) return seg.seq == rcv_nxt_;  // ACK/RST/FIN still count; payload is trimmed away
  if (len == 0) return starts_in;
  const uint32_t last = seg.seq + len - 1;
  return starts_in || (seq_le(rcv_nxt_, last) && seq_lt(last, rcv_nxt_ + wnd));
}

bool TcpConnection::process_ack(const TcpSegment& seg, uint64_t now) noexcept {
  const uint32_t ack = seg.ack;
  const uint32_t oldest = snd_una_ - std::max<uint32_t>(max_snd_wnd_, 1);
  if (seq_gt(ack, snd_nxt_) || seq_lt(ack, oldest)) {  // RFC 5961 5.2
    if (may_answer_invalid(now)) send_ack();
    stats_.drop(TcpDrop::kBadAck);
    return false;
  }
  const bool window_changed = seg.window != snd_wnd_;
  if (seq_gt(ack, snd_una_)) {
    process_new_ack(ack, now);
  } else if (ack == snd_una_ && snd_nxt_ != snd_una_ && seg.payload_length == 0 && !seg.has(tcp_flag::kFin) &&
             !window_changed) {
    stats_.duplicate_acks.add();
    on_duplicate_ack(now);
  }
  if (seq_lt(snd_wl1_, seg.seq) || (snd_wl1_ == seg.seq && seq_le(snd_wl2_, ack))) {
    snd_wnd_ = seg.window;
    max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
    snd_wl1_ = seg.seq;
    snd_wl2_ = ack;
    if (snd_wnd_ == 0 && ack == snd_una_) retransmits_ = 0;  // a peer answering our probes is alive
  }
  if (fin_sent_ && ack == snd_nxt_) {  // our FIN is acknowledged
    if (state_ == TcpState::kFinWait1) state_ = TcpState::kFinWait2;
    if (state_ == TcpState::kClosing) enter_time_wait(now);
    if (state_ == TcpState::kLastAck) {
      finish(TcpCloseReason::kNormal);
      return false;
    }
  }
  return true;
}

void TcpConnection::process_new_ack(uint32_t ack, uint64_t now) noexcept {
  const uint32_t acked = ack - snd_una_;
  const bool fin_acked = fin_sent_ && ack == snd_nxt_;
  tx_.pop(acked - (fin_acked ? 1 : 0));
  snd_una_ = ack;
  dup_acks_ = 0;
  retransmits_ = 0;
  if (rtt_timing_ && seq_ge(ack, rtt_seq_)) {
    take_rtt_sample(now - rtt_start_);
    rtt_timing_ = false;
  }
  on_ack_congestion(acked, now);
  if (snd_una_ == snd_nxt_)
    rtx_deadline_ = 0;
  else
    arm_retransmit(now);
}

void TcpConnection::process_payload(const TcpSegment& seg, uint64_t now) noexcept {
  uint32_t seq = seg.seq;
  const uint8_t* p = seg.payload;
  std::size_t n = seg.payload_length;
  if (seq_lt(seq, rcv_nxt_)) {  // overlap with what we have: keep the new part
    const std::size_t skip = rcv_nxt_ - seq;
    n = skip >= n ? 0 : n - skip;
    p += std::min(skip, seg.payload_length);
    seq = rcv_nxt_;
  }
  const std::size_t wnd = receive_window();
  const std::size_t off = seq - rcv_nxt_;
  n = off >= wnd ? 0 : std::min(n, wnd - off);  // never beyond the window we advertised
  if (n == 0) return send_ack();
  if (off != 0) {
    if (ooo_.insert(seq, seq + static_cast<uint32_t>(n))) {
      rx_.write_at(rx_.size() + off, p, n);
      stats_.ooo_segments.add();
    } else {
      stats_.drop(TcpDrop::kOooOverflow);
    }
    return send_ack();  // immediate duplicate ACK tells the peer where the hole is (RFC 5681 4.2)
  }
  rx_.write_at(rx_.size(), p, n);
  const uint32_t in_order_end = rcv_nxt_ + static_cast<uint32_t>(n);
  const uint32_t next = ooo_.count() ? ooo_.advance(in_order_end) : in_order_end;
  const std::size_t delivered = next - rcv_nxt_;
  rx_.commit(delivered);
  rcv_nxt_ = next;
  stats_.bytes_received.add(delivered);
  const bool filled_hole = next != in_order_end;
  if (config_.delayed_ack_ns == 0 || filled_hole || ++unacked_segments_ >= 2) return send_ack();
  if (delayed_ack_deadline_ == 0) delayed_ack_deadline_ = now + config_.delayed_ack_ns;
}

void TcpConnection::process_fin(const TcpSegment& seg, uint64_t now) noexcept {
  if (seg.seq + static_cast<uint32_t>(seg.payload_length) != rcv_nxt_) return;  // out of order: peer resends
  rcv_nxt_ += 1;
  peer_fin_ = true;
  send_ack();
  if (state_ == TcpState::kEstablished)
    state_ = TcpState::kCloseWait;
  else if (state_ == TcpState::kFinWait1)
    state_ = TcpState::kClosing;
  else if (state_ == TcpState::kFinWait2)
    enter_time_wait(now);
}

}  // namespace sf::net
