#include "sniperforge/dataplane/config.hpp"

#include "sniperforge/dataplane/feed_guard_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <set>
#include <string_view>

#include "table_reader.hpp"

namespace sf::dataplane {
namespace {

using config_detail::TableReader;

bool is_power_of_two(uint64_t x) {
  return x && !(x & (x - 1));
}

void parse_eal(const toml::table& t, EalConfig& c, std::vector<std::string>& errors) {
  TableReader r(t, "[eal]", errors);
  r.string_list("args", c.args);
  r.str("file_prefix", c.file_prefix);
  r.integer("memory", c.memory_mb, 64, 1 << 20);
  r.choice("hugepages", c.hugepages,
           {{"auto", HugepageMode::kAuto}, {"on", HugepageMode::kOn}, {"off", HugepageMode::kOff}});
  if (c.file_prefix.empty() || c.file_prefix.find_first_of("/ \t,") != std::string::npos)
    r.error("file_prefix", "must be a non-empty name without '/', ',' or spaces");
  else if (c.file_prefix.size() > kMaxFilePrefix)
    r.error("file_prefix", "at most " + std::to_string(kMaxFilePrefix) + " characters (got " +
                               std::to_string(c.file_prefix.size()) +
                               "): EAL's runtime directory and its unix sockets must fit in a socket path");
  for (const auto& a : c.args) {
    static const char* const kOurs[] = {"--file-prefix", "-l",          "--lcores", "--main-lcore",
                                        "--no-huge",     "--in-memory", "-m",       "--socket-mem"};
    bool ours = false;
    for (const char* o : kOurs) ours = ours || a == o || a.rfind(std::string(o) + "=", 0) == 0;
    if (ours)
      r.error("args",
              "\"" + a + "\" is chosen by sniperforge (use file_prefix, memory, hugepages, [lcores])");
  }
}

void parse_port(const toml::table& t, std::size_t i, PortConfig& c, std::vector<std::string>& errors) {
  TableReader r(t, "[[port]] #" + std::to_string(i + 1), errors);
  r.str("name", c.name);
  r.str("devargs", c.devargs);
  r.integer("rx_queues", c.rx_queues, 1, 64);
  r.integer("tx_queues", c.tx_queues, 0, 64);
  r.integer("rx_descriptors", c.rx_descriptors, 32, 32768);
  r.integer("tx_descriptors", c.tx_descriptors, 32, 32768);
  r.integer("mbufs", c.mbufs, 511, 1 << 24);
  r.boolean("promiscuous", c.promiscuous);
  if (c.name.empty()) r.error("name", "missing (every port needs a name)");
  if (c.devargs.empty()) r.error("devargs", "missing (e.g. \"net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap\")");
  if (!is_power_of_two(c.rx_descriptors) || !is_power_of_two(c.tx_descriptors))
    r.error("rx_descriptors/tx_descriptors", "must be powers of two");
}

void parse_lcores(const toml::table& t, LcoreConfig& c, std::vector<std::string>& errors) {
  TableReader r(t, "[lcores]", errors);
  r.choice("mode", c.mode,
           {{"pipeline", LcoreMode::kPipeline},
            {"run_to_completion", LcoreMode::kRunToCompletion},
            {"auto", LcoreMode::kAuto}});
  r.integer("rx", c.rx, 1, 16);
  r.integer("executors", c.executors, 1, 16);  // telemetry::kMaxExecutors
  r.integer("housekeeping", c.housekeeping, -1, 4095);
  r.int_list("cpus", c.cpus);
  r.choice("numa", c.numa, {{"warn", NumaPolicy::kWarn}, {"strict", NumaPolicy::kStrict}});
  r.boolean("strict", c.strict);
  r.integer("ring_size", c.ring_size, 64, 1 << 20);
  r.integer("burst", c.burst, 1, 512);
  r.integer("idle_polls_to_exit", c.idle_polls_to_exit, 1, 100000000);
  if (!is_power_of_two(c.ring_size)) r.error("ring_size", "must be a power of two");
  if (c.mode == LcoreMode::kRunToCompletion && c.rx != 1)
    r.error("rx", "run_to_completion runs one lcore: rx must be 1");
  if (c.mode == LcoreMode::kAuto && c.rx != 1)
    r.error("rx", "mode \"auto\" may choose run_to_completion, which runs one lcore: rx must be 1");
  if (c.mode == LcoreMode::kAuto && !c.cpus.empty())
    r.error("cpus",
            "explicit cpus need an explicit mode (\"pipeline\" or \"run_to_completion\"), not \"auto\"");
  if (!c.cpus.empty() && c.mode != LcoreMode::kAuto) {
    const std::size_t need = c.mode == LcoreMode::kPipeline ? c.rx + c.executors : 1u;
    if (c.cpus.size() != need)
      r.error("cpus", "needs exactly " + std::to_string(need) + " entries for this mode (rx then executors)");
  }
}

void parse_group(TableReader& r, std::optional<std::array<uint8_t, 4>>& group) {
  if (const auto* n = r.get("group")) {
    auto v = n->value<std::string>();
    auto ip = v ? parse_ipv4(*v) : std::nullopt;
    if (!ip)
      r.error("group", "expected an IPv4 address such as \"233.54.12.111\"");
    else
      group = *ip;
  }
}

void parse_feed_line_b(const toml::table& t, FeedLineConfig& c, std::vector<std::string>& errors) {
  TableReader r(t, "[feed.line_b]", errors);
  r.str("port", c.port);
  r.integer("udp_port", c.udp_port, 1, 65535);
  parse_group(r, c.group);
}

void parse_feed_rewind(const toml::table& t, FeedRewindConfig& c, std::vector<std::string>& errors) {
  TableReader r(t, "[feed.rewind]", errors);
  std::string server;
  r.str("server", server);
  const auto colon = server.rfind(':');
  const auto ip = colon == std::string::npos ? std::nullopt : parse_ipv4(server.substr(0, colon));
  uint64_t port = 0;
  const char* digits = server.data() + colon + 1;
  const auto [end, ec] = std::from_chars(digits, server.data() + server.size(), port);
  if (!ip || ec != std::errc() || end != server.data() + server.size() || port == 0 || port > 65535) {
    r.error("server", "expected \"IPv4:PORT\" of the re-request server, such as \"10.0.0.2:26400\"");
  } else {
    c.server_ip = *ip;
    c.server_port = static_cast<uint16_t>(port);
  }
  if (!r.get("local_ip")) r.error("local_ip", "missing: our IPv4 address on the feed port");
  r.address("local_ip", c.local_ip, parse_ipv4, "an IPv4 address");
  r.integer("timeout_ms", c.timeout_ms, 1, 60'000);
  r.integer("retries", c.retries, 0, 1000);
  r.integer("max_held_messages", c.max_held_messages, 1, 100'000'000);
}

void parse_feed(const toml::table& t, FeedConfig& c, std::vector<std::string>& errors) {
  TableReader r(t, "[feed]", errors);
  r.str("port", c.port);
  r.integer("udp_port", c.udp_port, 1, 65535);
  parse_group(r, c.group);
  r.integer("arbitration_us", c.arbitration_us, 0, 10'000'000);
  for (std::string_view k : kFeedGuardKeys) (void)r.get(k);  // #16: parsed by the feed guard's own parser
  parse_feed_guard(t, c.guard, errors);
  if (const auto* n = r.get("line_b")) {
    if (const auto* lb = n->as_table())
      parse_feed_line_b(*lb, c.line_b.emplace(), errors);
    else
      r.error("line_b", "expected a table [feed.line_b]");
  }
  if (const auto* n = r.get("rewind")) {
    if (const auto* rw = n->as_table())
      parse_feed_rewind(*rw, c.rewind.emplace(), errors);
    else
      r.error("rewind", "expected a table [feed.rewind]");
  }
  (void)r.get("snapshot");  // [feed.snapshot]: GLIMPSE, parsed by snapshot/config.hpp
}

// The RX lcore of the feed port sends the re-requests: there must be exactly one.
void check_feed_rewind(const DataplaneConfig& c, std::vector<std::string>& errors) {
  if (!c.feed.rewind) return;
  const FeedRewindConfig& r = *c.feed.rewind;
  if (c.lcores.rx != 1)
    errors.push_back("[feed.rewind]: needs [lcores].rx = 1 (one RX lcore owns the requests)");
  if (r.local_ip == r.server_ip)
    errors.push_back("[feed.rewind].local_ip: must differ from the server's address");
  if (r.local_ip[0] >= 224 || r.local_ip == std::array<uint8_t, 4>{})
    errors.push_back("[feed.rewind].local_ip: must be a unicast address");
}

// Line B shares line A's session: it must be told apart from line A and from the order session.
void check_feed_line_b(DataplaneConfig& c, std::vector<std::string>& errors) {
  if (!c.feed.line_b) return;
  FeedLineConfig& b = *c.feed.line_b;
  if (b.port.empty()) b.port = c.feed.port;
  const bool own_port = b.port != c.feed.port;
  if (own_port && c.port_index(b.port) < 0)
    errors.push_back("[feed.line_b].port: no [[port]] named \"" + b.port + "\"");
  // On line A's port the lines are told apart by UDP port or group; on a port of its own by the port.
  if (!own_port && b.udp_port == c.feed.udp_port && b.group == c.feed.group)
    errors.push_back("[feed.line_b]: on [feed].port, udp_port and group must differ from line A's");
  // transport "dpdk" polls a separate order port's queue 0 itself (order_port_rx.hpp): one poller a queue.
  const auto& soup = c.order_session.soupbintcp;
  if (own_port && b.port == c.order_session.port && soup.transport == order_session::TransportKind::kDpdk)
    errors.push_back(
        "[feed.line_b].port: may not be [order_session].port with transport \"dpdk\" (both "
        "would poll its queue 0)");
  // Each RX lcore arbitrates what its queue receives: RSS could split the lines over several.
  if (c.lcores.rx != 1) errors.push_back("[feed.line_b]: needs [lcores].rx = 1 (both lines on one RX queue)");
}

void parse_order_session(const toml::table& t, OrderSessionConfig& c, std::vector<std::string>& errors) {
  TableReader r(t, "[order_session]", errors);
  r.str("port", c.port);
  r.integer("src_port", c.src_port, 1, 65535);
  // The SoupBinTCP keys (issue #11) share the table; the session layer parses and checks them, and
  // refuses the retired UDP session's keys by name.
  for (std::string_view k : order_session::kVenueSessionKeys) (void)r.get(k);
  for (std::string_view k : order_session::kRetiredUdpSessionKeys) (void)r.get(k);
  c.soupbintcp = order_session::parse_venue_session(t, errors);
}

const toml::table* sub_table(const toml::table& root, std::string_view key,
                             std::vector<std::string>& errors) {
  const auto* n = root.get(key);
  if (!n) return nullptr;
  if (const auto* t = n->as_table()) return t;
  errors.push_back("[" + std::string(key) + "]: expected a table");
  return nullptr;
}

}  // namespace

const char* to_string(LcoreMode m) noexcept {
  switch (m) {
    case LcoreMode::kPipeline:
      return "pipeline";
    case LcoreMode::kRunToCompletion:
      return "run_to_completion";
    case LcoreMode::kAuto:
      return "auto";
  }
  return "?";
}

int DataplaneConfig::port_index(const std::string& name) const {
  for (std::size_t i = 0; i < ports.size(); ++i)
    if (ports[i].name == name) return static_cast<int>(i);
  return -1;
}

// [backtest] belongs to sf-backtest's simulated venue (sim/config.hpp); the appliance ignores it, so one
// file configures both.
bool is_known_top_level_table(const std::string& key) {
  static const std::set<std::string> known{"eal",      "port",    "lcores", "feed",     "order_session",
                                           "trading",  "book",    "risk",   "strategy", "telemetry",
                                           "backtest", "control", "journal"};
  return known.count(key) != 0;
}

DataplaneConfig parse_dataplane_config(const toml::table& root, std::vector<std::string>& errors) {
  DataplaneConfig c;
  if (const auto* t = sub_table(root, "eal", errors)) parse_eal(*t, c.eal, errors);
  if (const auto* n = root.get("port")) {
    const auto* arr = n->as_array();
    if (!arr || !arr->is_array_of_tables()) {
      errors.push_back("[[port]]: expected an array of tables ([[port]] sections)");
    } else {
      for (std::size_t i = 0; i < arr->size(); ++i) {
        c.ports.emplace_back();
        parse_port(*arr->get(i)->as_table(), i, c.ports.back(), errors);
      }
    }
  }
  if (c.ports.empty()) errors.push_back("[[port]]: missing (at least one port is needed)");
  for (std::size_t i = 0; i < c.ports.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (!c.ports[i].name.empty() && c.ports[i].name == c.ports[j].name)
        errors.push_back("[[port]]: duplicate name \"" + c.ports[i].name + "\"");
  if (const auto* t = sub_table(root, "lcores", errors)) parse_lcores(*t, c.lcores, errors);
  if (const auto* t = sub_table(root, "feed", errors)) parse_feed(*t, c.feed, errors);
  if (const auto* t = sub_table(root, "order_session", errors))
    parse_order_session(*t, c.order_session, errors);
  else if (!root.get("order_session"))
    errors.push_back(std::string(kMissingOrderSession));

  if (!c.ports.empty()) {
    if (c.feed.port.empty()) c.feed.port = c.ports.front().name;
    if (c.order_session.port.empty()) c.order_session.port = c.feed.port;
    if (c.port_index(c.feed.port) < 0)
      errors.push_back("[feed].port: no [[port]] named \"" + c.feed.port + "\"");
    if (c.port_index(c.order_session.port) < 0)
      errors.push_back("[order_session].port: no [[port]] named \"" + c.order_session.port + "\"");
    const int fp = c.port_index(c.feed.port);
    if (fp >= 0 && c.ports[fp].rx_queues < c.lcores.rx)
      errors.push_back("[lcores].rx: " + std::to_string(c.lcores.rx) +
                       " RX lcores need at least as many rx_queues on port \"" + c.feed.port + "\"");
  }
  check_feed_line_b(c, errors);
  check_feed_rewind(c, errors);
  for (const auto& [k, v] : root) {
    (void)v;
    if (!is_known_top_level_table(std::string(k.str())))
      errors.push_back("unknown top-level key \"" + std::string(k.str()) + "\"");
  }
  return c;
}

std::optional<std::array<uint8_t, 6>> parse_mac(const std::string& s) {
  std::array<uint8_t, 6> m{};
  if (s.size() != 17) return std::nullopt;
  for (int i = 0; i < 6; ++i) {
    if (i > 0 && s[i * 3 - 1] != ':') return std::nullopt;
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data() + i * 3, s.data() + i * 3 + 2, v, 16);
    if (ec != std::errc{} || p != s.data() + i * 3 + 2) return std::nullopt;
    m[i] = static_cast<uint8_t>(v);
  }
  return m;
}

std::optional<std::array<uint8_t, 4>> parse_ipv4(const std::string& s) {
  std::array<uint8_t, 4> ip{};
  const char* p = s.data();
  const char* end = s.data() + s.size();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    unsigned v = 0;
    auto [q, ec] = std::from_chars(p, end, v);
    if (ec != std::errc{} || q == p || q - p > 3 || v > 255) return std::nullopt;
    ip[i] = static_cast<uint8_t>(v);
    p = q;
  }
  if (p != end) return std::nullopt;
  return ip;
}

namespace {
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (true) {
    const auto e = s.find(',', b);
    out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}
}  // namespace

std::string set_devarg(const std::string& devargs, const std::string& key, const std::string& value) {
  auto parts = split_commas(devargs);
  bool replaced = false;
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string p = parts[i];
    if (i > 0 && p.rfind(key + "=", 0) == 0) {
      if (replaced) continue;  // drop further occurrences
      p = key + "=" + value;
      replaced = true;
    }
    out += (i ? "," : "") + p;
  }
  if (!replaced) out += "," + key + "=" + value;
  return out;
}

std::string get_devarg(const std::string& devargs, const std::string& key) {
  auto parts = split_commas(devargs);
  for (std::size_t i = 1; i < parts.size(); ++i)
    if (parts[i].rfind(key + "=", 0) == 0) return parts[i].substr(key.size() + 1);
  return {};
}

std::string devargs_driver(const std::string& devargs) {
  std::string name = devargs.substr(0, devargs.find(','));
  if (name.rfind("net_", 0) != 0) return "pci";
  while (!name.empty() && std::isdigit(static_cast<unsigned char>(name.back()))) name.pop_back();
  return name;
}

}  // namespace sf::dataplane
