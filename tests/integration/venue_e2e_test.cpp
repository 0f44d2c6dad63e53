// End to end over SoupBinTCP, the same tests for both transports (the test parameter: `kernel`, the
// shard's KernelSession over loopback TCP; `dpdk`, our own TCP over net_af_packet on a veth pair into a
// network namespace): what the appliance believes (positions and realized P&L per symbol in /metrics,
// filled shares and venue messages in --stats-file) must equal the simulator's own JSON totals; with
// `--drop-after` the simulator cuts the connection mid-session, or it is killed and restarted from its
// store, and the appliance must reconnect and re-log in at the next sequence number, losing and repeating
// nothing. /ready fails once the venue is gone; a wrong venue (--fault) is refused and stops the shard.
// The fixture: venue_e2e_fixture.hpp; the kernel-only test:
// kernel_venue_e2e_test.cpp; the dpdk-only forged segments: venue_forged_test.cpp.
#include <gtest/gtest.h>

#include <cstdio>

#include "kill_checks.hpp"
#include "venue_e2e_fixture.hpp"

using namespace sf::testing::venue_e2e;

TEST_P(VenueE2E, FillsComeBackAndPositionsEqualTheVenueTotalsReadyFailsWithoutVenue) {
  start_sim({});
  run_appliance();
  EXPECT_NE(curl("/ready").find("\n200"), std::string::npos) << curl("/ready");
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 1.0) << metrics_;
  EXPECT_GT(metric_sum(metrics_, "sniperforge_session_bytes_sent_total"), 0.0);
  // The session by itself (shard 0, its login's username): logged in, bytes both ways.
  const std::string shard0 = "shard=\"0\",user=\"SNIPE0\"";
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_session_state", shard0), 4.0) << metrics_;
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_session_up", shard0), 1.0);
  // The executor's family is a copy of the session's counters, taken every 4096 polls, and heartbeats go
  // on every 200 ms: one scrape may fall between a heartbeat and the next copy (3 bytes apart once).
  EXPECT_TRUE(wait_for(
      [&] {
        const std::string m = curl("/metrics");
        return metric_sum(m, "sniperforge_session_shard_bytes_sent_total", shard0) ==
               metric_sum(m, "sniperforge_session_bytes_sent_total");
      },
      10))
      << curl("/metrics");
  EXPECT_GT(metric_sum(metrics_, "sniperforge_session_shard_bytes_received_total", shard0), 0.0);
  // The TCP's smoothed RTT (dpdk: our TCP's; kernel: the socket's TCP_INFO), by session and per executor.
  EXPECT_GT(metric_sum(metrics_, "sniperforge_session_shard_tcp_rtt_smoothed", shard0), 0.0) << metrics_;
  EXPECT_GT(metric_sum(metrics_, "sniperforge_session_tcp_rtt_smoothed"), 0.0) << metrics_;
  const std::string totals = stop_sim();
  // The venue is gone: the session is down and /ready says so.
  ASSERT_TRUE(wait_for(
      [&] { return curl("/ready").find("order session down: shard 0 (SNIPE0) ") != std::string::npos; }, 10))
      << curl("/ready");
  const auto stats = stop_appliance();
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;
  EXPECT_GT(stats.at("orders_buy") + stats.at("orders_sell"), 0u);
}

TEST_P(VenueE2E, DroppedConnectionReconnectsNothingLostOrAppliedTwice) {
  // Cut after the 24th sequenced message: the 24th is an Accepted whose Executed/Canceled the
  // simulator stores but has not sent, so only a re-login at sequence 25 brings it.
  start_sim({"--drop-after", "24"});
  run_appliance();
  // Reconnected and logged in again.
  ASSERT_TRUE(
      wait_for([&] { return metric_sum(curl("/metrics"), "sniperforge_sessions_logged_in") == 1.0; }, 10));
  metrics_ = curl("/metrics");
  EXPECT_GE(metric_sum(metrics_, "sniperforge_session_reconnects_total"), 1.0) << metrics_;
  EXPECT_GE(metric_sum(metrics_, "sniperforge_session_shard_reconnects_total", "shard=\"0\""), 1.0);
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;
  EXPECT_GT(stats.at("venue_messages"), 24u);  // more than the simulator sent before it dropped us
  EXPECT_GE(stats.at("session_reconnects"), 1u);
}

