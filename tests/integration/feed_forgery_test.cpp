// Issue #16, the feed as an attacker or a broken capture presents it, through the real sniperforge (net_pcap)
// and sf-backtest on crafted pcaps: forged packets (another session, sequence 2^63, a forged source) are
// counted drops and the orders equal the clean run's; a session change mid-feed is a counted event with
// books stale in both; a truncated or garbage-tailed pcap is reported, counted and exits 1 in both; a frame
// longer than feed::kMaxFrameBytes is dropped as frame_too_long by both; sf-backtest --sweep applies the
// same [feed] guard as a backtest.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "sf_test_process.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/feed.hpp"

namespace {

using namespace sf::testing::process;

using Frame = std::vector<uint8_t>;
struct Capture {
  std::vector<uint64_t> ts;
  std::vector<Frame> frames;
  void insert(std::size_t at, Frame f) {
    ts.insert(ts.begin() + static_cast<std::ptrdiff_t>(at), ts[at > 0 ? at - 1 : 0]);
    frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(at), std::move(f));
  }
};

struct Result {
  int rc = -1;
  std::string books, orders, log;
  std::map<std::string, uint64_t> stats;
};

// The MoldUDP64 payload of a feed frame (nullptr if it is not one) and its length.
uint8_t* mold_of(Frame& f, std::size_t& len) {
  sf::net::UdpDatagram udp;
  if (sf::net::parse_udp(f.data(), f.size(), udp) != sf::net::Error::kOk) return nullptr;
  len = udp.payload_length;
  return f.data() + (udp.payload - f.data());
}

Frame udp_frame(const std::vector<uint8_t>& payload, uint32_t src_ip) {
  sf::net::UdpFrameSpec spec;
  spec.src_ip = src_ip;
  spec.dst_ip = sf::net::ipv4(233, 54, 12, 111);
  spec.src_port = 5000;
  spec.dst_port = sf::feed::kDefaultPort;
  Frame f(sf::net::udp_headers_length(spec) + payload.size());
  std::copy(payload.begin(), payload.end(),
            f.begin() + static_cast<std::ptrdiff_t>(sf::net::udp_headers_length(spec)));
  sf::net::write_udp_headers(f.data(), spec, payload.size());
  return f;
}

Frame heartbeat(const char* session, uint64_t next, uint32_t src_ip = 0x0A000001) {
  std::vector<uint8_t> p(sf::mold::kHeaderLength);
  sf::mold::encode_heartbeat(p.data(), session, next);
  return udp_frame(p, src_ip);
}

class FeedForgery : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* v : {"SNIPERFORGE", "SF_FEEDGEN", "SF_TX_ORDERS", "SF_REPLAY_CONFIG", "SF_BACKTEST"})
      ASSERT_FALSE(env(v).empty()) << v << " not set (run through meson test)";
    char tmpl[] = "/tmp/sf-forgery-XXXXXX";
    dir_ = new fs::path(mkdtemp(tmpl));
    const fs::path clean = *dir_ / "clean.pcap";
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --seed 3 --messages 60000 -o " + clean.string()), 0);
    clean_ = new Capture(read(clean));
    clean_run_ = new Result(appliance("clean", clean));
    ASSERT_EQ(clean_run_->rc, 0) << clean_run_->log;
    ASSERT_GT(clean_run_->orders.size(), 200u)
        << "the snipers of replay.toml must fire, or this proves nothing";
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (env("SF_KEEP_TMP").empty()) fs::remove_all(*dir_, ec);
    delete dir_;
    delete clean_;
    delete clean_run_;
  }

  static Capture read(const fs::path& p) {
    Capture c;
    sf::io::PcapReader r;
    EXPECT_TRUE(r.open(p.string()));
    sf::io::PcapPacket pkt;
    while (r.next(pkt)) {
      c.ts.push_back(pkt.ts_ns);
      c.frames.emplace_back(pkt.data, pkt.data + pkt.caplen);
    }
    return c;
  }
  static fs::path write(const std::string& name, const Capture& c) {
    const fs::path p = *dir_ / (name + ".pcap");
    sf::io::PcapWriter w;
    EXPECT_TRUE(w.open(p.string()));
    for (std::size_t i = 0; i < c.frames.size(); ++i)
      w.write(c.ts[i], c.frames[i].data(), static_cast<uint32_t>(c.frames[i].size()));
    EXPECT_TRUE(w.close());
    return p;
  }

  // dpdk-config/replay.toml with `feed_keys` added to [feed].
  static std::string config(const std::string& feed_keys) {
    std::string text = read_file(env("SF_REPLAY_CONFIG"));
    text.replace(text.find("[feed]\n"), 7, "[feed]\n" + feed_keys + "\n");
    return text;
  }

  static Result appliance(const std::string& tag, const fs::path& pcap, const std::string& feed_keys = "") {
    Result r;
    const fs::path d = *dir_, cfg = d / (tag + ".toml"), books = d / (tag + ".books.csv"),
                   tx = d / (tag + ".tx.pcap"), orders = d / (tag + ".orders.csv"),
                   stats = d / (tag + ".stats"), log = d / (tag + ".log");
    std::ofstream(cfg) << config(feed_keys);
    r.rc = run(env("SNIPERFORGE") + " --quiet --config " + cfg.string() + " --rx-pcap " + pcap.string() +
               " --tx-pcap " + tx.string() + " --dump-books " + books.string() + " --stats-file " +
               stats.string() + " > " + log.string() + " 2>&1");
    EXPECT_EQ(run(env("SF_TX_ORDERS") + " " + tx.string() + " > " + orders.string() + " 2>/dev/null"), 0);
    r.books = read_file(books);
    r.orders = read_file(orders);
    r.stats = read_stats(stats);
    r.log = read_file(log);
    return r;
  }

  static Result backtest(const std::string& tag, const fs::path& pcap, const std::string& feed_keys = "") {
    Result r;
    const fs::path d = *dir_, cfg = d / (tag + ".bt.toml"), books = d / (tag + ".bt.books.csv"),
                   orders = d / (tag + ".bt.orders.csv"), log = d / (tag + ".bt.log");
    std::ofstream(cfg) << config(feed_keys);
    r.rc = run(env("SF_BACKTEST") + " -q --config " + cfg.string() + " " + pcap.string() + " --dump-books " +
               books.string() + " --orders " + orders.string() + " > " + log.string() + " 2>&1");
    r.books = read_file(books);
    r.orders = read_file(orders);
    r.log = read_file(log);
    return r;
  }

  // The appliance and sf-backtest on the same pcap agree on books and orders.
  static void expect_backtest_agrees(const std::string& tag, const fs::path& pcap, const Result& app,
                                     const std::string& feed_keys = "", int rc = 0) {
    const Result bt = backtest(tag, pcap, feed_keys);
    EXPECT_EQ(bt.rc, rc) << bt.log;
    EXPECT_EQ(bt.books, app.books);
    EXPECT_EQ(bt.orders, app.orders);
  }

  static std::size_t data_frame_at_or_after(std::size_t i) {
    for (; i < clean_->frames.size(); ++i) {
      Frame f = clean_->frames[i];
      std::size_t len = 0;
      const uint8_t* m = mold_of(f, len);
      if (m && len > sf::mold::kHeaderLength) return i;
    }
    return clean_->frames.size();
  }

  static fs::path* dir_;
  static Capture* clean_;
  static Result* clean_run_;
};
fs::path* FeedForgery::dir_ = nullptr;
Capture* FeedForgery::clean_ = nullptr;
Result* FeedForgery::clean_run_ = nullptr;

constexpr uint64_t k2p63 = uint64_t{1} << 63;

TEST_F(FeedForgery, ForgedHeartbeatsChangeNoOrder) {
  struct Case {
    const char* tag;
    std::vector<std::pair<std::size_t, Frame>> forged;  // (position, frame), positions in the clean capture
    const char* drop;
  };
  const std::size_t mid = clean_->frames.size() / 2;
  const Case cases[] = {
      {"other_session",
       {{0, heartbeat("EVIL", k2p63)}, {mid, heartbeat("EVIL", 1)}},
       "drop_mold_wrong_session"},
      {"seq_2p63", {{mid, heartbeat("SFEED00001", k2p63)}}, "drop_seq_jump"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tag);
    Capture cap = *clean_;
    for (auto it = std::rbegin(c.forged); it != std::rend(c.forged); ++it) cap.insert(it->first, it->second);
    const fs::path pcap = write(c.tag, cap);
    const Result app = appliance(c.tag, pcap);
    ASSERT_EQ(app.rc, 0) << app.log;
    EXPECT_EQ(app.orders, clean_run_->orders);
    EXPECT_EQ(app.books, clean_run_->books);
    EXPECT_EQ(app.stats.at("messages"), clean_run_->stats.at("messages"));
    EXPECT_EQ(app.stats.at("gap_messages"), 0u);
    EXPECT_EQ(app.stats.at("books_marked_stale"), 0u);
    EXPECT_GE(app.stats.at(c.drop), 1u);
    expect_backtest_agrees(c.tag, pcap, app);
  }
}

TEST_F(FeedForgery, ForgedSourceIsDroppedWhenSourcesAreListed) {
  // A copy of the next data packet from another source, its Add Orders a dollar dearer, ahead of the real
  // one.
  const std::size_t at = data_frame_at_or_after(clean_->frames.size() / 3);
  Frame forged = clean_->frames[at];
  std::size_t len = 0;
  uint8_t* m = mold_of(forged, len);
  ASSERT_NE(m, nullptr);
  for (const sf::mold::Block b : sf::mold::PacketView(m, len))
    if (b.data[0] == 'A') sf::proto::store_be<uint32_t>(const_cast<uint8_t*>(b.data) + 32, 999999);
  sf::proto::store_be<uint32_t>(forged.data() + 14 + 12, sf::net::ipv4(10, 6, 6, 6));  // source address
  sf::proto::store_be<uint16_t>(forged.data() + 14 + 10, 0);
  sf::proto::store_be<uint16_t>(forged.data() + 14 + 10,
                                sf::net::checksum_fold(sf::net::checksum_add(0, forged.data() + 14, 20)));
  Capture cap = *clean_;
  cap.insert(at, forged);
  const fs::path pcap = write("forged_source", cap);
  const std::string keys = "sources = [\"10.0.0.1\"]";
  const Result app = appliance("forged_source", pcap, keys);
  ASSERT_EQ(app.rc, 0) << app.log;
  EXPECT_EQ(app.stats.at("drop_forged_source"), 1u);
  EXPECT_EQ(app.orders, clean_run_->orders);
  EXPECT_EQ(app.books, clean_run_->books);
  expect_backtest_agrees("forged_source", pcap, app, keys);
  EXPECT_EQ(app.stats.at("duplicate_packets"), clean_run_->stats.at("duplicate_packets"));
  // Without the allow-list the forgery is believed and the real packet is the duplicate (the test can fail).
  const Result open = appliance("forged_source_open", pcap);
  EXPECT_EQ(open.stats.at("duplicate_packets"), clean_run_->stats.at("duplicate_packets") + 1);
  EXPECT_EQ(open.stats.at("drop_forged_source"), 0u);
}

TEST_F(FeedForgery, SessionChangeMidFeedIsVisibleAndStaleInBoth) {
  Capture cap = *clean_;
  for (std::size_t i = cap.frames.size() / 2; i < cap.frames.size(); ++i) {
    std::size_t len = 0;
    if (uint8_t* m = mold_of(cap.frames[i], len)) std::copy_n("SFEED00002", 10, m);
  }
  const fs::path pcap = write("session_change", cap);
  const Result app = appliance("session_change", pcap);
  ASSERT_EQ(app.rc, 0) << app.log;
  EXPECT_EQ(app.stats.at("session_changes"), 1u);
  EXPECT_GE(app.stats.at("books_marked_stale"), 1u);
  EXPECT_LT(app.orders.size(), clean_run_->orders.size()) << "no order once the books are stale";
  EXPECT_GT(app.stats.at("messages"), clean_run_->stats.at("messages") * 9 / 10)
      << "the new session is followed";
  expect_backtest_agrees("session_change", pcap, app);
}

TEST_F(FeedForgery, DamagedPcapIsReportedAndFailsBoth) {
  const fs::path clean = *dir_ / "clean.pcap";
  const std::string bytes = read_file(clean);
  const fs::path truncated = *dir_ / "truncated.pcap", garbage = *dir_ / "garbage.pcap";
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() * 2 / 3);
  std::ofstream(garbage, std::ios::binary) << bytes << std::string(300, '\xA5');
  for (const fs::path& pcap : {truncated, garbage}) {
    SCOPED_TRACE(pcap.filename().string());
    const std::string tag = pcap.stem().string();
    const Result app = appliance(tag, pcap);
    EXPECT_EQ(app.rc, 1) << app.log;
    EXPECT_NE(app.log.find("damaged pcap"), std::string::npos) << app.log;
    EXPECT_EQ(app.stats.at("input_damaged"), 1u);
    const Result bt = backtest(tag, pcap);
    EXPECT_NE(bt.log.find("damaged pcap"), std::string::npos) << bt.log;
    expect_backtest_agrees(tag, pcap, app, "", 1);
  }
  EXPECT_EQ(clean_run_->stats.at("input_damaged"), 0u);
}

TEST_F(FeedForgery, OversizedFrameIsTheSameDropInBoth) {
  // Consecutive data packets merged into one MoldUDP64 packet longer than feed::kMaxFrameBytes.
  const std::size_t at = data_frame_at_or_after(clean_->frames.size() / 2);
  std::vector<uint8_t> payload(sf::mold::kHeaderLength);
  uint16_t count = 0;
  uint64_t first = 0;
  std::vector<std::size_t> merged;
  for (std::size_t i = at; payload.size() <= sf::feed::kMaxFrameBytes; i = data_frame_at_or_after(i + 1)) {
    ASSERT_LT(i, clean_->frames.size());
    Frame f = clean_->frames[i];
    std::size_t len = 0;
    const uint8_t* m = mold_of(f, len);
    const sf::mold::PacketView v(m, len);
    if (merged.empty()) first = v.sequence();
    ASSERT_EQ(v.sequence(), first + count) << "consecutive packets";
    count = static_cast<uint16_t>(count + v.message_count());
    payload.insert(payload.end(), m + sf::mold::kHeaderLength, m + len);
    merged.push_back(i);
  }
  sf::mold::write_header(payload.data(), "SFEED00001", first, count);
  const Frame big = udp_frame(payload, 0x0A000001);
  ASSERT_GT(big.size(), sf::feed::kMaxFrameBytes);
  Capture cap = *clean_;
  cap.frames[at] = big;
  for (auto it = merged.rbegin(); *it != at; ++it) {
    cap.frames.erase(cap.frames.begin() + static_cast<std::ptrdiff_t>(*it));
    cap.ts.erase(cap.ts.begin() + static_cast<std::ptrdiff_t>(*it));
  }
  const fs::path pcap = write("oversized", cap);
  const Result app = appliance("oversized", pcap);
  ASSERT_EQ(app.rc, 0) << app.log;
  EXPECT_EQ(app.stats.at("drop_frame_too_long"), 1u);
  EXPECT_GT(app.stats.at("gaps"), 0u);
  const Result bt = backtest("oversized", pcap);
  EXPECT_NE(bt.log.find("frame dropped frame_too_long: 1"), std::string::npos) << bt.log;
  expect_backtest_agrees("oversized", pcap, app);
}

// sf-backtest --sweep reads the base config's [feed] as a plain sf-backtest does (one reader,
// parse_feed_input): for each feed guard setting, the sweep's order count equals the backtest's with the
// simulated venue. A session or source the feed does not have leaves nothing to trade in both.
TEST_F(FeedForgery, SweepAppliesTheSameFeedGuardAsABacktest) {
  const fs::path clean = *dir_ / "clean.pcap";
  struct Case {
    const char* tag;
    std::string keys;
    bool trades;
  };
  const Case cases[] = {{"sweep_learned", "", true},
                        {"sweep_right_session", "session = \"SFEED00001\"\nsources = [\"10.0.0.1\"]", true},
                        {"sweep_other_session", "session = \"OTHER00001\"", false},
                        {"sweep_unlisted_source", "sources = [\"10.9.9.9\"]", false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tag);
    const fs::path d = *dir_, cfg = d / (std::string(c.tag) + ".toml"),
                   out = d / (std::string(c.tag) + ".out"), spec = d / (std::string(c.tag) + ".sweep.toml"),
                   orders = d / (std::string(c.tag) + ".csv");
    std::ofstream(cfg) << config(c.keys);
    // One parameter set: limit_offset 0 is the config as it is.
    std::ofstream(spec) << "config = \"" << cfg.string() << "\"\ndays = [\"" << clean.string()
                        << "\"]\noutput = \"" << out.string() << "\"\n[grid]\nlimit_offset = [0]\n";
    ASSERT_EQ(run(env("SF_BACKTEST") + " -q --sweep " + spec.string() + " 2>/dev/null"), 0);
    const std::string csv = read_file(out / "sweep.csv");
    const std::size_t row = csv.find('\n') + 1;
    // set,day,input,limit_offset,orders,...
    std::size_t col = row;
    for (int i = 0; i < 4; ++i) col = csv.find(',', col) + 1;
    const uint64_t sweep_orders = std::stoull(csv.substr(col, csv.find(',', col) - col));
    ASSERT_EQ(run(env("SF_BACKTEST") + " -q --venue sim --config " + cfg.string() + " --orders " +
                  orders.string() + " " + clean.string() + " 2>/dev/null"),
              0);
    const std::string listed = read_file(orders);
    const auto backtest_orders = static_cast<uint64_t>(std::count(listed.begin(), listed.end(), '\n')) - 1;
    EXPECT_EQ(sweep_orders, backtest_orders) << csv;
    if (c.trades)
      EXPECT_GT(sweep_orders, 20u) << "the snipers must fire, or this proves nothing";
    else
      EXPECT_EQ(sweep_orders, 0u) << csv;
  }
}

}  // namespace
