// One shard's SoupBinTCP session over the appliance's own TCP (`[order_session] transport = "dpdk"`):
// a net::TcpConnection carrying a ClientSession, both driven by the executor lcore that hosts the
// shard. DPDK-free and clock-free like its parts: frames in (on_frame), timers (poll), orders in
// (send), venue messages out through the ClientSession's Listener, and outgoing segments to the
// caller's net::SegmentSink (which frames them into mbufs). Allocates only in its constructor; no
// lock, no syscall.
//
// The connection's events become the session's transport events: ESTABLISHED is on_connected, the
// bytes received in order are on_bytes, a reset, a timeout or the peer's FIN is on_closed (our FIN
// answers the peer's). The session's close() resets the connection (RST), so a reconnect from the
// same port finds no half-open state at the venue. Each connection's initial sequence number lies
// 2^20..2^21 above the previous connection's last one (a kernel peer in TIME-WAIT accepts the SYN,
// RFC 9293 3.4.1); the first one is drawn from the secret given at construction.
#pragma once

#include <cstdint>
#include <span>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/net/tcp_connection.hpp"
#include "sniperforge/session/client_session.hpp"

namespace sf::order_session {

struct TcpVenueSessionConfig {
  net::TcpConfig tcp;       // our and the venue's addresses and ports, buffers, RTO limits
  Credentials credentials;  // password read from its file by the caller, never logged
  Timing timing;            // heartbeat, timeout, reconnect back-off
  uint64_t isn_secret = 0;  // seeds the first initial sequence number (drawn off the lcore)
};

// What the transport itself counts, beyond the session's and the connection's counters.
struct TcpVenueCounters {
  Counter send_overflow;  // session bytes the connection's send buffer could not take: reconnect
  // OUCH messages (orders, cancels) that did not leave at once: the TCP congestion window (or the
  // venue's receive window) held their bytes in the send buffer until ACKs opened it.
  Counter orders_held;
};

class TcpVenueSession final : private Transport {
 public:
  TcpVenueSession(const TcpVenueSessionConfig& cfg, net::SegmentSink& out, Listener& listener);

  // Start connecting (call once the next hop's MAC is known); logout: Logout Request, no reconnect.
  void start(uint64_t now) {
    now_ = now;
    session_.start(now);
  }
  void logout(uint64_t now);
  // Before start(): the first login asks for venue sequence `next` (ClientSession::resume_at).
  void resume_at(uint64_t next) noexcept { session_.resume_at(next); }

  // A whole received frame for this connection (checksums verified and every drop counted by the
  // connection), or a segment already parsed.
  void on_frame(const uint8_t* frame, std::size_t length, uint64_t now) noexcept;
  // Timers of the connection and the session.
  void poll(uint64_t now) noexcept;
  // One OUCH inbound message as Unsequenced Data (refused unless logged in).
  SendResult send(std::span<const uint8_t> ouch_message, uint64_t now) noexcept;

  [[nodiscard]] bool logged_in() const noexcept { return session_.logged_in(); }
  [[nodiscard]] bool started() const noexcept { return session_.state() != State::kIdle; }
  [[nodiscard]] const ClientSession& session() const noexcept { return session_; }
  [[nodiscard]] const net::TcpConnection& connection() const noexcept { return tcp_; }
  [[nodiscard]] const TcpVenueCounters& counters() const noexcept { return counters_; }

 private:
  // Transport (called by the session).
  void connect() override;
  void send(std::span<const uint8_t> bytes) override;
  void close() override;
  // The connection's new state and bytes into the session.
  void after_input() noexcept;
  [[nodiscard]] uint32_t next_isn() noexcept;

  net::TcpConnection tcp_;
  ClientSession session_;
  TcpVenueCounters counters_;
  uint64_t now_ = 0;
  uint64_t isn_state_;
  bool ever_connected_ = false;
  bool connecting_ = false;  // SYN sent, not yet ESTABLISHED
  bool connected_ = false;   // ESTABLISHED reported to the session, no close reported since
};

}  // namespace sf::order_session
