// `[feed.snapshot]`: where the appliance takes its GLIMPSE 5.0 snapshot (issue #12), parsed without DPDK.
//   [feed.snapshot]
//   server = "10.0.0.2:17000"           # GLIMPSE SoupBinTCP server, IPv4:PORT
//   username = "GLMPS0"                 # 1..6 characters
//   password_file = "secrets/GLMPS0"    # mode 0600 or 0400, 1..10 printable characters ([order_session]'s
//   rule) timeout_ms = 30000                  # optional: the whole snapshot (connect, login, every message)
//   at_start = true                     # optional: false = only as the fallback of a failed re-request
// With the table present, `sniperforge` takes the snapshot before its lcores start (start mid-session),
// and, with [feed.rewind], again whenever a gap's re-request recovery fails (the GLIMPSE fallback).
#pragma once

#include <toml++/toml.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sf::snapshot {

struct SnapshotConfig {
  bool enabled = false;  // the table is present
  std::array<uint8_t, 4> server_ip{};
  uint16_t server_port = 0;
  std::string username;
  std::string password_file;  // checked at parse time, read again when the snapshot is taken
  uint32_t timeout_ms = 30000;
  bool at_start = true;  // take one before the lcores start (false: only as a fallback)
};

// Reads root["feed"]["snapshot"]; every problem is appended to `errors` ("[feed.snapshot].server: ...").
SnapshotConfig parse_snapshot_config(const toml::table& root, std::vector<std::string>& errors);

}  // namespace sf::snapshot
