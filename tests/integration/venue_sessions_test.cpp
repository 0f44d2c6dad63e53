// Each SoupBinTCP session by itself (issue #11: "/ready and metrics show each session's state, reconnects,
// heartbeats sent/received, retransmitted segments, bytes, smoothed RTT"), end to end against the real
// sf-venue-sim in a network namespace (the fixture: venue_e2e_fixture.hpp):
//   - KernelVenueLink: `transport = "kernel"` over a veth pair (the venue in its namespace, our socket on
//     an address of the near end), so the link can be impaired there: the socket's TCP_INFO gives the
//     smoothed RTT and, with 10 % of our segments lost (nftables), the retransmitted segments; nothing lost.
//   - TwoSessions, both transports: 2 shards, logins SNIPE0 and SNIPE1; each session's rows in /metrics, its
//     orders, fills and positions equal the simulator's totals for that user; one connection cut (ss -K in
//     the venue's namespace, reconnects held off by dropping SYNs there) takes down that session alone:
//     /ready names it, the other stays logged in without a reconnect.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "venue_e2e_fixture.hpp"

using namespace sf::testing::venue_e2e;

namespace {

std::string session_labels(int shard, const std::string& user) {
  return "shard=\"" + std::to_string(shard) + "\",user=\"" + user + "\"";
}

class KernelVenueLink : public VenueE2E {
 protected:
  bool venue_in_netns() const override { return true; }
};

class TwoSessions : public VenueE2E {
 protected:
  bool venue_in_netns() const override { return true; }
  std::vector<std::string> users() const override { return {"SNIPE0", "SNIPE1"}; }
  std::string user(int shard) const { return users()[static_cast<std::size_t>(shard)]; }
  double session_metric(const std::string& family, int shard) const {
    return metric_sum(metrics_, family, session_labels(shard, user(shard)));
  }
  // Shard `shard`'s engine (orders, fills, positions of its symbols) against the simulator's totals of its
  // user. Returns the venue's orders of that session.
  uint64_t expect_shard_as_its_venue_session(const std::string& totals, int shard) {
    using sf::testing::totals_number;
    const std::string mine = sf::testing::totals_of(totals, user(shard));
    EXPECT_FALSE(mine.empty()) << user(shard) << ": " << totals;
    if (mine.empty()) return 0;
    const std::string label = "shard=\"" + std::to_string(shard) + "\"";
    EXPECT_EQ(metric_sum(metrics_, "sniperforge_trade_orders_total", label),
              static_cast<double>(totals_number(mine, "orders")))
        << mine;
    EXPECT_EQ(metric_sum(metrics_, "sniperforge_trade_fills_total", label),
              static_cast<double>(totals_number(mine, "fills")))
        << mine;
    EXPECT_EQ(metric_sum(metrics_, "sniperforge_trade_filled_shares_total", label),
              static_cast<double>(totals_number(mine, "filled_shares")))
        << mine;
    EXPECT_EQ(totals_number(mine, "rejected"), 0u) << mine;
    expect_positions_as_venue(mine);  // its symbols belong to this shard alone
    return totals_number(mine, "orders");
  }
};

}  // namespace

// The kernel's TCP under the session, read from TCP_INFO: a smoothed RTT once logged in, and with every 10th
// of the appliance's data segments lost on the way in to the venue, retransmitted segments; every order and
// answer still arrives once (positions equal the simulator's totals) and the session never reconnects.
TEST_P(KernelVenueLink, LossyLinkRttAndRetransmitsFromTcpInfoNothingLost) {
  lose_towards_venue(10);
  start_sim({});
  run_appliance();
  const std::string shard0 = session_labels(0, "SNIPE0");
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_session_up", shard0), 1.0) << metrics_;
  EXPECT_GT(metric_sum(metrics_, "sniperforge_session_shard_tcp_rtt_smoothed", shard0), 0.0) << metrics_;
  EXPECT_GT(metric_sum(metrics_, "sniperforge_session_tcp_rtt_smoothed"), 0.0) << metrics_;
  EXPECT_GT(metric_sum(metrics_, "sniperforge_session_shard_tcp_retransmitted_segments_total", shard0), 0.0)
      << metrics_;
  // The appliance first: a venue gone first would be counted as a reconnect attempt.
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_GT(stats.at("session_tcp_retransmits"), 0u);
  EXPECT_EQ(stats.at("session_reconnects"), 0u);
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;
}

