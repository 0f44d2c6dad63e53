// [order_session] SoupBinTCP keys: parsing, validation messages, password-file mode checks; the
// standard-C++ SPSC ring the kernel transport uses.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "sniperforge/common/spsc_ring.hpp"
#include "sniperforge/session/config.hpp"

namespace fs = std::filesystem;
namespace os = sf::order_session;

namespace {
struct ConfigTest : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("sf-soup-config-" + std::to_string(getpid()));
  void SetUp() override {
    fs::create_directories(dir);
    secret("pw", "s3cret\n", 0600);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string secret(const std::string& name, const std::string& text, mode_t mode) {
    const fs::path p = dir / name;
    std::ofstream(p) << text;
    chmod(p.c_str(), mode);
    return p.string();
  }
  os::VenueSessionConfig parse(const std::string& toml, std::vector<std::string>& errors) {
    const auto root = toml::parse(toml);
    return os::parse_venue_session(*root["order_session"].as_table(), errors);
  }
  std::string login(const std::string& user = "SNIPE0") {
    return "[[order_session.login]]\nusername = \"" + user + "\"\npassword_file = \"" +
           (dir / "pw").string() + "\"\nsession = \"\"\n";
  }
};
std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += e + "\n";
  return s;
}
}  // namespace

TEST_F(ConfigTest, TheIssuesExampleParses) {
  std::vector<std::string> errors;
  const auto c = parse(
      "[order_session]\nport = \"venue\"\ntransport = \"kernel\"\nlocal_ip = \"10.0.1.1\"\n"
      "venue = \"10.0.1.2:15000\"\ngateway_mac = \"\"\nheartbeat_ms = 1000\ntimeout_ms = 15000\n" +
          login() + login("SNIPE1"),
      errors);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.transport, os::TransportKind::kKernel);
  EXPECT_EQ(c.local_ip, (std::array<uint8_t, 4>{10, 0, 1, 1}));
  EXPECT_EQ(c.venue_ip, (std::array<uint8_t, 4>{10, 0, 1, 2}));
  EXPECT_EQ(c.venue_port, 15000);
  EXPECT_FALSE(c.gateway_mac.has_value());
  EXPECT_EQ(c.vlan, 0u);  // untagged unless configured
  EXPECT_EQ(c.heartbeat_ms, 1000u);
  EXPECT_EQ(c.timeout_ms, 15000u);
  ASSERT_EQ(c.logins.size(), 2u);
  EXPECT_EQ(c.logins[1].username, "SNIPE1");
}

TEST_F(ConfigTest, WithoutTransportItIsDpdkAndTheRetiredUdpKeysAreRefused) {
  std::vector<std::string> errors;
  const auto c = parse("[order_session]\nsrc_port = 40000\n", errors);
  EXPECT_EQ(c.transport, os::TransportKind::kDpdk);
  EXPECT_NE(joined(errors).find("[order_session].venue: required"), std::string::npos) << joined(errors);
  errors.clear();
  parse("[order_session]\nsrc_mac = \"02:00:00:00:00:01\"\nttl = 64\n", errors);
  for (const char* key : {"src_mac", "ttl"})
    EXPECT_NE(joined(errors).find(std::string("[order_session].") + key +
                                  ": the UDP order session is retired (#11); remove it"),
              std::string::npos)
        << joined(errors);
  errors.clear();
  // Transport "none" does not read them either: its synthetic stream is named by local_ip and venue.
  const auto none = parse("[order_session]\ntransport = \"none\"\nsrc_mac = \"02:00:00:00:00:01\"\n", errors);
  EXPECT_NE(joined(errors).find("[order_session].src_mac: the UDP order session is retired"),
            std::string::npos)
      << joined(errors);
  EXPECT_EQ(none.local_ip, os::kReplayLocalIp);  // the stream's defaults
  EXPECT_EQ(none.venue_ip, os::kReplayVenueIp);
  EXPECT_EQ(none.venue_port, os::kReplayVenuePort);
}

TEST_F(ConfigTest, BadValuesAreReportedByKey) {
  std::vector<std::string> errors;
  parse(
      "[order_session]\ntransport = \"udp\"\nlocal_ip = \"10.0.1\"\nvenue = \"10.0.1.2\"\n"
      "gateway_mac = \"02:00\"\nheartbeat_ms = 0\ntimeout_ms = 5\nvlan = 4095\n"
      "[[order_session.login]]\nusername = \"TOOLONG7\"\npassword_file = \"/nonexistent\"\nsesion = \"x\"\n",
      errors);
  const std::string all = joined(errors);
  for (const char* want :
       {"[order_session].transport: expected one of", "[order_session].local_ip:",
        "[order_session].venue: expected", "[order_session].gateway_mac:", "[order_session].heartbeat_ms:",
        "[order_session].timeout_ms:", "[order_session].vlan: expected an integer in [0, 4094]",
        "#1.username: 1 to 6", "#1.password_file: cannot read", "#1.sesion: unknown key"})
    EXPECT_NE(all.find(want), std::string::npos) << want << "\n" << all;
}

TEST_F(ConfigTest, VlanOfTheOrderPort) {
  std::vector<std::string> errors;
  const auto c = parse(
      "[order_session]\ntransport = \"dpdk\"\nlocal_ip = \"10.0.1.1\"\nvenue = \"10.0.1.2:15000\"\n"
      "vlan = 100\n" +
          login(),
      errors);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.vlan, 100u);
  parse("[order_session]\ntransport = \"dpdk\"\nvlan = \"100\"\n", errors);
  EXPECT_NE(joined(errors).find("[order_session].vlan: expected an integer"), std::string::npos)
      << joined(errors);
}

TEST_F(ConfigTest, KernelOrDpdkNeedVenueAndLogins) {
  std::vector<std::string> errors;
  parse("[order_session]\ntransport = \"dpdk\"\n", errors);
  const std::string all = joined(errors);
  EXPECT_NE(all.find("[order_session].venue: required"), std::string::npos) << all;
  EXPECT_NE(all.find("[[order_session.login]]: at least one"), std::string::npos) << all;
  errors.clear();
  parse("[order_session]\ntransport = \"none\"\n", errors);
  EXPECT_TRUE(errors.empty()) << joined(errors);
}

TEST_F(ConfigTest, PasswordFileModeAndContents) {
  std::string pw, err;
  ASSERT_TRUE(os::read_password_file((dir / "pw").string(), pw, err)) << err;
  EXPECT_EQ(pw, "s3cret");
  EXPECT_TRUE(os::read_password_file(secret("ro", "abc", 0400), pw, err)) << err;
  EXPECT_FALSE(os::read_password_file(secret("open", "hunter2", 0644), pw, err));
  EXPECT_NE(err.find("mode 0644; refused unless 0600 or 0400"), std::string::npos) << err;
  EXPECT_EQ(err.find("hunter2"), std::string::npos);  // never in a message
  EXPECT_FALSE(os::read_password_file(secret("long", "elevenchars", 0600), pw, err));
  EXPECT_EQ(err.find("elevenchars"), std::string::npos);
  EXPECT_FALSE(os::read_password_file(secret("empty", "", 0600), pw, err));
  EXPECT_FALSE(os::read_password_file(dir.string(), pw, err));  // a directory
  std::vector<std::string> errors;
  parse(
      "[order_session]\ntransport = \"kernel\"\nvenue = \"10.0.1.2:15000\"\n"
      "[[order_session.login]]\nusername = \"A\"\npassword_file = \"" +
          secret("open2", "topsecret", 0640) + "\"\n",
      errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("mode 0640"), std::string::npos) << errors[0];
  EXPECT_EQ(errors[0].find("topsecret"), std::string::npos);
}

TEST(SpscRing, FifoAcrossThreadsAndFullWhenFull) {
  sf::SpscRing<uint64_t> r(8);
  EXPECT_EQ(r.free_slots(), 8u);
  for (uint64_t i = 0; i < 8; ++i) EXPECT_TRUE(r.push(i));
  EXPECT_FALSE(r.push(99));
  uint64_t v = 0;
  EXPECT_TRUE(r.pop(v));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(r.free_slots(), 1u);
  while (r.pop(v)) {
  }
  EXPECT_TRUE(r.empty());
  constexpr uint64_t kN = 200'000;
  std::thread producer([&] {
    for (uint64_t i = 1; i <= kN;)
      if (r.push(i)) ++i;
  });
  uint64_t expect = 1;
  while (expect <= kN) {
    if (r.pop(v)) {
      ASSERT_EQ(v, expect++);
    }
  }
  producer.join();
  EXPECT_FALSE(sf::SpscRing<int>::valid_capacity(6));
  EXPECT_TRUE(sf::SpscRing<int>::valid_capacity(1024));
}

// In place (the journal's 256-byte slots): a claimed slot is seen only once published, an unpublished
// claim is handed out again, room is refused when full, and the consumer reads and releases where the
// slot lies; in FIFO order across threads.
TEST(SpscRing, InPlaceClaimPublishFrontRelease) {
  sf::SpscRing<uint64_t> r(4);
  EXPECT_EQ(r.front(), nullptr);
  uint64_t* s = r.claim();
  ASSERT_NE(s, nullptr);
  *s = 7;
  EXPECT_EQ(r.front(), nullptr);  // not published: invisible
  EXPECT_EQ(r.claim(), s);        // and claimed again
  r.publish();
  ASSERT_NE(r.front(), nullptr);
  EXPECT_EQ(*r.front(), 7u);
  EXPECT_TRUE(r.has_room(3));
  EXPECT_FALSE(r.has_room(4));
  for (uint64_t i = 0; i < 3; ++i) {
    *r.claim() = i;
    r.publish();
  }
  EXPECT_EQ(r.claim(), nullptr);  // full
  EXPECT_FALSE(r.has_room(1));
  r.release();  // the 7
  EXPECT_TRUE(r.has_room(1));
  EXPECT_EQ(*r.front(), 0u);
  while (r.front()) r.release();
  EXPECT_TRUE(r.empty());
  constexpr uint64_t kN = 200'000;
  std::thread producer([&] {
    for (uint64_t i = 1; i <= kN;)
      if (uint64_t* slot = r.claim()) {
        *slot = i++;
        r.publish();
      }
  });
  uint64_t expect = 1;
  while (expect <= kN)
    if (const uint64_t* v = r.front()) {
      ASSERT_EQ(*v, expect++);
      r.release();
    }
  producer.join();
}