// The simulator is killed (SIGKILL) mid-session, with answers to the appliance's orders on its disk but not
// yet sent (--stall-after 20: it stores everything, sends the first 20), and restarted from that store: the
// appliance reconnects, re-logs in at sequence 21, the first it has not processed, and gets the rest:
// nothing lost, nothing applied twice.
TEST_P(VenueE2E, KilledSimulatorRestartedFromItsStoreNothingLostOrAppliedTwice) {
  fs::create_directories(dir_ / "store");
  start_sim({"--store", (dir_ / "store").string(), "--stall-after", "20"});
  run_appliance();  // settles at the 20 messages the stalled simulator sent
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_venue_messages_total"), 20.0);
  ASSERT_GT(metric_sum(metrics_, "sniperforge_orders_sent_total"), 10.0) << "more answers stored than sent";
  sim_->kill9();
  ASSERT_TRUE(
      wait_for([&] { return metric_sum(curl("/metrics"), "sniperforge_sessions_logged_in") == 0.0; }, 10));
  start_sim({"--store", (dir_ / "store").string()}, "sim2.log");
  // Logged in again first: the reconnect back-off grew while the venue was down, and settle() alone
  // would take the 20 messages, unchanged for a second, for the end (it did under ASan).
  ASSERT_TRUE(
      wait_for([&] { return metric_sum(curl("/metrics"), "sniperforge_sessions_logged_in") == 1.0; }, 30))
      << read_file(dir_ / "sim2.log");
  settle();
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;
  EXPECT_GT(stats.at("venue_messages"), 20u) << "the restarted simulator sent the rest";
  EXPECT_GE(stats.at("session_reconnects"), 1u);
  EXPECT_NE(read_file(dir_ / "sim2.log").find("SNIPE0 logged in, sequence 21\n"), std::string::npos)
      << read_file(dir_ / "sim2.log");
}

// --check-config states the logins, and refuses a login count other than the shards before anything starts.
TEST_P(VenueE2E, CheckConfigCountsLoginsAndRefusesOneShort) {
  const std::string check =
      env("SNIPERFORGE") + " --check-config --rx-pcap " + (dir_ / "feed.pcap").string() + " --config ";
  const fs::path out = dir_ / "check.txt";
  ASSERT_EQ(run(check + (dir_ / "kernel.toml").string() + " > " + out.string() + " 2>&1"), 0)
      << read_file(out);
  EXPECT_NE(read_file(out).find(", 1 login(s) for 1 shard(s): SNIPE0 (shard 0)"), std::string::npos)
      << read_file(out);
  std::string two = read_file(dir_ / "kernel.toml");
  two.replace(two.find("shards = 1"), 10, "shards = 2");
  std::ofstream(dir_ / "two.toml") << two;
  EXPECT_EQ(run(check + (dir_ / "two.toml").string() + " > " + out.string() + " 2>&1"), 2);
  EXPECT_NE(read_file(out).find("needs exactly one [[order_session.login]] per shard, in shard order: "
                                "[trading].shards = 2 but 1 login(s) are configured"),
            std::string::npos)
      << read_file(out);
  EXPECT_EQ(read_file(out).find("pw123"), std::string::npos);
}

// No venue listening: the replay starts once the login wait (timeout_ms) has passed, the risk gate
// refuses every order as session_down (nothing reaches the session ring), and /ready says why.
TEST_P(VenueE2E, NoVenueEveryOrderRefusedSessionDownAndNotReady) {
  run_appliance(false);
  const std::string ready = curl("/ready");
  EXPECT_NE(ready.find("order session down"), std::string::npos) << ready;
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 0.0);
  const auto stats = stop_appliance();
  EXPECT_GT(stats.at("reject_session_down"), 0u);
  EXPECT_EQ(stats.at("orders_buy") + stats.at("orders_sell"), 0u);
  EXPECT_EQ(stats.at("venue_messages"), 0u);
  EXPECT_GE(stats.at("session_reconnects"), 1u);  // it kept trying
}

