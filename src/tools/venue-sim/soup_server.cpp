#include "soup_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <list>
#include <memory>
#include <sstream>
#include <vector>

#include "sniperforge/common/cli.hpp"
#include "sniperforge/proto/soupbintcp.hpp"
#include "totals.hpp"

namespace sf::venue_sim {
namespace {
namespace soup = soupbintcp;
constexpr uint64_t kNsPerMs = 1'000'000;

uint64_t mono_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

struct User {
  MessageStore store;
  SessionOrders orders;
};

struct Conn {
  int fd = -1;
  soup::StreamReassembler rx{soup::Direction::kClientToServer};
  std::string user;  // set at login
  bool logged_in = false;
  bool closing = false;  // close once the output is flushed
  uint64_t cursor = 0;   // next sequence number to send
  std::vector<uint8_t> out;
  uint64_t last_rx = 0, last_tx = 0;
};

class Server {
 public:
  explicit Server(const SoupServerOptions& o) : opt_(o) {}
  int run(const std::atomic<bool>& stop);

 private:
  bool setup(std::string& error);
  User* user(const std::string& name);
  void accept_clients(uint64_t now);
  void read_from(Conn& c, uint64_t now);
  void on_packet(Conn& c, const soup::Packet& p, uint64_t now);
  void on_login(Conn& c, const soup::LoginRequest& l);
  void on_order(Conn& c, std::span<const uint8_t> m, uint64_t now);
  void pump(Conn& c, uint64_t now);  // sequenced messages, heartbeats, timeouts
  void put(Conn& c, char type, std::span<const uint8_t> payload, uint64_t now);
  void flush(Conn& c);
  void close_conn(Conn& c);

