// HTTP endpoints on one address: prometheus-cpp Exposer serves /metrics; /health and /ready are
// answered by a civetweb begin_request hook on the same server (200 "ok" or 503 + reason).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sniperforge/telemetry/collector.hpp"

namespace prometheus {
class Exposer;
}

namespace sf::telemetry {

class MetricsServer {
 public:
  // civetweb serves one connection per worker thread: with two, two idle clients blinded /health (#16).
  // Many cheap threads (they sleep) plus request and keep-alive timeouts keep it answering.
  static constexpr std::size_t kDefaultThreads = 64;
  static constexpr int kRequestTimeoutMs = 2000;    // a client that does not finish its request is closed
  static constexpr int kKeepAliveTimeoutMs = 1000;  // an idle kept-alive connection is closed

  // `addr` is HOST:PORT (port 0 picks a free one). Throws std::runtime_error when it cannot bind.
  MetricsServer(const std::string& addr, std::shared_ptr<MetricsCollector> collector,
                std::size_t threads = kDefaultThreads);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  [[nodiscard]] uint16_t port() const noexcept { return port_; }

 private:
  std::shared_ptr<MetricsCollector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  uint16_t port_ = 0;
};

}  // namespace sf::telemetry