// A wrong venue (sf-venue-sim --fault; one fault per transport, to stay short): every order gets a valid
// partial fill, then an Executed the appliance must refuse (overfill: more shares than are open;
// duplicate-exec: the same match number again). Each refusal is counted under its reason, logged and
// exported, and the shard stops: the valid fills are applied, the bad ones change nothing.
TEST_P(VenueE2E, WrongVenueIsRefusedCountedAndStopsTheShard) {
  const std::string fault = dpdk() ? "overfill" : "duplicate-exec";
  const std::string reason = dpdk() ? "overfill" : "duplicate_match";
  start_sim({"--fault", fault});
  run_appliance();
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  const uint64_t orders = sf::testing::totals_number(totals, "orders");
  ASSERT_GT(orders, 0u) << totals;
  EXPECT_EQ(stats.at("orders_buy") + stats.at("orders_sell"), orders);
  EXPECT_EQ(stats.at("venue_refused_" + reason), orders) << "one bad execution per order";
  EXPECT_EQ(stats.at("fills"), orders) << "one valid execution per order";
  EXPECT_GE(stats.at("venue_inconsistent_shards"), 1u);
  EXPECT_EQ(stats.at("venue_bad_messages"), 0u);
  EXPECT_NE(read_file(dir_ / "app.log").find("venue response refused (" + reason + ")"), std::string::npos)
      << read_file(dir_ / "app.log");
  EXPECT_NE(metrics_.find("sniperforge_trade_venue_inconsistent{shard=\"0\"} 1"), std::string::npos)
      << metrics_;
  EXPECT_NE(metrics_.find("sniperforge_trade_venue_check_failures_total{shard=\"0\",reason=\"" + reason +
                          "\"} " + std::to_string(orders)),
            std::string::npos)
      << metrics_;
}

// sf-ctl kill on a live appliance (#14), both transports (dpdk: our own TCP over net_af_packet on the veth
// pair, so kill's Cancels leave as frames the executor builds): sf-venue-sim --no-fill keeps the orders
// open, the operator kills mid-feed; the checks are integration_kill_venue's (kill_checks.hpp): orders stop
// within 1 ms of the command's arrival at the executor (its TSC stamps), one Cancel per open order, each
// acknowledged by the simulator, journaled; unkill resumes while the feed goes on.
TEST_P(VenueE2E, KillDuringALiveFeedCancelsEveryOpenOrderUnkillResumes) {
  using namespace sf::testing::kill_checks;
  ASSERT_FALSE(env("SF_CTL").empty()) << "SF_CTL not set (run through meson test)";
  // Long enough that the feed is still running well after the kill and the unkill (~2 s here).
  ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages 3000000 -o " +
                (dir_ / "feed.pcap").string()),
            0);
  std::string cfg = read_file(dir_ / "kernel.toml");
  raise_risk_limits(cfg);
  const std::string socket = (dir_ / "control.sock").string();
  cfg += "\n[control]\nsocket = \"" + socket + "\"\nallow_uids = [0]\n";
  cfg += "\n[journal]\npath = \"" + (dir_ / "journal").string() + "\"\nsegment_mb = 16\n";
  std::ofstream(dir_ / "kernel.toml") << cfg;
  const auto ctl = [&](const std::string& args, std::string& out) {
    const fs::path o = dir_ / "ctl.out";
    const int rc = run(env("SF_CTL") + " --socket " + socket + " " + args + " > " + o.string() + " 2>&1");
    out = read_file(o);
    return rc;
  };
  const auto open_orders = [&] {
    std::string s;
    return ctl("--json status", s) == 0 ? json_number(s, "open_orders") : -1;
  };
  start_sim({"--no-fill"});
  launch_appliance();
  ASSERT_TRUE(wait_for([&] { return open_orders() >= 50; }, 30)) << read_file(dir_ / "app.log");

  std::string k, s;
  ASSERT_EQ(ctl("--json kill", k), 0) << k;
  std::printf("sf-ctl --json kill (%s): %s", GetParam().c_str(), k.c_str());  // the stamps, for the log
  const uint64_t open_at_kill = expect_kill_stopped_orders_and_cancelled_all(k, 50);
  ASSERT_EQ(ctl("--json status", s), 0) << s;
  EXPECT_NE(s.find("\"trading_state\":\"killed\""), std::string::npos) << s;
  EXPECT_EQ(json_number(s, "open_orders"), 0) << s;

  ASSERT_EQ(ctl("unkill", s), 0) << s;
  ASSERT_TRUE(wait_for([&] { return open_orders() > 0; }, 20)) << "no order after unkill";
  settle();  // the feed's end, every venue answer in
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  expect_venue_cancelled_exactly(totals, stats, open_at_kill);
  expect_same_as_venue(totals, stats);  // no fill (--no-fill): every position flat, as at the venue
  EXPECT_EQ(sf::testing::totals_number(totals, "fills"), 0u) << totals;
  expect_cancels_journaled(dir_ / "journal", dir_ / "cancels.txt", open_at_kill);
}

INSTANTIATE_TEST_SUITE_P(Transports, VenueE2E, ::testing::Values("kernel", "dpdk"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });
