// sf-ctl kill on a live appliance (issue #14), with `transport = "kernel"` to a real
// `sf-venue-sim --soupbintcp --no-fill` on loopback: orders rest at the simulator, so when the operator
// kills the appliance mid-replay there are open orders. Checked from what the processes recorded, not
// from wall-clock sleeps:
//   - orders stop at once: the executor's TSC stamps in kill's answer (the command's arrival in the
//     executor's ring, when it applied it, its last order, the RX stamp of the newest feed event it had
//     handled) show no order after the kill and none triggered by feed data received 1 ms or more after
//     the command's arrival; the feed kept firing after it: orders refused `killed`;
//   - every order open at the kill got an OUCH Cancel Order through the shard's session, and the
//     simulator acknowledged each one (Order Canceled): kill answered "still open 0", the simulator's
//     totals count exactly as many cancels, nothing is open afterwards;
//   - unkill resumes: orders rest at the venue again while the replay goes on;
//   - the journal (issue #13) holds one "cancel" record per Cancel sent, each for an order it recorded.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "kill_checks.hpp"
#include "sf_test_process.hpp"
#include "venue_sim_process.hpp"

using namespace sf::testing::process;
using namespace sf::testing::kill_checks;
using sf::testing::totals_number;  // any top-level integer of a JSON object

namespace {

class KillVenue : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_REPLAY_CONFIG", "SF_VENUE_SIM", "SF_CTL"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    dir_ = fs::temp_directory_path() / ("sf-killvenue-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "pw") << "pw123\n";
    fs::permissions(dir_ / "pw", fs::perms::owner_read | fs::perms::owner_write);
    sim_ = std::make_unique<sf::testing::VenueSimProcess>(dir_, "SNIPE0 pw123\n");
    // Long enough that the replay is still running well after the kill and the unkill (~2 s here).
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 3000000 -o " +
                  (dir_ / "feed.pcap").string()),
              0);
    std::string cfg = sf::testing::kernel_replay_config(sim_->port(), dir_ / "pw");
    replace_all(cfg, "file_prefix = \"sf_replay\"",
                "file_prefix = \"sfkill_" + std::to_string(getpid()) + "\"");
    raise_risk_limits(cfg);  // orders keep firing all through the feed
    socket_ = (dir_ / "control.sock").string();
    cfg += "\n[control]\nsocket = \"" + socket_ + "\"\nallow_uids = [0]\n";
    cfg += "\n[journal]\npath = \"" + (dir_ / "journal").string() + "\"\nsegment_mb = 16\n";
    std::ofstream(dir_ / "kill.toml") << cfg;
  }
  void TearDown() override {
    kill_child(app_);
    sim_.reset();
    if (!HasFailure() && env("SF_KEEP_TMP").empty()) fs::remove_all(dir_);
  }
  // sf-ctl's exit status; its stdout and stderr in `out`.
  int ctl(const std::string& args, std::string& out) {
    const fs::path o = dir_ / "ctl.out";
    const int rc = run(env("SF_CTL") + " --socket " + socket_ + " " + args + " > " + o.string() + " 2>&1");
    out = read_file(o);
    return rc;
  }
  double open_orders() {
    std::string s;
    return ctl("--json status", s) == 0 ? json_number(s, "open_orders") : -1;
  }
  int stop(pid_t& pid) {
    kill(pid, SIGTERM);
    int status = 0;
    EXPECT_TRUE(wait_for([&] { return waitpid(pid, &status, WNOHANG) == pid; }, 20))
        << "no exit after SIGTERM";
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
  std::string socket_;
  std::unique_ptr<sf::testing::VenueSimProcess> sim_;
  pid_t app_ = -1;
};

}  // namespace

TEST_F(KillVenue, KillStopsOrdersAtOnceCancelsEveryOpenOrderAtTheVenueAndUnkillResumes) {
  ASSERT_TRUE(sim_->start({"--no-fill"}));
  app_ = start_logged(
      env("SNIPERFORGE"),
      {"--config", (dir_ / "kill.toml").string(), "--rx-pcap", (dir_ / "feed.pcap").string(), "--tx-pcap",
       (dir_ / "tx.pcap").string(), "--stats-file", (dir_ / "app.stats").string(), "--hold", "--quiet"},
      dir_ / "app.log");
  ASSERT_GT(app_, 0);
  // Mid-replay: some orders rest at the venue.
  ASSERT_TRUE(wait_for([&] { return open_orders() >= 50; }, 30)) << read_file(dir_ / "app.log");

  std::string k;
  ASSERT_EQ(ctl("--json kill", k), 0) << k;
  std::printf("sf-ctl --json kill: %s", k.c_str());  // the stamps, for the log
  const uint64_t open_at_kill = expect_kill_stopped_orders_and_cancelled_all(k, 50);
  std::string s;
  ASSERT_EQ(ctl("--json status", s), 0) << s;
  EXPECT_NE(s.find("\"trading_state\":\"killed\""), std::string::npos) << s;
  EXPECT_EQ(json_number(s, "open_orders"), 0) << s;

  // Unkill: the replay is still running, so orders rest at the venue again.
  ASSERT_EQ(ctl("unkill", s), 0) << s;
  ASSERT_TRUE(wait_for([&] { return open_orders() > 0; }, 20)) << "no order after unkill";
  // The replay's end: no new order for a second (then every venue answer has arrived too).
  double last = -1;
  int same = 0;
  ASSERT_TRUE(wait_for(
      [&] {
        const double now = open_orders();
        same = now == last ? same + 1 : 0;
        last = now;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        return same >= 4;
      },
      30));

  ASSERT_EQ(stop(app_), 0) << read_file(dir_ / "app.log");
  const std::string totals = sim_->stop();
  const auto stats = read_stats(dir_ / "app.stats");
  expect_venue_cancelled_exactly(totals, stats, open_at_kill);
  EXPECT_EQ(totals_number(totals, "orders"), stats.at("orders_buy") + stats.at("orders_sell")) << totals;
  EXPECT_EQ(totals_number(totals, "messages"), stats.at("venue_messages")) << totals;
  EXPECT_EQ(stats.at("session_ring_full"), 0u);
  EXPECT_EQ(stats.at("venue_inconsistent_shards"), 0u);
  expect_cancels_journaled(dir_ / "journal", dir_ / "cancels.txt", open_at_kill);
}
