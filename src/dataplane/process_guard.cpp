#include "sniperforge/dataplane/process_guard.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

namespace sf::dataplane {

std::string dpdk_runtime_base() {
  if (::geteuid() == 0) return "/var/run/dpdk";
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  return xdg != nullptr && *xdg ? std::string(xdg) + "/dpdk" : "/tmp/dpdk";
}

std::vector<std::string> remove_stale_runtime_dirs(const std::string& base, const std::string& prefix) {
  namespace fs = std::filesystem;
  std::vector<std::string> removed;
  std::error_code ec;
  const std::string head = prefix + "_";
  for (const auto& e : fs::directory_iterator(base, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= head.size() || name.compare(0, head.size(), head) != 0) continue;
    long pid = 0;
    const char* b = name.data() + head.size();
    const char* end = name.data() + name.size();
    const auto [p, err] = std::from_chars(b, end, pid);
    if (err != std::errc{} || p != end || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to judge)
    std::error_code rm;
    fs::remove_all(e.path(), rm);
    if (!rm) removed.push_back(name);
  }
  return removed;
}

bool remove_runtime_dir(const std::string& base, const std::string& full_prefix) {
  std::error_code ec;
  const auto dir = std::filesystem::path(base) / full_prefix;
  std::filesystem::remove_all(dir, ec);
  return !std::filesystem::exists(dir, ec);
}

PortLock::~PortLock() {
  if (fd_ >= 0) ::close(fd_);
}

bool PortLock::acquire(const std::string& devargs, pid_t& holder) {
  holder = 0;
  // Abstract name: "\0sniperforge-port-<hash of devargs>" (devargs may be longer than sun_path).
  char name[64];
  const int n =
      std::snprintf(name, sizeof name, "sniperforge-port-%016zx", std::hash<std::string>{}(devargs));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name, static_cast<std::size_t>(n));
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + static_cast<std::size_t>(n));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return true;  // no sockets: nothing to lock with, do not refuse to run
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0 && ::listen(fd, 4) == 0) {
    fd_ = fd;
    return true;
  }
  const bool taken = errno == EADDRINUSE;
  ::close(fd);
  if (!taken) return true;
  // Ask the holder who it is (SO_PEERCRED of a connection to its socket).
  const int c = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c >= 0) {
    if (::connect(c, reinterpret_cast<const sockaddr*>(&addr), len) == 0) {
      ucred cred{};
      socklen_t cl = sizeof cred;
      if (::getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) holder = cred.pid;
    }
    ::close(c);
  }
  return false;
}

}  // namespace sf::dataplane
