// sf-rewind (#12): the message store and the re-request answers (DPDK-free, in process), then the real
// binary over loopback UDP: answers from a pcap, the ignore and delay switches, a recorded live feed.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <vector>

#include "loader.hpp"
#include "message_store.hpp"
#include "mold_answer.hpp"
#include "sf_test_process.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/moldudp64.hpp"
#include "sniperforge/proto/net.hpp"

namespace fs = std::filesystem;
using namespace sf::rewind;
using sf::testing::env;

namespace {

std::vector<uint8_t> message(uint64_t seq, std::size_t len = 12) {
  std::vector<uint8_t> m(len);
  for (std::size_t i = 0; i < len; ++i) m[i] = static_cast<uint8_t>(seq * 7 + i);
  return m;
}

std::vector<uint8_t> request(std::string_view session, uint64_t seq, uint16_t count) {
  std::vector<uint8_t> r(sf::mold::kRequestLength);
  sf::mold::encode_request(r.data(), session, seq, count);
  return r;
}

MessageStore store_of(uint64_t first, uint64_t end, std::initializer_list<uint64_t> holes = {}) {
  MessageStore s;
  s.set_session("TESTSESS");
  s.start_at(first);
  for (uint64_t seq = end; seq-- > first;)  // backwards: order of arrival does not matter
    if (std::find(holes.begin(), holes.end(), seq) == holes.end()) {
      const auto m = message(seq);
      EXPECT_EQ(s.add(seq, m.data(), m.size()), MessageStore::Added::kStored);
    }
  return s;
}

}  // namespace

TEST(RewindStore, StoresBySequenceInAnyOrderAndCountsDuplicates) {
  MessageStore s;
  s.start_at(10);
  const auto m12 = message(12), m10 = message(10, 36);
  EXPECT_EQ(s.add(12, m12.data(), m12.size()), MessageStore::Added::kStored);
  EXPECT_EQ(s.add(10, m10.data(), m10.size()), MessageStore::Added::kStored);
  EXPECT_EQ(s.add(12, m10.data(), m10.size()), MessageStore::Added::kDuplicate);
  EXPECT_EQ(s.add(9, m10.data(), m10.size()), MessageStore::Added::kBelowFirst);
  EXPECT_EQ(s.first(), 10u);
  EXPECT_EQ(s.end(), 13u);
  EXPECT_EQ(s.holes(), 1u);
  EXPECT_TRUE(s.at(11).empty());
  EXPECT_TRUE(s.at(13).empty());
  EXPECT_TRUE(s.at(0).empty());
  const auto got = s.at(12);
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.end()), m12);  // the first copy kept
  EXPECT_EQ(s.at(10).size(), 36u);
  EXPECT_EQ(s.counts().duplicates, 1u);
  EXPECT_EQ(s.counts().below_first, 1u);
}

TEST(RewindStore, GrowsDownwardsWithoutAFixedStart) {
  MessageStore s;
  const auto m = message(1);
  ASSERT_EQ(s.add(50, m.data(), m.size()), MessageStore::Added::kStored);
  ASSERT_EQ(s.add(40, m.data(), m.size()), MessageStore::Added::kStored);
  EXPECT_EQ(s.first(), 40u);
  EXPECT_EQ(s.end(), 51u);
  EXPECT_EQ(s.holes(), 9u);
  EXPECT_EQ(s.at(50).size(), 12u);
  EXPECT_EQ(s.at(40).size(), 12u);
}

TEST(RewindStore, AddsMoldPacketsOfItsSessionOnly) {
  MessageStore s;
  std::vector<uint8_t> buf(1500);
  sf::mold::PacketBuilder b(buf.data(), buf.size(), "SESSIONA", 5);
  for (uint64_t seq = 5; seq < 8; ++seq) ASSERT_TRUE(b.add(message(seq).data(), 12));
  const std::size_t n = b.finish();
  s.add_packet(buf.data(), n);
  EXPECT_EQ(s.session(), "SESSIONA  ");
  EXPECT_EQ(s.counts().stored, 3u);
  sf::mold::PacketBuilder other(buf.data(), buf.size(), "SESSIONB", 8);
  ASSERT_TRUE(other.add(message(8).data(), 12));
  s.add_packet(buf.data(), other.finish());
  s.add_packet(buf.data(), 19);  // truncated header
  std::vector<uint8_t> hb(20);
  s.add_packet(hb.data(), sf::mold::encode_heartbeat(hb.data(), "SESSIONA", 8));
  EXPECT_EQ(s.counts().other_session, 1u);
  EXPECT_EQ(s.counts().bad_packets, 1u);
  EXPECT_EQ(s.counts().packets, 1u);
  EXPECT_EQ(s.end(), 8u);
}

TEST(RewindAnswer, AnswersTheRangeAskedForInOnePacket) {
  const MessageStore s = store_of(1, 101);
  Responder r(s, {});
  std::vector<uint8_t> out(2048);
  std::size_t len = 0;
  const auto req = request("TESTSESS", 40, 5);
  ASSERT_EQ(r.answer(req.data(), req.size(), out, len), Outcome::kAnswered);
  sf::mold::PacketView v;
  ASSERT_EQ(sf::mold::parse(out.data(), len, v), sf::mold::Error::kOk);
  EXPECT_EQ(v.session(), "TESTSESS  ");
  EXPECT_EQ(v.sequence(), 40u);
  ASSERT_EQ(v.message_count(), 5u);
  for (const sf::mold::Block b : v)
    EXPECT_EQ(std::vector<uint8_t>(b.data, b.data + b.length), message(b.sequence)) << b.sequence;
  EXPECT_EQ(r.counts().messages, 5u);
}

TEST(RewindAnswer, StopsAtMaxPayloadAHoleOrTheEnd) {
  const MessageStore s = store_of(1, 101, {60});
  Responder small(s, {.max_payload = 20 + 3 * 14});  // header + three 12-byte blocks
  std::vector<uint8_t> out(2048);
  std::size_t len = 0;
  sf::mold::PacketView v;
  auto req = request("TESTSESS", 1, 50);
  ASSERT_EQ(small.answer(req.data(), req.size(), out, len), Outcome::kAnswered);
  ASSERT_EQ(sf::mold::parse(out.data(), len, v), sf::mold::Error::kOk);
  EXPECT_EQ(v.message_count(), 3u);
  Responder r(s, {});
  req = request("TESTSESS", 55, 20);
  ASSERT_EQ(r.answer(req.data(), req.size(), out, len), Outcome::kAnswered);
  ASSERT_EQ(sf::mold::parse(out.data(), len, v), sf::mold::Error::kOk);
  EXPECT_EQ(v.message_count(), 5u);  // 55..59, the hole at 60 ends it
  req = request("TESTSESS", 98, 20);
  ASSERT_EQ(r.answer(req.data(), req.size(), out, len), Outcome::kAnswered);
  ASSERT_EQ(sf::mold::parse(out.data(), len, v), sf::mold::Error::kOk);
  EXPECT_EQ(v.message_count(), 3u);
  req = request("TESTSESS", 60, 1);
  EXPECT_EQ(r.answer(req.data(), req.size(), out, len), Outcome::kNotAvailable);
  req = request("TESTSESS", 101, 1);
  EXPECT_EQ(r.answer(req.data(), req.size(), out, len), Outcome::kNotAvailable);
  EXPECT_EQ(len, 0u);
}

