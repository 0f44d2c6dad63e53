// The control plane end to end without DPDK: real Engines served by an "executor" thread through the
// per-executor rings (control/channel.hpp), the Controller, the Unix socket server with SO_PEERCRED, and the
// client sf-ctl uses. The thread also plays the venue for kill: it acknowledges the Cancels it is given
// (unless told not to), as an OUCH Order Canceled applied through Engine::on_venue_event.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "../book/itch_builder.hpp"
#include "sniperforge/control/client.hpp"
#include "sniperforge/control/server.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "trading_config_fixture.hpp"

using namespace sf;
using namespace sf::control;
using sf::test::ItchBuilder;

namespace {

const std::string kConfig = sf::testing::config(
    {"\n[trading]\nshards = 2\n", sf::testing::kBook, sf::testing::kRisk, sf::testing::kSniper});

struct Fixture : ::testing::Test {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("sf_control_test_" + std::to_string(::getpid()));
  std::string socket = (dir / "control.sock").string();
  std::string config = (dir / "sniperforge.toml").string();
  trade::TradingConfig cfg;
  std::vector<std::unique_ptr<trade::Engine>> engines;
  std::unique_ptr<ExecutorChannel> channel;
  std::unique_ptr<Controller> controller;
  std::unique_ptr<ControlServer> server;
  std::thread executor;
  std::atomic<bool> stop{false};
  std::atomic<bool> venue_answers{true};
  std::atomic<uint64_t> cancels_sent{0};

  void SetUp() override {
    std::filesystem::create_directories(dir);
    std::ofstream(config) << kConfig;
    std::vector<std::string> errors;
    cfg = trade::parse_trading_config(toml::parse(kConfig), errors);
    ASSERT_TRUE(errors.empty());
    std::array<trade::OrderRequest, 8> storage{};
    trade::OrderSink sink(storage);
    for (uint32_t s = 0; s < 2; ++s) {
      engines.push_back(std::make_unique<trade::Engine>(cfg, s));
      ItchBuilder b;  // locate 2 -> shard 0 (locate % 2)
      b.directory(2, "SF0000").add(2, 1, 'B', 100, 200000).add(2, 2, 'S', 100, 200600);
      for (std::size_t i = 0; i < b.size(); ++i) engines[s]->on_itch(b[i], i + 1, 0, sink);
    }
    // One open order on shard 0 (accepted by the venue).
    sink.clear();
    ASSERT_EQ(engines[0]->submit({book::Side::kBuy, 200600, 10, trade::kTifDay}, 2, 50, 0, sink),
              trade::Reject::kNone);
    engines[0]->on_venue_event({.type = trade::VenueEventType::kAccepted,
                                .user_ref_num = sink[0].user_ref_num,
                                .shares = 10,
                                .price = 200600,
                                .side = 'B',
                                .symbol = sink[0].symbol});
    channel = std::make_unique<ExecutorChannel>(2);
    channel->rows.reserve(64);
    executor = std::thread([this] { run_executor(); });
    while (!channel->running.load()) std::this_thread::yield();
  }

  void run_executor() {
    std::array<trade::Engine*, 2> hosted{engines[0].get(), engines[1].get()};
    std::array<trade::CancelRequest, kCancelsPerCommand> scratch{};
    std::vector<std::pair<uint32_t, trade::CancelRequest>> to_ack;
    to_ack.reserve(64);
    channel->running.store(true);
    while (!stop.load()) {
      serve_control(*channel, hosted, scratch, [&](uint32_t shard, std::span<const trade::CancelRequest> c) {
        cancels_sent += c.size();
        for (const auto& r : c) to_ack.emplace_back(shard, r);
      });
      if (venue_answers.load())
        for (const auto& [shard, c] : to_ack)
          engines[shard]->on_venue_event(
              {.type = trade::VenueEventType::kCanceled, .user_ref_num = c.user_ref_num, .shares = 10});
      if (venue_answers.load()) to_ack.clear();
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }

  void start(std::vector<uid_t> allow_uids, Controller::Options opt = {}) {
    controller = std::make_unique<Controller>(
        cfg, config, std::vector<const trade::Engine*>{engines[0].get(), engines[1].get()},
        std::vector<ExecutorChannel*>{channel.get()}, opt);
    ControlConfig cc;
    cc.enabled = true;
    cc.socket = socket;
    cc.allow_uids = std::move(allow_uids);
    server = std::make_unique<ControlServer>(cc, *controller);
    std::string error;
    ASSERT_TRUE(server->start(error)) << error;
  }

  Response ctl(std::vector<std::string> args, bool json = false) {
    std::string error;
    auto r = request(socket, args, json, error);
    EXPECT_TRUE(r) << error;
    return r.value_or(Response{99, error});
  }

  void TearDown() override {
    if (server) server->stop();
    stop.store(true);
    if (executor.joinable()) executor.join();
    std::filesystem::remove_all(dir);
  }
};

bool has(const Response& r, std::string_view s) {
  return r.body.find(s) != std::string::npos;
}

}  // namespace

TEST_F(Fixture, SocketIsMode0660AndStatusShowsEveryShard) {
  start({::getuid()});
  struct stat st {};
  ASSERT_EQ(::stat(socket.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  const Response r = ctl({"status"}, true);
  EXPECT_EQ(r.exit, 0) << r.body;
  EXPECT_TRUE(has(r, "{\"shards\":[{\"shard\":0,\"trading_state\":\"active\"")) << r.body;
  EXPECT_TRUE(has(r, "{\"shard\":1,\"trading_state\":\"active\"")) << r.body;
  EXPECT_TRUE(has(r, "\"open_orders\":1")) << r.body;
  EXPECT_TRUE(has(r, "\"shards_answered\":2")) << r.body;
}

TEST_F(Fixture, KillCancelsEveryOpenOrderAndWaitsForTheAcks) {
  start({::getuid()});
  const Response k = ctl({"kill"});
  EXPECT_EQ(k.exit, 0) << k.body;
  EXPECT_TRUE(has(k, "1 cancels sent")) << k.body;
  EXPECT_TRUE(has(k, "every open order's cancel was acknowledged")) << k.body;
  EXPECT_EQ(cancels_sent.load(), 1u);
  EXPECT_TRUE(has(ctl({"status"}, true), "\"trading_state\":\"killed\""));
  EXPECT_EQ(ctl({"unkill"}).exit, 0);
  EXPECT_FALSE(has(ctl({"status"}, true), "killed"));
  EXPECT_EQ(controller->stats().count_of("kill", "ok"), 1u);
  EXPECT_EQ(controller->stats().count_of("unkill", "ok"), 1u);
  EXPECT_EQ(controller->stats().count_of("status", "ok"), 2u);
}

TEST_F(Fixture, KillTimesOutListingWhatIsStillOpen) {
  venue_answers.store(false);
  start({::getuid()},
        {.reply_timeout = std::chrono::milliseconds(1000), .kill_timeout = std::chrono::milliseconds(100)});
  const Response k = ctl({"kill"});
  EXPECT_EQ(k.exit, 1) << k.body;
  EXPECT_TRUE(has(k, "shard 0: 1 cancels sent")) << k.body;
  EXPECT_TRUE(has(k, "; 1 orders still open (UserRefNum ")) << k.body;
  EXPECT_EQ(controller->stats().count_of("kill", "orders_still_open"), 1u);
}

TEST_F(Fixture, RefusedValuesChangeNothing) {
  start({::getuid()});
  const std::string before = ctl({"status"}, true).body;
  const std::string limits = ctl({"limits", "show"}).body;
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"limits", "set", "max_position=-1"},
                                             {"limits", "set", "max_position=abc"},
                                             {"limits", "set", "collar_bps=99999"},
                                             {"limits", "set", "nope=1"},
                                             {"limits", "set", "max_position=1", "--symbol", "NOPE"},
                                             {"limits", "set", "max_open_orders=1", "--symbol", "SF0000"},
                                             {"limits", "set", "max_position=-1", "--symbol", "SF0000"},
                                             {"state", "sideways"},
                                             {"state", "halted", "--symbol", "NOPE"},
                                             {"strategy", "set", "0", "shares=0"},
                                             {"strategy", "disable", "nope"},
                                             {"frobnicate"},
                                             {"books", "NOPE"}}) {
    const Response r = ctl(bad);
    EXPECT_EQ(r.exit, 2) << bad[0] << ": " << r.body;
    EXPECT_TRUE(has(r, "error: ")) << r.body;
  }
  EXPECT_EQ(ctl({"status"}, true).body, before);
  EXPECT_EQ(ctl({"limits", "show"}).body, limits);
  EXPECT_TRUE(has(ctl({"limits", "set", "max_position=-1"}), "risk.max_position: must be in 0.."));
  EXPECT_TRUE(has(ctl({"state", "halted", "--symbol", "NOPE"}), "unknown symbol"));
  // Counted by command and result; what a peer typed never becomes a label ("frobnicate" is "unknown").
  const telemetry::ControlStats& st = controller->stats();
  EXPECT_EQ(st.count_of("limits_set", "invalid"), 7u);
  EXPECT_EQ(st.count_of("limits_set", "unknown_symbol"), 1u);
  EXPECT_EQ(st.count_of("state", "unknown_symbol"), 2u);
  EXPECT_EQ(st.count_of("state", "invalid"), 1u);
  EXPECT_EQ(st.count_of("strategy_set", "invalid"), 1u);
  EXPECT_EQ(st.count_of("unknown", "invalid"), 1u);
  EXPECT_EQ(st.count_of("books", "invalid"), 1u);
  EXPECT_EQ(st.count_of("status", "ok"), 2u);
}

TEST_F(Fixture, StateLimitsStrategyAndBooks) {
  start({::getuid()});
  EXPECT_EQ(ctl({"state", "reducing"}).exit, 0);
  EXPECT_TRUE(has(ctl({"status"}, true), "\"trading_state\":\"reducing\""));
  EXPECT_EQ(ctl({"state", "halted", "--symbol", "SF0000"}).exit, 0);
  const Response l = ctl({"limits", "set", "max_position=400"});
  EXPECT_EQ(l.exit, 0) << l.body;
  EXPECT_TRUE(has(l, "max_position: 500 -> 400")) << l.body;
  EXPECT_TRUE(has(ctl({"limits", "show"}), "max_position = 400"));
  // A symbol's own limit: the stricter of it and the shard's applies (trade_control tests the gate).
  const Response sl = ctl({"limits", "set", "max_order_notional=5000", "--symbol", "SF0000"});
  EXPECT_EQ(sl.exit, 0) << sl.body;
  EXPECT_TRUE(has(sl, "SF0000.max_order_notional: none -> 5000.0000")) << sl.body;
  EXPECT_TRUE(
      has(ctl({"limits", "show"}), "SF0000.max_order_notional = 5000.0000\nSF0000.collar_bps = none"));
  const Response sj = ctl({"limits", "show"}, true);
  EXPECT_TRUE(has(sj, "\"SF0000.max_order_notional\":5000.0000")) << sj.body;
  const Response ul = ctl({"limits", "set", "max_position=10", "--symbol", "NOPE"});
  EXPECT_EQ(ul.exit, 2);
  EXPECT_TRUE(has(ul, "unknown symbol")) << ul.body;
  EXPECT_FALSE(has(ctl({"limits", "show"}), "NOPE"));
  EXPECT_EQ(ctl({"strategy", "disable", "sniper/SF0000/buy"}).exit, 0);
  EXPECT_TRUE(has(ctl({"strategy", "list"}), "enabled=false"));
  const Response b = ctl({"books", "SF0000"}, true);
  EXPECT_EQ(b.exit, 0) << b.body;
  EXPECT_TRUE(has(b, "\"bid_px\":200000")) << b.body;
  EXPECT_TRUE(has(b, "\"ask_px\":200600")) << b.body;
}

TEST_F(Fixture, ReloadIsAllOrNothing) {
  start({::getuid()});
  std::string bad(kConfig);
  bad.replace(bad.find("collar_bps = 100"), 16, "collar_bps = -5 ");
  bad.replace(bad.find("max_position = 500"), 18, "max_position = 450");
  std::ofstream(config) << bad;
  const std::string limits = ctl({"limits", "show"}).body;
  const Response r = ctl({"reload"});
  EXPECT_EQ(r.exit, 2) << r.body;
  EXPECT_TRUE(has(r, "risk.collar_bps")) << r.body;
  EXPECT_TRUE(has(r, "nothing changed")) << r.body;
  EXPECT_EQ(ctl({"limits", "show"}).body, limits);

  std::string good(kConfig);
  good.replace(good.find("max_position = 500"), 18, "max_position = 450");
  std::ofstream(config) << good;
  const Response ok = ctl({"reload"});
  EXPECT_EQ(ok.exit, 0) << ok.body;
  EXPECT_TRUE(has(ok, "risk.max_position: 500 -> 450")) << ok.body;
  EXPECT_TRUE(has(ctl({"limits", "show"}), "max_position = 450"));
}

TEST_F(Fixture, PeerNotAllowedIsRefusedAndCounted) {
  start({::getuid() + 4242});  // nobody we are
  const Response r = ctl({"kill"});
  EXPECT_EQ(r.exit, 1);
  EXPECT_TRUE(has(r, "refused: uid")) << r.body;
  EXPECT_EQ(server->refused(), 1u);
  EXPECT_FALSE(engines[0]->risk().kill_switch());
}
