// sf-venue-sim's SoupBinTCP 4.1 server mode: OUCH 5.0 over kernel TCP (see main.cpp for options).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "matching.hpp"

namespace sf::venue_sim {

struct SoupServerOptions {
  std::string listen;                            // IPv4:PORT
  std::string session_name = "SFSIM00001";       // the one current session (alpha 10)
  std::map<std::string, std::string> passwords;  // username -> password (credentials file)
  std::string store_dir;                         // per-user message files; empty = memory only
  Rules rules;
  uint32_t heartbeat_ms = 1000;
  uint32_t timeout_ms = 15000;
  double idle_exit_s = 0;  // exit after this long without a client connected and nothing received
  // Fault switches.
  uint64_t drop_after = 0;   // close the connection once, right after this many sequenced messages
  uint64_t stall_after = 0;  // after this many sequenced messages, send no more (they are still stored)
  bool no_heartbeat = false;
  bool reject_logins = false;
  uint32_t delay_ms = 0;    // answers to an order become visible this much later
  std::string totals_path;  // also write the exit totals here
};

// Reads "username password" lines ('#' comments); false with `error` on a malformed file.
bool read_credentials(const std::string& path, std::map<std::string, std::string>& out, std::string& error);

// Runs until `stop` or idle exit; prints the per-session totals JSON on stdout. Exit code.
int run_soup_server(const SoupServerOptions& opt, const std::atomic<bool>& stop);

}  // namespace sf::venue_sim
