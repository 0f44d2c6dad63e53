// Subprocess and scraping helpers of the replay tests (run the real binaries).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sf_test_process.hpp"
#include "test_support.hpp"

extern char** environ;

namespace sf::telemetry::testing {

inline std::string env_or_empty(const char* name) {
  return sf::testing::env(name);
}
using sf::testing::read_file;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/sf_telemetry_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// A child process with stdout+stderr in `log`.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::filesystem::path& log) : log_(log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Child() { stop(); }
  [[nodiscard]] bool started() const { return pid_ > 0; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string log() const { return read_file(log_); }
  // Still running?
  bool alive() {
    if (pid_ <= 0) return false;
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      status_ = st;
      return false;
    }
    return true;
  }
  // Waits until `pattern` appears in the log (true), the child exits or the timeout passes (false).
  bool wait_for_log(const std::string& pattern, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (log().find(pattern) != std::string::npos) return true;
      if (!alive()) return log().find(pattern) != std::string::npos;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  // SIGTERM, then SIGKILL after 20 s; returns the wait status (-1 if it was not running).
  int stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 2000; ++i) {
      if (!alive()) return status_;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    pid_ = -1;
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::filesystem::path log_;
};

// A loopback TCP port free right now.
inline uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Sum of every sample of `family` whose label set contains all of `must_contain` (text format).
inline double sum_samples(const std::string& text, const std::string& family,
                          const std::string& must_contain = "") {
  double sum = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line.compare(0, family.size(), family) != 0) continue;
    const char next = line.size() > family.size() ? line[family.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    if (!must_contain.empty() && line.find(must_contain) == std::string::npos) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

using sf::testing::parse_stats_file;

// sf-feedgen's summary: "messages N, packets P, frames F, ..." and "by type: A=.. C=.."
struct FeedSummary {
  uint64_t messages = 0, packets = 0, frames = 0, gaps = 0, duplicates = 0;
  std::map<char, uint64_t> by_type;
};
inline FeedSummary parse_feedgen_summary(const std::string& text) {
  FeedSummary s;
  std::smatch m;
  if (std::regex_search(text, m, std::regex(R"(messages (\d+), packets (\d+), frames (\d+))"))) {
    s.messages = std::stoull(m[1]);
    s.packets = std::stoull(m[2]);
    s.frames = std::stoull(m[3]);
  }
  if (std::regex_search(text, m, std::regex(R"(gaps (\d+), duplicates (\d+))"))) {
    s.gaps = std::stoull(m[1]);
    s.duplicates = std::stoull(m[2]);
  }
  const auto bt = text.find("by type:");
  if (bt != std::string::npos) {
    const std::string rest = text.substr(bt, text.find('\n', bt) - bt);
    const std::regex kv(R"(([A-Za-z])=(\d+))");
    for (std::sregex_iterator it(rest.begin(), rest.end(), kv), end; it != end; ++it)
      s.by_type[(*it)[1].str()[0]] = std::stoull((*it)[2]);
  }
  return s;
}

}  // namespace sf::telemetry::testing
