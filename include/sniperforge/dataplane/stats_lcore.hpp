// The appliance's stats side: the glue between the DPDK data plane and the telemetry library.
//
// Integration (src/app):
//
//   sf::telemetry::StatsLcore::Inputs in;
//   in.config = telemetry_cfg;                       // parse_telemetry_config(); --metrics-addr overrides
//   in.rx.push_back({lcore_id, &rx_stats});          // every RX lcore's RxLcoreStats
//   in.executors.push_back({lcore_id, &ex_stats});   // every executor's ExecutorLcoreStats
//   in.logs.push_back({lcore_id, "rx", &log_ring});  // optional per-lcore LogRing
//   in.ports = {{feed_port_id, "feed"}, {order_port_id, "order"}};
//   in.mempools = {{"mbuf_pool_0", mp}};             // rte_mempool*
//   in.rings = {{"rx0_to_ex0", ring}};               // rte_ring*
//   in.engines = {&engine0, &engine1};               // const sf::trade::Engine*
//   in.order_session_state = [&] { return session_configured ? (up ? 1 : 0) : -1; };
//   sf::telemetry::StatsLcore stats(std::move(in));  // after rte_eal_init, before lcores launch
//   stats.start();                                   // binds HTTP (throws if it cannot), starts the thread,
//                                                    // registers /sniperforge/stats and /sniperforge/books
//   ... stats.metrics_port() ...                     // the bound port (config port 0 = any free port)
//   stats.stop();                                    // after the lcores stopped (drains the log rings)
//
// The stats side is a plain std::thread that sleeps between intervals (telemetry.interval_ms);
// keep it and the HTTP threads off the isolated data-plane cores (e.g. affinity of the main lcore).
// Every pointer must outlive the StatsLcore.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sniperforge/book/dump.hpp"
#include "sniperforge/telemetry/config.hpp"
#include "sniperforge/telemetry/service.hpp"
#include "sniperforge/telemetry/sources.hpp"

struct rte_mempool;
struct rte_ring;
struct rte_tel_data;
namespace sf::trade {
class Engine;
}

namespace sf::dataplane {

class StatsLcore {
 public:
  struct Inputs {
    telemetry::TelemetryConfig config;
    std::vector<telemetry::TelemetrySources::Rx> rx;
    std::vector<telemetry::TelemetrySources::Executor> executors;
    std::vector<telemetry::TelemetrySources::Log> logs;
    std::vector<std::pair<uint16_t, std::string>> ports;  // port id, label
    std::vector<std::pair<std::string, const rte_mempool*>> mempools;
    std::vector<std::pair<std::string, const rte_ring*>> rings;
    std::vector<const trade::Engine*> engines;
    // Top-of-book rows of every engine for /sniperforge/books. The books belong to the executor
    // lcores, so the data plane provides a reader that asks them for a copy; unset (tests without a
    // running data plane): the engines are read directly.
    std::function<void(std::vector<book::BookRow>&)> read_books;
    std::function<int()> order_session_state;  // -1 not configured, 0 down, 1 up
    std::function<void(std::vector<telemetry::SessionRow>&)> read_sessions;  // one row per shard
    std::function<telemetry::JournalHealth()> journal;                       // unset without [journal]
    const telemetry::ControlStats* control = nullptr;  // the control plane's counts (sf-ctl)
    bool register_dpdk_telemetry = true;
  };

  explicit StatsLcore(Inputs in);
  ~StatsLcore();
  StatsLcore(const StatsLcore&) = delete;
  StatsLcore& operator=(const StatsLcore&) = delete;

  void start();
  void stop();
  [[nodiscard]] uint16_t metrics_port() const noexcept;
  [[nodiscard]] telemetry::StatsService& service() noexcept { return *service_; }

  // Bodies of the rte_telemetry commands (also usable directly, e.g. in tests).
  void fill_stats(rte_tel_data* d) const;
  // `symbol_prefix` (the command's parameter) filters the rows; DPDK caps one reply at 16 KB, about
  // 190 instruments, so large universes are read in parts (/sniperforge/books,SF01).
  void fill_books(rte_tel_data* d, std::string_view symbol_prefix = {}) const;

 private:
  void sample(telemetry::SystemSnapshot& s);

  Inputs in_;
  std::vector<std::vector<std::string>> xstat_names_;  // per port, read once
  std::unique_ptr<telemetry::StatsService> service_;
};

}  // namespace sf::dataplane
