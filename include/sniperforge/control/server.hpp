// The control socket (issue #14): a Unix domain socket (never a network listener), created mode 0660,
// served by one thread off the data-plane cores. Each connection carries one command: the client sends
// one line, "json" or "text" then the arguments separated by 0x1f (unit separator; arguments may hold
// spaces), and reads "exit N\n" followed by the body until the server closes. The peer's credentials
// (SO_PEERCRED) must match [control] allow_uids or allow_groups (the peer's primary or supplementary
// groups); anyone else is refused, told so, and counted.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "sniperforge/control/config.hpp"
#include "sniperforge/control/controller.hpp"

namespace sf::control {

inline constexpr char kArgSeparator = '\x1f';

class ControlServer {
 public:
  ControlServer(ControlConfig cfg, Controller& controller) : cfg_(std::move(cfg)), controller_(controller) {}
  ~ControlServer() { stop(); }
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds the socket (a stale socket file left by a dead process is replaced) and starts the thread.
  // False with `error` set if it cannot.
  bool start(std::string& error);
  void stop();

  [[nodiscard]] uint64_t refused() const noexcept { return controller_.stats().refused_peers.load(); }
  [[nodiscard]] uint64_t served() const noexcept { return served_.load(std::memory_order_relaxed); }
  [[nodiscard]] bool allowed(uid_t uid, gid_t gid) const;

 private:
  void run();
  void serve(int fd);

  ControlConfig cfg_;
  Controller& controller_;
  int listen_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> served_{0};
};

}  // namespace sf::control
