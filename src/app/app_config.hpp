// The appliance's command line and every configuration table it reads, loaded and checked completely
// before EAL starts (a bad config is a clear error, never a half-started data plane).
#pragma once

#include <string>
#include <vector>

#include "sniperforge/control/config.hpp"
#include "sniperforge/dataplane/config.hpp"
#include "sniperforge/journal/config.hpp"
#include "sniperforge/snapshot/config.hpp"
#include "sniperforge/telemetry/config.hpp"
#include "sniperforge/trade/config.hpp"

namespace sf::app {

// sniperforge's options (main.cpp declares them to CLI11; docs/cli.md).
struct AppOptions {
  std::string config_path, rx_pcap, tx_pcap, dump_books, metrics_addr, stats_file;
  bool check_config = false, topology = false, hold = false, quiet = false;
  std::string test_stall;  // --test-stall-lcore, hidden
};

struct AppConfig {
  dataplane::DataplaneConfig dp;
  trade::TradingConfig trading;
  telemetry::TelemetryConfig tel;
  control::ControlConfig control;
  journal::JournalConfig journal;
  snapshot::SnapshotConfig snapshot;
};

// Reads --config, applies the command line's overrides (--rx-pcap, --tx-pcap, --metrics-addr) and runs
// every check that needs no EAL. False with `errors` and `headline` (what kind of failure) otherwise.
bool load_app_config(const AppOptions& opt, AppConfig& cfg, std::vector<std::string>& errors,
                     std::string& headline);

}  // namespace sf::app
