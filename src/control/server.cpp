#include "sniperforge/control/server.hpp"

#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace sf::control {

namespace {

std::string user_name(uid_t uid) {
  std::vector<char> buf(4096);
  passwd pw{};
  passwd* out = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &out) == 0 && out != nullptr) return out->pw_name;
  return "uid " + std::to_string(uid);
}

// Supplementary groups of `uid` (from the group database), plus `primary`.
std::vector<gid_t> groups_of(uid_t uid, gid_t primary) {
  std::vector<gid_t> gids{primary};
  std::vector<char> buf(4096);
  passwd pw{};
  passwd* out = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &out) != 0 || out == nullptr) return gids;
  int n = 64;
  std::vector<gid_t> list(static_cast<std::size_t>(n));
  if (getgrouplist(out->pw_name, primary, list.data(), &n) < 0) {
    list.resize(static_cast<std::size_t>(n));
    if (getgrouplist(out->pw_name, primary, list.data(), &n) < 0) return gids;
  }
  list.resize(static_cast<std::size_t>(n));
  return list;
}

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t w = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return;
    }
    off += static_cast<std::size_t>(w);
  }
}

}  // namespace

bool ControlServer::allowed(uid_t uid, gid_t gid) const {
  if (std::find(cfg_.allow_uids.begin(), cfg_.allow_uids.end(), uid) != cfg_.allow_uids.end()) return true;
  if (cfg_.allow_gids.empty()) return false;
  for (gid_t g : groups_of(uid, gid))
    if (std::find(cfg_.allow_gids.begin(), cfg_.allow_gids.end(), g) != cfg_.allow_gids.end()) return true;
  return false;
}

bool ControlServer::start(std::string& error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, cfg_.socket.c_str(), sizeof addr.sun_path - 1);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    error = std::string("control socket: ") + std::strerror(errno);
    return false;
  }
  // A socket file nobody listens on (a dead appliance's) is replaced; a live one is not stolen.
  struct stat st {};
  if (::lstat(cfg_.socket.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      error = "control socket " + cfg_.socket + ": exists and is not a socket";
      return false;
    }
    const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool live = ::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(probe);
    if (live) {
      error = "control socket " + cfg_.socket + ": another process is listening on it";
      return false;
    }
    ::unlink(cfg_.socket.c_str());
  }
  // Created 0660 from the start (umask), so no one else can connect between bind and chmod.
  const mode_t old = ::umask(0117);
  const int b = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  // The first allowed group owns the socket, so its members can connect at all (mode 0660).
  const bool group_ok = cfg_.allow_gids.empty() ||
                        ::chown(cfg_.socket.c_str(), static_cast<uid_t>(-1), cfg_.allow_gids.front()) == 0;
  if (b != 0 || !group_ok || ::chmod(cfg_.socket.c_str(), 0660) != 0 || ::listen(listen_fd_, 16) != 0) {
    error = "control socket " + cfg_.socket + ": " + std::strerror(errno);
    return false;
  }
  thread_ = std::thread([this] { run(); });
  return true;
}

void ControlServer::stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    ::unlink(cfg_.socket.c_str());
    listen_fd_ = -1;
  }
}

void ControlServer::run() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    serve(fd);
    ::close(fd);
  }
}

void ControlServer::serve(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || !allowed(cred.uid, cred.gid)) {
    controller_.stats().refused_peers.add();  // this thread is its one writer
    std::fprintf(stderr,
                 "sniperforge: control: refused uid=%u pid=%d (not in [control] allow_uids/allow_groups)\n",
                 static_cast<unsigned>(cred.uid), static_cast<int>(cred.pid));
    write_all(fd, "exit 1\nerror: refused: uid " + std::to_string(cred.uid) +
                      " is not allowed by [control] allow_uids / allow_groups\n");
    return;
  }
  // One request line, at most 4 KiB, within 2 s.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  char buf[512];
  while (line.find('\n') == std::string::npos && line.size() < 4096 &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  const auto nl = line.find('\n');
  if (nl == std::string::npos) {
    write_all(fd, "exit 2\nerror: no complete request line\n");
    return;
  }
  line.resize(nl);
  std::vector<std::string> args;
  std::size_t start = 0;
  for (;;) {
    const auto sep = line.find(kArgSeparator, start);
    args.push_back(line.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
    if (sep == std::string::npos) break;
    start = sep + 1;
  }
  const std::string mode = args.front();
  args.erase(args.begin());
  if (mode != "json" && mode != "text") {
    write_all(fd, "exit 2\nerror: request must start with json or text\n");
    return;
  }
  Peer peer{cred.uid, cred.gid, cred.pid, user_name(cred.uid)};
  const Response r = controller_.handle(args, mode == "json", peer);
  served_.fetch_add(1, std::memory_order_relaxed);
  write_all(fd, "exit " + std::to_string(r.exit) + "\n" + r.body);
}

}  // namespace sf::control
