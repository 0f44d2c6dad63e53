// The SoupBinTCP order-session keys of `[order_session]` (issue #11), parsed and validated without
// DPDK:
//   transport = "dpdk" | "kernel" | "none"   local_ip = "10.0.1.1"   venue = "10.0.1.2:15000"
//   gateway_mac = ""   heartbeat_ms = 1000   timeout_ms = 15000   vlan = 0 (802.1Q VLAN ID, 0 = untagged)
//   [[order_session.login]] username = "SNIPE0"  password_file = "secrets/SNIPE0"  session = ""
// No `transport` means "dpdk". Transport "none" (a replay: no venue) names its synthetic TCP stream with
// local_ip and venue too (defaults 10.0.0.1 and 10.0.0.2:40001). The dataplane refuses a config without
// the table (config.cpp): orders always need one of these transports.
#pragma once

#include <toml++/toml.h>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sf::order_session {

enum class TransportKind : uint8_t { kDpdk, kKernel, kNone };

struct LoginConfig {
  std::string username;
  std::string password_file;
  std::string session;  // blank = the current session
  // The venue sequence number the first login asks for. Not a config key: 1 (the whole session) unless
  // the journal says the shard processed messages up to N before a restart, then N + 1 (issue #13). Every
  // transport (kernel, dpdk) builds its session's Credentials from this.
  uint64_t first_sequence = 1;
};

// Transport "none": the synthetic stream's addresses when local_ip / venue are not given.
inline constexpr std::array<uint8_t, 4> kReplayLocalIp{10, 0, 0, 1};
inline constexpr std::array<uint8_t, 4> kReplayVenueIp{10, 0, 0, 2};
inline constexpr uint16_t kReplayVenuePort = 40001;

struct VenueSessionConfig {
  TransportKind transport = TransportKind::kDpdk;
  std::array<uint8_t, 4> local_ip{};
  std::array<uint8_t, 4> venue_ip{};
  uint16_t venue_port = 0;
  std::optional<std::array<uint8_t, 6>> gateway_mac;  // static neighbour; unset = ARP
  uint16_t vlan =
      0;  // dpdk: our TCP, ARP and ICMP frames tagged with it, only its frames taken; 0 = untagged
  uint32_t heartbeat_ms = 1000;
  uint32_t timeout_ms = 15000;
  std::vector<LoginConfig> logins;  // one per shard, in shard order
};

// The keys above (for the dataplane's unknown-key check of the shared table).
inline constexpr std::array<std::string_view, 8> kVenueSessionKeys{
    "transport", "local_ip", "venue", "gateway_mac", "heartbeat_ms", "timeout_ms", "vlan", "login"};

// The keys of the retired UDP order session (#11): refused, naming the key, whatever the transport.
inline constexpr std::array<std::string_view, 6> kRetiredUdpSessionKeys{"src_mac", "dst_mac",  "src_ip",
                                                                        "dst_ip",  "dst_port", "ttl"};

// Parses the keys above from the [order_session] table; appends every problem to `errors`
// ("[order_session].venue: expected \"IPv4:PORT\""). Password files are checked (exist, mode 0600 or
// 0400) but not kept: read_password_file() reads them when the session starts.
VenueSessionConfig parse_venue_session(const toml::table& order_session, std::vector<std::string>& errors);

// Reads a SoupBinTCP password (1..10 printable characters, one trailing newline allowed) from a
// regular file of mode 0600 or 0400. The error never contains the password.
bool read_password_file(const std::string& path, std::string& password, std::string& error);

[[nodiscard]] std::string_view to_string(TransportKind t) noexcept;

}  // namespace sf::order_session
