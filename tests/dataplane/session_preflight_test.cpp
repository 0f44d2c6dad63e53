// The order session's logins against the shards (--check-config and every start): one per shard for
// "kernel" and "dpdk", none or one per shard for "none"; the check-config line names them, never a password.
#include "sniperforge/dataplane/session_preflight.hpp"

#include <gtest/gtest.h>

namespace sf::dataplane {
namespace {

DataplaneConfig with_logins(order_session::TransportKind t, std::size_t logins) {
  DataplaneConfig dp;
  auto& s = dp.order_session.soupbintcp;
  s.transport = t;
  s.venue_ip = {10, 0, 1, 2};
  s.venue_port = 15000;
  for (std::size_t i = 0; i < logins; ++i)
    s.logins.push_back({"SNIPE" + std::to_string(i), "secrets/SNIPE" + std::to_string(i), ""});
  return dp;
}

TEST(SessionPreflight, KernelAndDpdkNeedOneLoginPerShard) {
  for (auto t : {order_session::TransportKind::kKernel, order_session::TransportKind::kDpdk}) {
    std::vector<std::string> errors;
    check_order_session_logins(with_logins(t, 2), 2, errors);
    EXPECT_TRUE(errors.empty());
    check_order_session_logins(with_logins(t, 1), 2, errors);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("needs exactly one [[order_session.login]] per shard"), std::string::npos);
    EXPECT_NE(errors[0].find("[trading].shards = 2 but 1 login(s)"), std::string::npos) << errors[0];
    errors.clear();
    check_order_session_logins(with_logins(t, 3), 2, errors);
    EXPECT_EQ(errors.size(), 1u);
  }
}

TEST(SessionPreflight, NoneTakesNoLoginsOrOnePerShard) {
  std::vector<std::string> errors;
  check_order_session_logins(with_logins(order_session::TransportKind::kNone, 0), 4, errors);
  check_order_session_logins(with_logins(order_session::TransportKind::kNone, 4), 4, errors);
  EXPECT_TRUE(errors.empty());
  check_order_session_logins(with_logins(order_session::TransportKind::kNone, 1), 4, errors);
  EXPECT_EQ(errors.size(), 1u);
  // A DataplaneConfig's default is "dpdk" (the parser refuses a file without [order_session]): logins.
  errors.clear();
  check_order_session_logins(DataplaneConfig{}, 4, errors);
  EXPECT_EQ(errors.size(), 1u);
}

TEST(SessionPreflight, CheckConfigLineCountsAndNamesTheLogins) {
  const std::string line = describe_order_session(with_logins(order_session::TransportKind::kKernel, 2), 2);
  EXPECT_EQ(line,
            "order session: SoupBinTCP over kernel TCP to 10.0.1.2:15000, 2 login(s) for 2 shard(s): SNIPE0 "
            "(shard 0), SNIPE1 (shard 1)");
  EXPECT_EQ(line.find("secrets"), std::string::npos);
  EXPECT_NE(
      describe_order_session(with_logins(order_session::TransportKind::kNone, 0), 1).find("none (no venue"),
      std::string::npos);
}

}  // namespace
}  // namespace sf::dataplane
