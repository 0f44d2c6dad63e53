// Issue #13's crash test: the appliance (`transport = "kernel"`, a [journal]) trades against a real
// `sf-venue-sim --soupbintcp --store` that fills its orders by the seeded rule (fills, partial fills, IOC
// cancels), and is killed with SIGKILL at random moments, then restarted on its journal each time (the
// simulator keeps running). Each run replays the feed from the start with limits high enough that every
// run sends orders, so kills land before the login, during the venue's replay, among orders in flight and
// answers not yet journaled, or while idle. After the last restart has settled:
//   - every position and realized P&L equals the simulator's JSON totals,
//   - no order was rejected (the simulator rejects a UserRefNum not above every one it has seen),
//   - the open-order count equals the simulator's,
//   - no venue message was refused or lost: the journal holds each venue sequence number once, in order,
//   - the journal verifies.
// SF_CRASH_RUNS (default 5, the CI version) sets the number of kills, SF_CRASH_SEED the seed of their
// moments (default: random; printed, so a failure can be replayed); docs/operations.md, "The journal".
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <regex>
#include <thread>

#include "venue_e2e_fixture.hpp"

using namespace sf::testing::venue_e2e;

namespace {

class JournalCrash : public VenueE2E {
 protected:
  // The fixture's config with room for every run's orders: the snipers' and the risk gate's position and
  // notional limits raised (the snipers' allowance counts every share ever filled).
  void raise_limits() {
    std::string cfg = read_file(dir_ / "kernel.toml");
    cfg = std::regex_replace(cfg, std::regex("\nmax_position = [0-9]+"), "\nmax_position = 10000000");
    cfg = std::regex_replace(cfg, std::regex("\nmax_gross_notional = [0-9]+"),
                             "\nmax_gross_notional = 1000000000");
    std::ofstream(dir_ / "kernel.toml")
        << cfg << "\n[journal]\npath = \"" << (dir_ / "journal").string() << "\"\nsegment_mb = 1\n";
  }
  // Bytes of the simulator's message store: it grows with every answer the venue sends.
  std::uintmax_t store_bytes() {
    std::error_code ec;
    const std::uintmax_t n = fs::file_size(dir_ / "store" / "SNIPE0.soup", ec);
    return ec ? 0 : n;
  }
  // Waits (up to `seconds`) until the store holds more than `bytes`.
  bool store_grows(std::uintmax_t bytes, int seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (store_bytes() <= bytes) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }
  // Output of a shell pipeline on `sf-journal dump`.
  std::string dump(const std::string& pipeline) {
    const fs::path out = dir_ / "dump.txt";
    EXPECT_EQ(
        run(env("SF_JOURNAL") + " dump " + (dir_ / "journal").string() + pipeline + " > " + out.string()), 0);
    return read_file(out);
  }
};

uint64_t env_number(const char* name, uint64_t fallback) {
  const std::string v = env(name);
  return v.empty() ? fallback : std::stoull(v);
}

}  // namespace

TEST_P(JournalCrash, KilledAtRandomMomentsPositionsAndOpenOrdersEqualTheVenue) {
  const uint64_t kills = env_number("SF_CRASH_RUNS", 5);
  const uint64_t seed = env_number("SF_CRASH_SEED", std::random_device{}());
  std::printf("journal crash test: %llu kills, SF_CRASH_SEED=%llu\n", static_cast<unsigned long long>(kills),
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);  // before a fork copies the buffer
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> orders_ms(0, 60), start_ms(0, 400);
  raise_limits();
  // A longer feed than the fixture's: each run's orders and answers span long enough to be killed among.
  ASSERT_EQ(
      run(env("SF_FEEDGEN") + " -q --seed 5 --instruments 20 --messages " +
          std::to_string(env_number("SF_CRASH_MESSAGES", 300000)) + " -o " + (dir_ / "feed.pcap").string()),
      0);
  fs::create_directories(dir_ / "store");
  start_sim({"--store", (dir_ / "store").string()});
  for (uint64_t k = 0; k < kills; ++k) {
    launch_appliance();
    // Even kills: among this run's orders (they span some 50 ms once the venue's first answer to this
    // run is stored). Odd kills: anywhere from the exporter's start (start-up, journal scan, login, the
    // venue's replay, the orders, idle).
    const bool among_orders = k % 2 == 0;
    if (among_orders) (void)store_grows(store_bytes(), 10);
    const int ms = among_orders ? orders_ms(rng) : start_ms(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    kill_child(app_);
    fs::rename(dir_ / "app.log", dir_ / ("app-killed-" + std::to_string(k) + ".log"));
    std::printf("kill %llu at +%d ms %s: journal [records, orders] %s",
                static_cast<unsigned long long>(k + 1), ms,
                among_orders ? "after the run's first venue answer" : "after the exporter started",
                dump(" | jq -s -c '[length, ([.[] | select(.type == \"order\")] | length)]'").c_str());
    std::fflush(stdout);
    ASSERT_FALSE(HasFatalFailure());
  }
  run_appliance();
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  std::printf("venue totals: %s\nadopted orders (lost from the journal at a kill): %s", totals.c_str(),
              dump(" | jq -s '[.[] | select(.adopted == true)] | length'").c_str());
  using sf::testing::totals_number;
  EXPECT_GT(totals_number(totals, "fills"), 0u) << totals;
  EXPECT_EQ(totals_number(totals, "rejected"), 0u) << "a UserRefNum was reused: " << totals;
  EXPECT_EQ(stats.at("venue_inconsistent_shards"), 0u) << read_file(dir_ / "app.log");
  EXPECT_EQ(stats.at("venue_bad_messages"), 0u);
  expect_positions_as_venue(totals);
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_trade_open_orders"),
            static_cast<double>(totals_number(totals, "open_orders")))
      << metrics_;
  // Each venue sequence number journaled once, in order (none lost at a kill, none applied twice).
  std::string expected = "[";
  for (uint64_t q = 1; q <= totals_number(totals, "messages"); ++q)
    expected += (q > 1 ? "," : "") + std::to_string(q);
  EXPECT_EQ(dump(" | jq -s -c '[.[] | select(.type == \"venue\") | .venue_seq]'"), expected + "]\n");
  EXPECT_EQ(run(env("SF_JOURNAL") + " verify " + (dir_ / "journal").string() + " > /dev/null"), 0);
  if (HasFailure())
    std::printf("replay this run with SF_CRASH_SEED=%llu\n", static_cast<unsigned long long>(seed));
}

INSTANTIATE_TEST_SUITE_P(Kernel, JournalCrash, ::testing::Values("kernel"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });
