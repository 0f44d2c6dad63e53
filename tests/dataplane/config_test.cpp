#include "sniperforge/dataplane/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sf::dataplane {
namespace {

struct Parsed {
  DataplaneConfig cfg;
  std::vector<std::string> errors;
};

Parsed parse_exact(std::string_view text) {
  Parsed p;
  auto root = toml::parse(text);
  p.cfg = parse_dataplane_config(root, p.errors);
  return p;
}

// `text` as a replay config: a text without its own [order_session] gets `transport = "none"` (a config
// without the table is refused: DataplaneConfig.MissingOrderSessionIsRefused).
Parsed parse(std::string_view text) {
  if (text.find("[order_session]") != std::string_view::npos) return parse_exact(text);
  return parse_exact(std::string(text) + "\n[order_session]\ntransport = \"none\"\n");
}

bool has_error(const Parsed& p, std::string_view needle) {
  return std::any_of(p.errors.begin(), p.errors.end(),
                     [&](const std::string& e) { return e.find(needle) != std::string::npos; });
}

constexpr std::string_view kMinimal = R"(
[[port]]
name = "feed0"
devargs = "net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap"
)";

TEST(DataplaneConfig, MinimalGetsDefaults) {
  auto p = parse(kMinimal);
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  EXPECT_EQ(p.cfg.ports.size(), 1u);
  EXPECT_EQ(p.cfg.feed.udp_port, 26477);
  EXPECT_EQ(p.cfg.feed.port, "feed0");
  EXPECT_EQ(p.cfg.order_session.port, "feed0");
  EXPECT_EQ(p.cfg.lcores.mode, LcoreMode::kPipeline);
  EXPECT_FALSE(p.cfg.feed.group.has_value());
}

TEST(DataplaneConfig, FullTables) {
  auto p = parse(R"(
[eal]
args = ["--log-level=lib.eal:error"]
file_prefix = "replay"
memory = 256
hugepages = "off"
[[port]]
name = "a"
devargs = "net_null0"
rx_queues = 2
tx_queues = 2
[[port]]
name = "b"
devargs = "0000:3b:00.0"
[lcores]
mode = "run_to_completion"
executors = 2
numa = "strict"
ring_size = 1024
[feed]
port = "a"
udp_port = 30000
group = "233.54.12.111"
[order_session]
port = "b"
transport = "none"
local_ip = "192.168.1.1"
venue = "192.168.1.7:5555"
src_port = 41000
[trading]
shards = 2
)");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  EXPECT_EQ(p.cfg.eal.hugepages, HugepageMode::kOff);
  EXPECT_EQ(p.cfg.eal.memory_mb, 256u);
  EXPECT_EQ(p.cfg.lcores.mode, LcoreMode::kRunToCompletion);
  EXPECT_EQ(p.cfg.lcores.executors, 2);
  EXPECT_EQ(p.cfg.lcores.numa, NumaPolicy::kStrict);
  EXPECT_EQ(p.cfg.feed.udp_port, 30000);
  ASSERT_TRUE(p.cfg.feed.group.has_value());
  EXPECT_EQ((*p.cfg.feed.group)[0], 233);
  EXPECT_EQ(p.cfg.order_port_index(), 1);
  EXPECT_EQ(p.cfg.order_session.src_port, 41000);
  EXPECT_EQ(p.cfg.order_session.soupbintcp.local_ip[3], 1);
  EXPECT_EQ(p.cfg.order_session.soupbintcp.venue_ip[3], 7);
  EXPECT_EQ(p.cfg.order_session.soupbintcp.venue_port, 5555);
}

TEST(DataplaneConfig, AutoModeParsesAndIsChecked) {
  auto p = parse(std::string(kMinimal) + "\n[lcores]\nmode = \"auto\"\nexecutors = 2\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  EXPECT_EQ(p.cfg.lcores.mode, LcoreMode::kAuto);
  EXPECT_STREQ(to_string(LcoreMode::kAuto), "auto");
  // auto may choose run_to_completion (one lcore): several RX lcores or explicit cpus are refused.
  auto q = parse(std::string(kMinimal) + "\n[lcores]\nmode = \"auto\"\nrx = 2\ncpus = [1, 2, 3]\n");
  EXPECT_TRUE(has_error(q, "[lcores].rx:"));
  EXPECT_TRUE(has_error(q, "[lcores].cpus: explicit cpus need an explicit mode"));
  auto r = parse(std::string(kMinimal) + "\n[lcores]\nmode = \"fastest\"\n");
  EXPECT_TRUE(has_error(r, "[lcores].mode: expected one of \"pipeline\", \"run_to_completion\", \"auto\""));
}

TEST(DataplaneConfig, UnknownKeysAreErrors) {
  auto p = parse(std::string(kMinimal) + "\n[lcores]\nmodee = \"pipeline\"\n[bogus]\nx = 1\n");
  EXPECT_TRUE(has_error(p, "[lcores]: unknown key \"modee\"")) << p.errors.size();
  EXPECT_TRUE(has_error(p, "unknown top-level key \"bogus\""));
}

TEST(DataplaneConfig, MissingPortIsAnError) {
  auto p = parse("[feed]\nudp_port = 26477\n");
  EXPECT_TRUE(has_error(p, "[[port]]: missing"));
  auto q = parse(std::string(kMinimal) + "\n[feed]\nport = \"nope\"\n");
  EXPECT_TRUE(has_error(q, "[feed].port: no [[port]] named \"nope\""));
}

TEST(DataplaneConfig, BadValuesAreErrors) {
  auto p = parse(std::string(kMinimal) + R"(
[lcores]
mode = "fast"
ring_size = 1000
rx = 0
[feed]
udp_port = 70000
group = "233.54.12"
[order_session]
transport = "none"
venue = "10.0.0.2"
)");
  EXPECT_TRUE(has_error(p, "[lcores].mode: expected one of"));
  EXPECT_TRUE(has_error(p, "[lcores].ring_size: must be a power of two"));
  EXPECT_TRUE(has_error(p, "[lcores].rx: must be in [1, 16]"));
  EXPECT_TRUE(has_error(p, "[feed].udp_port: must be in [1, 65535]"));
  EXPECT_TRUE(has_error(p, "[feed].group"));
  EXPECT_TRUE(has_error(p, "[order_session].venue: expected \"IPv4:PORT\""));
}

TEST(DataplaneConfig, ImpossibleLayoutsAreErrors) {
  auto p = parse(std::string(kMinimal) + "\n[lcores]\nmode = \"run_to_completion\"\nrx = 2\n");
  EXPECT_TRUE(has_error(p, "run_to_completion runs one lcore"));
  auto q = parse(std::string(kMinimal) + "\n[lcores]\nrx = 2\n");
  EXPECT_TRUE(has_error(q, "need at least as many rx_queues"));
  auto r = parse(std::string(kMinimal) + "\n[lcores]\nexecutors = 2\ncpus = [1]\n");
  EXPECT_TRUE(has_error(r, "[lcores].cpus: needs exactly 3 entries"));
  auto s = parse(std::string(kMinimal) + "\n[eal]\nargs = [\"--file-prefix=x\"]\n");
  EXPECT_TRUE(has_error(s, "chosen by sniperforge"));
  auto t = parse(std::string(kMinimal) + "\n[eal]\nargs = [\"--no-huge\", \"-m\", \"64\"]\n");
  EXPECT_TRUE(has_error(t, "\"--no-huge\" is chosen by sniperforge"));
  EXPECT_TRUE(has_error(t, "\"-m\" is chosen by sniperforge"));
  auto u = parse(std::string(kMinimal) +
                 "\n[eal]\nargs = [\"--log-level=lib.eal:debug\", \"--vdev\", \"net_null9\"]\n");
  EXPECT_TRUE(u.errors.empty());
}

TEST(DataplaneConfig, DuplicatePortNames) {
  auto p = parse(std::string(kMinimal) + std::string(kMinimal));
  EXPECT_TRUE(has_error(p, "duplicate name \"feed0\""));
}

// The retired UDP order session needed no [order_session]: without the table there is no order path,
// and the error says what to add.
TEST(DataplaneConfig, MissingOrderSessionIsRefused) {
  auto p = parse_exact(kMinimal);
  EXPECT_TRUE(has_error(p, "[order_session] missing: orders need a venue session (transport = \"dpdk\""));
  EXPECT_TRUE(has_error(p, "or transport = \"none\" for a replay"));
  EXPECT_EQ(std::count(p.errors.begin(), p.errors.end(), std::string(kMissingOrderSession)), 1);
  EXPECT_FALSE(has_error(parse_exact(std::string(kMinimal) + "[order_session]\ntransport = \"none\"\n"),
                         "[order_session] missing"));
}

TEST(DataplaneConfig, SoupBinTcpKeysShareTheOrderSessionTable) {
  // No `transport` is "dpdk": its venue and logins are required.
  auto dflt = parse(std::string(kMinimal) + "[order_session]\nsrc_port = 40000\n");
  EXPECT_EQ(dflt.cfg.order_session.soupbintcp.transport, sf::order_session::TransportKind::kDpdk);
  EXPECT_TRUE(has_error(dflt, "[order_session].venue: required"));
  // The retired UDP session's keys are refused by name, whatever the transport.
  for (const char* transport : {"", "transport = \"none\"\n", "transport = \"kernel\"\n"})
    for (const char* key :
         {"src_mac = \"02:00:00:00:00:01\"", "dst_mac = \"02:00:00:00:00:02\"", "src_ip = \"10.0.0.1\"",
          "dst_ip = \"10.0.0.2\"", "dst_port = 40001", "ttl = 64"}) {
      auto udp = parse(std::string(kMinimal) + "[order_session]\n" + transport + key + "\n");
      const std::string name = std::string(key).substr(0, std::string(key).find(' '));
      EXPECT_TRUE(has_error(udp, "[order_session]." + name + ": the UDP order session is retired"))
          << transport << key;
      EXPECT_FALSE(has_error(udp, "unknown key")) << key;  // one error per key, not two
    }
  // Transport "none": no venue, logins optional; its stream's addresses default.
  auto none0 = parse(std::string(kMinimal) + "[order_session]\ntransport = \"none\"\n");
  ASSERT_TRUE(none0.errors.empty()) << none0.errors.front();
  EXPECT_EQ(none0.cfg.order_session.soupbintcp.local_ip, sf::order_session::kReplayLocalIp);
  EXPECT_EQ(none0.cfg.order_session.soupbintcp.venue_ip, sf::order_session::kReplayVenueIp);
  EXPECT_EQ(none0.cfg.order_session.soupbintcp.venue_port, sf::order_session::kReplayVenuePort);
  auto none =
      parse(std::string(kMinimal) +
            "[order_session]\ntransport = \"none\"\nvenue = \"10.0.1.2:15000\"\nheartbeat_ms = 500\n");
  ASSERT_TRUE(none.errors.empty()) << none.errors.front();
  EXPECT_EQ(none.cfg.order_session.soupbintcp.heartbeat_ms, 500u);
  EXPECT_EQ(none.cfg.order_session.soupbintcp.venue_port, 15000);
  auto bad = parse(std::string(kMinimal) + "[order_session]\ntransport = \"kernel\"\ntimeout_ms = 1\n");
  EXPECT_TRUE(has_error(bad, "[order_session].timeout_ms"));
  EXPECT_TRUE(has_error(bad, "[order_session].venue: required"));
  EXPECT_FALSE(has_error(bad, "unknown key"));
}

TEST(DataplaneConfig, AddressParsers) {
  EXPECT_TRUE(parse_ipv4("10.0.0.1").has_value());
  EXPECT_FALSE(parse_ipv4("10.0.0.256").has_value());
  EXPECT_FALSE(parse_ipv4("10.0.0").has_value());
  EXPECT_FALSE(parse_ipv4("10.0.0.1x").has_value());
  EXPECT_TRUE(parse_mac("02:00:00:00:00:01").has_value());
  EXPECT_FALSE(parse_mac("02:00:00:00:00").has_value());
  EXPECT_FALSE(parse_mac("02-00-00-00-00-01").has_value());
}

TEST(DataplaneConfig, Devargs) {
  EXPECT_EQ(set_devarg("net_pcap0,rx_pcap=a.pcap,tx_pcap=b.pcap", "rx_pcap", "c.pcap"),
            "net_pcap0,rx_pcap=c.pcap,tx_pcap=b.pcap");
  EXPECT_EQ(set_devarg("net_pcap0,rx_pcap=a.pcap", "tx_pcap", "o.pcap"),
            "net_pcap0,rx_pcap=a.pcap,tx_pcap=o.pcap");
  EXPECT_EQ(get_devarg("net_pcap0,rx_pcap=a.pcap", "rx_pcap"), "a.pcap");
  EXPECT_EQ(get_devarg("net_pcap0,rx_pcap=a.pcap", "tx_pcap"), "");
  EXPECT_EQ(devargs_driver("net_pcap0,rx_pcap=a"), "net_pcap");
  EXPECT_EQ(devargs_driver("net_af_packet1,iface=veth0"), "net_af_packet");
  EXPECT_EQ(devargs_driver("0000:3b:00.0"), "pci");
}

}  // namespace
}  // namespace sf::dataplane

namespace sf::dataplane {
namespace {

TEST(DataplaneConfig, FeedLineBAndArbitrationWindow) {
  auto none = parse(kMinimal);
  EXPECT_TRUE(none.errors.empty());
  EXPECT_FALSE(none.cfg.feed.line_b.has_value());
  EXPECT_EQ(none.cfg.feed.arbitration_us, 200u);
  auto p =
      parse(std::string(kMinimal) +
            "[feed]\narbitration_us = 350\n[feed.line_b]\nudp_port = 26478\ngroup = \"233.54.12.112\"\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  ASSERT_TRUE(p.cfg.feed.line_b.has_value());
  EXPECT_EQ(p.cfg.feed.arbitration_us, 350u);
  EXPECT_EQ(p.cfg.feed.line_b->port, "feed0");  // defaults to line A's port
  EXPECT_EQ(p.cfg.feed.line_b->udp_port, 26478);
  EXPECT_EQ((*p.cfg.feed.line_b->group)[3], 112);
}

TEST(DataplaneConfig, FeedLineBMustBeToldApart) {
  EXPECT_TRUE(has_error(parse(std::string(kMinimal) + "[feed.line_b]\nudp_port = 26477\n"),
                        "must differ from line A"));
  EXPECT_TRUE(
      has_error(parse(std::string(kMinimal) + "[feed.line_b]\nport = \"other\"\n"), "[feed.line_b].port"));
  // Line B's UDP port may be an order session's TCP port (the retired UDP session's could not).
  EXPECT_FALSE(has_error(parse(std::string(kMinimal) + "[feed.line_b]\nudp_port = 40000\n"), "src_port"));
  EXPECT_TRUE(
      has_error(parse(std::string(kMinimal) + "[feed.line_b]\nbogus = 1\n"), "[feed.line_b]: unknown key"));
  EXPECT_TRUE(has_error(parse(std::string(kMinimal) + "[feed]\narbitration_us = -1\n"), "arbitration_us"));
  EXPECT_TRUE(has_error(parse(std::string(kMinimal) + "[feed]\nline_b = 3\n"), "line_b"));
}

// [feed.line_b].port may name a second [[port]] (two NICs): the lines are told apart by the port, so
// line B may use line A's UDP port and group there.
TEST(DataplaneConfig, FeedLineBOnAPortOfItsOwn) {
  const std::string two_ports =
      std::string(kMinimal) + "[[port]]\nname = \"feed1\"\ndevargs = \"net_pcap1,rx_pcap=b.pcap\"\n";
  auto p = parse(two_ports + "[feed.line_b]\nport = \"feed1\"\nudp_port = 26477\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  EXPECT_EQ(p.cfg.feed.line_b->port, "feed1");
  EXPECT_EQ(p.cfg.line_b_own_port_index(), 1);
  EXPECT_EQ(parse(std::string(kMinimal) + "[feed.line_b]\nudp_port = 26478\n").cfg.line_b_own_port_index(),
            -1);
  EXPECT_TRUE(
      has_error(parse(two_ports + "[feed.line_b]\nport = \"feed2\"\n"), "no [[port]] named \"feed2\""));
  EXPECT_TRUE(has_error(parse(two_ports + "[lcores]\nrx = 2\n[feed.line_b]\nport = \"feed1\"\n"),
                        "needs [lcores].rx = 1"));
  // transport "dpdk" polls a separate order port itself: line B may not share it.
  EXPECT_TRUE(
      has_error(parse(two_ports + "[feed.line_b]\nport = \"feed1\"\n[order_session]\nport = \"feed1\"\n"
                                  "transport = \"dpdk\"\n"),
                "may not be [order_session].port"));
}

TEST(DataplaneConfig, FeedRewind) {
  EXPECT_FALSE(parse(kMinimal).cfg.feed.rewind.has_value());
  auto p = parse(std::string(kMinimal) +
                 "[feed.rewind]\nserver = \"10.0.0.2:26400\"\nlocal_ip = \"10.0.0.1\"\ntimeout_ms = 30\n"
                 "retries = 7\nmax_held_messages = 5000\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  ASSERT_TRUE(p.cfg.feed.rewind.has_value());
  const FeedRewindConfig& r = *p.cfg.feed.rewind;
  EXPECT_EQ(r.server_ip, (std::array<uint8_t, 4>{10, 0, 0, 2}));
  EXPECT_EQ(r.server_port, 26400);
  EXPECT_EQ(r.local_ip, (std::array<uint8_t, 4>{10, 0, 0, 1}));
  EXPECT_EQ(r.timeout_ms, 30u);
  EXPECT_EQ(r.retries, 7u);
  EXPECT_EQ(r.max_held_messages, 5000u);
  const auto defaults =
      parse(std::string(kMinimal) + "[feed.rewind]\nserver = \"10.0.0.2:26400\"\nlocal_ip = \"10.0.0.1\"\n");
  ASSERT_TRUE(defaults.errors.empty()) << defaults.errors.front();
  EXPECT_EQ(defaults.cfg.feed.rewind->timeout_ms, 20u);
  EXPECT_EQ(defaults.cfg.feed.rewind->retries, 5u);
  EXPECT_EQ(defaults.cfg.feed.rewind->max_held_messages, 1'000'000u);
}

TEST(DataplaneConfig, FeedRewindIsValidated) {
  const std::string ok_local = "local_ip = \"10.0.0.1\"\n";
  const std::string ok_server = "server = \"10.0.0.2:26400\"\n";
  const auto bad = [&](const std::string& body, const std::string& what) {
    EXPECT_TRUE(has_error(parse(std::string(kMinimal) + "[feed.rewind]\n" + body), what)) << body;
  };
  bad(ok_local, "[feed.rewind].server");                              // missing
  bad(ok_local + "server = \"10.0.0.2\"\n", "[feed.rewind].server");  // no port
  bad(ok_local + "server = \"10.0.0.2:0\"\n", "[feed.rewind].server");
  bad(ok_local + "server = \"10.0.0.2:70000\"\n", "[feed.rewind].server");
  bad(ok_local + "server = \"10.0.0.256:1\"\n", "[feed.rewind].server");
  bad(ok_local + "server = \"10.0.0.2:1x\"\n", "[feed.rewind].server");
  bad(ok_server, "[feed.rewind].local_ip");  // missing
  bad(ok_server + "local_ip = \"10.0.0\"\n", "[feed.rewind].local_ip");
  bad(ok_server + "local_ip = \"10.0.0.2\"\n", "must differ from the server");
  bad(ok_server + "local_ip = \"239.1.1.1\"\n", "unicast");
  bad(ok_server + ok_local + "timeout_ms = 0\n", "[feed.rewind].timeout_ms");
  bad(ok_server + ok_local + "retries = -1\n", "[feed.rewind].retries");
  bad(ok_server + ok_local + "max_held_messages = 0\n", "[feed.rewind].max_held_messages");
  bad(ok_server + ok_local + "max_held_messages = 100000001\n", "[feed.rewind].max_held_messages");
  bad(ok_server + ok_local + "bogus = 1\n", "[feed.rewind]: unknown key");
  EXPECT_TRUE(has_error(parse(std::string(kMinimal) + "[feed]\nrewind = 3\n"), "rewind"));
  EXPECT_TRUE(
      has_error(parse(std::string(kMinimal) + "[lcores]\nrx = 2\n[feed.rewind]\n" + ok_server + ok_local),
                "[lcores].rx = 1"));
}

}  // namespace
}  // namespace sf::dataplane
