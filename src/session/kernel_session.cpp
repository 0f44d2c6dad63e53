#include "sniperforge/session/kernel_session.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace sf::order_session {
namespace {
uint64_t mono_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}
// Smallest packet that yields a venue message: u16 length + 'S' + 1 byte.
constexpr std::size_t kMinSequencedPacket = 4;
}  // namespace

// A non-blocking socket; everything runs on the session thread.
class KernelSession::SocketTransport final : public Transport {
 public:
  SocketTransport(const KernelSessionConfig& cfg, KernelCounters& kc) : cfg_(cfg), kc_(kc) {}
  ~SocketTransport() override { close(); }

  void connect() override {
    close();
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return fail();
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // orders leave at once
    sockaddr_in a{};
    a.sin_family = AF_INET;
    if (cfg_.local_ip != std::array<uint8_t, 4>{}) {
      std::memcpy(&a.sin_addr, cfg_.local_ip.data(), 4);
      if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return fail();
    }
    std::memcpy(&a.sin_addr, cfg_.venue_ip.data(), 4);
    a.sin_port = htons(cfg_.venue_port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) return fail();
    connecting_ = true;
  }
  void send(std::span<const uint8_t> b) override {
    if (fd_ < 0) return;
    out_.insert(out_.end(), b.begin(), b.end());
    if (!connecting_) flush();
  }
  void close() override {
    close_fd();
    connecting_ = false;
    failed_ = false;
    out_.clear();
  }

  // The kernel's figures for this socket into the counters (retransmits: earlier sockets' plus this one's).
  void read_tcp_info() {
    tcp_info info{};
    socklen_t len = sizeof info;
    if (fd_ < 0 || getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return;
    socket_retransmits_ = info.tcpi_total_retrans;
    kc_.tcp_retransmits.set(earlier_retransmits_ + socket_retransmits_);
    if (info.tcpi_rtt != 0) kc_.tcp_srtt_ns.set(uint64_t{info.tcpi_rtt} * 1000);  // microseconds
  }

  // Called by the thread loop.
  void flush() {
    std::size_t off = 0;
    while (off < out_.size()) {
      const ssize_t n = ::send(fd_, out_.data() + off, out_.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(off));
  }
  void fail() {
    kc_.connect_failures.add();
    close_fd();
    connecting_ = false;
    failed_ = true;  // reported as closed by the loop (not from inside connect())
  }

  int fd_ = -1;
  bool connecting_ = false;
  bool failed_ = false;
  std::vector<uint8_t> out_;

 private:
  // Closes the socket, its retransmits read a last time and kept for the total.
  void close_fd() {
    if (fd_ < 0) return;
    read_tcp_info();
    earlier_retransmits_ += socket_retransmits_;
    socket_retransmits_ = 0;
    ::close(fd_);
    fd_ = -1;
  }

  uint64_t earlier_retransmits_ = 0, socket_retransmits_ = 0;
  const KernelSessionConfig& cfg_;
  KernelCounters& kc_;
};

class KernelSession::RingListener final : public Listener {
 public:
  RingListener(SpscRing<VenueSlot>& venue, KernelCounters& kc) : venue_(venue), kc_(kc) {}
  void on_sequenced(uint64_t seq, std::span<const uint8_t> m) override {
    if (m.size() > VenueSlot{}.bytes.size()) return kc_.venue_too_large.add();
    VenueSlot s;
    s.sequence = seq;
    s.length = static_cast<uint16_t>(m.size());
    std::memcpy(s.bytes.data(), m.data(), m.size());
    (void)venue_.push(s);  // room guaranteed: the loop reads only what the ring can take
  }

 private:
  SpscRing<VenueSlot>& venue_;
  KernelCounters& kc_;
};

KernelSession::KernelSession(KernelSessionConfig cfg, SpscRing<OrderSlot>& orders, SpscRing<VenueSlot>& venue)
    : cfg_(std::move(cfg)),
      orders_(orders),
      venue_(venue),
      transport_(std::make_unique<SocketTransport>(cfg_, kcounters_)),
      listener_(std::make_unique<RingListener>(venue, kcounters_)),
      session_(cfg_.credentials, cfg_.timing, *transport_, *listener_) {}

KernelSession::~KernelSession() {
  stop();
}

void KernelSession::start() {
  if (thread_.joinable()) return;
  stop_.store(false);
  thread_ = std::thread([this] { run(); });
}

void KernelSession::stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void KernelSession::run() {
  SocketTransport& t = *transport_;
  session_.start(mono_ns());
  std::array<uint8_t, 16384> buf;
  bool logging_out = false;
  uint64_t next_tcp_info = 0;
  for (;;) {
    uint64_t now = mono_ns();
    if (stop_.load(std::memory_order_relaxed) && !logging_out) {
      logging_out = true;
      session_.logout(now);
    }
    if (logging_out && session_.state() == State::kEnded) break;
    if (t.failed_) {
      t.failed_ = false;
      session_.on_closed(now);
    }
    // Orders first: they are what the latency is about.
    for (OrderSlot o; orders_.pop(o);) {
      if (o.length > o.bytes.size()) {
        kcounters_.orders_too_large.add();
        continue;
      }
      const SendResult sent = session_.send({o.bytes.data(), o.length}, now);
      if (sent == SendResult::kSent && o.stamp != 0 && cfg_.written) cfg_.written->order_written(o.stamp);
    }
    pollfd p{t.fd_, static_cast<short>(t.connecting_ || !t.out_.empty() ? POLLOUT : 0), 0};
    // Read only what the venue ring can certainly take.
    const std::size_t room = venue_.free_slots() * kMinSequencedPacket;
    if (!t.connecting_ && room >= kMinSequencedPacket) p.events |= POLLIN;
    timespec sleep{0, static_cast<long>(cfg_.idle_sleep_us) * 1000};
    (void)ppoll(&p, t.fd_ >= 0 ? 1 : 0, &sleep, nullptr);
    now = mono_ns();
    if (t.fd_ >= 0 && t.connecting_ && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(t.fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        t.fail();
        continue;
      }
      t.connecting_ = false;
      session_.on_connected(now);
      t.flush();
    } else if (t.fd_ >= 0 && !t.connecting_) {
      if (p.revents & POLLOUT) t.flush();
      if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = recv(t.fd_, buf.data(), std::min(buf.size(), room), 0);
        if (n > 0) {
          session_.on_bytes({buf.data(), static_cast<std::size_t>(n)}, now);
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          t.close();
          session_.on_closed(now);
        }
      }
    }
    session_.poll(now);
    if (now >= next_tcp_info && t.fd_ >= 0 && !t.connecting_) {
      t.read_tcp_info();
      next_tcp_info = now + kTcpInfoIntervalNs;
    }
  }
  t.close();
}

}  // namespace sf::order_session
