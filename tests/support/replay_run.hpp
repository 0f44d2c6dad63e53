// One sniperforge run replaying a pcap through net_pcap, as the integration tests compare them with each
// other and with sf-backtest: exit code, --dump-books, the orders of its TX pcap (as sf-tx-orders prints
// them) and --stats-file. Needs SNIPERFORGE and SF_TX_ORDERS in the environment.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "sf_test_process.hpp"

namespace sf::testing {

struct ReplayRun {
  int rc = -1;
  std::string books, orders;
  std::map<std::string, uint64_t> stats;
};

// Runs sniperforge on `config_text` and `pcap`, its files named `tag.*` in `dir`; prints its log when it
// fails.
inline ReplayRun replay_appliance(const std::filesystem::path& dir, const std::string& tag,
                                  const std::string& config_text, const std::filesystem::path& pcap) {
  ReplayRun r;
  const std::filesystem::path cfg = dir / (tag + ".toml"), books = dir / (tag + ".books.csv"),
                              tx = dir / (tag + ".tx.pcap"), orders = dir / (tag + ".orders.csv"),
                              stats = dir / (tag + ".stats"), log = dir / (tag + ".log");
  std::ofstream(cfg) << config_text;
  r.rc = run(env("SNIPERFORGE") + " --config " + cfg.string() + " --rx-pcap " + pcap.string() +
             " --tx-pcap " + tx.string() + " --dump-books " + books.string() + " --stats-file " +
             stats.string() + " > " + log.string() + " 2>&1");
  if (r.rc != 0) std::fprintf(stderr, "%s\n", read_file(log).c_str());
  EXPECT_EQ(run(env("SF_TX_ORDERS") + " " + tx.string() + " > " + orders.string() + " 2>/dev/null"), 0);
  r.books = read_file(books);
  r.orders = read_file(orders);
  r.stats = read_stats(stats);
  return r;
}

}  // namespace sf::testing
