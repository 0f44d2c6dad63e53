#include "server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <vector>

#include "sniperforge/common/cli.hpp"

namespace sf::rewind {
namespace {

using Clock = std::chrono::steady_clock;

struct PendingAnswer {
  Clock::time_point due;
  sockaddr_in to;
  std::vector<uint8_t> packet;
};

sockaddr_in to_sockaddr(const sf::cli::Ipv4Endpoint& e) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(e.address);
  a.sin_port = htons(e.port);
  return a;
}

int bind_udp(const std::string& endpoint, sockaddr_in& bound) {
  const sf::cli::Ipv4Endpoint at = *sf::cli::parse_ipv4_endpoint(endpoint);  // checked by the validator
  bound = to_sockaddr(at);
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  const int one = 1;
  socklen_t len = sizeof bound;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, reinterpret_cast<const sockaddr*>(&bound), sizeof bound) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
    std::perror(("sf-rewind: bind " + endpoint).c_str());
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

// The live feed's socket: bound to the feed's port (and group), the group joined on the interface.
int open_recorder(const ServerOptions& o) {
  sockaddr_in bound{};
  const int fd = bind_udp(o.record, bound);
  if (fd < 0) return -1;
  const int rcvbuf = 16 << 20;
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (IN_MULTICAST(ntohl(bound.sin_addr.s_addr))) {
    ip_mreq m{};
    m.imr_multiaddr = bound.sin_addr;
    m.imr_interface.s_addr =
        o.record_interface.empty() ? htonl(INADDR_ANY) : inet_addr(o.record_interface.c_str());
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) != 0) {
      std::perror("sf-rewind: join the feed's multicast group");
      close(fd);
      return -1;
    }
  }
  return fd;
}

std::string totals_json(const MessageStore& store, const Responder& r, uint64_t requests) {
  const MessageStore::Counts& s = store.counts();
  std::string j = "{\"requests\":" + std::to_string(requests);
  for (std::size_t i = 0; i < kOutcomes; ++i)
    j += ",\"" + std::string(to_string(static_cast<Outcome>(i))) +
         "\":" + std::to_string(r.counts().by_outcome[i]);
  j += ",\"messages_sent\":" + std::to_string(r.counts().messages) +
       ",\"stored\":" + std::to_string(s.stored) + ",\"first\":" + std::to_string(store.first()) +
       ",\"end\":" + std::to_string(store.end()) + ",\"holes\":" + std::to_string(store.holes()) +
       ",\"recorded_packets\":" + std::to_string(s.packets) +
       ",\"bad_packets\":" + std::to_string(s.bad_packets) + "}";
  return j;
}

class Server {
 public:
  Server(const ServerOptions& o, MessageStore& store) : o_(o), store_(store), responder_(store, o.policy) {}

  int run(const std::atomic<bool>& stop) {
    sockaddr_in bound{};
    listen_fd_ = bind_udp(o_.listen, bound);
    if (listen_fd_ < 0) return sf::cli::kExitFailure;
    if (!o_.record.empty() && (record_fd_ = open_recorder(o_)) < 0) return sf::cli::kExitFailure;
    std::fprintf(stderr, "sf-rewind: listening on %s:%u, %llu messages stored (session '%s')\n",
                 o_.listen.substr(0, o_.listen.rfind(':')).c_str(), ntohs(bound.sin_port),
                 static_cast<unsigned long long>(store_.counts().stored), store_.session().c_str());
    last_request_ = Clock::now();
    while (!stop.load() && !idle()) step();
    const std::string totals = totals_json(store_, responder_, requests_);
    std::printf("%s\n", totals.c_str());
    std::fflush(stdout);
    if (!o_.totals_path.empty() && !(std::ofstream(o_.totals_path) << totals << "\n")) {
      std::fprintf(stderr, "sf-rewind: cannot write %s\n", o_.totals_path.c_str());
      return sf::cli::kExitFailure;
    }
    return sf::cli::kExitOk;
  }

  ~Server() {
    if (listen_fd_ >= 0) close(listen_fd_);
    if (record_fd_ >= 0) close(record_fd_);
  }

 private:
  [[nodiscard]] bool idle() const {
    return o_.idle_exit_s > 0 && pending_.empty() &&
           std::chrono::duration<double>(Clock::now() - last_request_).count() > o_.idle_exit_s;
  }

  void step() {
    std::array<pollfd, 2> fds{pollfd{listen_fd_, POLLIN, 0}, pollfd{record_fd_, POLLIN, 0}};
    int timeout_ms = o_.max_wait_ms;
    if (!pending_.empty()) {
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(pending_.front().due - Clock::now());
      timeout_ms = static_cast<int>(std::clamp<int64_t>(wait.count(), 0, o_.max_wait_ms));
    }
    if (poll(fds.data(), record_fd_ >= 0 ? 2 : 1, timeout_ms) > 0) {
      if (fds[1].revents & POLLIN) record();
      if (fds[0].revents & POLLIN) serve();
    }
    send_due();
    if (o_.on_step) o_.on_step();
  }

  void record() {
    for (int i = 0; i < 256; ++i) {
      const ssize_t n = recv(record_fd_, buf_.data(), buf_.size(), MSG_DONTWAIT);
      if (n <= 0) return;
      store_.add_packet(buf_.data(), static_cast<std::size_t>(n));
    }
  }

  void serve() {
    sockaddr_in from{};
    socklen_t flen = sizeof from;
    const ssize_t n = recvfrom(listen_fd_, buf_.data(), buf_.size(), MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&from), &flen);
    if (n < 0) return;
    ++requests_;
    last_request_ = Clock::now();
    std::size_t len = 0;
    if (responder_.answer(buf_.data(), static_cast<std::size_t>(n), out_, len) != Outcome::kAnswered) return;
    pending_.push_back({last_request_ + std::chrono::milliseconds(o_.delay_ms), from,
                        std::vector<uint8_t>(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(len))});
  }

  void send_due() {
    const auto now = Clock::now();
    while (!pending_.empty() && pending_.front().due <= now) {
      const PendingAnswer& a = pending_.front();
      (void)sendto(listen_fd_, a.packet.data(), a.packet.size(), 0, reinterpret_cast<const sockaddr*>(&a.to),
                   sizeof a.to);
      pending_.pop_front();
    }
  }

  const ServerOptions& o_;
  MessageStore& store_;
  Responder responder_;
  int listen_fd_ = -1, record_fd_ = -1;
  uint64_t requests_ = 0;
  Clock::time_point last_request_;
  std::deque<PendingAnswer> pending_;
  std::array<uint8_t, 65536> buf_{};
  std::array<uint8_t, 65536> out_{};
};

}  // namespace

int run_server(const ServerOptions& options, MessageStore& store, const std::atomic<bool>& stop) {
  Server s(options, store);
  return s.run(stop);
}

}  // namespace sf::rewind
