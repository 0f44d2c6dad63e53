// Operator commands at 1,000 a second during a full-rate replay (issue #14): sniperforge replays a
// 6-million-message pcap as fast as it can with a [control] socket, while this test sends status, books,
// limits, state and strategy commands through the control socket (the client sf-ctl uses, one connection per
// command) on a 1 ms schedule. Checked: every command is answered, each with its own content and exit 0;
// /metrics counts exactly the commands sent, by name and result, and no full ring (the executors' event
// rings, the control request and reply rings); the data path missed nothing (every feed message reached the
// executor, no book went stale). The allocation-free command path is dataplane_executor_control_alloc.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "sf_test_process.hpp"
#include "sniperforge/control/client.hpp"

using namespace sf::testing::process;

namespace {

// ~1.8 s of replay here: room for 1,000 commands at 1 ms (6 M ended after 900 on a quiet host).
constexpr uint64_t kMessages = 12'000'000;

// The value of one sample line ("name{labels} value") of a /metrics text, summed over every line that
// starts with `prefix`; -1 when none does.
double metric(const std::string& text, const std::string& prefix) {
  double sum = -1;
  for (std::size_t at = text.find("\n" + prefix); at != std::string::npos;
       at = text.find("\n" + prefix, at + 1)) {
    const std::size_t end = text.find('\n', at + 1);
    const std::string line = text.substr(at + 1, end - at - 1);
    sum = (sum < 0 ? 0 : sum) + std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

struct Command {
  std::vector<std::string> args;
  bool json;
  std::string expect;  // in the answer's body
  std::string name;    // as /metrics counts it
};

class ControlRate : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_REPLAY_CONFIG"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    dir_ = fs::temp_directory_path() / ("sf-ctlrate-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 9 --instruments 20 --messages " +
                  std::to_string(kMessages) + " -o " + (dir_ / "feed.pcap").string()),
              0);
    std::string cfg = read_file(env("SF_REPLAY_CONFIG"));
    const std::string prefix = "file_prefix = \"sf_replay\"";
    ASSERT_NE(cfg.find(prefix), std::string::npos);
    cfg.replace(cfg.find(prefix), prefix.size(),
                "file_prefix = \"sfctlrate_" + std::to_string(getpid()) + "\"");
    socket_ = (dir_ / "control.sock").string();
    cfg += "\n[control]\nsocket = \"" + socket_ + "\"\nallow_uids = [0]\n";
    std::ofstream(dir_ / "rate.toml") << cfg;
  }
  void TearDown() override {
    kill_child(app_);
    if (!HasFailure() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir_);
  }
  // GET /metrics over a plain socket (no process to spawn between two commands).
  std::string scrape() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(std::stoi(port_)));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string text;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) {
      const std::string req = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
      if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
        char buf[65536];
        for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
          text.append(buf, static_cast<std::size_t>(n));
      }
    }
    ::close(fd);
    const auto body = text.find("\r\n\r\n");
    return body == std::string::npos ? "" : text.substr(body + 3);  // keep a '\n' before the first line
  }
  fs::path dir_;
  std::string socket_, port_;
  pid_t app_ = -1;
};

}  // namespace

