// One TCP client connection (RFC 9293, timers per RFC 6298) as a pure state machine: it never reads
// a clock and never does I/O. The caller passes `now` (ns, any monotonic origin) to every call,
// feeds it received segments (on_frame / on_segment) and calls poll(now) for its timers; it emits
// segments into the caller's SegmentSink (which frames them: an mbuf on DPDK, a raw socket in tests).
//
// Bytes in, bytes out: send() queues bytes and transmits them at once (no Nagle); received bytes
// are read in order with read() or front()/consume(). Buffers are allocated in the constructor
// only. The connection can be reused: connect() starts over from CLOSED.
//
// Congestion control is RFC 5681 with NewReno fast recovery (RFC 6582), an RFC 6928 initial window
// and RFC 3465 byte counting; see tcp_congestion.cpp. What is implemented and what is not (window
// scaling, SACK, ...) is in docs/protocols.md, "The TCP subset we implement".
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sniperforge/net/byte_ring.hpp"
#include "sniperforge/net/ooo_ranges.hpp"
#include "sniperforge/net/rto_estimator.hpp"
#include "sniperforge/net/tcp_segment.hpp"
#include "sniperforge/net/tcp_stats.hpp"

namespace sf::net {

// Where the connection's segments go. emit() must use (copy) the payload before it returns: it
// points into the connection's send buffer. Called from inside send/on_frame/on_segment/poll/
// consume/read/close/abort/connect, never from anywhere else.
class SegmentSink {
 public:
  virtual void emit(const OutSegment& segment) noexcept = 0;

 protected:
  ~SegmentSink() = default;
};

enum class TcpState : uint8_t {
  kClosed,
  kSynSent,
  kEstablished,
  kFinWait1,
  kFinWait2,
  kCloseWait,
  kClosing,
  kLastAck,
  kTimeWait
};
[[nodiscard]] std::string_view to_string(TcpState s) noexcept;

// Why the connection is (or is going) down.
enum class TcpCloseReason : uint8_t {
  kNone,     // open, or never opened
  kNormal,   // FINs exchanged both ways
  kReset,    // the peer sent RST on the established connection
  kRefused,  // the peer answered our SYN with RST
  kTimeout,  // retransmissions exhausted (the peer stopped acknowledging)
  kAborted,  // we called abort()
};
[[nodiscard]] std::string_view to_string(TcpCloseReason r) noexcept;

struct TcpConfig {
  uint32_t local_ip = 0;  // host order
  uint32_t remote_ip = 0;
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  bool has_vlan = false;  // segments must carry this 802.1Q VLAN (else: untagged), as our frames do
  uint16_t vlan_id = 0;
  uint16_t mss = 1460;  // advertised; also caps what we send
  std::size_t send_buffer = 256 * 1024;
  std::size_t receive_buffer = 64 * 1024;  // advertised window = free space, at most 65535 (no scaling)
  RtoLimits rto{};
  uint32_t max_retransmits = 8;           // consecutive expiries on data/FIN before kTimeout
  uint32_t max_syn_retransmits = 5;       // on the SYN
  uint64_t delayed_ack_ns = 0;            // 0: ACK every segment at once; else ACK every 2nd or after this
  uint64_t time_wait_ns = 1'000'000'000;  // 2 MSL shortened for a LAN peer
  uint32_t invalid_answers_per_s = 1000;  // ACKs/RSTs answering invalid segments (RFC 5961 7)
  // Host-stall guard (0: off). A caller that polls continuously (a DPDK lcore) sets it: when poll()
  // finds the retransmission timer expired after more than this without any call (the lcore was
  // descheduled), ACKs that arrived meanwhile may still wait in front of it, so the expiry is no
  // evidence of loss yet: the timer gets this much longer (counted `timeouts_deferred`).
  uint64_t stall_gap_ns = 0;
};

class TcpConnection {
 public:
  TcpConnection(const TcpConfig& config, SegmentSink& sink);

  // Active open: sends SYN (with MSS) from initial sequence number `isn` (the caller draws it at
  // random: random_isn()). Any previous connection state is discarded. local_port 0 keeps the
  // configured one.
  void connect(uint64_t now, uint32_t isn, uint16_t local_port = 0) noexcept;

