#include "sniperforge/session/client_session.hpp"

#include <algorithm>
#include <array>

#include "sniperforge/proto/endian.hpp"

namespace sf::order_session {
namespace {
constexpr uint64_t kNsPerMs = 1'000'000;
namespace type = soupbintcp::type;
}  // namespace

std::string_view to_string(State s) noexcept {
  switch (s) {
    case State::kIdle:
      return "idle";
    case State::kBackoff:
      return "backoff";
    case State::kConnecting:
      return "connecting";
    case State::kLoginSent:
      return "login_sent";
    case State::kLoggedIn:
      return "logged_in";
    case State::kLoggingOut:
      return "logging_out";
    case State::kEnded:
      return "ended";
  }
  return "?";
}

ClientSession::ClientSession(Credentials creds, Timing timing, Transport& transport, Listener& listener)
    : creds_(std::move(creds)),
      timing_(timing),
      transport_(transport),
      listener_(listener),
      next_sequence_(creds_.first_sequence),
      backoff_ns_(uint64_t{timing.reconnect_min_ms} * kNsPerMs) {
  session_name_ = creds_.session;
}

void ClientSession::set_state(State s) {
  if (s == state_) return;
  state_ = s;
  counters_.state.set(static_cast<uint8_t>(s));
  listener_.on_state(s);
}

void ClientSession::start(uint64_t now) {
  if (state_ != State::kIdle) return;
  deadline_ = now;
  set_state(State::kBackoff);
}

void ClientSession::logout(uint64_t now) {
  if (state_ == State::kLoggedIn || state_ == State::kLoginSent) {
    static constexpr std::array<uint8_t, 3> kLogout{0, 1, static_cast<uint8_t>(type::kLogoutRequest)};
    write(kLogout, now);
    deadline_ = now + uint64_t{timing_.timeout_ms} * kNsPerMs;  // the server should close before this
    set_state(State::kLoggingOut);
    return;
  }
  if (state_ == State::kConnecting) transport_.close();
  set_state(State::kEnded);
}

void ClientSession::on_connected(uint64_t now) {
  if (state_ != State::kConnecting) return;
  reassembler_.reset();
  std::array<uint8_t, soupbintcp::kHeader + soupbintcp::kLoginRequestPayload> buf{};
  soupbintcp::PacketWriter w(buf);
  // Re-login asks for the session we were in (a new current session would restart numbering).
  (void)w.login_request(creds_.username, creds_.password, session_name_, next_sequence_);
  last_rx_ = now;
  write(w.bytes(), now);
  set_state(State::kLoginSent);
}

void ClientSession::on_closed(uint64_t now) {
  if (state_ == State::kLoggingOut || state_ == State::kEnded) {
    set_state(State::kEnded);
    return;
  }
  if (state_ == State::kIdle || state_ == State::kBackoff) return;
  schedule_reconnect(now);
}

void ClientSession::schedule_reconnect(uint64_t now) {
  deadline_ = now + backoff_ns_;
  backoff_ns_ = std::min(backoff_ns_ * 2, uint64_t{timing_.reconnect_max_ms} * kNsPerMs);
  set_state(State::kBackoff);
}

void ClientSession::drop_connection(uint64_t now) {
  transport_.close();
  schedule_reconnect(now);
}

void ClientSession::poll(uint64_t now) {
  const uint64_t timeout = uint64_t{timing_.timeout_ms} * kNsPerMs;
  switch (state_) {
    case State::kBackoff:
      if (now < deadline_) return;
      if (ever_connected_) counters_.reconnects.add();
      ever_connected_ = true;
      deadline_ = now + timeout;  // connect must complete within timeout_ms
      set_state(State::kConnecting);
      transport_.connect();
      return;
    case State::kConnecting:
      if (now >= deadline_) drop_connection(now);
      return;
    case State::kLoginSent:
    case State::kLoggedIn:
      if (now - last_rx_ >= timeout) {
        counters_.timeouts.add();
        drop_connection(now);
        return;
      }
      // A server that sends no heartbeats: a quiet heartbeat interval also ends its replay.
      if (state_ == State::kLoggedIn && now - last_rx_ >= uint64_t{timing_.heartbeat_ms} * kNsPerMs)
        counters_.caught_up.set(1);
      if (state_ == State::kLoggedIn && now - last_tx_ >= uint64_t{timing_.heartbeat_ms} * kNsPerMs) {
        static constexpr std::array<uint8_t, 3> kHeartbeat{0, 1,
                                                           static_cast<uint8_t>(type::kClientHeartbeat)};
        write(kHeartbeat, now);
        counters_.heartbeats_sent.add();
      }
      return;
    case State::kLoggingOut:
      if (now >= deadline_) {
        transport_.close();
        set_state(State::kEnded);
      }
      return;
    case State::kIdle:
    case State::kEnded:
      return;
  }
}

uint64_t ClientSession::next_deadline() const noexcept {
  switch (state_) {
    case State::kBackoff:
    case State::kConnecting:
    case State::kLoggingOut:
      return deadline_;
    case State::kLoginSent:
      return last_rx_ + uint64_t{timing_.timeout_ms} * kNsPerMs;
    case State::kLoggedIn:
      return std::min(last_rx_ + uint64_t{timing_.timeout_ms} * kNsPerMs,
                      last_tx_ + uint64_t{timing_.heartbeat_ms} * kNsPerMs);
    case State::kIdle:
    case State::kEnded:
      break;
  }
  return UINT64_MAX;
}

void ClientSession::write(std::span<const uint8_t> bytes, uint64_t now) {
  transport_.send(bytes);
  counters_.bytes_out.add(bytes.size());
  last_tx_ = now;
}

void ClientSession::on_bytes(std::span<const uint8_t> bytes, uint64_t now) {
  if (state_ != State::kLoginSent && state_ != State::kLoggedIn && state_ != State::kLoggingOut) return;
  last_rx_ = now;
  counters_.bytes_in.add(bytes.size());
  reassembler_.feed(bytes, [&](const soupbintcp::Packet& p) {
    // A packet can end the connection (reject, end of session): ignore what follows it.
    if (state_ == State::kLoginSent || state_ == State::kLoggedIn || state_ == State::kLoggingOut)
      on_packet(p, now);
  });
  const auto& rc = reassembler_.counters();
  for (std::size_t i = 0; i < rc.dropped.size(); ++i) counters_.dropped[i].set(rc.dropped[i]);
}

void ClientSession::on_packet(const soupbintcp::Packet& p, uint64_t now) {
  switch (p.type) {
    case type::kLoginAccepted:
      if (state_ != State::kLoginSent) return counters_.unexpected.add();
      return on_login_accepted(soupbintcp::LoginAccepted{p.payload}, now);
    case type::kLoginRejected:
      if (state_ != State::kLoginSent) return counters_.unexpected.add();
      counters_.logins_rejected.add();
      return drop_connection(now);
    case type::kSequencedData:
      if (state_ == State::kLoginSent) return counters_.unexpected.add();
      return on_sequenced_data(p.payload);
    case type::kServerHeartbeat:
      counters_.heartbeats_received.add();
      if (state_ == State::kLoggedIn) counters_.caught_up.set(1);  // the server had nothing more for us
      return;
    case type::kEndOfSession:
      transport_.close();
      set_state(State::kEnded);
      return;
    default:
      return;
  }
}

void ClientSession::on_login_accepted(const soupbintcp::LoginAccepted& a, uint64_t) {
  counters_.logins_accepted.add();
  session_name_ = std::string(a.session());
  server_sequence_ = a.next_sequence();
  if (next_sequence_ == 0) next_sequence_ = server_sequence_;  // asked for "newest"
  if (server_sequence_ > next_sequence_) {                     // the server cannot give us those
    counters_.sequence_gaps.add(server_sequence_ - next_sequence_);
    next_sequence_ = server_sequence_;
  }
  backoff_ns_ = uint64_t{timing_.reconnect_min_ms} * kNsPerMs;
  counters_.caught_up.set(0);
  set_state(State::kLoggedIn);
}

void ClientSession::on_sequenced_data(std::span<const uint8_t> message) {
  const uint64_t seq = server_sequence_++;
  if (seq < next_sequence_) {
    counters_.duplicates_skipped.add();
    return;
  }
  next_sequence_ = seq + 1;
  note_user_ref_num(message);
  counters_.sequenced.add();
  listener_.on_sequenced(seq, message);
}

// OUCH outbound Order Accepted / Replaced carry a UserRefNum we used (a replay after a restart teaches
// us the last one, so the next order still goes above it).
void ClientSession::note_user_ref_num(std::span<const uint8_t> m) {
  uint32_t urn = 0;
  if (m[0] == 'A' && m.size() >= 13)
    urn = proto::load_be32(m.data() + 9);
  else if (m[0] == 'U' && m.size() >= 17)
    urn = proto::load_be32(m.data() + 13);
  last_user_ref_num_ = std::max(last_user_ref_num_, urn);
}

SendResult ClientSession::send(std::span<const uint8_t> m, uint64_t now) {
  if (state_ != State::kLoggedIn) {
    counters_.orders_refused_session_down.add();
    return SendResult::kSessionDown;
  }
  if (m.empty() || m.size() > soupbintcp::kMaxPayload) return SendResult::kTooLarge;
  // Enter Order: UserRefNum @1; Replace Order: the new one @5.
  uint32_t urn = 0;
  if (m[0] == 'O' && m.size() >= 5) urn = proto::load_be32(m.data() + 1);
  if (m[0] == 'U' && m.size() >= 9) urn = proto::load_be32(m.data() + 5);
  if ((m[0] == 'O' || m[0] == 'U') && urn <= last_user_ref_num_) {
    counters_.orders_refused_user_ref_num.add();
    return SendResult::kUserRefNumNotIncreasing;
  }
  if (urn) last_user_ref_num_ = urn;
  std::array<uint8_t, soupbintcp::kMaxPacket> buf;
  soupbintcp::PacketWriter w(buf);
  (void)w.unsequenced(m);
  write(w.bytes(), now);
  counters_.orders_sent.add();
  return SendResult::kSent;
}

}  // namespace sf::order_session
