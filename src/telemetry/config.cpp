#include "sniperforge/telemetry/config.hpp"

#include <charconv>
#include <string>

namespace sf::telemetry {
namespace {

std::string key_path(std::string_view table, std::string_view key) {
  std::string s{table};
  s += '.';
  s += key;
  return s;
}

void read_bool(const toml::table& t, std::string_view table, std::string_view key, bool& out,
               std::vector<std::string>& errors) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return;
  if (auto v = n->value<bool>(); v && n->is_boolean()) {
    out = *v;
  } else {
    errors.push_back(key_path(table, key) + ": must be a boolean");
  }
}

void read_u32(const toml::table& t, std::string_view table, std::string_view key, uint32_t lo, uint32_t hi,
              uint32_t& out, std::vector<std::string>& errors) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return;
  const auto v = n->is_integer() ? n->value<int64_t>() : std::nullopt;
  if (!v || *v < lo || *v > hi) {
    errors.push_back(key_path(table, key) + ": must be an integer in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "]");
    return;
  }
  out = static_cast<uint32_t>(*v);
}

void read_double(const toml::table& t, std::string_view table, std::string_view key, double lo, double hi,
                 double& out, std::vector<std::string>& errors) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return;
  const auto v = (n->is_floating_point() || n->is_integer()) ? n->value<double>() : std::nullopt;
  if (!v || !(*v >= lo && *v <= hi)) {
    errors.push_back(key_path(table, key) + ": must be a number in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "]");
    return;
  }
  out = *v;
}

void read_string(const toml::table& t, std::string_view table, std::string_view key, std::string& out,
                 std::vector<std::string>& errors) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return;
  if (!n->is_string()) {
    errors.push_back(key_path(table, key) + ": must be a string");
    return;
  }
  out = *n->value<std::string>();
}

bool known(std::string_view key, std::initializer_list<std::string_view> keys) {
  for (auto k : keys)
    if (k == key) return true;
  return false;
}

}  // namespace

bool valid_listen_address(std::string_view addr) noexcept {
  const auto colon = addr.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= addr.size()) return false;
  const std::string_view host = addr.substr(0, colon);
  const std::string_view port = addr.substr(colon + 1);
  // IPv4 only: Debian's civetweb is built without IPv6 (mg_check_feature(8) == 0), so "[::1]:9470" could
  // never be bound; refuse it here, at --check-config, rather than at start.
  if (host.find_first_not_of("0123456789.") != std::string_view::npos) return false;
  int dots = 0;
  for (char c : host) dots += c == '.';
  if (dots != 3) return false;
  unsigned p = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  return ec == std::errc{} && ptr == port.data() + port.size() && p <= 65535;
}

TelemetryConfig parse_telemetry_config(const toml::table& root, std::vector<std::string>& errors) {
  TelemetryConfig cfg;
  const toml::node* node = root.get("telemetry");
  if (node == nullptr) return cfg;
  const toml::table* t = node->as_table();
  if (t == nullptr) {
    errors.emplace_back("telemetry: must be a table");
    return cfg;
  }
  constexpr std::string_view kT = "telemetry";
  for (const auto& [k, v] : *t) {
    if (!known(k.str(), {"enabled", "metrics_addr", "interval_ms", "heartbeat_timeout_ms", "feed_stale_ms",
                         "log_level", "log_file", "latency_slo_us", "anomaly"}))
      errors.push_back(key_path(kT, k.str()) + ": unknown key");
  }
  read_bool(*t, kT, "enabled", cfg.enabled, errors);
  std::string addr = cfg.metrics_addr;
  read_string(*t, kT, "metrics_addr", addr, errors);
  if (valid_listen_address(addr)) {
    cfg.metrics_addr = addr;
  } else {
    errors.push_back("telemetry.metrics_addr: '" + addr + "' is not HOST:PORT");
  }
  read_u32(*t, kT, "interval_ms", 1, 60000, cfg.interval_ms, errors);
  read_u32(*t, kT, "heartbeat_timeout_ms", 1, 3600000, cfg.heartbeat_timeout_ms, errors);
  read_u32(*t, kT, "feed_stale_ms", 1, 86400000, cfg.feed_stale_ms, errors);
  std::string level = cfg.log_level;
  read_string(*t, kT, "log_level", level, errors);
  if (known(level, {"trace", "debug", "info", "warn", "error", "critical", "off"})) {
    cfg.log_level = level;
  } else {
    errors.push_back("telemetry.log_level: '" + level +
                     "' is not one of trace|debug|info|warn|error|critical|off");
  }
  read_string(*t, kT, "log_file", cfg.log_file, errors);
  read_double(*t, kT, "latency_slo_us", 0.001, 1e7, cfg.latency_slo_us, errors);
  if (cfg.interval_ms > cfg.heartbeat_timeout_ms)
    errors.emplace_back("telemetry.heartbeat_timeout_ms: must be >= telemetry.interval_ms");

  if (const toml::node* an = t->get("anomaly")) {
    const toml::table* a = an->as_table();
    if (a == nullptr) {
      errors.emplace_back("telemetry.anomaly: must be a table");
      return cfg;
    }
    constexpr std::string_view kA = "telemetry.anomaly";
    for (const auto& [k, v] : *a) {
      if (!known(k.str(), {"enabled", "alpha", "warmup_samples", "z_threshold", "z_clear", "min_stddev",
                           "feed_rate_z", "gap_rate_z", "reject_rate_z", "tick_to_trade_p99_z"}))
        errors.push_back(key_path(kA, k.str()) + ": unknown key");
    }
    AnomalyConfig& ac = cfg.anomaly;
    read_bool(*a, kA, "enabled", ac.enabled, errors);
    read_double(*a, kA, "alpha", 1e-6, 1.0, ac.alpha, errors);
    read_u32(*a, kA, "warmup_samples", 0, 1000000, ac.warmup_samples, errors);
    double z = ac.z_threshold[0];
    read_double(*a, kA, "z_threshold", 0.1, 1e6, z, errors);
    ac.z_threshold.fill(z);
    read_double(*a, kA, "z_clear", 0.0, 1e6, ac.z_clear, errors);
    read_double(*a, kA, "min_stddev", 0.0, 1e18, ac.min_stddev, errors);
    for (std::size_t i = 0; i < kAnomalyKindCount; ++i) {
      const std::string key = std::string{kAnomalyKindNames[i]} + "_z";
      read_double(*a, kA, key, 0.1, 1e6, ac.z_threshold[i], errors);
    }
    for (std::size_t i = 0; i < kAnomalyKindCount; ++i) {
      if (ac.z_clear > ac.z_threshold[i]) {
        errors.push_back("telemetry.anomaly.z_clear: must be <= the threshold of " +
                         std::string{kAnomalyKindNames[i]});
        break;
      }
    }
  }
  return cfg;
}

}  // namespace sf::telemetry