  // Queues up to send_space() bytes and transmits what the peer's window allows at once. Returns
  // the bytes taken (0 unless ESTABLISHED or CLOSE-WAIT and not closing).
  std::size_t send(std::span<const uint8_t> bytes, uint64_t now) noexcept;
  // Bytes received in order and not yet read; front() is the contiguous part at the start.
  [[nodiscard]] std::size_t readable() const noexcept { return rx_.size(); }
  [[nodiscard]] std::span<const uint8_t> front() const noexcept { return rx_.front(); }
  // Frees n read bytes (window update sent when the window opens by an MSS or from zero).
  void consume(std::size_t n) noexcept;
  std::size_t read(std::span<uint8_t> out) noexcept;

  // Sends FIN after the queued bytes. Receiving continues until the peer's FIN.
  void close(uint64_t now) noexcept;
  // Sends RST and goes to CLOSED (kAborted).
  void abort() noexcept;

  // A whole received frame: parsed, checksums verified, then on_segment(). Bad frames are counted.
  void on_frame(const uint8_t* frame, std::size_t length, uint64_t now) noexcept;
  void on_segment(const TcpSegment& seg, uint64_t now) noexcept;
  // Timers: retransmission / zero-window probe, delayed ACK, TIME-WAIT.
  void poll(uint64_t now) noexcept;
  // The earliest time poll() has something to do (UINT64_MAX: nothing armed).
  [[nodiscard]] uint64_t next_deadline() const noexcept;

  [[nodiscard]] TcpState state() const noexcept { return state_; }
  [[nodiscard]] bool established() const noexcept { return state_ == TcpState::kEstablished; }
  // True once the peer's FIN has been received in order (no more bytes will come).
  [[nodiscard]] bool peer_closed() const noexcept { return peer_fin_; }
  [[nodiscard]] TcpCloseReason close_reason() const noexcept { return close_reason_; }
  // The connection is down for a reason the session layer should reconnect on.
  [[nodiscard]] bool failed() const noexcept {
    return close_reason_ == TcpCloseReason::kReset || close_reason_ == TcpCloseReason::kRefused ||
           close_reason_ == TcpCloseReason::kTimeout;
  }
  [[nodiscard]] std::size_t send_space() const noexcept { return tx_.free(); }
  [[nodiscard]] std::size_t unacknowledged() const noexcept { return snd_nxt_ - snd_una_; }
  [[nodiscard]] std::size_t queued() const noexcept { return tx_.size(); }
  // Queued bytes never sent yet: held by the congestion window or the peer's window (orders wait).
  [[nodiscard]] std::size_t unsent() const noexcept {
    return tx_.size() - std::min<std::size_t>(tx_.size(), snd_nxt_ - snd_una_);
  }
  // The sequence number after the last queued byte.
  [[nodiscard]] uint32_t queued_end() const noexcept { return snd_una_ + static_cast<uint32_t>(tx_.size()); }
  [[nodiscard]] const TcpStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const TcpConfig& config() const noexcept { return config_; }
  [[nodiscard]] uint64_t rto_ns() const noexcept { return rto_.rto_ns(); }
  [[nodiscard]] uint16_t peer_mss() const noexcept { return peer_mss_; }
  [[nodiscard]] uint32_t send_window() const noexcept { return snd_wnd_; }
  // Congestion window and slow-start threshold, bytes (RFC 5681).
  [[nodiscard]] uint32_t congestion_window() const noexcept { return cwnd_; }
  [[nodiscard]] uint32_t slow_start_threshold() const noexcept { return ssthresh_; }
  // SND.NXT: the next sequence number this connection would send (a new connection on the same
  // 4-tuple starts above it, so a peer in TIME-WAIT accepts its SYN).
  [[nodiscard]] uint32_t send_next() const noexcept { return snd_nxt_; }

