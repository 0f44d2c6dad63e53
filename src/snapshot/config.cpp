#include "sniperforge/snapshot/config.hpp"

#include "sniperforge/common/cli.hpp"
#include "sniperforge/session/config.hpp"

namespace sf::snapshot {
namespace {

const std::string kWhere = "[feed.snapshot]";

void error(std::vector<std::string>& errors, std::string_view key, std::string_view msg) {
  errors.push_back(kWhere + "." + std::string(key) + ": " + std::string(msg));
}

std::string string_key(const toml::table& t, std::string_view key, std::vector<std::string>& errors) {
  const auto* n = t.get(key);
  if (n == nullptr) {
    error(errors, key, "required");
    return {};
  }
  if (auto v = n->value<std::string>()) return *v;
  error(errors, key, "expected a string");
  return {};
}

void parse_server(const toml::table& t, SnapshotConfig& c, std::vector<std::string>& errors) {
  const std::string s = string_key(t, "server", errors);
  if (s.empty()) return;
  const auto at = cli::parse_ipv4_endpoint(s);
  if (!at || at->port == 0)
    return error(errors, "server", "expected \"IPv4:PORT\" such as \"10.0.0.2:17000\"");
  for (int i = 0; i < 4; ++i)
    c.server_ip[static_cast<std::size_t>(i)] = static_cast<uint8_t>(at->address >> (24 - 8 * i));
  c.server_port = at->port;
}

}  // namespace

SnapshotConfig parse_snapshot_config(const toml::table& root, std::vector<std::string>& errors) {
  SnapshotConfig c;
  const auto* feed = root.get("feed") ? root.get("feed")->as_table() : nullptr;
  const auto* node = feed ? feed->get("snapshot") : nullptr;
  if (node == nullptr) return c;
  const auto* t = node->as_table();
  if (t == nullptr) {
    errors.push_back(kWhere + ": expected a table");
    return c;
  }
  c.enabled = true;
  parse_server(*t, c, errors);
  c.username = string_key(*t, "username", errors);
  if (c.username.size() > 6 || (t->get("username") && c.username.empty()))
    error(errors, "username", "1 to 6 characters required");
  c.password_file = string_key(*t, "password_file", errors);
  std::string password, why;
  if (!c.password_file.empty() && !order_session::read_password_file(c.password_file, password, why))
    error(errors, "password_file", why);
  if (const auto* n = t->get("timeout_ms")) {
    const auto v = n->value<int64_t>();
    if (!v || *v < 100 || *v > 3'600'000)
      error(errors, "timeout_ms", "expected an integer in [100, 3600000]");
    else
      c.timeout_ms = static_cast<uint32_t>(*v);
  }
  if (const auto* n = t->get("at_start")) {
    if (const auto* v = n->as_boolean())
      c.at_start = v->get();
    else
      error(errors, "at_start", "expected true or false");
  }
  for (const auto& [k, v] : *t) {
    (void)v;
    const std::string key(k.str());
    if (key != "server" && key != "username" && key != "password_file" && key != "timeout_ms" &&
        key != "at_start")
      error(errors, key, "unknown key");
  }
  return c;
}

}  // namespace sf::snapshot
