// perf-dataplane's SoupBinTCP venues (venue_peers.hpp).
#include "venue_peers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace sf::perf {

namespace {
constexpr uint64_t kHeartbeatNs = 1'000'000'000;
constexpr uint16_t kWindow = 65535;
constexpr uint16_t kMss = 1460;

uint64_t mono_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}
}  // namespace

// ---- SoupServerStream ----
void SoupServerStream::heartbeat(uint64_t now_ns, std::vector<uint8_t>& out) {
  std::array<uint8_t, soupbintcp::kHeader> b{};
  soupbintcp::PacketWriter w(b);
  (void)w.server_heartbeat();
  out.insert(out.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(w.size()));
  next_heartbeat_ns_ = now_ns + kHeartbeatNs;
}

void SoupServerStream::on_bytes(std::span<const uint8_t> in, uint64_t now_ns, std::vector<uint8_t>& out) {
  reasm_.feed(in, [&](const soupbintcp::Packet& p) {
    switch (p.type) {
      case soupbintcp::type::kLoginRequest: {
        std::array<uint8_t, soupbintcp::kHeader + soupbintcp::kLoginAcceptedPayload> b{};
        soupbintcp::PacketWriter w(b);
        (void)w.login_accepted("PERF", soupbintcp::LoginRequest{p.payload}.requested_sequence());
        out.insert(out.end(), b.begin(), b.end());
        logged_in_ = true;
        heartbeat(now_ns, out);  // nothing to replay: the client is caught up
        break;
      }
      case soupbintcp::type::kUnsequencedData:
        ++orders;
        break;
      case soupbintcp::type::kLogoutRequest:
        logged_out_ = true;
        break;
      default:  // Client Heartbeat
        break;
    }
  });
}

void SoupServerStream::poll(uint64_t now_ns, std::vector<uint8_t>& out) {
  if (logged_in_ && !logged_out_ && now_ns >= next_heartbeat_ns_) heartbeat(now_ns, out);
}

// ---- TcpSoupPeer ----
void TcpSoupPeer::send(Conn& c, uint8_t flags, std::span<const uint8_t> payload, uint16_t mss, Frames& out) {
  net::L2Spec l2;
  l2.dst = c.mac;
  l2.src = mac_;
  net::OutSegment s;
  s.src_ip = ip_;
  s.dst_ip = c.ip;
  s.src_port = port_;
  s.dst_port = c.port;
  s.seq = c.snd_nxt;
  s.ack = c.rcv_nxt;
  s.flags = flags;
  s.window = kWindow;
  s.mss_option = mss;
  s.payload = payload.data();
  s.payload_length = payload.size();
  std::vector<uint8_t> f(net::tcp_frame_length(l2, s));
  (void)net::build_tcp_frame(f.data(), f.size(), l2, s);
  c.snd_nxt += static_cast<uint32_t>(payload.size()) + ((flags & net::tcp_flag::kSyn) ? 1 : 0);
  out.push_back(std::move(f));
}

void TcpSoupPeer::on_frame(std::span<const uint8_t> frame, uint64_t now_ns, Frames& out) {
  net::TcpSegment seg;
  if (net::parse_tcp_frame(frame.data(), frame.size(), seg) != net::TcpParseError::kOk) return;
  if (seg.dst_ip != ip_ || seg.dst_port != port_ || frame.size() < 12) return;
  using namespace net::tcp_flag;
  if (seg.has(kRst)) {
    if (auto it = conns_.find(seg.src_port); it != conns_.end()) {
      orders_closed_ += it->second.soup.orders;
      conns_.erase(it);
    }
    return;
  }
  if (seg.has(kSyn)) {  // a new connection from that port (any old one is gone)
    if (auto it = conns_.find(seg.src_port); it != conns_.end()) orders_closed_ += it->second.soup.orders;
    Conn& c = conns_[seg.src_port] = Conn{};
    std::copy(frame.begin() + 6, frame.begin() + 12, c.mac.begin());
    c.ip = seg.src_ip;
    c.port = seg.src_port;
    c.rcv_nxt = seg.seq + 1;
    c.snd_nxt = 0x10000000u + seg.src_port;
    send(c, kSyn | kAck, {}, kMss, out);
    return;
  }
  auto it = conns_.find(seg.src_port);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  if (seg.has(kFin)) {  // the client is done: no half-close here
    orders_closed_ += c.soup.orders;
    c.rcv_nxt = seg.seq + seg.sequence_length();
    send(c, kRst | kAck, {}, 0, out);
    conns_.erase(it);
    return;
  }
  if (seg.payload_length == 0) return;  // a pure ACK
  if (seg.seq == c.rcv_nxt) {
    c.rcv_nxt += static_cast<uint32_t>(seg.payload_length);
    soup_out_.clear();
    c.soup.on_bytes({seg.payload, seg.payload_length}, now_ns, soup_out_);
    send(c, kAck | (soup_out_.empty() ? 0 : kPsh), soup_out_, 0, out);
    return;
  }
  send(c, kAck, {}, 0, out);  // not the next byte: re-ACK what we have
}

void TcpSoupPeer::poll(uint64_t now_ns, Frames& out) {
  for (auto& [port, c] : conns_) {
    soup_out_.clear();
    c.soup.poll(now_ns, soup_out_);
    if (!soup_out_.empty()) send(c, net::tcp_flag::kAck | net::tcp_flag::kPsh, soup_out_, 0, out);
  }
}

uint64_t TcpSoupPeer::orders() const noexcept {
  uint64_t n = orders_closed_;
  for (const auto& [port, c] : conns_) n += c.soup.orders;
  return n;
}

// ---- KernelSoupServer ----
KernelSoupServer::KernelSoupServer() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      listen(listen_fd_, 16) != 0 || getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    std::perror("perf-dataplane: kernel SoupBinTCP server");
    std::exit(1);
  }
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { run(); });
}

KernelSoupServer::~KernelSoupServer() {
  stop_.store(true);
  thread_.join();
  ::close(listen_fd_);
}

void KernelSoupServer::run() {
  struct Client {
    int fd;
    SoupServerStream soup;
  };
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<uint8_t> out;
  std::array<uint8_t, 65536> buf;
  auto write_all = [&out](int fd) {
    for (std::size_t off = 0; off < out.size();) {
      const ssize_t n = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    out.clear();
  };
  while (!stop_.load(std::memory_order_relaxed)) {
    std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
    for (auto& c : clients) fds.push_back({c->fd, POLLIN, 0});
    (void)::poll(fds.data(), fds.size(), 1);
    const uint64_t now = mono_ns();
    if (fds[0].revents & POLLIN) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) clients.push_back(std::make_unique<Client>(Client{fd, {}}));
    }
    for (std::size_t i = 0; i + 1 < fds.size(); ++i) {
      Client& c = *clients[i];
      if (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = recv(c.fd, buf.data(), buf.size(), 0);
        const uint64_t before = c.soup.orders;
        if (n > 0) c.soup.on_bytes({buf.data(), static_cast<std::size_t>(n)}, now, out);
        orders_.fetch_add(c.soup.orders - before, std::memory_order_relaxed);
        if (n <= 0 || c.soup.logged_out()) {  // gone, or logged out: close (the client waits for it)
          ::close(c.fd);
          c.fd = -1;
          continue;
        }
      }
      c.soup.poll(now, out);
      write_all(c.fd);
    }
    std::erase_if(clients, [](const auto& c) { return c->fd < 0; });
  }
  for (auto& c : clients) ::close(c->fd);
}

}  // namespace sf::perf
