// The real appliance with its exporter on: replay a generated feed (net_pcap), scrape /metrics,
// compare with the feed generator's counts and the binary's own --stats-file; a real Prometheus
// server scrapes it; 500 scrapes during a replay change nothing; /ready turns 503 when the feed
// goes quiet. Paths come from meson (SF_SNIPERFORGE, SF_FEEDGEN, SF_REPLAY_CONFIG, SF_PROMETHEUS).
#include <gtest/gtest.h>

#include <sys/ptrace.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include <toml++/toml.h>

#include "process_support.hpp"
#include "sniperforge/telemetry/stat_tables.hpp"

namespace sf::telemetry::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Replay : public ::testing::Test {
 protected:
  void SetUp() override {
    sniperforge_ = env_or_empty("SF_SNIPERFORGE");
    feedgen_ = env_or_empty("SF_FEEDGEN");
    config_ = env_or_empty("SF_REPLAY_CONFIG");
    ASSERT_FALSE(sniperforge_.empty() || feedgen_.empty() || config_.empty())
        << "SF_SNIPERFORGE, SF_FEEDGEN and SF_REPLAY_CONFIG must be set (meson does)";
    // The example replay config with a short feed-staleness limit for /ready (edited as TOML, so
    // whatever [telemetry] keys it already has stay valid; --metrics-addr turns the exporter on).
    toml::table root;
    try {
      root = toml::parse_file(config_);
    } catch (const toml::parse_error& e) {
      FAIL() << config_ << ": " << e.what();
    }
    if (!root.contains("telemetry")) root.insert("telemetry", toml::table{});
    toml::table& tel = *root["telemetry"].as_table();
    tel.insert_or_assign("interval_ms", 50);
    tel.insert_or_assign("heartbeat_timeout_ms", 1000);
    tel.insert_or_assign("feed_stale_ms", 300);
    // Both lcore layouts explicitly (the example config says "auto", which depends on the machine):
    // replay.toml = pipeline (separate RX and executor lcores), replay-rtc.toml = run-to-completion.
    if (!root.contains("lcores")) root.insert("lcores", toml::table{});
    toml::table& lc = *root["lcores"].as_table();
    lc.insert_or_assign("mode", "pipeline");
    std::ofstream(dir_.path / "replay.toml") << root << "\n";
    lc.insert_or_assign("mode", "run_to_completion");
    std::ofstream(dir_.path / "replay-rtc.toml") << root << "\n";
  }

