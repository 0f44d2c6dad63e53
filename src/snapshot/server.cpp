#include "sniperforge/snapshot/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "sniperforge/common/cli.hpp"
#include "sniperforge/proto/itch.hpp"
#include "sniperforge/proto/soupbintcp.hpp"
#include "sniperforge/snapshot/builder.hpp"

namespace sf::snapshot {
namespace soup = soupbintcp;
namespace {
constexpr uint64_t kNsPerMs = 1'000'000;
uint64_t mono_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}
}  // namespace

struct GlimpseServer::Conn {
  int fd = -1;
  soup::StreamReassembler rx{soup::Direction::kClientToServer};
  std::vector<uint8_t> out;  // the whole answer (Login Accepted, the snapshot, End of Session)
  std::size_t sent = 0;
  bool answered = false;  // login handled: nothing more is read
  uint64_t last_rx = 0, last_tx = 0;
  ~Conn() {
    if (fd >= 0) ::close(fd);
  }
  void put(char type, std::span<const uint8_t> payload) {
    const std::size_t at = out.size();
    out.resize(at + soup::kHeader + payload.size());
    soup::PacketWriter w(out.data() + at, out.size() - at);
    (void)w.packet(type, payload);
  }
};

GlimpseServer::GlimpseServer(GlimpseServerOptions opt, const MessageSource& store)
    : opt_(std::move(opt)), store_(store), books_(opt_.books) {}

GlimpseServer::~GlimpseServer() {
  conns_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

bool GlimpseServer::start(std::string& error) {
  std::string why;
  const auto at = cli::parse_ipv4_endpoint(opt_.listen, &why);
  if (!at) {
    error = "listen address " + opt_.listen + ": " + why;
    return false;
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(at->address);
  a.sin_port = htons(at->port);
  socklen_t len = sizeof a;
  const int one = 1;
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0 || setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    error = "bind/listen " + opt_.listen + ": " + std::strerror(errno);
    return false;
  }
  port_ = ntohs(a.sin_port);
  return true;
}

uint64_t GlimpseServer::prepare_snapshot() {
  const uint64_t end = store_.next_sequence();
  const uint64_t target = opt_.snapshot_at ? std::min(opt_.snapshot_at, end) : end;
  for (; applied_next_ < target; ++applied_next_) {
    const std::span<const uint8_t> m = store_.message(applied_next_);
    if (m.empty()) {
      ++counts_.missing_stored;
      continue;
    }
    if (itch::validate(m.data(), m.size()) != itch::Error::kOk) {
      ++counts_.invalid_stored;
      continue;
    }
    const itch::MessageView v(m.data());
    last_timestamp_ = v.timestamp();
    (void)books_.apply(v);
  }
  return applied_next_;
}

void GlimpseServer::accept_clients(uint64_t now) {
  for (;;) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->last_rx = c->last_tx = now;
    conns_[fd] = std::move(c);
    ++counts_.connections;
  }
}

void GlimpseServer::read_from(Conn& c, uint64_t now) {
  std::array<uint8_t, 4096> buf;
  const ssize_t n = recv(c.fd, buf.data(), buf.size(), 0);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    ::close(c.fd);
    c.fd = -1;
    return;
  }
  if (n < 0) return;
  c.last_rx = now;
  const uint64_t drops = c.rx.counters().total_drops();
  c.rx.feed({buf.data(), static_cast<std::size_t>(n)}, [&](const soup::Packet& p) {
    if (p.type == soup::type::kLoginRequest && !c.answered) on_login(c, p.payload, now);
    // Heartbeats keep the connection alive (last_rx); a Logout Request before the answer ends it.
    if (p.type == soup::type::kLogoutRequest && !c.answered) c.answered = true;
  });
  counts_.bad_packets += c.rx.counters().total_drops() - drops;
}

void GlimpseServer::on_login(Conn& c, std::span<const uint8_t> payload, uint64_t now) {
  const soup::LoginRequest l{payload};
  c.answered = true;
  c.last_tx = now;
  const auto it = opt_.passwords.find(std::string(l.username()));
  char reject = 0;
  if (it == opt_.passwords.end() || it->second != l.password())
    reject = soup::reject_reason::kNotAuthorized;
  else if (!l.requested_session().empty() && l.requested_session() != opt_.session_name)
    reject = soup::reject_reason::kSessionNotAvailable;
  const uint64_t next = reject ? 0 : prepare_snapshot();
  if (!reject && (books_.capacity_stale_books() != 0 || counts_.missing_stored != 0))
    reject =
        soup::reject_reason::kSessionNotAvailable;  // incomplete books: no snapshot rather than a wrong one
  if (reject) {
    ++counts_.rejected;
    const uint8_t r = static_cast<uint8_t>(reject);
    return c.put(soup::type::kLoginRejected, {&r, 1});
  }
  ++counts_.logins;
  // GLIMPSE sends the whole snapshot from sequence 1 whatever was requested (clients must ask for 1).
  std::array<uint8_t, soup::kLoginAcceptedPayload> a{};
  soup::write_alpha(a.data(), soup::kSessionLength, opt_.session_name);
  (void)soup::write_number(a.data() + soup::kSessionLength, soup::kSequenceLength, 1);
  c.put(soup::type::kLoginAccepted, a);
  const book::BookSet* sets[] = {&books_};
  const BuildCounts n = build_snapshot(
      sets, next, last_timestamp_, [&](std::span<const uint8_t> m) { c.put(soup::type::kSequencedData, m); });
  c.put(soup::type::kEndOfSession, {});
  counts_.messages_sent += n.total();
  ++counts_.snapshots;
}

void GlimpseServer::pump(Conn& c, uint64_t now) {
  if (c.fd < 0) return;
  while (c.sent < c.out.size()) {
    const ssize_t n = send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    c.sent += static_cast<std::size_t>(n);
    c.last_tx = now;
  }
  const bool done = c.answered && c.sent == c.out.size();
  if (!c.answered && now - c.last_tx >= uint64_t{opt_.heartbeat_ms} * kNsPerMs) {
    c.put(soup::type::kServerHeartbeat, {});
    c.last_tx = now;
  }
  if (done || (!c.answered && now - c.last_rx >= uint64_t{opt_.timeout_ms} * kNsPerMs)) {
    ::close(c.fd);
    c.fd = -1;
  }
}

void GlimpseServer::poll_once(int wait_ms) {
  std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
  for (const auto& [fd, c] : conns_)
    fds.push_back({fd, static_cast<short>(POLLIN | (c->sent < c->out.size() ? POLLOUT : 0)), 0});
  (void)::poll(fds.data(), fds.size(), wait_ms);
  const uint64_t now = mono_ns();
  if (fds[0].revents & POLLIN) accept_clients(now);
  for (std::size_t i = 1; i < fds.size(); ++i) {
    Conn& c = *conns_.at(fds[i].fd);
    if (c.fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) read_from(c, now);
    pump(c, now);
  }
  std::erase_if(conns_, [](const auto& kv) { return kv.second->fd < 0; });
}

}  // namespace sf::snapshot
