// SoupBinTCP client session state machine: login accepted / rejected, heartbeats both ways, peer
// timeout, reconnect back-off and the requested sequence number, end of session, logout, no message
// lost or delivered twice across re-logins, UserRefNum guard. The peer is a scripted byte stream;
// time is passed explicitly.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "sniperforge/session/client_session.hpp"

namespace os = sf::order_session;
namespace soup = sf::soupbintcp;

namespace {
constexpr uint64_t kMs = 1'000'000;

struct FakeTransport : os::Transport {
  int connects = 0, closes = 0;
  std::vector<uint8_t> out;
  void connect() override { ++connects; }
  void send(std::span<const uint8_t> b) override { out.insert(out.end(), b.begin(), b.end()); }
  void close() override { ++closes; }
  // The client's packets so far (parsed as a server would), then forgotten.
  std::vector<std::pair<char, std::vector<uint8_t>>> take() {
    std::vector<std::pair<char, std::vector<uint8_t>>> r;
    soup::StreamReassembler a(soup::Direction::kClientToServer);
    a.feed(out, [&](const soup::Packet& p) {
      r.emplace_back(p.type, std::vector<uint8_t>(p.payload.begin(), p.payload.end()));
    });
    EXPECT_EQ(a.counters().total_drops(), 0u);
    out.clear();
    return r;
  }
};
struct Recorder : os::Listener {
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> got;
  void on_sequenced(uint64_t seq, std::span<const uint8_t> m) override {
    got.emplace_back(seq, std::vector<uint8_t>(m.begin(), m.end()));
  }
};

std::vector<uint8_t> server(const std::function<void(soup::PacketWriter&)>& f) {
  std::vector<uint8_t> b(4096);
  soup::PacketWriter w(b);
  f(w);
  b.resize(w.size());
  return b;
}
std::vector<uint8_t> msg(uint8_t tag) {
  return {'S', 0, 0, 0, 0, 0, 0, 0, tag, 's'};  // an OUCH System Event-shaped message, tag at [8]
}

struct SessionTest : ::testing::Test {
  FakeTransport t;
  Recorder r;
  os::Timing timing{1000, 15000, 100, 800};
  os::ClientSession s{os::Credentials{"SNIPE0", "pw", "", 1}, timing, t, r};
  uint64_t now = 1'000 * kMs;

  // Connect and log in; returns the login's requested sequence number.
  uint64_t login(uint64_t next_seq, std::string_view session = "SESSION001") {
    s.poll(now);
    EXPECT_EQ(s.state(), os::State::kConnecting);
    s.on_connected(now);
    auto pk = t.take();
    EXPECT_EQ(pk.size(), 1u);
    EXPECT_EQ(pk[0].first, 'L');
    const soup::LoginRequest lr{pk[0].second};
    EXPECT_EQ(lr.username(), "SNIPE0");
    EXPECT_EQ(lr.password(), "pw");
    const uint64_t requested = lr.requested_sequence();
    s.on_bytes(server([&](auto& w) { w.login_accepted(session, next_seq); }), now);
    EXPECT_TRUE(s.logged_in());
    return requested;
  }
  void deliver(std::initializer_list<uint8_t> tags) {
    s.on_bytes(server([&](auto& w) {
                 for (uint8_t x : tags) w.sequenced(msg(x));
               }),
               now);
  }
};
}  // namespace

TEST_F(SessionTest, LoginAcceptedThenSequencedDataNumberedFromIt) {
  s.start(now);
  EXPECT_EQ(t.connects, 0);
  EXPECT_EQ(login(1), 1u);
  EXPECT_EQ(t.connects, 1);
  EXPECT_EQ(s.session_name(), "SESSION001");
  deliver({1, 2, 3});
  ASSERT_EQ(r.got.size(), 3u);
  EXPECT_EQ(r.got[0].first, 1u);
  EXPECT_EQ(r.got[2].first, 3u);
  EXPECT_EQ(r.got[2].second, msg(3));
  EXPECT_EQ(s.next_sequence(), 4u);
  EXPECT_EQ(s.counters().logins_accepted.load(), 1u);
  EXPECT_EQ(s.counters().state.get(), static_cast<uint8_t>(os::State::kLoggedIn));
}

TEST_F(SessionTest, LoginRejectedBacksOffAndRetries) {
  s.start(now);
  s.poll(now);
  s.on_connected(now);
  t.take();
  s.on_bytes(server([](auto& w) { w.login_rejected('A'); }), now);
  EXPECT_EQ(s.state(), os::State::kBackoff);
  EXPECT_EQ(s.counters().logins_rejected.load(), 1u);
  EXPECT_EQ(t.closes, 1);
  // Back-off doubles from 100 ms, capped at 800 ms, while logins keep failing.
  uint64_t waited[5];
  for (uint64_t& w : waited) {
    const uint64_t from = now;
    while (s.state() == os::State::kBackoff) {
      now += kMs;
      s.poll(now);
    }
    w = (now - from) / kMs;
    s.on_connected(now);
    t.take();
    s.on_bytes(server([](auto& w2) { w2.login_rejected('S'); }), now);
  }
  EXPECT_EQ(waited[0], 100u);
  EXPECT_EQ(waited[1], 200u);
  EXPECT_EQ(waited[2], 400u);
  EXPECT_EQ(waited[3], 800u);
  EXPECT_EQ(waited[4], 800u);
  EXPECT_EQ(s.counters().logins_rejected.load(), 6u);
  EXPECT_EQ(s.counters().reconnects.load(), 5u);
  EXPECT_FALSE(s.logged_in());
}

TEST_F(SessionTest, OrdersRefusedUntilLoggedInThenSentAsUnsequencedData) {
  const std::vector<uint8_t> order = {'O', 0, 0, 0, 5, 'B'};
  EXPECT_EQ(s.send(order, now), os::SendResult::kSessionDown);
  EXPECT_FALSE(s.logged_in());
  s.start(now);
  login(1);
  EXPECT_EQ(s.send(order, now), os::SendResult::kSent);
  auto pk = t.take();
  ASSERT_EQ(pk.size(), 1u);
  EXPECT_EQ(pk[0].first, 'U');
  EXPECT_EQ(pk[0].second, order);
  EXPECT_EQ(s.counters().orders_refused_session_down.load(), 1u);
  EXPECT_EQ(s.counters().orders_sent.load(), 1u);
}

TEST_F(SessionTest, UserRefNumMustIncreaseAcrossReconnects) {
  s.start(now);
  login(1);
  const std::vector<uint8_t> o5 = {'O', 0, 0, 0, 5}, o4 = {'O', 0, 0, 0, 4}, o6 = {'O', 0, 0, 0, 6};
  EXPECT_EQ(s.send(o5, now), os::SendResult::kSent);
  t.take();
  s.on_closed(now);
  now += 200 * kMs;
  login(1);
  EXPECT_EQ(s.send(o5, now), os::SendResult::kUserRefNumNotIncreasing);
  EXPECT_EQ(s.send(o4, now), os::SendResult::kUserRefNumNotIncreasing);
  EXPECT_EQ(s.send(o6, now), os::SendResult::kSent);
  // A cancel references an existing order: no check.
  const std::vector<uint8_t> cancel = {'X', 0, 0, 0, 5, 0, 0, 0, 0};
  EXPECT_EQ(s.send(cancel, now), os::SendResult::kSent);
  EXPECT_EQ(s.counters().orders_refused_user_ref_num.load(), 2u);
}

TEST_F(SessionTest, ReplayedOrderAcceptedTeachesTheLastUserRefNum) {
  s.start(now);
  login(1);
  std::vector<uint8_t> accepted(64, 0);
  accepted[0] = 'A';
  accepted[12] = 77;  // UserRefNum @9 = 77
  s.on_bytes(server([&](auto& w) { w.sequenced(accepted); }), now);
  EXPECT_EQ(s.last_user_ref_num(), 77u);
  const std::vector<uint8_t> o = {'O', 0, 0, 0, 77};
  EXPECT_EQ(s.send(o, now), os::SendResult::kUserRefNumNotIncreasing);
}

TEST_F(SessionTest, HeartbeatsBothWays) {
  s.start(now);
  login(1);
  now += 999 * kMs;
  s.poll(now);
  EXPECT_TRUE(t.take().empty());
  now += 1 * kMs;
  s.poll(now);
  auto pk = t.take();
  ASSERT_EQ(pk.size(), 1u);
  EXPECT_EQ(pk[0].first, 'R');
  // Sending an order restarts the heartbeat clock.
  now += 500 * kMs;
  EXPECT_EQ(s.send(std::vector<uint8_t>{'X', 0, 0, 0, 1, 0, 0, 0, 0}, now), os::SendResult::kSent);
  t.take();
  now += 999 * kMs;
  s.poll(now);
  EXPECT_TRUE(t.take().empty());
  s.on_bytes(server([](auto& w) { w.server_heartbeat(); }), now);
  EXPECT_EQ(s.counters().heartbeats_received.load(), 1u);
  EXPECT_EQ(s.counters().heartbeats_sent.load(), 1u);
  EXPECT_EQ(s.next_deadline(), now + 1 * kMs);
}

// A restart's journal says where the shard stopped once the session already exists (transport dpdk builds
// it with the data plane): resume_at before start() sets what the first login asks for; later it changes
// nothing (the session's own number rules).
TEST_F(SessionTest, ResumeAtBeforeStartIsTheFirstLoginsSequenceLaterIgnored) {
  s.resume_at(21);
  EXPECT_EQ(s.next_sequence(), 21u);
  s.start(now);
  EXPECT_EQ(login(21), 21u);
  deliver({21, 22});
  s.resume_at(5);
  EXPECT_EQ(s.next_sequence(), 23u);
  ASSERT_EQ(r.got.size(), 2u);
  EXPECT_EQ(r.got[0].first, 21u);
}

TEST_F(SessionTest, PeerSilentForTimeoutIsDeadAndWeReconnectAskingForTheNextSequence) {
  s.start(now);
  login(10);
  deliver({10, 11});
  // Server heartbeats keep it alive; silence does not.
  for (int i = 0; i < 20; ++i) {
    now += 1000 * kMs;
    s.on_bytes(server([](auto& w) { w.server_heartbeat(); }), now);
    s.poll(now);
  }
  EXPECT_TRUE(s.logged_in());
  now += 14'999 * kMs;
  s.poll(now);
  EXPECT_TRUE(s.logged_in());
  now += 1 * kMs;
  s.poll(now);
  EXPECT_EQ(s.state(), os::State::kBackoff);
  EXPECT_EQ(s.counters().timeouts.load(), 1u);
  EXPECT_EQ(t.closes, 1);
  t.take();
  now += 100 * kMs;
  // Re-login asks for 12 in the session we were in.
  s.poll(now);
  s.on_connected(now);
  auto pk = t.take();
  ASSERT_EQ(pk.size(), 1u);
  const soup::LoginRequest lr{pk[0].second};
  EXPECT_EQ(lr.requested_sequence(), 12u);
  EXPECT_EQ(lr.requested_session(), "SESSION001");
  EXPECT_EQ(s.counters().reconnects.load(), 1u);
}

TEST_F(SessionTest, ConnectThatNeverCompletesTimesOut) {
  s.start(now);
  s.poll(now);
  now += 15'000 * kMs;
  s.poll(now);
  EXPECT_EQ(s.state(), os::State::kBackoff);
  EXPECT_EQ(t.closes, 1);
  s.on_closed(now);  // a late report changes nothing
  EXPECT_EQ(s.state(), os::State::kBackoff);
}

TEST_F(SessionTest, NoMessageLostOrDeliveredTwiceAcrossReLogin) {
  s.start(now);
  login(1);
  deliver({1, 2, 3});
  s.on_closed(now);  // peer dropped us
  now += 100 * kMs;
  // A server that ignores the requested number and starts over at 2: 2 and 3 are not delivered again.
  EXPECT_EQ(login(2), 4u);
  deliver({2, 3, 4, 5});
  s.on_closed(now);
  now += 100 * kMs;
  EXPECT_EQ(login(6), 6u);  // a correct server
  deliver({6});
  std::vector<uint64_t> seqs;
  for (const auto& [q, m] : r.got) {
    seqs.push_back(q);
    EXPECT_EQ(m[8], q);  // the message numbered q is the one tagged q
  }
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(s.counters().duplicates_skipped.load(), 2u);
  EXPECT_EQ(s.counters().sequenced.load(), 6u);
}

TEST_F(SessionTest, LoginAcceptedAboveOurNumberCountsTheGap) {
  s.start(now);
  login(5);
  EXPECT_EQ(s.counters().sequence_gaps.load(), 4u);
  deliver({5});
  EXPECT_EQ(r.got.at(0).first, 5u);
}

TEST_F(SessionTest, EndOfSessionStopsForGood) {
  s.start(now);
  login(1);
  s.on_bytes(server([](auto& w) {
               w.end_of_session();
               w.sequenced(msg(1));  // after the end: ignored
             }),
             now);
  EXPECT_EQ(s.state(), os::State::kEnded);
  EXPECT_TRUE(r.got.empty());
  EXPECT_EQ(t.closes, 1);
  now += 60'000 * kMs;
  s.poll(now);
  EXPECT_EQ(t.connects, 1);
  EXPECT_EQ(s.send(msg(1), now), os::SendResult::kSessionDown);
}

TEST_F(SessionTest, LogoutSendsLogoutRequestAndDoesNotReconnect) {
  s.start(now);
  login(1);
  s.logout(now);
  auto pk = t.take();
  ASSERT_EQ(pk.size(), 1u);
  EXPECT_EQ(pk[0].first, 'O');
  EXPECT_EQ(s.state(), os::State::kLoggingOut);
  s.on_closed(now);
  EXPECT_EQ(s.state(), os::State::kEnded);
  now += 60'000 * kMs;
  s.poll(now);
  EXPECT_EQ(t.connects, 1);
}

TEST_F(SessionTest, LogoutWithoutAnswerClosesAfterTimeout) {
  s.start(now);
  login(1);
  s.logout(now);
  now += 15'000 * kMs;
  s.poll(now);
  EXPECT_EQ(s.state(), os::State::kEnded);
  EXPECT_EQ(t.closes, 1);
}

TEST_F(SessionTest, GarbageIsCountedNotDelivered) {
  s.start(now);
  login(1);
  const std::vector<uint8_t> bad = {0, 1, 'Q', 0, 2, 'H', 1, 0, 1, 'L'};
  s.on_bytes(bad, now);
  deliver({1});
  EXPECT_EQ(s.counters().dropped[static_cast<std::size_t>(soup::Drop::kUnknownType)].load(), 2u);
  EXPECT_EQ(s.counters().dropped[static_cast<std::size_t>(soup::Drop::kBadLength)].load(), 1u);
  ASSERT_EQ(r.got.size(), 1u);
  // Sequenced data before login is accepted makes no sense: counted, not delivered.
  s.on_closed(now);
  now += 100 * kMs;
  s.poll(now);
  s.on_connected(now);
  deliver({2});
  EXPECT_EQ(s.counters().unexpected.load(), 1u);
  EXPECT_EQ(r.got.size(), 1u);
}

TEST_F(SessionTest, ByteAtATimeStreamGivesTheSameResult) {
  s.start(now);
  s.poll(now);
  s.on_connected(now);
  const auto stream = server([](auto& w) {
    w.login_accepted("S1", 1);
    w.server_heartbeat();
    for (uint8_t i = 1; i <= 5; ++i) w.sequenced(msg(i));
  });
  for (uint8_t b : stream) s.on_bytes(std::span<const uint8_t>(&b, 1), now);
  ASSERT_EQ(r.got.size(), 5u);
  EXPECT_EQ(r.got[4].first, 5u);
  EXPECT_EQ(s.counters().bytes_in.load(), stream.size());
}