TEST(RewindAnswer, RefusesMalformedAndForeignRequests) {
  const MessageStore s = store_of(1, 11);
  Responder r(s, {});
  std::vector<uint8_t> out(2048);
  std::size_t len = 0;
  auto req = request("TESTSESS", 1, 1);
  EXPECT_EQ(r.answer(req.data(), 19, out, len), Outcome::kBadRequest);
  req.push_back(0);
  EXPECT_EQ(r.answer(req.data(), req.size(), out, len), Outcome::kBadRequest);
  req = request("TESTSESS", 1, 0);
  EXPECT_EQ(r.answer(req.data(), req.size(), out, len), Outcome::kBadRequest);
  req = request("OTHER", 1, 1);
  EXPECT_EQ(r.answer(req.data(), req.size(), out, len), Outcome::kOtherSession);
  EXPECT_EQ(r.counts().by_outcome[static_cast<int>(Outcome::kBadRequest)], 3u);
  EXPECT_EQ(r.counts().by_outcome[static_cast<int>(Outcome::kOtherSession)], 1u);
  EXPECT_EQ(r.counts().by_outcome[static_cast<int>(Outcome::kAnswered)], 0u);
}

TEST(RewindAnswer, IgnoresASeededShareOfRequests) {
  const MessageStore s = store_of(1, 11);
  std::vector<uint8_t> out(2048);
  std::size_t len = 0;
  const auto req = request("TESTSESS", 1, 1);
  auto ignored_pattern = [&](double share, uint64_t seed) {
    Responder r(s, {.ignore_share = share, .seed = seed});
    std::vector<bool> ignored;
    for (int i = 0; i < 4000; ++i)
      ignored.push_back(r.answer(req.data(), req.size(), out, len) == Outcome::kIgnored);
    return ignored;
  };
  const auto a = ignored_pattern(0.25, 7);
  EXPECT_EQ(a, ignored_pattern(0.25, 7));  // same seed, same requests ignored
  EXPECT_NE(a, ignored_pattern(0.25, 8));
  const auto n = std::count(a.begin(), a.end(), true);
  EXPECT_GT(n, 850);
  EXPECT_LT(n, 1150);
  const auto none = ignored_pattern(0, 1), all = ignored_pattern(1, 1);
  EXPECT_EQ(std::count(none.begin(), none.end(), true), 0);
  EXPECT_EQ(std::count(all.begin(), all.end(), true), 4000);
}

// ---- the real binary over loopback ----