  const SoupServerOptions& opt_;
  int listen_fd_ = -1;
  uint16_t bound_port_ = 0;
  std::list<Conn> conns_;
  std::map<std::string, std::unique_ptr<User>> users_;
  uint64_t sent_ = 0;  // sequenced messages sent, all connections (for --drop-after)
  bool dropped_ = false;
  uint64_t logins_ = 0, rejected_logins_ = 0, bad_ = 0;
};

User* Server::user(const std::string& name) {
  auto& u = users_[name];
  if (!u) {
    u = std::make_unique<User>();
    std::string error;
    const std::string path = opt_.store_dir.empty() ? "" : opt_.store_dir + "/" + name + ".soup";
    if (!u->store.open(path, error)) std::fprintf(stderr, "sf-venue-sim: store: %s\n", error.c_str());
    for (uint64_t q = 1; q <= u->store.size(); ++q) u->orders.learn(u->store.at(q));
  }
  return u.get();
}

bool Server::setup(std::string& error) {
  const auto at = cli::parse_ipv4_endpoint(opt_.listen);
  if (!at) {
    error = "--listen expects IPv4:PORT";
    return false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(at->address);
  addr.sin_port = htons(at->port);
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  socklen_t len = sizeof addr;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    error = "bind/listen " + opt_.listen + ": " + std::strerror(errno);
    return false;
  }
  bound_port_ = ntohs(addr.sin_port);
  // Existing stores are served (and counted in the totals) from the start.
  for (const auto& [name, pw] : opt_.passwords) (void)user(name);
  return true;
}

void Server::accept_clients(uint64_t now) {
  for (;;) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Conn& c = conns_.emplace_back();
    c.fd = fd;
    c.last_rx = c.last_tx = now;
  }
}

void Server::put(Conn& c, char type, std::span<const uint8_t> payload, uint64_t now) {
  const std::size_t at = c.out.size();
  c.out.resize(at + soup::kHeader + payload.size());
  soup::PacketWriter w(c.out.data() + at, c.out.size() - at);
  (void)w.packet(type, payload);
  c.last_tx = now;
}

void Server::flush(Conn& c) {
  std::size_t off = 0;
  while (off < c.out.size()) {
    const ssize_t n = send(c.fd, c.out.data() + off, c.out.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  c.out.erase(c.out.begin(), c.out.begin() + static_cast<std::ptrdiff_t>(off));
}

void Server::close_conn(Conn& c) {
  if (c.fd >= 0) ::close(c.fd);
  c.fd = -1;
}

void Server::read_from(Conn& c, uint64_t now) {
  std::array<uint8_t, 65536> buf;
  const ssize_t n = recv(c.fd, buf.data(), buf.size(), 0);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return close_conn(c);
  if (n < 0) return;
  c.last_rx = now;
  const uint64_t dropped_before = c.rx.counters().total_drops();
  c.rx.feed({buf.data(), static_cast<std::size_t>(n)}, [&](const soup::Packet& p) {
    if (c.fd >= 0 && !c.closing) on_packet(c, p, now);
  });
  bad_ += c.rx.counters().total_drops() - dropped_before;
}

void Server::on_packet(Conn& c, const soup::Packet& p, uint64_t now) {
  switch (p.type) {
    case soup::type::kLoginRequest:
      if (c.logged_in) return;
      on_login(c, soup::LoginRequest{p.payload});
      if (c.closing) return;  // rejected
      {
        std::array<uint8_t, soup::kLoginAcceptedPayload> a{};
        soup::write_alpha(a.data(), soup::kSessionLength, opt_.session_name);
        (void)soup::write_number(a.data() + soup::kSessionLength, soup::kSequenceLength, c.cursor);
        put(c, soup::type::kLoginAccepted, a, now);
      }
      return;
    case soup::type::kUnsequencedData:
      if (!c.logged_in) return close_conn(c);  // data before login: protocol error
      return on_order(c, p.payload, now);
    case soup::type::kLogoutRequest:
      c.closing = true;
      return;
    default:  // client heartbeat: last_rx already moved
      return;
  }
}

void Server::on_login(Conn& c, const soup::LoginRequest& l) {
  const std::string name(l.username());
  const auto it = opt_.passwords.find(name);
  char reject = 0;
  if (opt_.reject_logins || it == opt_.passwords.end() || it->second != l.password())
    reject = soup::reject_reason::kNotAuthorized;
  else if (!l.requested_session().empty() && l.requested_session() != opt_.session_name)
    reject = soup::reject_reason::kSessionNotAvailable;
  if (reject) {
    ++rejected_logins_;
    const uint8_t r = static_cast<uint8_t>(reject);
    put(c, soup::type::kLoginRejected, {&r, 1}, c.last_rx);
    c.closing = true;
    return;
  }
  // One connection per user: a new login replaces an old connection the server still holds.
  for (Conn& o : conns_)
    if (&o != &c && o.logged_in && o.user == name) close_conn(o);
  User* u = user(name);
  const uint64_t newest = u->store.size() + 1;
  const uint64_t want = l.requested_sequence();
  c.cursor = want == 0 || want > newest ? newest : want;
  c.user = name;
  c.logged_in = true;
  ++logins_;
  std::fprintf(stderr, "sf-venue-sim: %s logged in, sequence %lu\n", name.c_str(),
               static_cast<unsigned long>(c.cursor));
}

void Server::on_order(Conn& c, std::span<const uint8_t> m, uint64_t now) {
  if (ouch::inbound::validate(m.data(), m.size()) != ouch::Error::kOk) {
    ++bad_;
    return;
  }
  if (m[0] != 'O' && m[0] != 'X') return;  // replace / modify: not simulated
  User* u = user(c.user);
  std::vector<Message> answers;
  if (m[0] == 'X')
    answer_cancel_order(ouch::inbound::views::CancelOrder(m.data(), m.size()), u->orders, ns_since_midnight(),
                        answers);
  else
    answer_enter_order(ouch::inbound::views::EnterOrder(m.data(), m.size()), opt_.rules, u->orders,
                       ns_since_midnight(), answers);
  for (const Message& a : answers) (void)u->store.append(a, now + uint64_t{opt_.delay_ms} * kNsPerMs);
}

void Server::pump(Conn& c, uint64_t now) {
  if (c.fd < 0) return;
  if (c.logged_in && !c.closing) {
    const MessageStore& s = user(c.user)->store;
    // fault --stall-after: past that many messages, store but send nothing more (heartbeats go on).
    const bool stalled = opt_.stall_after != 0 && sent_ >= opt_.stall_after;
    while (!stalled && c.cursor <= s.size() && s.visible_at(c.cursor) <= now) {
      put(c, soup::type::kSequencedData, s.at(c.cursor), now);
      ++c.cursor;
      if (++sent_ == opt_.stall_after) break;
      if (sent_ == opt_.drop_after && !dropped_) {  // fault: drop the connection here, once
        dropped_ = true;
        flush(c);
        std::fprintf(stderr, "sf-venue-sim: dropping %s after %lu messages\n", c.user.c_str(),
                     static_cast<unsigned long>(sent_));
        return close_conn(c);
      }
    }
    if (!opt_.no_heartbeat && now - c.last_tx >= uint64_t{opt_.heartbeat_ms} * kNsPerMs)
      put(c, soup::type::kServerHeartbeat, {}, now);
  }
  if (now - c.last_rx >= uint64_t{opt_.timeout_ms} * kNsPerMs) return close_conn(c);
  flush(c);
  if (c.closing && c.out.empty()) close_conn(c);
}

int Server::run(const std::atomic<bool>& stop) {
  std::string error;
  if (!setup(error)) {
    std::fprintf(stderr, "sf-venue-sim: %s\n", error.c_str());
    return 1;
  }
  // The bound port: the one asked for, or the kernel's choice for port 0.
  std::fprintf(stderr, "sf-venue-sim: SoupBinTCP session %s listening on %s:%u\n", opt_.session_name.c_str(),
               opt_.listen.substr(0, opt_.listen.rfind(':')).c_str(), bound_port_);
  uint64_t last_activity = mono_ns();
  while (!stop.load()) {
    std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
    for (const Conn& c : conns_)
      fds.push_back({c.fd, static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
    (void)poll(fds.data(), fds.size(), 5);
    const uint64_t now = mono_ns();
    if (fds[0].revents & POLLIN) accept_clients(now);
    std::size_t i = 1;
    for (Conn& c : conns_) {
      if (i < fds.size() && c.fd == fds[i].fd && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        read_from(c, now);
      ++i;
      pump(c, now);
    }
    conns_.remove_if([](const Conn& c) { return c.fd < 0; });
    if (!conns_.empty()) last_activity = now;
    if (opt_.idle_exit_s > 0 && static_cast<double>(now - last_activity) / 1e9 > opt_.idle_exit_s) break;
  }
  for (Conn& c : conns_) close_conn(c);
  close(listen_fd_);
  std::vector<NamedStore> stores;
  for (const auto& [name, u] : users_) stores.push_back({name, &u->store});
  const std::string json = totals_json(opt_.session_name, stores);
  std::printf("%s\n", json.c_str());
  std::fflush(stdout);
  if (!opt_.totals_path.empty()) std::ofstream(opt_.totals_path) << json << "\n";
  std::fprintf(stderr, "sf-venue-sim: %lu logins, %lu rejected, %lu bad packets\n",
               static_cast<unsigned long>(logins_), static_cast<unsigned long>(rejected_logins_),
               static_cast<unsigned long>(bad_));
  return 0;
}
}  // namespace

bool read_credentials(const std::string& path, std::map<std::string, std::string>& out, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot read";
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string user, pw, extra;
    if (!(ss >> user >> pw) || (ss >> extra) || user.size() > soup::kUsernameLength ||
        pw.size() > soup::kPasswordLength) {
      error =
          path + ":" + std::to_string(n) + ": expected \"username password\" (at most 6 and 10 characters)";
      return false;
    }
    out[user] = pw;
  }
  if (out.empty()) {
    error = path + ": no credentials";
    return false;
  }
  return true;
}

int run_soup_server(const SoupServerOptions& opt, const std::atomic<bool>& stop) {
  Server s(opt);
  return s.run(stop);
}

}  // namespace sf::venue_sim