TEST_F(ControlRate, ThousandCommandsASecondDuringAFullRateReplayAreAllAnsweredAndNothingIsDropped) {
  app_ = start_logged(env("SNIPERFORGE"),
                      {"--config", (dir_ / "rate.toml").string(), "--rx-pcap", (dir_ / "feed.pcap").string(),
                       "--metrics-addr", "127.0.0.1:0", "--hold", "--quiet"},
                      dir_ / "app.log");
  ASSERT_GT(app_, 0);
  port_ = wait_for_ready_port(dir_ / "app.log", 60);
  ASSERT_FALSE(port_.empty()) << read_file(dir_ / "app.log");
  port_ = port_.substr(0, port_.find_first_not_of("0123456789"));
  // The replay has begun.
  ASSERT_TRUE(wait_for([&] { return metric(scrape(), "sniperforge_executor_events_total") > 0; }, 60))
      << read_file(dir_ / "app.log");
  std::string error;
  const std::vector<Command> kinds = {
      {{"status"}, true, "\"trading_state\":\"active\"", "status"},
      {{"books", "SF0000", "--levels", "3"}, true, "\"symbol\":\"SF0000\",\"bid_px\":", "books"},
      {{"limits", "show"}, false, "max_position = ", "limits_show"},
      {{"state", "active"}, true, "\"command\":\"state\",\"applied\":true", "state"},
      {{"strategy", "list"}, false, "sniper/SF0000/buy", "strategy_list"}};
  std::vector<uint64_t> sent(kinds.size(), 0);
  uint64_t commands = 0, answered = 0, during_replay = 0;
  bool replaying = true;
  const auto start = std::chrono::steady_clock::now();
  // One command every millisecond (behind schedule: at once) for up to 3 s, while the replay runs.
  while (commands < 3000 && replaying) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(commands));
    const Command& c = kinds[commands % kinds.size()];
    const auto r = sf::control::request(socket_, c.args, c.json, error);
    ++sent[commands % kinds.size()];
    ++commands;
    ASSERT_TRUE(r) << "command " << commands << " not answered: " << error;
    EXPECT_EQ(r->exit, 0) << c.args[0] << ": " << r->body;
    EXPECT_NE(r->body.find(c.expect), std::string::npos) << c.args[0] << ": " << r->body;
    answered += r->exit == 0 && r->body.find(c.expect) != std::string::npos;
    if (commands % 100 == 0) {
      const double messages = metric(scrape(), "sniperforge_executor_events_total");  // ~1 ms
      replaying = messages >= 0 && messages < static_cast<double>(kMessages);
      if (replaying) during_replay = commands;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%lu commands in %.2f s (%.0f/s), %lu of them before the replay's last 100\n",
              static_cast<unsigned long>(commands), seconds, static_cast<double>(commands) / seconds,
              static_cast<unsigned long>(during_replay));
  EXPECT_EQ(answered, commands);
  EXPECT_GE(during_replay, 1000u) << "the replay ended before 1,000 commands";
  // Kept up with the schedule (the socket's round trip is well under 1 ms; a loaded host may stretch it).
  EXPECT_GT(static_cast<double>(commands) / seconds, 500.0);

  // The replay's end, then /metrics: what was sent, nothing dropped anywhere.
  std::string m;
  ASSERT_TRUE(wait_for(
      [&] {
        m = scrape();
        return metric(m, "sniperforge_executor_events_total") >= static_cast<double>(kMessages);
      },
      120))
      << m.substr(0, 2000);
  EXPECT_EQ(metric(m, "sniperforge_executor_events_total"), static_cast<double>(kMessages));
  EXPECT_EQ(metric(m, "sniperforge_ring_dropped_full_total"), 0);
  EXPECT_EQ(metric(m, "sniperforge_control_ring_full_total"), 0);
  EXPECT_EQ(metric(m, "sniperforge_feed_books_marked_stale_total"), 0);
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    const std::string ok =
        "sniperforge_control_commands_total{command=\"" + kinds[k].name + "\",result=\"ok\"}";
    EXPECT_EQ(metric(m, ok), static_cast<double>(sent[k])) << ok;
  }
  // Every other (command, result) sample is zero.
  const std::regex other(
      R"(\nsniperforge_control_commands_total\{command="[a-z_]+",result="(?!ok")[a-z_]+"\} (\S+))");
  for (std::sregex_iterator it(m.begin(), m.end(), other), end; it != end; ++it)
    EXPECT_EQ((*it)[1], "0") << (*it)[0];

  ::kill(app_, SIGTERM);
  int status = 0;
  ASSERT_TRUE(wait_for([&] { return waitpid(app_, &status, WNOHANG) == app_; }, 30));
  app_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(dir_ / "app.log");
}