namespace {

class RewindServer : public ::testing::Test {
 protected:
  void SetUp() override {
    rewind_ = env("SF_REWIND");
    feedgen_ = env("SF_FEEDGEN");
    ASSERT_FALSE(rewind_.empty() || feedgen_.empty()) << "SF_REWIND / SF_FEEDGEN not set by meson";
    dir_ = fs::temp_directory_path() / ("sf-rewind-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    pcap_ = dir_ / "feed.pcap";
    ASSERT_EQ(
        sf::testing::run(feedgen_ + " --seed 5 --messages 3000 --instruments 4 --session RWTEST0001 -q -o " +
                         pcap_.string()),
        0);
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    timeval tv{0, 200'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) ::close(fd_);
    fs::remove_all(dir_);
  }

  // Starts sf-rewind on 127.0.0.1 (a free port); its port, 0 when it did not start.
  uint16_t start(std::vector<std::string> args) {
    args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    log_ = dir_ / ("log" + std::to_string(++starts_));  // a fresh file: never an earlier server's line
    pid_ = sf::testing::start_logged(rewind_, args, log_);
    const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    std::smatch m;
    std::string log;
    sf::testing::wait_for(
        [&] {
          log = sf::testing::read_file(log_);
          return std::regex_search(log, m, listening);
        },
        10);
    return m.empty() ? 0 : static_cast<uint16_t>(std::stoi(m[1]));
  }

  // Sends a request; the answer's bytes (empty after `wait_ms` without one).
  std::vector<uint8_t> ask(uint16_t port, uint64_t seq, uint16_t count, int wait_ms = 2000,
                           std::string_view session = "RWTEST0001") {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    const auto req = request(session, seq, count);
    ::sendto(fd_, req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    std::vector<uint8_t> buf(65536);
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (std::chrono::steady_clock::now() < end) {
      const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n > 0) return {buf.begin(), buf.begin() + n};
    }
    return {};
  }

  // Stops the server; its totals line.
  std::string stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return sf::testing::read_file(log_);
  }

  std::string rewind_, feedgen_;
  fs::path dir_, pcap_, log_;
  int starts_ = 0;
  pid_t pid_ = -1;
  int fd_ = -1;
};

}  // namespace

TEST_F(RewindServer, AnswersReRequestsFromAPcap) {
  MessageStore reference;
  ASSERT_TRUE(load_pcap(pcap_.string(), {26477}, reference).ok);
  ASSERT_GT(reference.end(), 3000u);
  const uint16_t port = start({"--pcap", pcap_.string()});
  ASSERT_NE(port, 0);
  const auto answer = ask(port, 1000, 40);
  sf::mold::PacketView v;
  ASSERT_EQ(sf::mold::parse(answer.data(), answer.size(), v), sf::mold::Error::kOk);
  EXPECT_EQ(v.session(), "RWTEST0001");
  EXPECT_EQ(v.sequence(), 1000u);
  EXPECT_GT(v.message_count(), 10u);  // as many as fit in 1472 bytes
  EXPECT_LE(v.message_count(), 40u);
  for (const sf::mold::Block b : v) {
    const auto want = reference.at(b.sequence);
    EXPECT_EQ(std::vector<uint8_t>(b.data, b.data + b.length),
              std::vector<uint8_t>(want.begin(), want.end()));
  }
  EXPECT_TRUE(ask(port, 1000, 1, 300, "NOTOURS").empty());
  EXPECT_TRUE(ask(port, 999'999, 1, 300).empty());
  const std::string log = stop();
  EXPECT_NE(log.find("\"requests\":3,\"answered\":1,\"ignored\":0,\"bad_request\":0,\"other_session\":1,"
                     "\"not_available\":1"),
            std::string::npos)
      << log;
}

TEST_F(RewindServer, IgnoreAndDelaySwitches) {
  uint16_t port = start({"--pcap", pcap_.string(), "--ignore-share", "1"});
  ASSERT_NE(port, 0);
  EXPECT_TRUE(ask(port, 1, 1, 300).empty());
  EXPECT_NE(stop().find("\"ignored\":1"), std::string::npos);
  port = start({"--pcap", pcap_.string(), "--delay-ms", "300"});
  ASSERT_NE(port, 0);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(ask(port, 1, 1).empty());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(300));
  stop();
}

TEST_F(RewindServer, RecordsALiveFeedAndAnswersFromIt) {
  // The feed's UDP port for this test: another free loopback port, found by binding and releasing.
  const int probe = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::getsockname(probe, reinterpret_cast<sockaddr*>(&a), &alen), 0);
  ::close(probe);
  const uint16_t port = start({"--record", "127.0.0.1:" + std::to_string(ntohs(a.sin_port))});
  ASSERT_NE(port, 0);
  // Send the first 20 data packets of the pcap's feed to the recorder, as the exchange would.
  sf::io::PcapReader reader;
  ASSERT_TRUE(reader.open(pcap_.string()));
  sf::io::PcapPacket p;
  for (int sent = 0; sent < 20 && reader.next(p);) {
    sf::net::UdpDatagram d;
    if (sf::net::parse_udp(p.data, p.caplen, d) != sf::net::Error::kOk) continue;
    ::sendto(fd_, d.payload, d.payload_length, 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ++sent;
  }
  std::vector<uint8_t> answer;
  sf::testing::wait_for([&] { return !(answer = ask(port, 2, 3, 200)).empty(); }, 5);
  sf::mold::PacketView v;
  ASSERT_EQ(sf::mold::parse(answer.data(), answer.size(), v), sf::mold::Error::kOk);
  EXPECT_EQ(v.sequence(), 2u);
  EXPECT_EQ(v.message_count(), 3u);
  EXPECT_NE(stop().find("\"first\":1,"), std::string::npos);
}