  FeedSummary generate(uint64_t messages, const std::string& name,
                       const std::vector<std::string>& extra = {}) {
    const fs::path log = dir_.path / (name + ".feedgen.log");
    std::vector<std::string> argv = {feedgen_, "-o", (dir_.path / name).string(), "--messages",
                                     std::to_string(messages)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    Child g(argv, log);
    EXPECT_TRUE(g.started());
    while (g.alive()) std::this_thread::sleep_for(10ms);
    return parse_feedgen_summary(read_file(log));
  }

  std::unique_ptr<Child> start(const std::string& feed, uint16_t port, const std::string& tag,
                               const std::string& config = "replay.toml",
                               const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{sniperforge_,
                                  "--config",
                                  (dir_.path / config).string(),
                                  "--rx-pcap",
                                  (dir_.path / feed).string(),
                                  "--tx-pcap",
                                  (dir_.path / (tag + ".tx.pcap")).string(),
                                  "--stats-file",
                                  (dir_.path / (tag + ".stats")).string(),
                                  "--metrics-addr",
                                  "127.0.0.1:" + std::to_string(port),
                                  "--hold"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<Child>(argv, dir_.path / (tag + ".log"));
  }

  // With --hold the lcores keep polling after the pcap is exhausted: the replay is over when every
  // message went through the executors and the order counters stopped moving (two scrapes agree).
  // Returns the final /metrics body, empty on timeout or exit.
  std::string wait_replayed(Child& c, uint16_t port, uint64_t messages, std::chrono::seconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    std::string prev;
    while (std::chrono::steady_clock::now() < end && c.alive()) {
      const HttpResponse m = http_get(port, "/metrics");
      if (m.status == 200 &&
          sum_samples(m.body, "sniperforge_executor_events_total") == static_cast<double>(messages)) {
        const double tx = sum_samples(m.body, "sniperforge_tx_packets_total");
        const double sent = sum_samples(m.body, "sniperforge_orders_sent_total");
        if (!prev.empty() && tx == sum_samples(prev, "sniperforge_tx_packets_total") &&
            sent == sum_samples(prev, "sniperforge_orders_sent_total"))
          return m.body;
        prev = m.body;
      }
      std::this_thread::sleep_for(100ms);
    }
    return {};
  }

  // Skips (with the reason) only when the binary shows no sign of an exporter at all.
  bool exporter_up(uint16_t port) {
    for (int i = 0; i < 100; ++i) {
      if (http_get(port, "/metrics").status == 200) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  // Replays a 20k-message feed with `config`; scraped counts vs sf-feedgen, sf-backtest, --stats-file.
  void check_scraped_counters(const std::string& config);

  TempDir dir_;
  std::string sniperforge_, feedgen_, config_;
};

#define SF_REQUIRE_EXPORTER(child, port)                                                                \
  do {                                                                                                  \
    if (!exporter_up(port)) {                                                                           \
      const std::string log_ = (child).log();                                                           \
      if (log_.find("telemetry") == std::string::npos)                                                  \
        GTEST_SKIP() << "sniperforge did not start the telemetry exporter (src/app does not create "    \
                        "StatsLcore yet); log:\n"                                                       \
                     << log_;                                                                           \
      FAIL() << "exporter announced but /metrics unreachable on port " << (port) << "; log:\n" << log_; \
    }                                                                                                   \
  } while (0)

void Replay::check_scraped_counters(const std::string& config) {
  const FeedSummary feed = generate(20000, "feed.pcap");
  ASSERT_EQ(feed.messages, 20000u);
  const uint16_t port = free_port();
  auto app = start("feed.pcap", port, "run", config);
  SF_REQUIRE_EXPORTER(*app, port);
  const std::string t = wait_replayed(*app, port, feed.messages, 120s);
  ASSERT_FALSE(t.empty()) << "replay did not complete; log:\n" << app->log();
  // Prometheus' linter accepts the live exposition.
  if (const std::string promtool = env_or_empty("SF_PROMTOOL"); !promtool.empty()) {
    std::ofstream(dir_.path / "live.txt") << t;
    Child check({"/bin/sh", "-c", promtool + " check metrics < " + (dir_.path / "live.txt").string()},
                dir_.path / "promtool.log");
    while (check.alive()) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(check.stop(), 0) << read_file(dir_.path / "promtool.log");
    EXPECT_EQ(read_file(dir_.path / "promtool.log"), "");
  }
  // The lcores keep polling under --hold: healthy.
  EXPECT_EQ(http_get(port, "/health").status, 200);

  EXPECT_EQ(sum_samples(t, "sniperforge_feed_messages_total"), static_cast<double>(feed.messages));
  for (const auto& [type, n] : feed.by_type)
    EXPECT_EQ(sum_samples(t, "sniperforge_feed_messages_total", std::string("type=\"") + type + "\""),
              static_cast<double>(n))
        << type;
  EXPECT_EQ(sum_samples(t, "sniperforge_feed_packets_total"), static_cast<double>(feed.frames));
  EXPECT_EQ(sum_samples(t, "sniperforge_feed_gaps_total"), 0);
  EXPECT_EQ(sum_samples(t, "sniperforge_feed_drops_total"), 0);
  EXPECT_EQ(sum_samples(t, "sniperforge_ring_enqueued_total"), static_cast<double>(feed.messages));
  EXPECT_EQ(sum_samples(t, "sniperforge_ring_dropped_full_total"), 0);
  EXPECT_EQ(sum_samples(t, "sniperforge_executor_events_total"), static_cast<double>(feed.messages));
  const double orders = sum_samples(t, "sniperforge_orders_sent_total");
  EXPECT_GT(orders, 0) << "the feed makes the example sniper rules fire";
  // Known order counts: the same Engine and config run by sf-backtest over the same pcap.
  if (const std::string backtest = env_or_empty("SF_BACKTEST"); !backtest.empty()) {
    Child bt({backtest, "--config", (dir_.path / "replay.toml").string(), "--orders",
              (dir_.path / "bt.csv").string(), (dir_.path / "feed.pcap").string()},
             dir_.path / "bt.log");
    while (bt.alive()) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(bt.stop(), 0) << read_file(dir_.path / "bt.log");
    std::istringstream csv(read_file(dir_.path / "bt.csv"));
    std::string line;
    std::getline(csv, line);
    ASSERT_EQ(line, "seq,symbol,side,shares,price,user_ref_num");
    double buys = 0, sells = 0;
    while (std::getline(csv, line)) {
      const auto c1 = line.find(',');
      const char side = line[line.find(',', c1 + 1) + 1];
      (side == 'B' ? buys : sells) += 1;
    }
    EXPECT_EQ(sum_samples(t, "sniperforge_orders_sent_total", "side=\"buy\""), buys);
    EXPECT_EQ(sum_samples(t, "sniperforge_orders_sent_total", "side=\"sell\""), sells);
    EXPECT_EQ(sum_samples(t, "sniperforge_trade_orders_total"), buys + sells);
  }
  EXPECT_EQ(sum_samples(t, "sniperforge_latency_seconds_count", "stage=\"tick_to_trade\""), orders);
  EXPECT_EQ(sum_samples(t, "sniperforge_nic_rx_packets_total"), static_cast<double>(feed.frames));
  EXPECT_EQ(sum_samples(t, "sniperforge_build_info"), 1);

  // The feed is over: /ready says so (feed_stale_ms = 300).
  std::this_thread::sleep_for(500ms);
  const HttpResponse r = http_get(port, "/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("feed quiet"), std::string::npos) << r.body;

  ASSERT_EQ(app->stop(), 0) << app->log();
  const auto stats = parse_stats_file(read_file(dir_.path / "run.stats"));
  ASSERT_FALSE(stats.empty()) << "no --stats-file written";
  EXPECT_EQ(stats.at("messages"), feed.messages);
  EXPECT_EQ(stats.at("packets"), feed.frames);
  EXPECT_EQ(static_cast<double>(stats.at("orders_buy")),
            sum_samples(t, "sniperforge_orders_sent_total", "side=\"buy\""));
  EXPECT_EQ(static_cast<double>(stats.at("orders_sell")),
            sum_samples(t, "sniperforge_orders_sent_total", "side=\"sell\""));
  EXPECT_EQ(static_cast<double>(stats.at("tx_packets")), sum_samples(t, "sniperforge_tx_packets_total"));
  // Every descriptor row (stat_tables.hpp) reached the scrape and the stats file, and both agree.
  auto check_rows = [&](const auto& table) {
    for (const auto& d : table) {
      std::string series(d.metric);
      series += '{';
      EXPECT_NE(t.find(series), std::string::npos) << d.metric;
      for_each_key(d, kMaxExecutors,
                   [&](const std::string& key, std::size_t) { EXPECT_EQ(stats.count(key), 1u) << key; });
      if (d.kind == StatKind::kCounter && !d.role.empty()) continue;  // shared family: rx + executor
      if (d.kind == StatKind::kCounter && (!d.is_array() || d.total)) {
        EXPECT_EQ(static_cast<double>(stats.at(std::string(d.key))), sum_samples(t, std::string(d.metric)))
            << d.key;
      }
    }
  };
  check_rows(rx_stat_descs());
  check_rows(executor_stat_descs());
}

TEST_F(Replay, ScrapedCountersEqualTheFeedAndTheStatsFilePipeline) {
  check_scraped_counters("replay.toml");
}
TEST_F(Replay, ScrapedCountersEqualTheFeedAndTheStatsFileRunToCompletion) {
  check_scraped_counters("replay-rtc.toml");
}

// A faulty feed (sf-feedgen drops and duplicates packets): the exporter reports exactly the gaps and
// duplicates the generator made, and every message is either received or counted missing.
TEST_F(Replay, GapsAndDuplicatesAreCountedAsTheFeedHasThem) {
  const FeedSummary feed = generate(20000, "faulty.pcap", {"--gap-rate", "0.02", "--dup-rate", "0.02"});
  ASSERT_GT(feed.gaps, 0u);
  ASSERT_GT(feed.duplicates, 0u);
  const uint16_t port = free_port();
  auto app = start("faulty.pcap", port, "faulty");
  SF_REQUIRE_EXPORTER(*app, port);
  std::string t;
  for (int i = 0; i < 600 && app->alive(); ++i) {  // done when received + missing = all, and stable
    const HttpResponse m = http_get(port, "/metrics");
    const double got = sum_samples(m.body, "sniperforge_feed_messages_total") +
                       sum_samples(m.body, "sniperforge_feed_gap_messages_total");
    if (m.status == 200 && got == static_cast<double>(feed.messages) &&
        sum_samples(m.body, "sniperforge_ring_dequeued_total") ==
            sum_samples(m.body, "sniperforge_ring_enqueued_total")) {
      t = m.body;
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_FALSE(t.empty()) << app->log();
  EXPECT_EQ(sum_samples(t, "sniperforge_feed_gaps_total"), static_cast<double>(feed.gaps));
  EXPECT_EQ(sum_samples(t, "sniperforge_feed_duplicate_packets_total"), static_cast<double>(feed.duplicates));
  EXPECT_GT(sum_samples(t, "sniperforge_feed_gap_messages_total"), 0);
  EXPECT_GT(sum_samples(t, "sniperforge_feed_books_marked_stale_total"), 0);
  EXPECT_EQ(sum_samples(t, "sniperforge_feed_drops_total"), 0);
  EXPECT_EQ(sum_samples(t, "sniperforge_executor_events_total"),
            sum_samples(t, "sniperforge_feed_messages_total"));
  // A gap makes the books stale (no recovery in replay): exported, and /ready says so.
  EXPECT_GT(sum_samples(t, "sniperforge_books_stale"), 0);
  const HttpResponse r = http_get(port, "/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("stale book(s)"), std::string::npos) << r.body;
  ASSERT_EQ(app->stop(), 0) << app->log();
  const auto stats = parse_stats_file(read_file(dir_.path / "faulty.stats"));
  EXPECT_EQ(static_cast<double>(stats.at("gaps")), sum_samples(t, "sniperforge_feed_gaps_total"));
  EXPECT_EQ(static_cast<double>(stats.at("gap_messages")),
            sum_samples(t, "sniperforge_feed_gap_messages_total"));
  // The stats side logged the gaps from the RX lcore's binary log ring.
  EXPECT_NE(app->log().find("feed gap: expected seq"), std::string::npos) << app->log();
}

TEST_F(Replay, ManyScrapesDuringAReplayChangeNoCountAndLoseNoMessage) {
  const FeedSummary feed = generate(2'000'000, "big.pcap");
  ASSERT_EQ(feed.messages, 2'000'000u);
  // Baseline without scrapes.
  const uint16_t p0 = free_port();
  auto base = start("big.pcap", p0, "base");
  SF_REQUIRE_EXPORTER(*base, p0);
  ASSERT_FALSE(wait_replayed(*base, p0, feed.messages, 300s).empty()) << base->log();
  ASSERT_EQ(base->stop(), 0);
  const auto want = parse_stats_file(read_file(dir_.path / "base.stats"));
  ASSERT_FALSE(want.empty());

  const uint16_t port = free_port();
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, during{0};
  std::atomic<bool> replay_done{false};
  auto app = start("big.pcap", port, "scraped");
  SF_REQUIRE_EXPORTER(*app, port);  // up before the lcores launch
  std::vector<std::thread> scrapers;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 2; ++i)
    scrapers.emplace_back([&] {
      while (!stop.load() && ok.load() < 500 && std::chrono::steady_clock::now() - t0 < 10s) {
        if (http_get(port, "/metrics").status == 200) {
          ++ok;
          if (!replay_done.load()) ++during;
        }
      }
    });
  const bool done = !wait_replayed(*app, port, feed.messages, 300s).empty();
  replay_done = true;
  for (auto& s : scrapers) s.join();
  ASSERT_TRUE(done) << app->log();
  std::printf("scrapes: %d within 10 s, %d of them before the replay ended\n", ok.load(), during.load());
  EXPECT_GE(ok.load(), 500);
  ASSERT_EQ(app->stop(), 0);
  const auto got = parse_stats_file(read_file(dir_.path / "scraped.stats"));
  EXPECT_EQ(got.at("messages"), feed.messages);
  EXPECT_EQ(got.at("ring_dropped_full"), 0u);
  EXPECT_EQ(got.at("drops"), 0u);
  for (const char* k : {"packets", "messages", "ring_enqueued", "executor_events", "orders_buy",
                        "orders_sell", "tx_packets", "gaps", "risk_accepted"})
    EXPECT_EQ(got.at(k), want.at(k)) << k;
  EXPECT_EQ(read_file(dir_.path / "scraped.tx.pcap").size(), read_file(dir_.path / "base.tx.pcap").size());
}

// A stalled lcore without any hook in the binary: the test ptrace-stops only the executor's
// thread (DPDK names it rte-worker-<lcore>), so the HTTP threads keep answering; /health must
// turn 503 naming that lcore, and 200 again once the thread runs; no message may be lost.
pid_t find_thread(pid_t pid, const std::string& comm) {
  std::error_code ec;
  for (const auto& t : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::string name = read_file(t.path() / "comm");
    while (!name.empty() && name.back() == '\n') name.pop_back();
    if (name == comm) return static_cast<pid_t>(std::stol(t.path().filename().string()));
  }
  return -1;
}

TEST_F(Replay, HealthTurns503WhileAnLcoreStallsAndRecovers) {
  const FeedSummary feed = generate(20000, "feed.pcap");
  const uint16_t port = free_port();
  auto app = start("feed.pcap", port, "stall");
  SF_REQUIRE_EXPORTER(*app, port);
  ASSERT_FALSE(wait_replayed(*app, port, feed.messages, 120s).empty()) << app->log();
  ASSERT_EQ(http_get(port, "/health").status, 200);

  const std::string m = http_get(port, "/metrics").body;
  std::smatch lm;
  ASSERT_TRUE(std::regex_search(
      m, lm, std::regex(R"re(sniperforge_lcore_polls_total\{lcore="(\d+)",role="executor"\})re")))
      << m;
  const std::string lcore = lm[1];
  const pid_t tid = find_thread(app->pid(), "rte-worker-" + lcore);
  ASSERT_GT(tid, 0) << "no thread rte-worker-" << lcore;
  if (::ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0)
    GTEST_SKIP() << "ptrace not permitted here: " << std::strerror(errno);
  ASSERT_EQ(::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr), 0) << std::strerror(errno);
  int st = 0;
  ASSERT_EQ(::waitpid(tid, &st, __WALL), tid);  // the executor thread is now stopped

  HttpResponse h;
  for (int i = 0; i < 100; ++i) {  // heartbeat_timeout_ms = 1000
    h = http_get(port, "/health");
    if (h.status == 503) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(h.status, 503);
  EXPECT_NE(h.body.find("lcore " + lcore + " (executor) stalled"), std::string::npos) << h.body;
  const std::string during = http_get(port, "/metrics").body;
  EXPECT_GT(sum_samples(during, "sniperforge_lcore_heartbeat_age_seconds", "role=\"executor\""), 1.0);
  EXPECT_EQ(sum_samples(during, "sniperforge_health_ok"), 0);

  ASSERT_EQ(::ptrace(PTRACE_DETACH, tid, nullptr, nullptr), 0) << std::strerror(errno);
  for (int i = 0; i < 100; ++i) {
    h = http_get(port, "/health");
    if (h.status == 200) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(h.status, 200) << h.body;
  ASSERT_EQ(app->stop(), 0) << app->log();
  const auto stats = parse_stats_file(read_file(dir_.path / "stall.stats"));
  EXPECT_EQ(stats.at("executor_events"), feed.messages);
}

// The binary's own seam: --test-stall-lcore lcore:after_ms:for_ms busy-waits that lcore
// without heart-beating. Here on the RX lcore (the ptrace test above stops the executor).
TEST_F(Replay, HealthTurns503WhenTheRxLcoreStallsViaTheBinarysHook) {
  const FeedSummary feed = generate(20000, "feed.pcap");
  Child check({sniperforge_, "--config", (dir_.path / "replay.toml").string(), "--rx-pcap",
               (dir_.path / "feed.pcap").string(), "--check-config"},
              dir_.path / "check.log");
  while (check.alive()) std::this_thread::sleep_for(10ms);
  std::smatch lm;
  const std::string placement = read_file(dir_.path / "check.log");
  ASSERT_TRUE(std::regex_search(placement, lm, std::regex(R"re(lcore (\d+): RX)re"))) << placement;
  const std::string rx_lcore = lm[1];

  const uint16_t port = free_port();
  auto app = start("feed.pcap", port, "hook", "replay.toml", {"--test-stall-lcore", rx_lcore + ":1500:3000"});
  SF_REQUIRE_EXPORTER(*app, port);
  ASSERT_TRUE(app->wait_for_log("--test-stall-lcore", 10s)) << app->log();
  bool saw_503 = false, recovered = false;
  std::string reason;
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < end && !recovered) {
    const HttpResponse h = http_get(port, "/health");
    if (h.status == 503 && h.body.find("stalled") != std::string::npos) {  // not "has not started"
      saw_503 = true;
      reason = h.body;
    } else if (saw_503 && h.status == 200) {
      recovered = true;
    }
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(saw_503) << app->log();
  EXPECT_NE(reason.find("lcore " + rx_lcore + " (rx) stalled"), std::string::npos) << reason;
  EXPECT_TRUE(recovered) << app->log();
  EXPECT_FALSE(wait_replayed(*app, port, feed.messages, 60s).empty()) << "a stall must not lose messages";
  ASSERT_EQ(app->stop(), 0) << app->log();
  // The stats side logged the episode once each way, and drained the lcores' binary log rings.
  const std::string log = app->log();
  EXPECT_NE(log.find("health: lcore " + rx_lcore + " (rx) stalled"), std::string::npos) << log;
  EXPECT_NE(log.find("health: ok"), std::string::npos) << log;
  EXPECT_NE(log.find("rx +"), std::string::npos) << log;
  EXPECT_NE(log.find("] lcore started"), std::string::npos) << log;
}

// The standard DPDK client (dpdk-telemetry.py, Debian dpdk-dev) queries the running appliance:
// /sniperforge/stats carries the feed counts, /sniperforge/books the same top of book as
// sf-backtest's book dump for the same pcap and config (a DPDK reply is capped at 16 KB, ~190
// books: SF0100..SF0199 come from the prefix query /sniperforge/books,SF01).
TEST_F(Replay, DpdkTelemetryClientQueriesStatsAndBooks) {
  const std::string client = env_or_empty("SF_DPDK_TELEMETRY");
  if (client.empty()) GTEST_SKIP() << "dpdk-telemetry.py not found by meson (Debian package dpdk-dev)";
  const std::string backtest = env_or_empty("SF_BACKTEST");
  ASSERT_FALSE(backtest.empty());
  const FeedSummary feed = generate(20000, "feed.pcap");
  const uint16_t port = free_port();
  auto app = start("feed.pcap", port, "tel");
  SF_REQUIRE_EXPORTER(*app, port);
  ASSERT_FALSE(wait_replayed(*app, port, feed.messages, 120s).empty()) << app->log();

  // The EAL file prefix ends with the pid (dpdk-config: file_prefix + "_" + pid).
  std::string prefix;
  std::error_code ec;
  for (const auto& d : fs::directory_iterator("/var/run/dpdk", ec)) {
    const std::string name = d.path().filename().string();
    const std::string tail = "_" + std::to_string(app->pid());
    if (name.size() > tail.size() && name.ends_with(tail) && fs::exists(d.path() / "dpdk_telemetry.v2"))
      prefix = name;
  }
  ASSERT_FALSE(prefix.empty()) << "no /var/run/dpdk/*_" << app->pid() << "/dpdk_telemetry.v2";
  Child q({"/bin/sh", "-c",
           "printf '/sniperforge/stats\\n/sniperforge/books\\n/sniperforge/books,SF01\\n' | " + client +
               " -f " + prefix},
          dir_.path / "client.log");
  for (int i = 0; i < 1000 && q.alive(); ++i) std::this_thread::sleep_for(10ms);
  const std::string out = read_file(dir_.path / "client.log");
  EXPECT_NE(out.find("\"feed_messages\": " + std::to_string(feed.messages)), std::string::npos) << out;
  EXPECT_NE(out.find("\"executor_events\": " + std::to_string(feed.messages)), std::string::npos) << out;
  EXPECT_NE(out.find("\"healthy\": 1"), std::string::npos) << out;

  Child bt({backtest, "--config", (dir_.path / "replay.toml").string(), "--dump-books",
            (dir_.path / "books.csv").string(), (dir_.path / "feed.pcap").string()},
           dir_.path / "bt.log");
  while (bt.alive()) std::this_thread::sleep_for(10ms);
  std::istringstream csv(read_file(dir_.path / "books.csv"));
  std::string line;
  std::getline(csv, line);
  ASSERT_EQ(line, "symbol,bid_px,bid_qty,ask_px,ask_qty,orders");
  int rows = 0;
  while (std::getline(csv, line) && rows < 256) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) f.push_back(cell);
    ASSERT_EQ(f.size(), 6u) << line;
    const std::string want = "\"" + f[0] + "\": {\"bid_px\": " + f[1] + ", \"bid_qty\": " + f[2] +
                             ", \"ask_px\": " + f[3] + ", \"ask_qty\": " + f[4] + ", \"orders\": " + f[5] +
                             "}";
    EXPECT_NE(out.find(want), std::string::npos) << want;
    ++rows;
  }
  EXPECT_GT(rows, 100);
  EXPECT_EQ(app->stop(), 0);
}

TEST_F(Replay, PrometheusServerScrapesTheAppliance) {
  const std::string prometheus = env_or_empty("SF_PROMETHEUS");
  if (prometheus.empty()) GTEST_SKIP() << "prometheus server not found by meson (Debian package prometheus)";
  const FeedSummary feed = generate(20000, "feed.pcap");
  const uint16_t port = free_port();
  auto app = start("feed.pcap", port, "run");
  SF_REQUIRE_EXPORTER(*app, port);
  ASSERT_FALSE(wait_replayed(*app, port, feed.messages, 120s).empty()) << app->log();

  const uint16_t prom_port = free_port();
  // The shipped alert rules are loaded too: the server must evaluate every one without error.
  const std::string rules = env_or_empty("SF_MONITORING_DIR") + "/sniperforge-alerts.yml";
  ASSERT_TRUE(fs::exists(rules)) << rules;
  std::ofstream(dir_.path / "prometheus.yml")
      << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      << "rule_files: ['" << rules << "']\n"
      << "scrape_configs:\n  - job_name: sniperforge\n    static_configs:\n"
      << "      - targets: ['127.0.0.1:" << port << "']\n";
  Child prom({prometheus, "--config.file=" + (dir_.path / "prometheus.yml").string(),
              "--storage.tsdb.path=" + (dir_.path / "tsdb").string(),
              "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
             dir_.path / "prometheus.log");
  ASSERT_TRUE(prom.started());
  const std::string query = "/api/v1/query?query=sum(sniperforge_feed_messages_total{job=%22sniperforge%22})";
  std::string body;
  bool found = false;
  for (int i = 0; i < 300 && !found; ++i) {
    std::this_thread::sleep_for(100ms);
    const HttpResponse r = http_get(prom_port, query);
    body = r.body;
    found = r.status == 200 && body.find("\"" + std::to_string(feed.messages) + "\"") != std::string::npos;
    ASSERT_TRUE(prom.alive()) << prom.log();
  }
  EXPECT_TRUE(found) << body << "\n" << prom.log();
  const HttpResponse up = http_get(prom_port, "/api/v1/query?query=up{job=%22sniperforge%22}");
  EXPECT_NE(up.body.find("\"1\"]"), std::string::npos) << up.body;
  const HttpResponse series =
      http_get(prom_port, "/api/v1/series?match[]=sniperforge_latency_seconds_bucket");
  EXPECT_NE(series.body.find("tick_to_trade"), std::string::npos) << series.body;
  HttpResponse rules_state;
  for (int i = 0; i < 100; ++i) {  // every rule evaluated at least once, none in error
    rules_state = http_get(prom_port, "/api/v1/rules");
    if (rules_state.body.find("\"health\":\"unknown\"") == std::string::npos &&
        rules_state.body.find("SniperForgeAnomaly") != std::string::npos)
      break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(rules_state.body.find("SniperForgeLcoreStalled"), std::string::npos) << rules_state.body;
  EXPECT_EQ(rules_state.body.find("\"health\":\"err\""), std::string::npos) << rules_state.body;
  EXPECT_EQ(rules_state.body.find("\"health\":\"unknown\""), std::string::npos) << rules_state.body;
  const HttpResponse p99 =
      http_get(prom_port, "/api/v1/query?query=sniperforge:tick_to_trade_seconds:p99_5m");
  EXPECT_NE(p99.body.find("\"status\":\"success\""), std::string::npos) << p99.body;
  prom.stop();
  app->stop();
}

}  // namespace
}  // namespace sf::telemetry::testing
