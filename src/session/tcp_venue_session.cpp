#include "sniperforge/session/tcp_venue_session.hpp"

namespace sf::order_session {
namespace {
// splitmix64: the ISN sequence's generator (seeded from the secret; not a clock, not a syscall).
uint64_t splitmix(uint64_t& x) noexcept {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
constexpr uint32_t kIsnStep = 1u << 20;
}  // namespace

TcpVenueSession::TcpVenueSession(const TcpVenueSessionConfig& cfg, net::SegmentSink& out, Listener& listener)
    : tcp_(cfg.tcp, out),
      session_(cfg.credentials, cfg.timing, *this, listener),
      isn_state_(cfg.isn_secret) {}

uint32_t TcpVenueSession::next_isn() noexcept {
  const auto r = static_cast<uint32_t>(splitmix(isn_state_));
  if (!ever_connected_) {
    ever_connected_ = true;
    return r;
  }
  return tcp_.send_next() + kIsnStep + (r & (kIsnStep - 1));
}

void TcpVenueSession::logout(uint64_t now) {
  now_ = now;
  session_.logout(now);
  after_input();
}

void TcpVenueSession::on_frame(const uint8_t* frame, std::size_t length, uint64_t now) noexcept {
  now_ = now;
  tcp_.on_frame(frame, length, now);
  after_input();
}

void TcpVenueSession::poll(uint64_t now) noexcept {
  now_ = now;
  if (now >= tcp_.next_deadline()) {
    tcp_.poll(now);
    after_input();
  }
  if (now >= session_.next_deadline()) session_.poll(now);
}

SendResult TcpVenueSession::send(std::span<const uint8_t> ouch_message, uint64_t now) noexcept {
  now_ = now;
  const SendResult r = session_.send(ouch_message, now);
  if (r == SendResult::kSent && tcp_.unsent() != 0) [[unlikely]]
    counters_.orders_held.add();  // its bytes are the last queued: some of them wait
  return r;
}

void TcpVenueSession::connect() {
  connected_ = false;
  connecting_ = true;
  tcp_.connect(now_, next_isn());
}

void TcpVenueSession::send(std::span<const uint8_t> bytes) {
  if (!connected_) return;
  if (tcp_.send(bytes, now_) == bytes.size()) [[likely]]
    return;
  // The venue has not read 256 KiB of ours: a broken stream; start over from a new login.
  counters_.send_overflow.add();
  tcp_.abort();
}

void TcpVenueSession::close() {
  connecting_ = connected_ = false;
  tcp_.abort();  // RST (nothing at all while the SYN is unanswered)
}

void TcpVenueSession::after_input() noexcept {
  if (connecting_ && tcp_.established()) {
    connecting_ = false;
    connected_ = true;
    session_.on_connected(now_);
  }
  // In-order bytes; a packet may close the session (login rejected, end of session): stop there.
  while (connected_ && tcp_.readable() > 0) {
    const std::span<const uint8_t> bytes = tcp_.front();
    session_.on_bytes(bytes, now_);
    tcp_.consume(bytes.size());
  }
  const bool down = tcp_.state() == net::TcpState::kClosed || tcp_.peer_closed();
  if ((connecting_ || connected_) && down) {
    connecting_ = connected_ = false;
    if (tcp_.state() != net::TcpState::kClosed) tcp_.close(now_);  // our FIN answers the peer's
    session_.on_closed(now_);
  }
}

}  // namespace sf::order_session
