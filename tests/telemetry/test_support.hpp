// Shared helpers of the telemetry tests: fake data-plane structs with a fake TSC, and a minimal
// blocking HTTP/1.1 GET client for loopback.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "sniperforge/telemetry/sources.hpp"

namespace sf::telemetry::testing {

struct FakePlane {
  static constexpr double kHz = 1e9;  // 1 tick = 1 ns
  std::unique_ptr<RxLcoreStats> rx = std::make_unique<RxLcoreStats>();
  std::unique_ptr<ExecutorLcoreStats> ex = std::make_unique<ExecutorLcoreStats>();
  std::unique_ptr<LogRing> rx_log = std::make_unique<LogRing>();
  std::shared_ptr<std::atomic<uint64_t>> now = std::make_shared<std::atomic<uint64_t>>(1'000'000'000);
  std::vector<EngineStats> engines;
  int session = -1;
  std::vector<SessionRow> sessions;  // read_sessions' rows

  TelemetrySources sources() {
    TelemetrySources s;
    s.rx.push_back({1, rx.get()});
    s.executors.push_back({2, ex.get()});
    s.logs.push_back({1, "rx", rx_log.get()});
    auto clock = now;
    s.now_tsc = [clock] { return clock->load(); };
    s.tsc_hz = kHz;
    s.read_engines = [this](std::vector<EngineStats>& out) { out = engines; };
    s.order_session_state = [this] { return session; };
    s.read_sessions = [this](std::vector<SessionRow>& out) { out = sessions; };
    return s;
  }
  void beat() {
    rx->heartbeat_tsc.set(now->load());
    ex->heartbeat_tsc.set(now->load());
  }
  void advance_ms(uint64_t ms) { now->fetch_add(ms * 1'000'000); }
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

inline HttpResponse http_get(uint16_t port, const std::string& path) {
  HttpResponse r;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return r;
  const timeval limit{.tv_sec = 10, .tv_usec = 0};  // a hung server fails the request, not the test run
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return r;
  }
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return r;
  }
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) all.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  if (all.rfind("HTTP/1.", 0) != 0 || all.size() < 12) return r;
  r.status = std::stoi(all.substr(9, 3));
  const auto hdr_end = all.find("\r\n\r\n");
  if (hdr_end != std::string::npos) r.body = all.substr(hdr_end + 4);
  return r;
}

}  // namespace sf::telemetry::testing
