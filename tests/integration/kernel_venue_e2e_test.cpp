// End to end, the appliance restarted on its journal, for both transports (`kernel`, and `dpdk`: the
// session over our own TCP resumes at the journal's sequence too). The other tests both transports share
// are in venue_e2e_test.cpp, the fixture in venue_e2e_fixture.hpp.
#include <gtest/gtest.h>

#include "venue_e2e_fixture.hpp"

using namespace sf::testing::venue_e2e;

namespace {
// The fixture with a journal.
class JournalVenueE2E : public VenueE2E {};
}  // namespace

// Issue #13: the appliance is killed (SIGKILL) while answers to its orders wait at the venue (--stall-after
// 20: the simulator sent 20 and stored the rest) and restarted on its journal, against the simulator
// restarted from its store. The journal gives back the orders and the 20 messages, the session logs in at
// sequence 21 (the one after the last the journal holds), the venue replays what came while the appliance
// was down, and positions and realized P&L equal the simulator's totals; no order is rejected (a reused
// UserRefNum would be) and the journal holds every venue sequence number exactly once, in order.
TEST_P(JournalVenueE2E, KilledApplianceRestartsFromItsJournalAtTheNextVenueSequence) {
  const fs::path journal = dir_ / "journal";
  std::ofstream(dir_ / "kernel.toml", std::ios::app)
      << "\n[journal]\npath = \"" << journal.string() << "\"\nsegment_mb = 1\n";
  fs::create_directories(dir_ / "store");
  start_sim({"--store", (dir_ / "store").string(), "--stall-after", "20"});
  run_appliance();
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_venue_messages_total"), 20.0);
  kill_child(app_);
  fs::rename(dir_ / "app.log", dir_ / "app1.log");  // the restart's log must not be read as this one
  sim_->kill9();
  start_sim({"--store", (dir_ / "store").string()}, "sim2.log");
  run_appliance();
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_NE(read_file(dir_ / "sim2.log").find("SNIPE0 logged in, sequence 21\n"), std::string::npos)
      << read_file(dir_ / "sim2.log");
  EXPECT_GT(sf::testing::totals_number(totals, "messages"), 20u);
  EXPECT_EQ(sf::testing::totals_number(totals, "rejected"), 0u) << totals;
  EXPECT_EQ(stats.at("venue_inconsistent_shards"), 0u);
  EXPECT_EQ(stats.at("venue_bad_messages"), 0u);
  expect_positions_as_venue(totals);
  const fs::path seqs = dir_ / "seqs.txt";
  ASSERT_EQ(run(env("SF_JOURNAL") + " dump " + journal.string() +
                " | jq -s -c '[.[] | select(.type == \"venue\") | .venue_seq]' > " + seqs.string()),
            0);
  std::string expected = "[";
  for (uint64_t q = 1; q <= sf::testing::totals_number(totals, "messages"); ++q) {
    if (q > 1) expected += ',';
    expected += std::to_string(q);
  }
  EXPECT_EQ(read_file(seqs), expected + "]\n");
  // The session records: the first run's login asked for 1, the restart's for 21; a logout at the end.
  ASSERT_EQ(
      run(env("SF_JOURNAL") + " dump " + journal.string() +
          " | jq -s -c '[.[] | select(.type == \"session\") | [.event, .next_seq]]' > " + seqs.string()),
      0);
  EXPECT_EQ(read_file(seqs), "[[\"login\",1],[\"login\",21],[\"logout\"," +
                                 std::to_string(sf::testing::totals_number(totals, "messages") + 1) + "]]\n");
  EXPECT_EQ(run(env("SF_JOURNAL") + " verify " + journal.string() + " > /dev/null"), 0);
}

INSTANTIATE_TEST_SUITE_P(Transports, JournalVenueE2E, ::testing::Values("kernel", "dpdk"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });
