// Feed recovery live (#12): sniperforge on net_af_packet at the near end of a veth pair, a sender in a
// network namespace that drops a seeded share of the feed's packets, and sf-rewind there answering the
// appliance's MoldUDP64 re-requests over the kernel's UDP. The near end has no address: only the
// appliance answers ARP for its [feed.rewind] local_ip. Recovered books must equal a lossless replay's
// with nothing stale; a server that never answers must leave the books stale, counted, and /ready says why.
// The GLIMPSE fallback ([feed.snapshot]): the same sf-rewind serves snapshots over kernel TCP, reached from
// the appliance's housekeeping thread through a second veth pair (a management link with addresses).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "sf_test_process.hpp"

namespace {

using namespace sf::testing::process;

constexpr int kMessages = 40000;

// The shipped replay config's trading tables on `devargs`, run to completion, plus `extra` tables.
std::string config_text(const std::string& devargs, const std::string& extra) {
  std::istringstream in(read_file(env("SF_REPLAY_CONFIG")));
  std::string out, line, table;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') table = line.substr(0, line.rfind(']') + 1);
    auto key_is = [&](const char* k) { return line.rfind(std::string(k) + " ", 0) == 0; };
    if (table == "[[port]]" && key_is("devargs")) line = "devargs = \"" + devargs + "\"";
    if (table == "[lcores]" && key_is("mode")) line = "mode = \"run_to_completion\"";
    out += line + "\n";
  }
  return out + extra;
}

uint64_t metric(const std::string& text, const std::string& name) {
  const std::regex re("\n" + name + "(\\{[^}]*\\})? ([0-9.e+]+)");
  std::smatch m;
  return std::regex_search(text, m, re) ? static_cast<uint64_t>(std::stod(m[2])) : UINT64_MAX;
}

class LiveRecovery : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_REPLAY_CONFIG", "SF_LIVE_SCRIPTS", "SF_REWIND"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, veth)";
    const std::string id = std::to_string(getpid() % 100000);
    ns_ = "sfrec" + id;
    near_ = "sfra" + id;
    far_ = "sfrb" + id;
    if (run("ip netns add " + ns_ + " 2>/dev/null") != 0) GTEST_SKIP() << "cannot create a network namespace";
    ns_created_ = true;
    ASSERT_EQ(run("ip link add " + near_ + " type veth peer name " + far_), 0);
    ASSERT_EQ(run("ip link set " + far_ + " netns " + ns_), 0);
    ASSERT_EQ(run("sysctl -qw net.ipv6.conf." + near_ + ".disable_ipv6=1 && ip link set " + near_ + " up"),
              0);
    ASSERT_EQ(run("ip netns exec " + ns_ + " sh -c 'sysctl -qw net.ipv6.conf." + far_ +
                  ".disable_ipv6=1; ip addr add 10.79.0.2/24 dev " + far_ + " && ip link set " + far_ +
                  " up && ip link set lo up'"),
              0);
    char tmpl[] = "/tmp/sf-live-recovery-XXXXXX";
    dir_ = mkdtemp(tmpl);
    feed_ = dir_ / "feed.pcap";
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 9 --instruments 20 --messages " +
                  std::to_string(kMessages) + " -o " + feed_.string()),
              0);
  }
  // The management link: kernel addresses on both ends, for the GLIMPSE fallback's TCP connection.
  void add_management_link() {
    const int id = getpid();
    const std::string net = "10.201." + std::to_string((id / 64) % 250) + ".";
    const int base = (id % 64) * 4;
    mgmt_host_ = "sfrm" + std::to_string(id % 100000);
    mgmt_ip_ = net + std::to_string(base + 2);  // in the namespace, where sf-rewind listens
    ASSERT_EQ(run("ip link add " + mgmt_host_ + " type veth peer name sfrn" + std::to_string(id % 100000)),
              0);
    ASSERT_EQ(run("ip link set sfrn" + std::to_string(id % 100000) + " netns " + ns_), 0);
    ASSERT_EQ(run("ip addr add " + net + std::to_string(base + 1) + "/30 dev " + mgmt_host_ +
                  " && ip link set " + mgmt_host_ + " up"),
              0);
    ASSERT_EQ(
        run("ip netns exec " + ns_ + " sh -c 'ip addr add " + mgmt_ip_ + "/30 dev sfrn" +
            std::to_string(id % 100000) + " && ip link set sfrn" + std::to_string(id % 100000) + " up'"),
        0);
    password_ = dir_ / "glimpse.pw";
    std::ofstream(password_) << "glimpse1\n";
    fs::permissions(password_, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  }
  // sf-rewind's GLIMPSE service on the management link (the snapshot at `at`, 0: the end of its store).
  [[nodiscard]] std::string glimpse_args(uint64_t at) const {
    return "--glimpse-listen " + mgmt_ip_ + ":17000 --glimpse-username GLMPS0 --glimpse-password-file " +
           password_.string() + " --snapshot-at " + std::to_string(at);
  }
  [[nodiscard]] std::string snapshot_table(uint16_t port = 17000) const {
    return "[feed.snapshot]\nserver = \"" + mgmt_ip_ + ":" + std::to_string(port) +
           "\"\nusername = \"GLMPS0\"\npassword_file = \"" + password_.string() +
           "\"\ntimeout_ms = 5000\nat_start = false\n";
  }

  void TearDown() override {
    for (pid_t* p : {&pid_, &rewind_pid_})
      if (*p > 0) {
        kill(*p, SIGKILL);
        waitpid(*p, nullptr, 0);
      }
    if (!mgmt_host_.empty()) run("ip link del " + mgmt_host_ + " 2>/dev/null");
    if (ns_created_) {
      run("ip link del " + near_ + " 2>/dev/null");
      run("ip netns del " + ns_ + " 2>/dev/null");
    }
    std::error_code ec;
    if (!dir_.empty() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir_, ec);
  }

  struct Result {
    std::map<std::string, uint64_t> stats;
    std::string metrics, ready, books, rewind_totals, sender, log;
  };

  // How one live run loses packets and what the appliance is given besides [feed.rewind].
  struct Live {
    double drop_share = 0;  // of the data packets, drawn from a fixed seed
    int burst = 1;          // consecutive data packets left out at each drop (16 messages each)
    int drop_at = -1;       // one more drop at this data packet
    int packets_per_ms = 4;
    uint64_t max_held = 100000;
    std::string extra_toml;  // e.g. [feed.snapshot]
  };

  // sf-rewind (`rewind_args`) in the namespace, the appliance on the near end, the feed sent from the
  // namespace losing what `live` says; /metrics and /ready read before the stop.
  void run_live(const std::string& name, const std::string& rewind_args, const Live& live, Result& out) {
    const fs::path dir = dir_ / name;
    fs::create_directories(dir);
    const fs::path rewind_log = dir / "rewind.log";
    std::vector<std::string> rargs{"netns",  "exec",         ns_,        env("SF_REWIND"),
                                   "--pcap", feed_.string(), "--listen", "10.79.0.2:26400"};
    std::istringstream extra(rewind_args);
    for (std::string a; extra >> a;) rargs.push_back(a);
    rewind_pid_ = start_logged("/usr/sbin/ip", rargs, rewind_log);
    ASSERT_TRUE(wait_for([&] { return read_file(rewind_log).find("listening") != std::string::npos; }, 10))
        << read_file(rewind_log);

    const std::string rewind_table =
        "[feed.rewind]\nserver = \"10.79.0.2:26400\"\nlocal_ip = \"10.79.0.1\"\ntimeout_ms = 20\nretries = "
        "5\n"
        "max_held_messages = " +
        std::to_string(live.max_held) + "\n";
    std::ofstream(dir / "live.toml") << config_text("net_af_packet0,iface=" + near_ + ",qpairs=1",
                                                    rewind_table + live.extra_toml);
    const fs::path log = dir / "live.log", stats = dir / "live.stats", books = dir / "books.csv";
    pid_ = start_logged(env("SNIPERFORGE"),
                        {"--config", (dir / "live.toml").string(), "--stats-file", stats.string(),
                         "--dump-books", books.string(), "--metrics-addr", "127.0.0.1:0"},
                        log);
    ASSERT_TRUE(wait_for([&] { return read_file(log).find("/ready on port ") != std::string::npos; }, 30))
        << read_file(log);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const fs::path sender = dir / "sender.log";
    char share[32];
    std::snprintf(share, sizeof share, "%g", live.drop_share);
    ASSERT_EQ(run("ip netns exec " + ns_ + " python3 " + env("SF_LIVE_SCRIPTS") + "/live_feed_sender.py " +
                  feed_.string() + " 10.79.0.1 26477 " + std::to_string(live.packets_per_ms) + " " + share +
                  " 3 " + std::to_string(live.burst) + " " + std::to_string(live.drop_at) + " > " +
                  sender.string() + " 2>&1"),
              0)
        << read_file(sender);
    out.sender = read_file(sender);

    const std::string text = read_file(log), key = "/ready on port ";
    const auto at = text.find(key);
    const std::string port = text.substr(at + key.size(), text.find(' ', at + key.size()) - at - key.size());
    const std::string curl = "curl -s http://127.0.0.1:" + port;
    // Caught up: nothing recovering and the last sequence applied (or the recovery failed for good).
    wait_for(
        [&] {
          run(curl + "/metrics > " + (dir / "metrics.txt").string());
          out.metrics = read_file(dir / "metrics.txt");
          const uint64_t fallback = metric(out.metrics, "sniperforge_feed_snapshot_fallback");
          return metric(out.metrics, "sniperforge_feed_recovering") == 0 && fallback != 1 &&
                 (metric(out.metrics, "sniperforge_feed_next_sequence") > kMessages ||
                  metric(out.metrics, "sniperforge_feed_recovery_failed") > 0);
        },
        15);
    ASSERT_EQ(run(curl + "/ready > " + (dir / "ready.txt").string()), 0);
    out.ready = read_file(dir / "ready.txt");

    ASSERT_EQ(kill(pid_, SIGTERM), 0);
    int status = 0;
    ASSERT_TRUE(wait_for([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, 15))
        << "no exit after SIGTERM";
    pid_ = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(log);
    kill(rewind_pid_, SIGTERM);
    waitpid(rewind_pid_, nullptr, 0);
    rewind_pid_ = -1;
    out.rewind_totals = read_file(rewind_log);
    out.stats = sf::testing::read_stats(stats);
    out.books = read_file(books);
    out.log = read_file(log);
  }

  // The book dump of a lossless replay of the same feed.
  std::string reference_books() {
    std::ofstream(dir_ / "replay.toml") << config_text("net_pcap0,rx_pcap=" + feed_.string(), "");
    EXPECT_EQ(run(env("SNIPERFORGE") + " --config " + (dir_ / "replay.toml").string() + " --dump-books " +
                  (dir_ / "replay.books.csv").string() + " > " + (dir_ / "replay.log").string() + " 2>&1"),
              0);
    return read_file(dir_ / "replay.books.csv");
  }

  std::string ns_, near_, far_, mgmt_host_, mgmt_ip_;
  fs::path password_;
  bool ns_created_ = false;
  fs::path dir_, feed_;
  pid_t pid_ = -1, rewind_pid_ = -1;
};

// SF_RECOVERY_BURST=63 SF_RECOVERY_DROP_SHARE=0.004: ~1,000-message gaps (docs/performance.md).
TEST_F(LiveRecovery, DroppedPacketsAreRecoveredFromSfRewind) {
  Result r;
  const std::string share = env("SF_RECOVERY_DROP_SHARE"), burst = env("SF_RECOVERY_BURST");
  Live live;
  live.drop_share = share.empty() ? 0.001 : std::stod(share);
  live.burst = burst.empty() ? 1 : std::stoi(burst);
  ASSERT_NO_FATAL_FAILURE(run_live("recover", "", live, r));
  const std::regex bucket("sniperforge_feed_recovery_seconds_bucket\\{[^}]*le=\"([^\"]+)\"\\} ([0-9]+)");
  for (auto it = std::sregex_iterator(r.metrics.begin(), r.metrics.end(), bucket);
       it != std::sregex_iterator(); ++it)
    std::printf("[ info ] recovery time <= %s s: %s gap(s)\n", (*it)[1].str().c_str(),
                (*it)[2].str().c_str());
  const auto& st = r.stats;
  std::printf("[ info ] %s[ info ] %lu gaps (%lu messages), %lu recovered, %lu requests, %lu retries\n",
              r.sender.c_str(), static_cast<unsigned long>(st.at("gaps")),
              static_cast<unsigned long>(st.at("gap_messages")),
              static_cast<unsigned long>(st.at("recovery_recovered")),
              static_cast<unsigned long>(st.at("recovery_requests")),
              static_cast<unsigned long>(st.at("recovery_retries")));
  ASSERT_EQ(r.sender.find("dropped 0\n"), std::string::npos)
      << "the sender must drop something: " << r.sender;
  EXPECT_GE(st.at("gaps"), 1u);
  EXPECT_GE(st.at("recovery_started"), 1u);
  EXPECT_EQ(st.at("recovery_recovered"), st.at("recovery_started")) << r.log;
  EXPECT_EQ(st.at("recovery_failed"), 0u);
  EXPECT_EQ(st.at("recovery_messages"), st.at("gap_messages"));
  EXPECT_EQ(st.at("messages"), static_cast<uint64_t>(kMessages));
  EXPECT_EQ(st.at("executor_books_stale"), 0u);
  EXPECT_GE(metric(r.metrics, "sniperforge_feed_recovery_seconds_count"), 1u);
  EXPECT_EQ(r.ready.find("stale"), std::string::npos) << r.ready;
  EXPECT_EQ(r.ready.find("recover"), std::string::npos) << r.ready;
  EXPECT_NE(r.rewind_totals.find("\"answered\":"), std::string::npos) << r.rewind_totals;
  EXPECT_EQ(r.rewind_totals.find("\"answered\":0,"), std::string::npos) << r.rewind_totals;

  // The books equal a lossless replay of the same feed.
  const std::string reference = reference_books();
  ASSERT_FALSE(reference.empty());
  EXPECT_TRUE(r.books == reference) << "recovered books differ from the lossless replay's";
}

TEST_F(LiveRecovery, ServerThatNeverAnswersLeavesBooksStaleAndSaysWhy) {
  Result r;
  Live live;
  live.drop_share = 0.002;
  ASSERT_NO_FATAL_FAILURE(run_live("silent", "--ignore-share 1", live, r));
  const auto& st = r.stats;
  ASSERT_EQ(r.sender.find("dropped 0\n"), std::string::npos) << r.sender;
  EXPECT_EQ(st.at("recovery_started"), 1u);  // then latched: no recovery after a failure
  EXPECT_EQ(st.at("recovery_failure_retries"), 1u);
  EXPECT_EQ(st.at("recovery_requests"), 6u);  // the first try and 5 retries
  EXPECT_EQ(st.at("recovery_retries"), 5u);
  EXPECT_EQ(st.at("recovery_failed"), 1u);
  EXPECT_GT(st.at("executor_books_stale"), 0u);
  EXPECT_NE(r.rewind_totals.find("\"ignored\":6,"), std::string::npos) << r.rewind_totals;
  EXPECT_EQ(metric(r.metrics, "sniperforge_feed_recovery_failed"), 1u)
      << "alert SniperForgeFeedRecoveryFailed";
  EXPECT_EQ(metric(r.metrics, "sniperforge_feed_recovery_retries_total"), 5u);
  EXPECT_NE(r.ready.find("feed gap not recovered (re-request server did not answer within the retries)"),
            std::string::npos)
      << r.ready;
}

// A gap larger than max_held_messages (3,200 messages lost at once, 2,000 held): the recovery fails at
// once and falls back to GLIMPSE from the same sf-rewind (the snapshot at the end of its store: always ahead
// of the live feed, so held and live messages below it are skipped; a snapshot inside the held window, the
// rest applied, is snapshot_fallback's, since its timing here depends on the host's load). The books equal
// the lossless replay's, nothing stale, the fallback counted.
TEST_F(LiveRecovery, GapLargerThanTheBufferRecoversThroughGlimpse) {
  ASSERT_NO_FATAL_FAILURE(add_management_link());
  Live live;
  live.drop_at = 500;
  live.burst = 200;
  live.max_held = 2000;
  live.extra_toml = snapshot_table();
  Result r;
  ASSERT_NO_FATAL_FAILURE(run_live("glimpse", glimpse_args(0), live, r));
  const auto& st = r.stats;
  const std::regex sum("\nsniperforge_feed_snapshot_fallback_seconds_sum\\{[^}]*\\} ([0-9.e+-]+)");
  std::smatch m;
  if (std::regex_search(r.metrics, m, sum))
    std::printf("[ info ] GLIMPSE fallback: %s s from the failure to the books handed on\n",
                m[1].str().c_str());
  ASSERT_NE(r.sender.find("dropped 200\n"), std::string::npos) << r.sender;
  EXPECT_EQ(st.at("recovery_failure_buffer"), 1u) << r.log;
  EXPECT_EQ(st.at("snapshot_fallback_taken"), 1u) << r.log;
  EXPECT_EQ(st.at("snapshot_fallback_succeeded"), 1u) << r.log;
  EXPECT_EQ(st.at("snapshot_fallback_failed"), 0u);
  EXPECT_GT(st.at("snapshot_fallback_skipped"), 0u);
  EXPECT_EQ(st.at("recovery_failed"), 0u);
  EXPECT_EQ(st.at("executor_books_stale"), 0u);
  EXPECT_EQ(metric(r.metrics, "sniperforge_feed_snapshot_fallbacks_total"), 1u);
  EXPECT_EQ(metric(r.metrics, "sniperforge_feed_snapshot_fallback_seconds_count"), 1u);
  EXPECT_EQ(r.ready.find("stale"), std::string::npos) << r.ready;
  EXPECT_NE(r.log.find("GLIMPSE fallback: "), std::string::npos) << r.log;
  EXPECT_NE(r.rewind_totals.find("GLIMPSE: 1 logins, 0 rejected, 1 snapshots"), std::string::npos)
      << r.rewind_totals;
  const std::string reference = reference_books();
  ASSERT_FALSE(reference.empty());
  EXPECT_TRUE(r.books == reference) << "books after the GLIMPSE fallback differ from the lossless replay's";
}

// A re-request server that never answers, with [feed.snapshot]: the retries run out, the fallback is taken
// and succeeds (the snapshot at the end of the store), the books equal the lossless replay's. With the
// GLIMPSE server unreachable the fallback fails: books stale, counted, /ready and the gauge say why.
TEST_F(LiveRecovery, ServerThatNeverAnswersFallsBackToGlimpse) {
  ASSERT_NO_FATAL_FAILURE(add_management_link());
  Live live;
  live.drop_share = 0.002;
  live.extra_toml = snapshot_table();
  Result r;
  ASSERT_NO_FATAL_FAILURE(run_live("silent_glimpse", "--ignore-share 1 " + glimpse_args(0), live, r));
  ASSERT_EQ(r.sender.find("dropped 0\n"), std::string::npos) << r.sender;
  EXPECT_EQ(r.stats.at("recovery_failure_retries"), 1u);
  EXPECT_EQ(r.stats.at("recovery_retries"), 5u);
  EXPECT_EQ(r.stats.at("snapshot_fallback_taken"), 1u) << r.log;
  EXPECT_EQ(r.stats.at("snapshot_fallback_succeeded"), 1u) << r.log;
  EXPECT_EQ(r.stats.at("recovery_failed"), 0u);
  EXPECT_EQ(r.stats.at("executor_books_stale"), 0u);
  EXPECT_EQ(r.ready.find("stale"), std::string::npos) << r.ready;
  EXPECT_TRUE(r.books == reference_books()) << "books after the GLIMPSE fallback differ";

  Live unreachable = live;
  unreachable.extra_toml = snapshot_table(17001);  // nothing listens there
  Result u;
  ASSERT_NO_FATAL_FAILURE(
      run_live("silent_no_glimpse", "--ignore-share 1 " + glimpse_args(0), unreachable, u));
  EXPECT_EQ(u.stats.at("snapshot_fallback_taken"), 1u) << u.log;
  EXPECT_EQ(u.stats.at("snapshot_fallback_failed"), 1u) << u.log;
  EXPECT_EQ(u.stats.at("recovery_failed"), 1u);
  EXPECT_GT(u.stats.at("executor_books_stale"), 0u);
  EXPECT_EQ(metric(u.metrics, "sniperforge_feed_snapshot_fallback"), 2u)
      << "alert SniperForgeFeedSnapshotFallbackFailed";
  EXPECT_EQ(metric(u.metrics, "sniperforge_feed_recovery_failed"), 1u)
      << "alert SniperForgeFeedRecoveryFailed";
  EXPECT_NE(u.ready.find("feed gap not recovered (re-request server did not answer within the retries): the "
                         "GLIMPSE snapshot failed, books stale"),
            std::string::npos)
      << u.ready;
  EXPECT_NE(u.log.find("GLIMPSE fallback failed: "), std::string::npos) << u.log;
}

}  // namespace
