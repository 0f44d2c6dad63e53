// sf::cli validators and parsers: what they accept and refuse, and the exit status parse() returns.
#include "sniperforge/common/cli.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

// The validator's verdict on `text`: "" when accepted.
std::string check(const CLI::Validator& v, std::string text) {
  return v(text);
}

TEST(CliValidators, Numbers) {
  const auto rate = sf::cli::positive_number(1e9);
  EXPECT_EQ(check(rate, "100000"), "");
  EXPECT_EQ(check(rate, "0.5"), "");
  EXPECT_EQ(check(rate, "1e9"), "");
  for (const char* bad : {"0", "-5", "nan", "NaN", "inf", "-inf", "1e10", "", "5x", " 5", "0x10"})
    EXPECT_NE(check(rate, bad), "") << bad;
  const auto fraction = sf::cli::number_range(0, 1);
  EXPECT_EQ(check(fraction, "0"), "");
  EXPECT_EQ(check(fraction, "1"), "");
  EXPECT_NE(check(fraction, "nan"), "");
  EXPECT_NE(check(fraction, "1.0001"), "");
}

TEST(CliValidators, Integers) {
  const auto port = sf::cli::unsigned_range(1, 65535);
  EXPECT_EQ(check(port, "26477"), "");
  for (const char* bad : {"0", "65536", "99999", "-1", "+1", "1.5", "", "18446744073709551616"})
    EXPECT_NE(check(port, bad), "") << bad;
  const auto prefetch = sf::cli::integer_range(-2, 2);
  EXPECT_EQ(check(prefetch, "-2"), "");
  EXPECT_NE(check(prefetch, "3"), "");
  EXPECT_NE(check(prefetch, "9223372036854775808"), "");
  EXPECT_EQ(check(port, "70000"), "'70000' is not an integer in [1, 65535]");
}

TEST(CliValidators, Ipv4AndEndpoints) {
  EXPECT_EQ(sf::cli::parse_ipv4("233.54.12.111"), 0xE9360C6Fu);
  EXPECT_EQ(sf::cli::parse_ipv4("0.0.0.0"), 0u);
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "1.2.3.4 ", "-1.2.3.4", "1.2.3.0004"})
    EXPECT_FALSE(sf::cli::parse_ipv4(bad)) << bad;
  const auto ep = sf::cli::parse_ipv4_endpoint("127.0.0.1:40001");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->address, 0x7F000001u);
  EXPECT_EQ(ep->port, 40001);
  EXPECT_EQ(sf::cli::parse_ipv4_endpoint("0.0.0.0:0")->port, 0);
  std::string why;
  for (const char* bad : {"abc", ":40001", "127.0.0.1:99999", "127.0.0.1:", "127.0.0.1:-1", "[::1]:40001",
                          "127.0.0.1:40001x", "host:40001"}) {
    why.clear();
    EXPECT_FALSE(sf::cli::parse_ipv4_endpoint(bad, &why)) << bad;
    EXPECT_NE(why.find(bad), std::string::npos) << why;
  }
}

TEST(CliParse, ExitStatus) {
  auto make = [](double& rate) {
    auto app = std::make_unique<CLI::App>("test", "sf-test");
    sf::cli::apply_conventions(*app, "sf-test");
    app->add_option("--rate", rate)->check(sf::cli::positive_number());
    app->add_option("--config", rate)->required();
    return app;
  };
  auto run = [&](std::vector<const char*> args) {
    double rate = 1;
    auto app = make(rate);
    args.insert(args.begin(), "sf-test");
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    const auto rc = sf::cli::parse(*app, static_cast<int>(args.size()), args.data());
    const std::string out = testing::internal::GetCapturedStdout();
    const std::string err = testing::internal::GetCapturedStderr();
    return std::make_tuple(rc, out, err);
  };
  {
    const auto [rc, out, err] = run({"--version"});  // no --config needed
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(out.rfind("sf-test ", 0), 0u) << out;
  }
  {
    const auto [rc, out, err] = run({"--help"});
    EXPECT_EQ(rc, 0);
    EXPECT_NE(out.find("Exit status: 0 success"), std::string::npos) << out;
  }
  {
    const auto [rc, out, err] = run({"--config", "1", "--rate", "nan"});
    EXPECT_EQ(rc, sf::cli::kExitUsage);
    EXPECT_EQ(err.rfind("sf-test: --rate: 'nan' is not a number", 0), 0u) << err;
  }
  EXPECT_EQ(std::get<0>(run({"--rate", "2"})), sf::cli::kExitUsage);  // --config missing
  EXPECT_EQ(std::get<0>(run({"--config", "1", "--nope"})), sf::cli::kExitUsage);
  EXPECT_FALSE(std::get<0>(run({"--config", "1", "--rate", "2"})));
}

}  // namespace
