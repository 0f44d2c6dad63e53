// SoupBinTCP 4.1 client session (one per shard), DPDK-free and clock-free: bytes in, bytes out.
//
// The session never does I/O and never reads a clock. Its transport (kernel socket, or the
// appliance's own TCP) reports connected / bytes / closed, and the caller passes `now` (ns, any
// monotonic origin) to every call and calls poll(now) regularly for the timers:
//   - a Client Heartbeat after heartbeat_ms without sending anything (while logged in);
//   - the peer is dead after timeout_ms without receiving anything (login or logged in): close,
//     reconnect;
//   - reconnects wait a back-off that doubles from reconnect_min_ms up to reconnect_max_ms after each
//     attempt that did not reach Login Accepted, and starts over after a successful login.
// Sequencing: Login Accepted carries the number of the next Sequenced Data packet; each 'S' takes
// the next number. The session keeps the number of the next message it has not delivered and
// requests exactly that one at every re-login, so a message is never lost; one the server sends
// again below it (a server that ignores the request) is skipped and counted, never delivered twice.
// Orders (OUCH inbound messages) go out as Unsequenced Data only while logged in; an Enter or
// Replace whose UserRefNum is not above every one sent (or seen accepted) before is refused.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/proto/soupbintcp.hpp"

namespace sf::order_session {

enum class State : uint8_t {
  kIdle,        // not started
  kBackoff,     // waiting to (re)connect
  kConnecting,  // transport asked to connect
  kLoginSent,   // connected, Login Request sent
  kLoggedIn,    // Login Accepted: orders may go out
  kLoggingOut,  // Logout Request sent, waiting for the server to close
  kEnded,       // End of Session received, or logged out: no more reconnects
};
[[nodiscard]] std::string_view to_string(State s) noexcept;

// What the session asks of its byte stream ("connect / bytes out / close"; bytes in and closed come
// back through ClientSession::on_bytes / on_closed).
class Transport {
 public:
  virtual ~Transport() = default;
  // Open a new connection to the venue; answer with on_connected() or on_closed().
  virtual void connect() = 0;
  // Bytes out, in order; the transport buffers what the connection cannot take yet.
  virtual void send(std::span<const uint8_t> bytes) = 0;
  // Close the connection now (no on_closed() is expected for it).
  virtual void close() = 0;
};

// Where venue messages go.
class Listener {
 public:
  virtual ~Listener() = default;
  // One OUCH outbound message from Sequenced Data, with its sequence number; each number once.
  virtual void on_sequenced(uint64_t sequence, std::span<const uint8_t> message) = 0;
  virtual void on_state(State) {}
};

struct Timing {
  uint32_t heartbeat_ms = 1000;
  uint32_t timeout_ms = 15000;
  uint32_t reconnect_min_ms = 100;
  uint32_t reconnect_max_ms = 5000;
};

struct Credentials {
  std::string username;         // up to 6
  std::string password;         // up to 10; never logged or exported
  std::string session;          // blank = the server's current session
  uint64_t first_sequence = 1;  // requested at the first login (1 = the whole session; a restart asks for
                                // the one after the last its journal processed: LoginConfig)
};

enum class SendResult : uint8_t { kSent, kSessionDown, kUserRefNumNotIncreasing, kTooLarge };

// Written by the session's thread only; read by anyone (relaxed).
struct SessionCounters {
  Shared<uint8_t> state;
  // 1 once the venue's replay after the latest Login Accepted has ended: SoupBinTCP has no marker for it,
  // but a server sends a heartbeat only when it has had nothing to send for its interval, so the first
  // Server Heartbeat after the login (or our own heartbeat interval without anything received) says every
  // message it held for us is delivered. Back to 0 at each login. (Restart reconciliation, issue #13.)
  Shared<uint8_t> caught_up;
  Counter reconnects;  // connection attempts after the first
  Counter logins_accepted;
  Counter logins_rejected;
  Counter timeouts;  // peer silent for timeout_ms
  Counter heartbeats_sent;
  Counter heartbeats_received;
  Counter bytes_in;
  Counter bytes_out;
  Counter sequenced;           // delivered to the listener
  Counter duplicates_skipped;  // sent again below our next number: not delivered
  Counter sequence_gaps;       // Login Accepted above our next number: those messages are lost
  Counter unexpected;          // a valid packet in a state where it makes no sense
  Counter orders_sent;
  Counter orders_refused_session_down;
  Counter orders_refused_user_ref_num;
  Counter dropped[static_cast<std::size_t>(soupbintcp::Drop::kCount)];  // by soupbintcp::Drop
};

class ClientSession {
 public:
  ClientSession(Credentials creds, Timing timing, Transport& transport, Listener& listener);

  // Start connecting (at the next poll).
  void start(uint64_t now);
  // Before start(): the first login asks for `next` instead of Credentials::first_sequence (a restart
  // resumes after the last venue message its journal holds, known only once the session exists).
  void resume_at(uint64_t next) noexcept {
    if (state_ == State::kIdle) next_sequence_ = next;
  }
  // Send a Logout Request (or stop connecting): no reconnect afterwards.
  void logout(uint64_t now);

  // Transport events.
  void on_connected(uint64_t now);
  void on_bytes(std::span<const uint8_t> bytes, uint64_t now);
  void on_closed(uint64_t now);
  // Timers: heartbeat, peer timeout, reconnect.
  void poll(uint64_t now);

  // One OUCH inbound message as Unsequenced Data.
  SendResult send(std::span<const uint8_t> ouch_message, uint64_t now);

  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] bool logged_in() const noexcept { return state_ == State::kLoggedIn; }
  // Logged in and the venue's replay since the login has ended (SessionCounters::caught_up).
  [[nodiscard]] bool caught_up() const noexcept { return logged_in() && counters_.caught_up.get() != 0; }
  // Sequence number of the next Sequenced Data message not yet delivered (what a re-login asks for).
  [[nodiscard]] uint64_t next_sequence() const noexcept { return next_sequence_; }
  [[nodiscard]] std::string_view session_name() const noexcept { return session_name_; }
  [[nodiscard]] uint32_t last_user_ref_num() const noexcept { return last_user_ref_num_; }
  [[nodiscard]] const SessionCounters& counters() const noexcept { return counters_; }
  // When the next timer falls due (for a transport that sleeps in poll()).
  [[nodiscard]] uint64_t next_deadline() const noexcept;

 private:
  void set_state(State s);
  void on_packet(const soupbintcp::Packet& p, uint64_t now);
  void on_login_accepted(const soupbintcp::LoginAccepted& a, uint64_t now);
  void on_sequenced_data(std::span<const uint8_t> message);
  void write(std::span<const uint8_t> bytes, uint64_t now);
  void drop_connection(uint64_t now);  // close and schedule a reconnect
  void schedule_reconnect(uint64_t now);
  void note_user_ref_num(std::span<const uint8_t> outbound_message);

  Credentials creds_;
  Timing timing_;
  Transport& transport_;
  Listener& listener_;
  soupbintcp::StreamReassembler reassembler_{soupbintcp::Direction::kServerToClient};
  State state_ = State::kIdle;
  std::string session_name_;      // from Login Accepted; requested again at re-login
  uint64_t next_sequence_;        // next message not yet delivered (0 = "newest": learn at login)
  uint64_t server_sequence_ = 0;  // number of the next 'S' on this connection
  uint64_t last_rx_ = 0, last_tx_ = 0, deadline_ = 0;
  uint64_t backoff_ns_;
  bool ever_connected_ = false;
  uint32_t last_user_ref_num_ = 0;
  SessionCounters counters_;
};

}  // namespace sf::order_session
