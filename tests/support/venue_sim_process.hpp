// One real `sf-venue-sim --soupbintcp` for the tests that talk SoupBinTCP to it (the kernel session alone,
// and the whole appliance end to end): a free loopback port, a credentials file, the common options
// (200 ms heartbeats, the seeded fill rule, totals JSON into the test's directory), start / stop with its
// totals / SIGKILL, and reading numbers back out of the totals JSON.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "sf_test_process.hpp"

namespace sf::testing {

// A loopback TCP port nobody listens on right now (the kernel's pick).
inline uint16_t free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class VenueSimProcess {
 public:
  // Files go to `dir`: creds (`credentials` lines "USER PASSWORD"), totals.json, the logs.
  VenueSimProcess(std::filesystem::path dir, const std::string& credentials)
      : dir_(std::move(dir)), port_(free_tcp_port()) {
    std::ofstream(dir_ / "creds") << credentials;
  }
  VenueSimProcess(const VenueSimProcess&) = delete;
  VenueSimProcess& operator=(const VenueSimProcess&) = delete;
  ~VenueSimProcess() { kill9(); }

  // Serve from inside network namespace `ns` on `ip` instead of loopback (`ip netns exec` execs the
  // simulator, so the pid is still its own).
  void in_netns(const std::string& ns, const std::string& ip) {
    netns_ = ns;
    ip_ = ip;
  }
  // Starts it on 127.0.0.1:port() with `extra` options after the common ones; false if it could not.
  bool start(const std::vector<std::string>& extra = {}, const std::string& log = "sim.log") {
    std::vector<std::string> args{"--soupbintcp",
                                  "--listen",
                                  ip_ + ":" + std::to_string(port_),
                                  "--credentials",
                                  (dir_ / "creds").string(),
                                  "--totals",
                                  (dir_ / "totals.json").string(),
                                  "--heartbeat-ms",
                                  "200",
                                  "--fill-rule",
                                  "seeded",
                                  "--seed",
                                  "7"};
    args.insert(args.end(), extra.begin(), extra.end());
    log_ = dir_ / log;
    if (!netns_.empty()) args.insert(args.begin(), {"ip", "netns", "exec", netns_, env("SF_VENUE_SIM")});
    pid_ = start_logged(netns_.empty() ? env("SF_VENUE_SIM") : "/usr/bin/env", args, log_);
    return pid_ > 0;
  }
  // SIGTERM, wait for a clean exit, and the totals JSON it wrote.
  std::string stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(log_);
    return read_file(dir_ / "totals.json");
  }
  // SIGKILL (no totals, nothing flushed but what it already wrote), and reap it.
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  [[nodiscard]] uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const std::filesystem::path& log() const noexcept { return log_; }

 private:
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::filesystem::path log_;
  std::string netns_, ip_ = "127.0.0.1";
};

// The shipped replay config (SF_REPLAY_CONFIG) with its [order_session] synthetic stream (transport
// "none", its venue and local_ip) replaced by `transport` to `venue` (200 ms heartbeats; a 10 s timeout, so a
// loaded CI host starving a process for seconds is no dead peer: no test here waits for that timeout) and
// the lines `session_extra`, one login per user (one per shard: `edit` sets [trading] shards), and a
// feed_stale_ms long enough that /ready is about the session, not the replay's short feed. `edit(table,
// line)` may rewrite other lines.
inline std::string replay_config_to_venue(
    const std::string& transport, const std::string& venue, const std::filesystem::path& password_file,
    const std::string& session_extra = "",
    const std::function<void(const std::string& table, std::string& line)>& edit = {},
    const std::vector<std::string>& users = {"SNIPE0"}) {
  std::istringstream in(read_file(env("SF_REPLAY_CONFIG")));
  std::string out, line, table;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') table = line;
    if (table == "[order_session]" && (line.rfind("transport = ", 0) == 0 || line.rfind("venue = ", 0) == 0 ||
                                       line.rfind("local_ip = ", 0) == 0))
      continue;
    if (edit) edit(table, line);
    out += line + "\n";
    if (line == "[order_session]")
      out += "transport = \"" + transport + "\"\nvenue = \"" + venue +
             "\"\nheartbeat_ms = 200\ntimeout_ms = 10000\n" + session_extra;
    if (line == "[telemetry]") out += "feed_stale_ms = 600000\n";
  }
  for (const std::string& user : users)
    out += "\n[[order_session.login]]\nusername = \"" + user + "\"\npassword_file = \"" +
           password_file.string() + "\"\nsession = \"\"\n";
  return out;
}

// `transport = "kernel"` to sf-venue-sim on 127.0.0.1:port.
inline std::string kernel_replay_config(uint16_t venue_port, const std::filesystem::path& password_file) {
  return replay_config_to_venue("kernel", "127.0.0.1:" + std::to_string(venue_port), password_file);
}

// Reading the totals JSON (the first session; totals_of() picks one session of several).
// The object of user `username` in "sessions" ("" if it has none).
inline std::string totals_of(const std::string& totals, const std::string& username) {
  const std::size_t begin = totals.find("{\"username\":\"" + username + "\"");
  if (begin == std::string::npos) return "";
  int depth = 0;
  for (std::size_t i = begin; i < totals.size(); ++i) {
    depth += totals[i] == '{' ? 1 : totals[i] == '}' ? -1 : 0;
    if (depth == 0) return totals.substr(begin, i + 1 - begin);
  }
  return "";
}
// A top-level number of the session: "messages", "orders", "fills", "filled_shares", ...
inline uint64_t totals_number(const std::string& totals, const std::string& key) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(totals, m, std::regex("\"" + key + "\":([0-9]+)"))) << key << ": " << totals;
  return m.empty() ? 0 : std::stoull(m[1]);
}
// An object of per-symbol objects, such as "shares" or "notional": symbol -> side -> value.
inline std::map<std::string, std::map<char, uint64_t>> totals_by_symbol_side(const std::string& totals,
                                                                             const std::string& key) {
  std::map<std::string, std::map<char, uint64_t>> out;
  std::smatch obj;
  if (!std::regex_search(totals, obj, std::regex("\"" + key + "\":\\{((\"[A-Z0-9]+\":\\{[^}]*\\},?)*)\\}")))
    return out;
  const std::string body = obj[1];
  const std::regex entry("\"([A-Z0-9]+)\":\\{([^}]*)\\}"), side("\"([BS])\":([0-9]+)");
  for (std::sregex_iterator it(body.begin(), body.end(), entry), end; it != end; ++it) {
    const std::string sides = (*it)[2];
    for (std::sregex_iterator s(sides.begin(), sides.end(), side); s != end; ++s)
      out[(*it)[1]][std::string((*s)[1])[0]] = std::stoull((*s)[2]);
  }
  return out;
}
// "realized_pnl": symbol -> raw P&L (1/10000 dollar).
inline std::map<std::string, int64_t> totals_realized_pnl(const std::string& totals) {
  std::map<std::string, int64_t> out;
  std::smatch obj;
  if (!std::regex_search(totals, obj, std::regex("\"realized_pnl\":\\{([^}]*)\\}"))) return out;
  const std::string body = obj[1];
  const std::regex entry("\"([A-Z0-9]+)\":(-?[0-9]+)");
  for (std::sregex_iterator it(body.begin(), body.end(), entry), end; it != end; ++it)
    out[(*it)[1]] = std::stoll((*it)[2]);
  return out;
}

}  // namespace sf::testing
