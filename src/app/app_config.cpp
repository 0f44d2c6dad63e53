// Loading and checking the appliance's configuration before EAL (app_config.hpp).
#include "app_config.hpp"

#include <rte_config.h>  // RTE_EAL_PMD_PATH

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "sniperforge/dataplane/preflight.hpp"
#include "sniperforge/dataplane/session_preflight.hpp"
#include "sniperforge/trade/config_parse.hpp"

namespace sf::app {
namespace {

using dataplane::devargs_driver;

// --rx-pcap / --tx-pcap replace the rx_pcap / tx_pcap devarg of the feed / order port, which must be
// net_pcap.
void apply_pcap_overrides(const AppOptions& opt, dataplane::DataplaneConfig& dp,
                          std::vector<std::string>& errors) {
  if (errors.empty() && !opt.rx_pcap.empty() && opt.rx_pcap.find(',') == std::string::npos) {
    auto& p = dp.ports[static_cast<std::size_t>(dp.feed_port_index())];
    if (devargs_driver(p.devargs) != "net_pcap")
      errors.push_back("--rx-pcap needs a net_pcap feed port; \"" + p.name + "\" is " +
                       devargs_driver(p.devargs));
    else if (!std::filesystem::is_regular_file(opt.rx_pcap))
      errors.push_back("--rx-pcap: no such file: " + opt.rx_pcap);
    else
      p.devargs = dataplane::set_devarg(p.devargs, "rx_pcap", opt.rx_pcap);
  }
  if (errors.empty() && !opt.tx_pcap.empty() && opt.tx_pcap.find(',') == std::string::npos) {
    auto& p = dp.ports[static_cast<std::size_t>(dp.order_port_index())];
    if (devargs_driver(p.devargs) != "net_pcap")
      errors.push_back("--tx-pcap needs a net_pcap order port; \"" + p.name + "\" is " +
                       devargs_driver(p.devargs));
    else
      p.devargs = dataplane::set_devarg(p.devargs, "tx_pcap", opt.tx_pcap);
  }
}

// Checks across tables and against the command line, each only once the tables themselves are valid.
void check_together(const AppOptions& opt, AppConfig& cfg, std::vector<std::string>& errors) {
  dataplane::DataplaneConfig& dp = cfg.dp;
  for (const auto& [flag, path] : {std::pair{"--rx-pcap", opt.rx_pcap}, std::pair{"--tx-pcap", opt.tx_pcap}})
    if (path.find(',') != std::string::npos)  // a comma would add a devarg ("x.pcap,infinite_rx=1")
      errors.push_back(std::string(flag) + " " + path + ": a path with ',' cannot be passed to net_pcap");
  for (const auto& [flag, path] :
       {std::pair{"--stats-file", opt.stats_file}, std::pair{"--dump-books", opt.dump_books}})
    dataplane::check_output_path(flag, path, errors);
  if (errors.empty()) dataplane::check_order_ports(dp, cfg.trading.shards, errors);
  if (errors.empty()) dataplane::check_order_session_logins(dp, cfg.trading.shards, errors);
  std::vector<std::string> driver_warnings;
  if (errors.empty() && !opt.topology)
    dataplane::check_drivers(dp, RTE_EAL_PMD_PATH, "/sys/bus/pci/devices", errors, driver_warnings);
  for (const auto& w : driver_warnings) std::fprintf(stderr, "sniperforge: warning: %s\n", w.c_str());
  if (errors.empty() && dp.lcores.executors > cfg.trading.shards)
    errors.push_back("[lcores].executors = " + std::to_string(dp.lcores.executors) +
                     " but [trading].shards = " + std::to_string(cfg.trading.shards) +
                     ": an executor would host no shard");
  apply_pcap_overrides(opt, dp, errors);
  if (!opt.metrics_addr.empty()) {
    if (!telemetry::valid_listen_address(opt.metrics_addr))
      errors.push_back("--metrics-addr: expected HOST:PORT, got \"" + opt.metrics_addr + "\"");
    cfg.tel.metrics_addr = opt.metrics_addr;
    cfg.tel.enabled = true;  // asking for an address turns the exporter on
  }
  for (const auto& p : dp.ports) {
    if (!opt.topology && devargs_driver(p.devargs) == "net_pcap") {
      const std::string in = dataplane::get_devarg(p.devargs, "rx_pcap");
      if (!in.empty() && !std::filesystem::is_regular_file(in))
        errors.push_back("port \"" + p.name + "\": rx_pcap file not found: " + in);
    }
  }
}

}  // namespace

bool load_app_config(const AppOptions& opt, AppConfig& cfg, std::vector<std::string>& errors,
                     std::string& headline) {
  if (std::filesystem::is_directory(opt.config_path)) {
    errors.push_back("--config " + opt.config_path + ": is a directory, not a TOML file");
    headline = "cannot read config";
    return false;
  }
  toml::table root;
  try {
    root = toml::parse_file(opt.config_path);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    errors.push_back(opt.config_path + " " + where.str() + ": " + std::string(e.description()));
    headline = "cannot parse config";
    return false;
  }
  cfg.dp = dataplane::parse_dataplane_config(root, errors);
  cfg.trading = trade::parse_trading_config(root, errors);
  cfg.tel = telemetry::parse_telemetry_config(root, errors);
  cfg.control = control::parse_control_config(root, errors);
  cfg.journal = journal::parse_journal_config(root, errors);
  cfg.snapshot = snapshot::parse_snapshot_config(root, errors);
  trade::require_risk_section(root, errors);
  check_together(opt, cfg, errors);
  headline = "invalid configuration";
  return errors.empty();
}

}  // namespace sf::app
