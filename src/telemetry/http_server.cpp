#include "sniperforge/telemetry/http_server.hpp"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/exposer.h>

#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace sf::telemetry {
namespace {

// civetweb hands begin_request only the connection; servers are found by their listening port.
std::mutex g_mu;
std::map<int, std::weak_ptr<MetricsCollector>> g_by_port;

void reply(mg_connection* conn, int code, const std::string& body) {
  const char* text = code == 200 ? "OK" : "Service Unavailable";
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
            "Content-Length: %zu\r\nConnection: close\r\n\r\n",
            code, text, body.size());
  mg_write(conn, body.data(), body.size());
}

int begin_request(mg_connection* conn) {
  const mg_request_info* ri = mg_get_request_info(conn);
  if (ri == nullptr || ri->local_uri == nullptr) return 0;
  const bool health = std::strcmp(ri->local_uri, "/health") == 0;
  const bool ready = std::strcmp(ri->local_uri, "/ready") == 0;
  if (!health && !ready) return 0;  // /metrics and 404s: civetweb / prometheus-cpp
  std::shared_ptr<MetricsCollector> c;
  {
    std::lock_guard lock(g_mu);
    auto it = g_by_port.find(ri->server_port);
    if (it != g_by_port.end()) c = it->second.lock();
  }
  if (!c) {
    reply(conn, 503, "starting\n");
    return 503;
  }
  const Status st = health ? c->health() : c->ready();
  const int code = st.ok ? 200 : 503;
  reply(conn, code, st.ok ? std::string{"ok\n"} : st.reason + "\n");
  return code;
}

}  // namespace

MetricsServer::MetricsServer(const std::string& addr, std::shared_ptr<MetricsCollector> collector,
                             std::size_t threads)
    : collector_(std::move(collector)) {
  CivetCallbacks cb;
  cb.begin_request = &begin_request;
  std::vector<std::string> options = {"listening_ports",       addr,
                                      "num_threads",           std::to_string(threads),
                                      "request_timeout_ms",    std::to_string(kRequestTimeoutMs),
                                      "keep_alive_timeout_ms", std::to_string(kKeepAliveTimeoutMs)};
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(std::move(options), &cb);
  } catch (const std::exception& e) {
    throw std::runtime_error("telemetry: cannot listen on " + addr + ": " + e.what());
  }
  exposer_->RegisterCollectable(collector_, "/metrics");
  const auto ports = exposer_->GetListeningPorts();
  if (ports.empty()) throw std::runtime_error("telemetry: no listening port for " + addr);
  port_ = static_cast<uint16_t>(ports.front());
  std::lock_guard lock(g_mu);
  for (int p : ports) g_by_port[p] = collector_;
}

MetricsServer::~MetricsServer() {
  {
    std::lock_guard lock(g_mu);
    if (exposer_)
      for (int p : exposer_->GetListeningPorts()) g_by_port.erase(p);
  }
  exposer_.reset();
}

}  // namespace sf::telemetry