INSTANTIATE_TEST_SUITE_P(Kernel, KernelVenueLink, ::testing::Values("kernel"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

// Both sessions log in, each has its rows (state, heartbeats both ways, bytes, RTT), and what each shard's
// engine did equals the simulator's totals for that shard's user.
TEST_P(TwoSessions, BothLogInEachShardEqualsItsVenueSession) {
  start_sim({});
  run_appliance();
  EXPECT_NE(curl("/ready").find("\n200"), std::string::npos) << curl("/ready");
  EXPECT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 2.0) << metrics_;
  for (int shard = 0; shard < 2; ++shard) {
    SCOPED_TRACE(user(shard));
    EXPECT_EQ(session_metric("sniperforge_session_state", shard), 4.0) << metrics_;
    EXPECT_EQ(session_metric("sniperforge_session_up", shard), 1.0);
    EXPECT_EQ(session_metric("sniperforge_session_shard_reconnects_total", shard), 0.0);
    for (const char* f :
         {"sniperforge_session_shard_heartbeats_sent_total",
          "sniperforge_session_shard_heartbeats_received_total", "sniperforge_session_shard_bytes_sent_total",
          "sniperforge_session_shard_bytes_received_total", "sniperforge_session_shard_tcp_rtt_smoothed"})
      EXPECT_GT(session_metric(f, shard), 0.0) << f << "\n" << metrics_;
  }
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_EQ(stats.at("session_reconnects"), 0u);
  EXPECT_EQ(stats.at("venue_inconsistent_shards"), 0u);
  for (int shard = 0; shard < 2; ++shard) {
    SCOPED_TRACE(user(shard));
    EXPECT_GT(expect_shard_as_its_venue_session(totals, shard), 0u) << "the shard's strategies fired";
  }
}

// One of the two connections is cut at the venue (ss -K: the venue's kernel resets it) while new connections
// are refused there (SYNs dropped): that session alone goes down and /ready names it; the other stays logged
// in, no reconnect. Once SYNs pass again the cut session logs in again, losing nothing.
TEST_P(TwoSessions, OneConnectionCutOnlyThatSessionReconnectsReadyNamesIt) {
  start_sim({});
  run_appliance();
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 2.0) << metrics_;
  ASSERT_EQ(run("printf '%s\\n' 'table netdev sfnosyn { chain in { type filter hook ingress device \"" +
                link_->far_if + "\" priority 0; tcp flags & (syn | ack) == syn drop; }; }' | " + in_ns() +
                "nft -f -"),
            0);
  // The first of the venue's two connections, whichever session it carries: its peer's port.
  const std::string port = std::to_string(port_);
  const fs::path conns = dir_ / "conns.txt";
  ASSERT_EQ(run(in_ns() + "ss -tnH state established '( sport = :" + port + " )' > " + conns.string()), 0);
  std::istringstream first(read_file(conns));
  std::string recv_q, send_q, local, peer;
  ASSERT_TRUE(first >> recv_q >> send_q >> local >> peer) << read_file(conns);
  peer = peer.substr(peer.rfind(':') + 1);
  ASSERT_EQ(run(in_ns() + "ss -K -tnH state established '( sport = :" + port + " and dport = :" + peer +
                " )' > /dev/null"),
            0);
  int down = -1;
  ASSERT_TRUE(wait_for(
      [&] {
        metrics_ = curl("/metrics");
        for (int shard = 0; shard < 2; ++shard)
          if (session_metric("sniperforge_session_up", shard) == 0.0) down = shard;
        return down >= 0;
      },
      10))
      << metrics_;
  const int up = 1 - down;
  const std::string ready = curl("/ready");
  EXPECT_NE(ready.find("order session down: shard " + std::to_string(down) + " (" + user(down) + ") "),
            std::string::npos)
      << ready;
  EXPECT_EQ(ready.find("shard " + std::to_string(up) + " ("), std::string::npos) << ready;
  EXPECT_EQ(ready.find("\n200"), std::string::npos) << ready;
  EXPECT_EQ(session_metric("sniperforge_session_up", up), 1.0) << metrics_;
  EXPECT_EQ(session_metric("sniperforge_session_shard_reconnects_total", up), 0.0) << metrics_;
  ASSERT_EQ(run(in_ns() + "nft delete table netdev sfnosyn"), 0);
  ASSERT_TRUE(wait_for(
      [&] {
        metrics_ = curl("/metrics");
        return metric_sum(metrics_, "sniperforge_sessions_logged_in") == 2.0;
      },
      30))
      << metrics_;
  EXPECT_GE(session_metric("sniperforge_session_shard_reconnects_total", down), 1.0) << metrics_;
  EXPECT_EQ(session_metric("sniperforge_session_shard_reconnects_total", up), 0.0) << metrics_;
  EXPECT_NE(curl("/ready").find("\n200"), std::string::npos) << curl("/ready");
  // The appliance first: a venue gone first would be counted as a reconnect of both.
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_EQ(stats.at("session_reconnects"),
            static_cast<uint64_t>(session_metric("sniperforge_session_shard_reconnects_total", down)));
  EXPECT_EQ(stats.at("venue_inconsistent_shards"), 0u);
  // The feed was over before the cut: nothing was in flight, so each shard still equals its venue session.
  for (int shard = 0; shard < 2; ++shard) {
    SCOPED_TRACE(user(shard));
    expect_shard_as_its_venue_session(totals, shard);
  }
}

INSTANTIATE_TEST_SUITE_P(Transports, TwoSessions, ::testing::Values("kernel", "dpdk"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });
