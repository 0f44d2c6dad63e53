// The kernel-transport SoupBinTCP client (KernelSession: its own thread, SPSC rings) against the real
// sf-venue-sim SoupBinTCP server over loopback TCP: orders in, fills back; the simulator drops the
// connection mid-session, or is killed and restarted from its on-disk store; the client reconnects,
// re-logs in at the right sequence number, and every venue message arrives exactly once — checked
// against the totals JSON the simulator prints at exit. Also: rejected logins, a silent venue.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <map>
#include <set>

#include "sf_test_process.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/session/config.hpp"
#include "sniperforge/session/kernel_session.hpp"
#include "venue_sim_process.hpp"

namespace fs = std::filesystem;
namespace os = sf::order_session;
namespace out = sf::ouch::outbound;
using sf::testing::wait_for;

namespace {
struct Received {
  std::vector<uint64_t> sequences;
  std::vector<std::vector<uint8_t>> messages;
  std::set<uint32_t> answered;  // UserRefNums with an Accepted or Rejected
};

class KernelVenue : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sf-soup-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "store");
    sim_proc_ =
        std::make_unique<sf::testing::VenueSimProcess>(dir_, "# username password\nSNIPE0 pw123\nOTHER1 x\n");
    std::ofstream(dir_ / "pw") << "pw123\n";
    chmod((dir_ / "pw").c_str(), 0600);
    port_ = sim_proc_->port();
    sim_ = sf::testing::env("SF_VENUE_SIM");
    ASSERT_FALSE(sim_.empty()) << "SF_VENUE_SIM is not set (run through meson test)";
  }
  void TearDown() override {
    session_.reset();
    sim_proc_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }
  void start_sim(const std::vector<std::string>& extra, const std::string& log = "sim.log") {
    ASSERT_TRUE(sim_proc_->start(extra, log));
  }
  // SIGTERM, wait, and the totals JSON.
  std::string stop_sim() { return sim_proc_->stop(); }
  void start_session(std::string password = "") {
    os::KernelSessionConfig c;
    c.venue_ip = {127, 0, 0, 1};
    c.venue_port = port_;
    std::string err;
    if (password.empty()) {
      ASSERT_TRUE(os::read_password_file((dir_ / "pw").string(), password, err)) << err;
    }
    c.credentials = {"SNIPE0", password, "", 1};
    c.timing = {200, 3000, 50, 400};
    session_ = std::make_unique<os::KernelSession>(c, orders_, venue_);
    session_->start();
  }
  void drain() {
    for (os::VenueSlot s; venue_.pop(s);) {
      got_.sequences.push_back(s.sequence);
      got_.messages.emplace_back(s.bytes.begin(), s.bytes.begin() + s.length);
      if ((s.bytes[0] == 'A' || s.bytes[0] == 'J') && s.length >= 13)
        got_.answered.insert(sf::proto::load_be32(s.bytes.data() + 9));
    }
  }
  // Sends Enter Orders urn_ .. until `count` of them have been answered; an order the session
  // refused (it went down in between) is sent again under the next UserRefNum.
  void trade(int count) {
    for (int done = 0; done < count;) {
      ASSERT_TRUE(wait_for([&] { return session_->logged_in(); }, 10)) << os::to_string(session_->state());
      const uint64_t refused = session_->counters().orders_refused_session_down.load();
      const uint32_t urn = ++urn_;
      ASSERT_TRUE(orders_.push(enter_order(urn)));
      ASSERT_TRUE(wait_for(
          [&] {
            drain();
            return got_.answered.count(urn) ||
                   session_->counters().orders_refused_session_down.load() > refused;
          },
          10))
          << "order " << urn;
      done += got_.answered.count(urn) ? 1 : 0;
    }
  }
  static os::OrderSlot enter_order(uint32_t urn) {
    sf::ouch::inbound::msg::EnterOrder o{};
    o.user_ref_num = urn;
    o.side = urn % 3 == 0 ? 'S' : 'B';
    o.quantity = 100 + urn % 7 * 10;
    o.symbol = urn % 2 ? "AAPL    " : "MSFT    ";
    o.price = 1'000'000 + urn;
    o.time_in_force = '3';
    o.display = 'Y';
    o.capacity = 'A';
    o.intermarket_sweep_eligibility = 'N';
    o.cross_type = 'N';
    o.cl_ord_id = "SF            ";
    os::OrderSlot s;
    s.length = static_cast<uint16_t>(o.encode(s.bytes.data()));
    return s;
  }
  // What the client received, in the simulator's totals format (written independently of it).
  std::string expected_totals() const {
    uint64_t orders = 0, accepted = 0, rejected = 0, canceled = 0, fills = 0, shares = 0;
    std::map<uint32_t, std::pair<std::string, char>> of;
    std::map<std::string, std::map<char, uint64_t>> by;
    for (const auto& m : got_.messages) {
      if (m[0] == 'A') {
        const out::views::OrderAccepted a(m.data(), m.size());
        ++orders, ++accepted;
        of[a.user_ref_num()] = {std::string(sf::ouch::trim_alpha(a.symbol())), a.side()};
      } else if (m[0] == 'J') {
        ++orders, ++rejected;
      } else if (m[0] == 'C') {
        ++canceled;
      } else if (m[0] == 'E') {
        const out::views::OrderExecuted e(m.data(), m.size());
        ++fills;
        shares += e.quantity();
        by[of.at(e.user_ref_num()).first][of.at(e.user_ref_num()).second] += e.quantity();
      }
    }
    std::string s = "\"username\":\"SNIPE0\",\"messages\":" + std::to_string(got_.messages.size()) +
                    ",\"orders\":" + std::to_string(orders) + ",\"accepted\":" + std::to_string(accepted) +
                    ",\"rejected\":" + std::to_string(rejected) +
                    ",\"canceled\":" + std::to_string(canceled) + ",\"fills\":" + std::to_string(fills) +
                    ",\"filled_shares\":" + std::to_string(shares) + ",\"shares\":{";
    std::string sep;
    for (const auto& [sym, sides] : by) {
      s += sep + "\"" + sym + "\":{";
      std::string sep2;
      for (const auto& [side, n] : sides) {
        s += sep2 + "\"" + side + "\":" + std::to_string(n);
        sep2 = ",";
      }
      s += "}";
      sep = ",";
    }
    return s + "}";  // then the simulator's notional and realized P&L (checked end to end)
  }
  void expect_each_sequence_once() const {
    for (std::size_t i = 0; i < got_.sequences.size(); ++i)
      ASSERT_EQ(got_.sequences[i], i + 1) << "message " << i;
  }

  fs::path dir_;
  uint16_t port_ = 0;
  std::string sim_;
  std::unique_ptr<sf::testing::VenueSimProcess> sim_proc_;
  sf::SpscRing<os::OrderSlot> orders_{256};
  sf::SpscRing<os::VenueSlot> venue_{1024};
  std::unique_ptr<os::KernelSession> session_;
  Received got_;
  uint32_t urn_ = 1000;
};
}  // namespace

TEST_F(KernelVenue, DroppedConnectionReconnectsAtTheNextSequenceNothingLostOrTwice) {
  start_sim({"--drop-after", "25"});
  start_session();
  trade(30);
  const std::string totals = stop_sim();
  session_->stop();
  drain();
  expect_each_sequence_once();
  EXPECT_NE(totals.find(expected_totals()), std::string::npos) << totals << "\nclient: " << expected_totals();
  const auto& c = session_->counters();
  EXPECT_GE(c.reconnects.load(), 1u);
  EXPECT_GE(c.logins_accepted.load(), 2u);
  EXPECT_EQ(c.duplicates_skipped.load(), 0u);
  EXPECT_EQ(c.sequence_gaps.load(), 0u);
  EXPECT_EQ(c.sequenced.load(), got_.messages.size());
  EXPECT_GT(got_.messages.size(), 25u);
  EXPECT_NE(totals.find("\"shares\":{\"AAPL\":{"), std::string::npos) << totals;
  EXPECT_NE(sf::testing::read_file(dir_ / "sim.log").find("logged in, sequence 26\n"), std::string::npos)
      << "the re-login asked for the message after the last one received";
}

TEST_F(KernelVenue, KilledSimulatorRestartedFromItsStoreResumesTheSession) {
  const std::vector<std::string> store{"--store", (dir_ / "store").string()};
  start_sim(store);
  start_session();
  trade(15);
  const uint64_t before = got_.messages.size();
  sim_proc_->kill9();
  ASSERT_TRUE(wait_for([&] { return !session_->logged_in(); }, 5));
  start_sim(store, "sim2.log");
  trade(15);
  const std::string totals = stop_sim();
  session_->stop();
  drain();
  expect_each_sequence_once();
  EXPECT_GT(got_.messages.size(), before);
  EXPECT_NE(totals.find(expected_totals()), std::string::npos) << totals << "\nclient: " << expected_totals();
  EXPECT_GE(session_->counters().reconnects.load(), 1u);
  EXPECT_EQ(session_->counters().duplicates_skipped.load(), 0u);
  EXPECT_NE(sf::testing::read_file(dir_ / "sim2.log")
                .find("logged in, sequence " + std::to_string(before + 1) + "\n"),
            std::string::npos);
}

TEST_F(KernelVenue, WrongPasswordIsRejectedAndRetriedWithBackOff) {
  start_sim({});
  start_session("wrong");
  ASSERT_TRUE(wait_for([&] { return session_->counters().logins_rejected.load() >= 3; }, 10));
  EXPECT_FALSE(session_->logged_in());
  EXPECT_EQ(orders_.push(enter_order(1)), true);
  ASSERT_TRUE(wait_for([&] { return session_->counters().orders_refused_session_down.load() == 1; }, 5));
  session_->stop();
  EXPECT_NE(stop_sim().find("\"messages\":0"), std::string::npos);
}

TEST_F(KernelVenue, SilentVenueIsDeclaredDeadAndHeartbeatsFlowOtherwise) {
  start_sim({"--no-heartbeat"});
  start_session();
  ASSERT_TRUE(wait_for([&] { return session_->logged_in(); }, 5));
  // The client heartbeats every 200 ms; the venue says nothing: dead after 3 s, then reconnect.
  ASSERT_TRUE(wait_for([&] { return session_->counters().timeouts.load() >= 1; }, 8));
  EXPECT_GE(session_->counters().heartbeats_sent.load(), 10u);
  EXPECT_EQ(session_->counters().heartbeats_received.load(), 0u);
  session_->stop();
  stop_sim();
}

TEST_F(KernelVenue, FaultSwitchesRejectLoginsAndDelayResponses) {
  start_sim({"--reject-logins"});
  start_session();
  ASSERT_TRUE(wait_for([&] { return session_->counters().logins_rejected.load() >= 2; }, 10));
  EXPECT_EQ(session_->counters().logins_accepted.load(), 0u);
  session_->stop();
  stop_sim();

  start_sim({"--delay-ms", "300"});
  start_session();
  const auto t0 = std::chrono::steady_clock::now();
  trade(2);
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(waited, 0.6);  // two orders, each answered 300 ms late
  session_->stop();
  EXPECT_NE(stop_sim().find(expected_totals()), std::string::npos);
}

TEST_F(KernelVenue, StoreWithATornLastRecordLoadsTheWholeRecordsAndRemembersUserRefNums) {
  // Two stored Order Accepted messages (UserRefNum 5000 and 5001), then a record cut short by a kill.
  std::string file;
  for (uint32_t urn : {5000u, 5001u}) {
    out::msg::OrderAccepted a{};
    a.user_ref_num = urn;
    a.side = 'B';
    a.quantity = 100;
    a.symbol = "AAPL    ";
    a.order_reference_number = urn;
    uint8_t m[128];
    const std::size_t n = a.encode(m);
    file += static_cast<char>(n >> 8);
    file += static_cast<char>(n & 0xff);
    file.append(reinterpret_cast<const char*>(m), n);
  }
  file += std::string(
      "\x00\x40"
      "AB",
      4);  // says 64 bytes, holds 2
  std::ofstream(dir_ / "store" / "SNIPE0.soup", std::ios::binary) << file;
  start_sim({"--store", (dir_ / "store").string()});
  start_session();
  ASSERT_TRUE(wait_for(
      [&] {
        drain();
        return got_.messages.size() == 2;
      },
      10));
  // The replayed Order Accepted taught the session 5001: an order below it never leaves.
  EXPECT_EQ(session_->counters().orders_refused_user_ref_num.load(), 0u);
  ASSERT_TRUE(orders_.push(enter_order(4001)));
  ASSERT_TRUE(wait_for([&] { return session_->counters().orders_refused_user_ref_num.load() == 1; }, 5));
  urn_ = 6000;
  trade(1);
  session_->stop();
  const std::string totals = stop_sim();
  drain();
  expect_each_sequence_once();
  EXPECT_NE(totals.find(expected_totals()), std::string::npos) << totals << "\nclient: " << expected_totals();
  EXPECT_NE(totals.find("\"orders\":3,\"accepted\":3"), std::string::npos) << totals;
  // The torn tail was cut off: the file is whole records, one per message sent.
  const std::string stored = sf::testing::read_file(dir_ / "store" / "SNIPE0.soup");
  std::size_t off = 0, records = 0;
  while (stored.size() - off >= 2) {
    off += 2 + ((static_cast<std::size_t>(static_cast<uint8_t>(stored[off])) << 8) |
                static_cast<uint8_t>(stored[off + 1]));
    ++records;
  }
  EXPECT_EQ(off, stored.size());
  EXPECT_EQ(records, got_.messages.size());
}

TEST_F(KernelVenue, BadOptionsExitTwoAndBindFailureExitsOne) {
  const std::string sim = sim_ + " --soupbintcp --idle-exit 0.1 ";
  auto rc = [](const std::string& cmd) { return sf::testing::run(cmd + " >/dev/null 2>&1"); };
  EXPECT_EQ(rc(sim + "--listen 127.0.0.1:0"), 2);  // no credentials
  std::ofstream(dir_ / "bad_creds") << "SNIPE0\n";
  EXPECT_EQ(rc(sim + "--listen 127.0.0.1:0 --credentials " + (dir_ / "bad_creds").string()), 2);
  std::ofstream(dir_ / "long_creds") << "TOOLONG7 pw\n";
  EXPECT_EQ(rc(sim + "--listen 127.0.0.1:0 --credentials " + (dir_ / "long_creds").string()), 2);
  const std::string creds = " --credentials " + (dir_ / "creds").string();
  EXPECT_EQ(rc(sim + "--listen 127.0.0.1:0 --session ELEVENCHARS" + creds), 2);
  EXPECT_EQ(rc(sim + "--listen 127.0.0.1:0 --store /nonexistent/dir" + creds), 2);
  EXPECT_EQ(rc(sim + "--listen 127.0.0.1:0 --heartbeat-ms 0" + creds), 2);
  EXPECT_EQ(rc(sim + "--listen 192.0.2.1:15000" + creds), 1);  // not our address
  const std::string ok = sim + "--listen 127.0.0.1:0" + creds + " 2>&1";
  EXPECT_EQ(sf::testing::run(ok + " | grep -q 'listening on 127.0.0.1:[1-9]'"), 0);
}
