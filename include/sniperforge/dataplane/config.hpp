// The appliance's own configuration tables: [eal], [[port]], [lcores], [feed], [order_session].
//
// DPDK-free: parsed and validated completely (unknown keys, missing ports, bad values) before
// EAL starts. The trading tables ([trading], [book], [risk], [[strategy]]) and [telemetry] are
// validated by their owners' parse functions; see app_config.hpp for the whole-file loader.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sniperforge/dataplane/feed_guard.hpp"
#include "sniperforge/session/config.hpp"

namespace sf::dataplane {

enum class HugepageMode : uint8_t { kAuto, kOn, kOff };
// kAuto is resolved before placement (see resolve_lcore_mode in placement.hpp): pipeline when the
// feed port's NUMA node has enough physical cores, run-to-completion otherwise.
enum class LcoreMode : uint8_t { kPipeline, kRunToCompletion, kAuto };
const char* to_string(LcoreMode m) noexcept;  // "pipeline", "run_to_completion", "auto"
enum class NumaPolicy : uint8_t { kWarn, kStrict };

// /var/run/dpdk/<file_prefix>_<pid>/mp_socket_<pid>_<tsc> must fit in a unix socket path (108 bytes).
inline constexpr std::size_t kMaxFilePrefix = 40;

struct EalConfig {
  std::vector<std::string> args;            // extra EAL arguments, appended verbatim
  std::string file_prefix = "sniperforge";  // the process id is appended (unique per process)
  uint32_t memory_mb = 512;                 // -m when running without hugepages
  HugepageMode hugepages = HugepageMode::kAuto;
};

struct PortConfig {
  std::string name;     // referenced by [feed].port and [order_session].port
  std::string devargs;  // "net_pcap0,rx_pcap=..." or a PCI address "0000:3b:00.0"
  uint16_t rx_queues = 1;
  uint16_t tx_queues = 0;  // 0 = one per executor
  uint16_t rx_descriptors = 1024;
  uint16_t tx_descriptors = 1024;
  uint32_t mbufs = 8191;  // mbufs in this port's pool (2^n - 1 is best)
  bool promiscuous = true;
};

struct LcoreConfig {
  LcoreMode mode = LcoreMode::kPipeline;
  uint16_t rx = 1;
  uint16_t executors = 1;
  int housekeeping = -1;  // cpu for the main/stats thread; -1 = first core of the machine
  std::vector<int> cpus;  // explicit data-plane cpus (rx first, then executors); empty = hwloc choice
  NumaPolicy numa = NumaPolicy::kWarn;
  bool strict = false;        // refuse (instead of warn) when there are too few physical cores
  uint32_t ring_size = 4096;  // per (RX, executor) ring, power of two
  uint16_t burst = 32;
  uint32_t idle_polls_to_exit = 2000;  // replay: consecutive empty polls after input is exhausted
};

// Line B of the same MoldUDP64 stream ([feed.line_b]): arbitrated with line A (dataplane/line_arbiter.hpp).
struct FeedLineConfig {
  // [[port]] name; default: [feed].port. Another [[port]] (a second NIC): the RX lcore polls its queue 0
  // too, and every line-B datagram there feeds the same arbiter (udp_port and group may then equal A's).
  std::string port;
  uint16_t udp_port = 26478;
  std::optional<std::array<uint8_t, 4>> group;  // destination IPv4 to accept; unset = any
};

// MoldUDP64 re-request recovery of gaps ([feed.rewind], #12; dataplane/feed_recovery.hpp).
struct FeedRewindConfig {
  std::array<uint8_t, 4> server_ip{};  // "server" = "IPv4:PORT" of the re-request server
  uint16_t server_port = 0;
  std::array<uint8_t, 4> local_ip{};       // our address on the feed port (the appliance answers ARP for it)
  uint32_t timeout_ms = 20;                // a request unanswered this long is sent again
  uint32_t retries = 5;                    // then the gap is not recovered: books stay stale
  uint64_t max_held_messages = 1'000'000;  // live messages held behind a gap (preallocated, 51 B each)
};

struct FeedConfig {
  std::string port;  // [[port]] name; default: the first port
  uint16_t udp_port = 26477;
  std::optional<std::array<uint8_t, 4>> group;  // destination IPv4 to accept; unset = any
  uint32_t arbitration_us = 200;  // a hole waits this long for the other line before it is a gap
  std::optional<FeedLineConfig> line_b;
  FeedGuardSettings guard;  // session, sources, max_seq_jump (#16, feed_guard.hpp)
  std::optional<FeedRewindConfig> rewind;
};

// [order_session]: required (a config without it is refused: orders need a venue session, or transport
// "none" for a replay). The SoupBinTCP keys are the session layer's (session/config.hpp).
struct OrderSessionConfig {
  std::string port;           // [[port]] name; default: the feed port
  uint16_t src_port = 40000;  // shard s's local TCP port is src_port + s
  order_session::VenueSessionConfig soupbintcp;
};

struct DataplaneConfig {
  EalConfig eal;
  std::vector<PortConfig> ports;
  LcoreConfig lcores;
  FeedConfig feed;
  OrderSessionConfig order_session;

  [[nodiscard]] int port_index(const std::string& name) const;
  [[nodiscard]] int feed_port_index() const { return port_index(feed.port); }
  [[nodiscard]] int order_port_index() const { return port_index(order_session.port); }
  // Line B's own [[port]] ([feed.line_b].port another port than [feed].port), or -1.
  [[nodiscard]] int line_b_own_port_index() const {
    return feed.line_b && feed.line_b->port != feed.port ? port_index(feed.line_b->port) : -1;
  }
};

// The error for a config without [order_session] (the retired UDP order session needed none).
inline constexpr std::string_view kMissingOrderSession =
    "[order_session] missing: orders need a venue session (transport = \"dpdk\", the default, or "
    "\"kernel\", with venue and one [[order_session.login]] per shard) or transport = \"none\" for a "
    "replay (orders to the TX pcap)";

// Parses and validates the dataplane tables of `root`. Every problem is appended to `errors`
// ("[lcores].mode: expected one of \"pipeline\", \"run_to_completion\", \"auto\""); the result is only
// meaningful when no error was added. Top-level tables other than ours are not looked at.
DataplaneConfig parse_dataplane_config(const toml::table& root, std::vector<std::string>& errors);

// Top-level tables the whole file may contain (ours and the other layers').
bool is_known_top_level_table(const std::string& key);

// Helpers shared with the CLI: "02:00:00:00:00:01" and "10.0.0.1".
std::optional<std::array<uint8_t, 6>> parse_mac(const std::string& s);
std::optional<std::array<uint8_t, 4>> parse_ipv4(const std::string& s);

// Replaces (or adds) `key=value` in a comma separated devargs string ("net_pcap0,rx_pcap=a").
std::string set_devarg(const std::string& devargs, const std::string& key, const std::string& value);
// Value of `key` in devargs, empty if absent.
std::string get_devarg(const std::string& devargs, const std::string& key);
// The driver part of devargs ("net_pcap0" → "net_pcap"); a PCI address gives "pci".
std::string devargs_driver(const std::string& devargs);

}  // namespace sf::dataplane
