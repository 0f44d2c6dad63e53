// The GLIMPSE client and server over real kernel TCP on loopback (the server on a thread of this test):
// a snapshot at sequence N taken through SoupBinTCP equals a replay to N; refused credentials, an unknown
// session, no server and a silent server are clear errors, never half-loaded books reported as complete.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "snapshot_support.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/snapshot/client.hpp"
#include "sniperforge/snapshot/server.hpp"
#include "trading_config_fixture.hpp"

using namespace sf;
using sf::testing::MessageLog;
using sf::testing::Shards;

namespace {

class LogSource final : public snapshot::MessageSource {
 public:
  explicit LogSource(const MessageLog& l) : log_(l) {}
  [[nodiscard]] uint64_t next_sequence() const override { return log_.size() + 1; }
  [[nodiscard]] std::span<const uint8_t> message(uint64_t seq) const override { return log_.at_seq(seq); }

 private:
  const MessageLog& log_;
};

// The server polled on its own thread for the test's lifetime.
class ServerThread {
 public:
  ServerThread(snapshot::GlimpseServerOptions o, const snapshot::MessageSource& src)
      : server_(std::move(o), src) {
    std::string error;
    EXPECT_TRUE(server_.start(error)) << error;
    thread_ = std::thread([this] {
      while (!stop_.load()) server_.poll_once(5);
    });
  }
  ~ServerThread() {
    stop_.store(true);
    thread_.join();
  }
  [[nodiscard]] uint16_t port() const { return server_.port(); }
  [[nodiscard]] const snapshot::GlimpseServerCounts& counts() const { return server_.counts(); }

 private:
  snapshot::GlimpseServer server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string temp_dir() {
  const std::string d = "/tmp/sf_glimpse_session_" + std::to_string(getpid());
  std::filesystem::create_directories(d);
  return d;
}

std::string password_file(const std::string& text) {
  const std::string p = temp_dir() + "/GLMPS0";
  std::ofstream(p) << text << "\n";
  chmod(p.c_str(), 0600);
  return p;
}

snapshot::SnapshotConfig client_config(uint16_t port, const std::string& pw, uint32_t timeout_ms = 10000) {
  snapshot::SnapshotConfig c;
  c.enabled = true;
  c.server_ip = {127, 0, 0, 1};
  c.server_port = port;
  c.username = "GLMPS0";
  c.password_file = pw;
  c.timeout_ms = timeout_ms;
  return c;
}

snapshot::GlimpseServerOptions server_options(uint64_t snapshot_at) {
  snapshot::GlimpseServerOptions o;
  o.passwords["GLMPS0"] = "secret1";
  o.snapshot_at = snapshot_at;
  o.books.max_orders = 100'000;
  o.books.max_levels_total = 1 << 18;
  return o;
}

const std::string kConfig = sf::testing::with_two_snipers(
    "[trading]\nshards = 2\n[book]\nmax_orders = 100000\nmax_instruments = 500\n");

MessageLog feed() {
  feedgen::Config c;
  c.seed = 11;
  c.instruments = 30;
  c.messages = 40'000;
  c.live_orders = 2000;
  feedgen::MessageGenerator gen(c);
  MessageLog log;
  std::array<uint8_t, 64> buf{};
  while (const std::size_t n = gen.next(buf.data())) log.add(buf.data(), n);
  return log;
}

}  // namespace

TEST(GlimpseSession, SnapshotOverTcpEqualsReplay) {
  const MessageLog log = feed();
  const LogSource src(log);
  ServerThread server(server_options(25'000), src);
  const trade::TradingConfig cfg = sf::testing::trading_config(kConfig);
  Shards reference(cfg), restored(cfg);
  reference.replay(log, 1, 25'000);
  snapshot::SnapshotLoader loader(restored.pointers());
  const snapshot::FetchResult r =
      snapshot::fetch_snapshot(client_config(server.port(), password_file("secret1")), loader);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(loader.next_sequence(), 25'000u);
  EXPECT_EQ(r.messages, loader.counts().applied + 1);
  for (uint32_t s = 0; s < 2; ++s)
    EXPECT_GT(
        sf::testing::expect_same_books(reference.engines[s]->books(), restored.engines[s]->books(), "tcp"),
        0u);
  // A second login gets the same snapshot (the server's books are not advanced twice).
  Shards again(cfg);
  snapshot::SnapshotLoader loader2(again.pointers());
  ASSERT_TRUE(snapshot::fetch_snapshot(client_config(server.port(), password_file("secret1")), loader2).ok);
  EXPECT_EQ(loader2.counts().applied, loader.counts().applied);
  EXPECT_EQ(server.counts().snapshots, 2u);
  EXPECT_EQ(server.counts().invalid_stored, 0u);
}

TEST(GlimpseSession, WrongPasswordIsRejected) {
  const MessageLog log = feed();
  const LogSource src(log);
  ServerThread server(server_options(0), src);
  Shards into(sf::testing::trading_config(kConfig));
  snapshot::SnapshotLoader loader(into.pointers());
  const snapshot::FetchResult r =
      snapshot::fetch_snapshot(client_config(server.port(), password_file("wrong")), loader);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "login rejected");
  EXPECT_EQ(r.error.find("wrong"), std::string::npos);  // never the password
  EXPECT_EQ(into.engines[0]->books().live_orders(), 0u);
  EXPECT_EQ(server.counts().rejected, 1u);
}

TEST(GlimpseSession, NoServerIsAnError) {
  // A port nobody listens on: bind one, close it, connect there.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  Shards into(sf::testing::trading_config(kConfig));
  snapshot::SnapshotLoader loader(into.pointers());
  const snapshot::FetchResult r =
      snapshot::fetch_snapshot(client_config(ntohs(a.sin_port), password_file("secret1"), 2000), loader);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("connect"), std::string::npos) << r.error;
}

TEST(GlimpseSession, SilentServerTimesOut) {
  // Listens (the kernel completes the handshake) but never answers the login.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  Shards into(sf::testing::trading_config(kConfig));
  snapshot::SnapshotLoader loader(into.pointers());
  const auto t0 = std::chrono::steady_clock::now();
  const snapshot::FetchResult r =
      snapshot::fetch_snapshot(client_config(ntohs(a.sin_port), password_file("secret1"), 600), loader);
  close(fd);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}
