// A shard's SoupBinTCP login, the same for `transport = "kernel"` (kernel_venue.cpp) and `"dpdk"`
// (tcp_venue.cpp): its [[order_session.login]] with the password read from its file now (never kept in the
// config), and the session timers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sniperforge/session/client_session.hpp"
#include "sniperforge/session/config.hpp"

namespace sf::dataplane {

// false, with an error naming the shard, when the password file cannot be read.
inline bool shard_login(const order_session::VenueSessionConfig& cfg, uint32_t shard,
                        order_session::Credentials& credentials, order_session::Timing& timing,
                        std::vector<std::string>& errors) {
  const order_session::LoginConfig& login = cfg.logins[shard];
  std::string password, error;
  if (!order_session::read_password_file(login.password_file, password, error)) {
    errors.push_back("[[order_session.login]] " + std::to_string(shard) + ": password_file " + error);
    return false;
  }
  // The whole current session (1), or after a restart the message after the last the journal holds
  // (Runtime::resume_venue_sequence).
  credentials = {login.username, password, login.session, login.first_sequence};
  timing.heartbeat_ms = cfg.heartbeat_ms;
  timing.timeout_ms = cfg.timeout_ms;
  return true;
}

}  // namespace sf::dataplane
