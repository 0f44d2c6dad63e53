// The checks of sf-ctl kill on a live appliance (issue #14), shared by integration_kill_venue (kernel
// transport, net_pcap replay) and the venue end-to-end fixture (kernel and dpdk transports: our own TCP
// over net_af_packet on a veth pair). Each is checked from what the processes recorded, not wall time.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "sf_test_process.hpp"
#include "venue_sim_process.hpp"

namespace sf::testing::kill_checks {
using namespace sf::testing::process;

// Every value of `"key":<integer or number>` in a JSON text, in order.
inline std::vector<double> json_numbers(const std::string& text, const std::string& key) {
  std::vector<double> v;
  const std::regex re("\"" + key + "\":(-?[0-9.e+-]+)");
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    v.push_back(std::stod((*it)[1]));
  return v;
}
inline double json_number(const std::string& text, const std::string& key) {
  const auto v = json_numbers(text, key);
  EXPECT_FALSE(v.empty()) << key << " not in " << text;
  return v.empty() ? -1 : v[0];
}

// Every `from` in `text` replaced by `to`.
inline void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
}

// The shipped replay config's risk limits raised so that orders keep firing all through a feed: resting
// orders (sf-venue-sim --no-fill) never hit a limit.
inline void raise_risk_limits(std::string& cfg) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"max_open_orders = 1000", "max_open_orders = 1000000"},
           {"max_orders_per_second = 1000", "max_orders_per_second = 1000000"},
           {"throttle_burst = 100", "throttle_burst = 1000000"},
           {"max_position = 10000\n", "max_position = 1000000000\n"},
           {"max_gross_notional = 10000000", "max_gross_notional = 100000000000"},
           {"max_position = 5000", "max_position = 100000000"},
           {"max_position = 2000", "max_position = 100000000"}})
    replace_all(cfg, from, to);
}

// `sf-ctl --json kill`'s answer: orders stopped within 1 ms of the command's arrival at the executor, in
// the executor's TSC: no order left after the executor applied the kill, and every order it sent was
// triggered by feed data received less than 1 ms after the command reached the executor's ring (the RX
// stamp of the newest feed event it had handled: a descheduled thread on this shared machine pauses the
// feed with it, so this is the kill's reach in the feed's own time). One Cancel per order open at the
// kill, every one acknowledged by the venue (still open 0). Returns the orders open at the kill.
inline uint64_t expect_kill_stopped_orders_and_cancelled_all(const std::string& k, uint64_t min_open) {
  const double hz = json_number(k, "tsc_hz");
  EXPECT_GT(hz, 0) << k;
  const uint64_t sent = totals_number(k, "sent_tsc"), applied = totals_number(k, "applied_tsc"),
                 last_order = totals_number(k, "last_order_tsc"),
                 newest_rx = totals_number(k, "newest_rx_tsc");
  EXPECT_GT(applied, sent) << k;
  EXPECT_GT(newest_rx, 0u) << "the executor had handled feed events: " << k;
  EXPECT_GT(last_order, 0u) << "orders were open, so one was sent and stamped before the kill: " << k;
  EXPECT_LE(last_order, applied) << "no order after the kill was applied: " << k;
  EXPECT_LT(static_cast<double>(static_cast<int64_t>(newest_rx - sent)), hz / 1000) << k;
  EXPECT_LT(json_number(k, "feed_after_arrival_us"), 1000.0) << k;
  const uint64_t open_at_kill = totals_number(k, "open_at_kill");
  EXPECT_GE(open_at_kill, min_open) << k;
  EXPECT_EQ(totals_number(k, "cancels_sent"), open_at_kill) << k;
  EXPECT_EQ(totals_number(k, "still_open"), 0u) << k;
  return open_at_kill;
}

// After the run: the feed kept firing while killed (orders refused `killed`), and the simulator counted
// exactly one Order Canceled per order open at the kill.
inline void expect_venue_cancelled_exactly(const std::string& sim_totals,
                                           const std::map<std::string, uint64_t>& stats,
                                           uint64_t open_at_kill) {
  EXPECT_GT(stats.at("reject_killed"), 0u) << "the feed kept firing while killed";
  EXPECT_EQ(totals_number(sim_totals, "canceled"), open_at_kill) << sim_totals;
}

// The sweep's Cancels are journaled: one "cancel" record each (quantity 0: the whole order), every one for
// an order the journal recorded as sent; the journal verifies.
inline void expect_cancels_journaled(const fs::path& journal, const fs::path& scratch,
                                     uint64_t open_at_kill) {
  ASSERT_EQ(run(env("SF_JOURNAL") + " dump " + journal.string() +
                " | jq -s -c '([.[] | select(.type == \"order\") | .user_ref_num]) as $sent | [.[] | "
                "select(.type == \"cancel\")] | [length, all(.quantity == 0), all(.user_ref_num as $u | "
                "$sent | index($u) != null)]' > " +
                scratch.string()),
            0);
  std::string expected = std::to_string(open_at_kill);  // not "[" + string&&: GCC 12's false -Wrestrict
  expected.insert(expected.begin(), '[');
  EXPECT_EQ(read_file(scratch), expected + ",true,true]\n");
  EXPECT_EQ(run(env("SF_JOURNAL") + " verify " + journal.string() + " > /dev/null"), 0);
}

}  // namespace sf::testing::kill_checks