 private:
  void on_syn_sent(const TcpSegment& seg, uint64_t now) noexcept;
  bool acceptable(const TcpSegment& seg) const noexcept;
  bool may_answer_invalid(uint64_t now) noexcept;
  void send_challenge_ack(uint64_t now) noexcept;
  bool process_ack(const TcpSegment& seg, uint64_t now) noexcept;
  void process_new_ack(uint32_t ack, uint64_t now) noexcept;
  void process_payload(const TcpSegment& seg, uint64_t now) noexcept;
  void process_fin(const TcpSegment& seg, uint64_t now) noexcept;
  void transmit(uint64_t now) noexcept;
  uint32_t retransmit_first(uint64_t now) noexcept;
  // Congestion control (tcp_congestion.cpp).
  void init_congestion(bool syn_retransmitted) noexcept;
  void on_ack_congestion(uint32_t acked, uint64_t now) noexcept;
  void on_duplicate_ack(uint64_t now) noexcept;
  void on_timeout_congestion(uint64_t now) noexcept;
  bool timeout_was_spurious(uint32_t ack, uint64_t now) const noexcept;
  void retransmit_after_timeout(uint64_t now) noexcept;
  void note_retransmission(uint32_t seq, uint64_t now) noexcept;
  void take_rtt_sample(uint64_t rtt_ns) noexcept;
  void on_retransmit_timer(uint64_t now) noexcept;
  void emit(uint32_t seq, uint8_t flags, std::size_t offset, std::size_t length) noexcept;
  void send_ack() noexcept { emit(snd_nxt_, tcp_flag::kAck, 0, 0); }
  void send_rst(uint32_t seq) noexcept { emit_control(seq, 0, tcp_flag::kRst); }
  void emit_control(uint32_t seq, uint32_t ack, uint8_t flags) noexcept;
  void finish(TcpCloseReason reason) noexcept;
  void arm_retransmit(uint64_t now) noexcept { rtx_deadline_ = now + rto_.rto_ns(); }
  void enter_time_wait(uint64_t now) noexcept;
  [[nodiscard]] uint16_t receive_window() const noexcept;
  [[nodiscard]] bool can_send_data() const noexcept;
  [[nodiscard]] std::size_t effective_mss() const noexcept;

  TcpConfig config_;
  SegmentSink& sink_;
  TcpStats stats_;
  ByteRing tx_;  // bytes from SND.UNA: sent-unacknowledged, then unsent
  ByteRing rx_;  // bytes before RCV.NXT not yet read; out-of-order bytes written beyond
  OooRanges ooo_;
  RtoEstimator rto_;

  TcpState state_ = TcpState::kClosed;
  TcpCloseReason close_reason_ = TcpCloseReason::kNone;
  uint32_t iss_ = 0, snd_una_ = 0, snd_nxt_ = 0, snd_wl1_ = 0, snd_wl2_ = 0;
  uint32_t snd_wnd_ = 0, max_snd_wnd_ = 0;
  uint32_t irs_ = 0, rcv_nxt_ = 0;
  uint16_t peer_mss_ = 536;  // RFC 9293 default when the SYN-ACK carries no MSS
  uint16_t advertised_window_ = 0;
  bool fin_queued_ = false;  // close() called: FIN follows the queued bytes
  bool fin_sent_ = false;    // our FIN occupies SND.NXT - 1
  bool peer_fin_ = false;

  uint64_t rtx_deadline_ = 0;  // 0: timer off
  uint32_t retransmits_ = 0;   // consecutive expiries without progress
  uint32_t recover_ = 0;       // SND.NXT when loss was detected: partial ACKs below it retransmit
  bool in_recovery_ = false;
  uint32_t dup_acks_ = 0;
  uint32_t cwnd_ = 0, ssthresh_ = UINT32_MAX;  // bytes (RFC 5681)
  uint32_t bytes_acked_ = 0;                   // congestion avoidance byte counting (RFC 3465)
  bool rto_recovery_ = false;     // after a timeout: go-back-N from rtx_next_ up to recover_, bounded by cwnd
  uint32_t rtx_next_ = 0;         // next sequence to retransmit while rto_recovery_
  uint32_t timeout_rtx_end_ = 0;  // end of the segment the latest timeout resent (spurious test)
  uint32_t cwnd_before_timeout_ = 0, ssthresh_before_timeout_ = 0;  // restored if it was spurious
  uint64_t last_rtx_ns_ = 0;   // when the latest batch of retransmissions left
  uint32_t last_rtx_seq_ = 0;  // first sequence retransmitted in that batch
  uint64_t min_rtt_ns_ = 0;    // smallest RTT sample (0: none yet)
  bool rtt_timing_ = false;    // a segment is being timed (Karn: never a retransmitted one)
  uint32_t rtt_seq_ = 0;       // timed segment's end
  uint64_t rtt_start_ = 0;
  uint64_t last_call_ns_ = 0;  // the latest now passed to poll/send/on_segment (host-stall guard)
  uint64_t delayed_ack_deadline_ = 0;
  uint32_t unacked_segments_ = 0;  // received, not yet acknowledged (delayed ACK)
  uint64_t time_wait_deadline_ = 0;
  uint64_t invalid_window_start_ = 0;  // one-second window of the invalid-segment answer limit
  uint32_t invalid_answers_ = 0;
};

// A random initial sequence number (std::random_device; call it off the hot path, at connect).
[[nodiscard]] uint32_t random_isn();

}  // namespace sf::net
