// [control]: the operator's control socket (issue #14).
//   [control]
//   socket = "/run/sniperforge/control.sock"   # Unix domain socket, created mode 0660
//   allow_uids = [0]                             # peers (SO_PEERCRED) allowed by uid ...
//   allow_groups = ["sniperforge-ops"]           # ... or by membership of one of these groups
// Without a [control] table there is no control socket.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include <toml++/toml.h>

namespace sf::control {

inline constexpr const char* kDefaultSocket = "/run/sniperforge/control.sock";

struct ControlConfig {
  bool enabled = false;  // a [control] table was given
  std::string socket = kDefaultSocket;
  std::vector<uid_t> allow_uids;
  std::vector<std::string> allow_groups;
  std::vector<gid_t> allow_gids;  // allow_groups resolved (getgrnam) by parse_control_config
};

// Unknown keys, wrong types and groups this machine does not know are appended to `errors`.
[[nodiscard]] ControlConfig parse_control_config(const toml::table& root, std::vector<std::string>& errors);

}  // namespace sf::control
