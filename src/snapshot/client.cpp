#include "sniperforge/snapshot/client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "sniperforge/session/client_session.hpp"
#include "sniperforge/session/config.hpp"

namespace sf::snapshot {
namespace {

uint64_t mono_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// One connection attempt at a time; the loop below reports what happens to the session.
class Socket final : public order_session::Transport {
 public:
  explicit Socket(const SnapshotConfig& cfg) : cfg_(cfg) {}
  ~Socket() override { close(); }
  void connect() override {
    close();
    ++attempts_;
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    std::memcpy(&a.sin_addr, cfg_.server_ip.data(), 4);
    a.sin_port = htons(cfg_.server_port);
    if (fd_ < 0 || (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS)) {
      error_ = std::string("connect: ") + std::strerror(errno);
      close();
      failed_ = true;
      return;
    }
    connecting_ = true;
  }
  void send(std::span<const uint8_t> b) override {
    out_.insert(out_.end(), b.begin(), b.end());
    if (!connecting_) flush();
  }
  void close() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    connecting_ = false;
    out_.clear();
  }
  void flush() {
    std::size_t off = 0;
    while (fd_ >= 0 && off < out_.size()) {
      const ssize_t n = ::send(fd_, out_.data() + off, out_.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(off));
  }

  const SnapshotConfig& cfg_;
  int fd_ = -1;
  bool connecting_ = false;
  bool failed_ = false;  // connect() failed: reported as closed by the loop
  int attempts_ = 0;
  std::string error_;
  std::vector<uint8_t> out_;
};

class ToLoader final : public order_session::Listener {
 public:
  explicit ToLoader(SnapshotLoader& l) : loader_(l) {}
  void on_sequenced(uint64_t, std::span<const uint8_t> m) override {
    ++messages;
    (void)loader_.on_message(m);
  }
  uint64_t messages = 0;

 private:
  SnapshotLoader& loader_;
};

enum class Step : uint8_t { kGoOn, kDone, kFailed };

// One poll of the socket: connect completion, bytes in, close.
Step pump(Socket& sock, order_session::ClientSession& session, std::string& error, uint64_t& bytes) {
  pollfd p{sock.fd_, static_cast<short>(POLLIN | (sock.connecting_ || !sock.out_.empty() ? POLLOUT : 0)), 0};
  (void)poll(&p, sock.fd_ >= 0 ? 1 : 0, 10);
  const uint64_t now = mono_ns();
  if (sock.failed_ || (sock.fd_ < 0 && session.state() == order_session::State::kConnecting)) {
    error = sock.error_.empty() ? "cannot connect" : sock.error_;
    return Step::kFailed;
  }
  if (sock.fd_ >= 0 && sock.connecting_ && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(sock.fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      error = std::string("connect: ") + std::strerror(err);
      return Step::kFailed;
    }
    sock.connecting_ = false;
    session.on_connected(now);
    sock.flush();
  } else if (sock.fd_ >= 0 && !sock.connecting_ && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
    std::array<uint8_t, 65536> buf;
    const ssize_t n = recv(sock.fd_, buf.data(), buf.size(), 0);
    if (n > 0) {
      bytes += static_cast<uint64_t>(n);
      session.on_bytes({buf.data(), static_cast<std::size_t>(n)}, now);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      sock.close();
      error = "the server closed the connection before End of Session";
      return Step::kFailed;
    }
  }
  session.poll(now);
  if (session.counters().logins_rejected.load()) {
    error = "login rejected";
    return Step::kFailed;
  }
  return session.state() == order_session::State::kEnded ? Step::kDone : Step::kGoOn;
}

}  // namespace

FetchResult fetch_snapshot(const SnapshotConfig& cfg, SnapshotLoader& loader) {
  FetchResult r;
  std::string password;
  if (!order_session::read_password_file(cfg.password_file, password, r.error)) return r;
  order_session::Credentials creds{cfg.username, password, "", 1};  // GLIMPSE: always sequence 1
  order_session::Timing timing;
  timing.timeout_ms = std::max<uint32_t>(timing.heartbeat_ms + 1, std::min<uint32_t>(cfg.timeout_ms, 15000));
  Socket sock(cfg);
  ToLoader sink(loader);
  order_session::ClientSession session(creds, timing, sock, sink);
  const uint64_t start = mono_ns(), deadline = start + uint64_t{cfg.timeout_ms} * 1'000'000;
  session.start(start);
  Step step = Step::kGoOn;
  while (step == Step::kGoOn && !loader.failed()) {
    if (mono_ns() > deadline) {
      r.error = "timed out after " + std::to_string(cfg.timeout_ms) + " ms";
      step = Step::kFailed;
      break;
    }
    step = pump(sock, session, r.error, r.bytes);
  }
  r.messages = sink.messages;
  r.seconds = static_cast<double>(mono_ns() - start) / 1e9;
  if (step == Step::kDone && !loader.complete() && r.error.empty())
    r.error = "End of Session without a Snapshot message";
  if (loader.failed()) r.error = "invalid snapshot: " + loader.describe();
  r.ok = step == Step::kDone && loader.complete();
  if (!r.ok && r.error.empty()) r.error = "snapshot incomplete";
  return r;
}

}  // namespace sf::snapshot
