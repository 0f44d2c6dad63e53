#include "sniperforge/session/config.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>

namespace sf::order_session {
namespace {

std::optional<std::array<uint8_t, 4>> parse_ipv4(const std::string& s) {
  std::array<uint8_t, 4> a{};
  if (inet_pton(AF_INET, s.c_str(), a.data()) != 1) return std::nullopt;
  return a;
}
std::optional<std::array<uint8_t, 6>> parse_mac(const std::string& s) {
  std::array<uint8_t, 6> m{};
  unsigned v[6];
  char tail;
  if (s.size() != 17 || std::sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
                                    &v[5], &tail) != 6)
    return std::nullopt;
  for (int i = 0; i < 6; ++i) m[static_cast<std::size_t>(i)] = static_cast<uint8_t>(v[i]);
  return m;
}

struct Reader {
  const toml::table& t;
  std::string where;
  std::vector<std::string>& errors;
  void error(std::string_view key, std::string_view msg) {
    errors.push_back(where + "." + std::string(key) + ": " + std::string(msg));
  }
  std::optional<std::string> str(std::string_view key) {
    const auto* n = t.get(key);
    if (!n) return std::nullopt;
    if (auto v = n->value<std::string>()) return *v;
    error(key, "expected a string");
    return std::nullopt;
  }
  void integer(std::string_view key, uint32_t& out, int64_t lo, int64_t hi) {
    const auto* n = t.get(key);
    if (!n) return;
    const auto v = n->value<int64_t>();
    if (!v || *v < lo || *v > hi)
      return error(key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    out = static_cast<uint32_t>(*v);
  }
};

void parse_venue(Reader& r, VenueSessionConfig& c) {
  const auto v = r.str("venue");
  if (!v) {
    if (c.transport != TransportKind::kNone && !r.t.get("venue"))
      r.error("venue", "required (\"IPv4:PORT\")");
    return;
  }
  const auto colon = v->rfind(':');
  const auto ip = colon == std::string::npos ? std::nullopt : parse_ipv4(v->substr(0, colon));
  int port = 0;
  if (ip) {
    const std::string p = v->substr(colon + 1);
    port = p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ? 0
                                                                                               : std::stoi(p);
  }
  if (!ip || port < 1 || port > 65535)
    return r.error("venue", "expected \"IPv4:PORT\" such as \"10.0.1.2:15000\"");
  c.venue_ip = *ip;
  c.venue_port = static_cast<uint16_t>(port);
}

void parse_logins(const toml::table& t, VenueSessionConfig& c, std::vector<std::string>& errors) {
  const auto* n = t.get("login");
  if (!n) {
    if (c.transport != TransportKind::kNone)
      errors.push_back("[[order_session.login]]: at least one is required");
    return;
  }
  const auto* arr = n->as_array();
  if (!arr || !arr->is_array_of_tables()) {
    errors.push_back("[[order_session.login]]: expected an array of tables");
    return;
  }
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::table& lt = *arr->get(i)->as_table();
    Reader r{lt, "[[order_session.login]] #" + std::to_string(i + 1), errors};
    LoginConfig l;
    l.username = r.str("username").value_or("");
    l.password_file = r.str("password_file").value_or("");
    l.session = r.str("session").value_or("");
    if (l.username.empty() || l.username.size() > 6) r.error("username", "1 to 6 characters required");
    if (l.session.size() > 10) r.error("session", "at most 10 characters");
    std::string pw, err;
    if (l.password_file.empty())
      r.error("password_file", "required");
    else if (!read_password_file(l.password_file, pw, err))
      r.error("password_file", err);
    for (const auto& [k, v] : lt) {
      (void)v;
      if (k != "username" && k != "password_file" && k != "session")
        r.error(std::string(k.str()), "unknown key");
    }
    c.logins.push_back(std::move(l));
  }
}
}  // namespace

std::string_view to_string(TransportKind t) noexcept {
  switch (t) {
    case TransportKind::kDpdk:
      return "dpdk";
    case TransportKind::kKernel:
      return "kernel";
    case TransportKind::kNone:
      return "none";
  }
  return "?";
}

VenueSessionConfig parse_venue_session(const toml::table& t, std::vector<std::string>& errors) {
  VenueSessionConfig c;
  Reader r{t, "[order_session]", errors};
  const auto transport = r.str("transport");
  for (std::string_view k : kRetiredUdpSessionKeys)
    if (t.get(k))
      r.error(k,
              "the UDP order session is retired (#11); remove it (transport \"none\" names its synthetic TCP "
              "stream with local_ip and venue)");
  if (!transport || *transport == "dpdk")
    c.transport = TransportKind::kDpdk;
  else if (*transport == "kernel")
    c.transport = TransportKind::kKernel;
  else if (*transport == "none")
    c.transport = TransportKind::kNone;
  else
    r.error("transport", "expected one of \"dpdk\", \"kernel\", \"none\"");
  if (c.transport == TransportKind::kNone) {  // the synthetic stream's addresses unless named
    c.local_ip = kReplayLocalIp;
    c.venue_ip = kReplayVenueIp;
    c.venue_port = kReplayVenuePort;
  }
  if (const auto ip = r.str("local_ip")) {
    if (const auto a = parse_ipv4(*ip))
      c.local_ip = *a;
    else
      r.error("local_ip", "expected an IPv4 address");
  }
  parse_venue(r, c);
  if (const auto mac = r.str("gateway_mac"); mac && !mac->empty()) {
    c.gateway_mac = parse_mac(*mac);
    if (!c.gateway_mac) r.error("gateway_mac", "expected \"\" or a MAC address \"02:00:00:00:00:02\"");
  }
  r.integer("heartbeat_ms", c.heartbeat_ms, 10, 60'000);
  r.integer("timeout_ms", c.timeout_ms, 100, 600'000);
  uint32_t vlan = 0;
  r.integer("vlan", vlan, 0, 4094);
  c.vlan = static_cast<uint16_t>(vlan);
  if (c.timeout_ms <= c.heartbeat_ms) r.error("timeout_ms", "must be larger than heartbeat_ms");
  parse_logins(t, c, errors);
  return c;
}

bool read_password_file(const std::string& path, std::string& password, std::string& error) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    error = "cannot read \"" + path + "\"";
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "\"" + path + "\" is not a regular file";
    return false;
  }
  const unsigned mode = st.st_mode & 07777;
  if (mode != 0600 && mode != 0400) {
    char m[8];
    std::snprintf(m, sizeof m, "%04o", mode);
    error = "\"" + path + "\" has mode " + m + "; refused unless 0600 or 0400";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!s.empty() && s.back() == '\n') s.pop_back();
  bool printable = !s.empty() && s.size() <= 10;
  for (char ch : s) printable = printable && ch > 0x20 && ch < 0x7f;
  if (!in.good() && !in.eof()) printable = false;
  if (!printable) {
    error = "\"" + path + "\": expected 1 to 10 printable characters without spaces";
    return false;
  }
  password = std::move(s);
  return true;
}

}  // namespace sf::order_session
