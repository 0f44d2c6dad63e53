#include "sniperforge/control/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sniperforge/control/server.hpp"

namespace sf::control {

std::optional<Response> request(const std::string& socket_path, const std::vector<std::string>& args,
                                bool json, std::string& error, int timeout_ms) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    error = socket_path + ": path too long for a Unix socket";
    return std::nullopt;
  }
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error = "cannot connect to " + socket_path + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return std::nullopt;
  }
  std::string line = json ? "json" : "text";
  for (const auto& a : args) {
    if (a.find('\n') != std::string::npos || a.find(kArgSeparator) != std::string::npos) {
      ::close(fd);
      error = "an argument holds a newline or 0x1f";
      return std::nullopt;
    }
    line += kArgSeparator + a;
  }
  line += '\n';
  std::size_t off = 0;
  while (off < line.size()) {
    const ssize_t w = ::send(fd, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (w <= 0) break;
    off += static_cast<std::size_t>(w);
  }
  std::string answer;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) {
      error = "no answer from " + socket_path + " within " + std::to_string(timeout_ms) + " ms";
      ::close(fd);
      return std::nullopt;
    }
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto nl = answer.find('\n');
  if (answer.rfind("exit ", 0) != 0 || nl == std::string::npos || nl < 6) {
    error = "malformed answer from " + socket_path;
    return std::nullopt;
  }
  Response r;
  r.exit = answer[5] - '0';
  r.body = answer.substr(nl + 1);
  return r;
}

}  // namespace sf::control
