// Helpers for tests that run the real binaries: environment, files, shell commands, stats files.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sf::testing {

// The variable's value, or "" when unset.
inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string{} : std::string{v};
}

// The whole file ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs a shell command; its exit code, or -1 when it did not exit normally.
inline int run(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// name=value lines (sniperforge --stats-file); lines that are not a number are skipped.
inline std::map<std::string, uint64_t> parse_stats_file(const std::string& text) {
  std::map<std::string, uint64_t> m;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    try {
      m[line.substr(0, eq)] = std::stoull(line.substr(eq + 1));
    } catch (...) {
    }
  }
  return m;
}

inline std::map<std::string, uint64_t> read_stats(const std::filesystem::path& p) {
  return parse_stats_file(read_file(p));
}

// Starts `exe` with `args` in the background, stdout and stderr into `log`; its pid, or -1.
inline pid_t start_logged(const std::string& exe, const std::vector<std::string>& args,
                          const std::filesystem::path& log) {
  std::vector<std::string> argv{exe};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  FILE* f = std::freopen(log.c_str(), "w", stdout);
  (void)f;
  ::dup2(fileno(stdout), 2);
  std::vector<char*> av;
  for (std::string& a : argv) av.push_back(a.data());
  av.push_back(nullptr);
  ::execv(exe.c_str(), av.data());
  ::_exit(127);
}

// Polls `cond` every 20 ms for up to `seconds`; its last value.
inline bool wait_for(const std::function<bool()>& cond, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

// Kills (SIGKILL) and reaps a child the test started, if any (`pid` > 0), and forgets it (-1).
inline void kill_child(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  pid = -1;
}

// The port of the /ready and /metrics server a sniperforge logging to `log` said it listens on ("/ready on
// port N"), waiting up to `seconds` for that line; "" when it did not come.
inline std::string wait_for_ready_port(const std::filesystem::path& log, double seconds) {
  const std::string key = "/ready on port ";
  if (!wait_for([&] { return read_file(log).find(key) != std::string::npos; }, seconds)) return "";
  const std::string text = read_file(log);
  const auto at = text.find(key) + key.size();
  return text.substr(at, text.find(' ', at) - at);
}

// Sum of the samples of one /metrics family (labelled or not) whose labels contain `filter`.
inline double metric_sum(const std::string& text, const std::string& name, const std::string& filter = "") {
  std::istringstream in(text);
  double sum = 0;
  for (std::string line; std::getline(in, line);) {
    const bool ours = line.rfind(name + "{", 0) == 0 || line.rfind(name + " ", 0) == 0;
    if (ours && line.find(filter) != std::string::npos) sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

// The helpers above by their short names, and `fs`, for a test file's one using-directive.
namespace process {
namespace fs = std::filesystem;
using sf::testing::env, sf::testing::kill_child, sf::testing::read_file, sf::testing::read_stats,
    sf::testing::run, sf::testing::start_logged, sf::testing::wait_for, sf::testing::wait_for_ready_port,
    sf::testing::metric_sum;
}  // namespace process

}  // namespace sf::testing
