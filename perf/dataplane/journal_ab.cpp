// perf-dataplane --journal-ab DIR (#13): what the journal costs tick-to-trade. Run-to-completion runs at
// the same pacing alternate with no [journal] and with [journal] fsync = "group" group_us = 500 (or
// --journal-fsync, --journal-group-us; each in a fresh subdirectory of DIR, removed after), so a change in
// the machine's state hits both alike. The executor hands every order record to its journal ring; the writer
// thread writes and syncs them.
#include <rte_common.h>
#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "harness.hpp"

namespace sf::perf {

using dataplane::LcoreMode;

namespace {
double min_of(const std::vector<double>& v) {
  return *std::min_element(v.begin(), v.end());
}
double max_of(const std::vector<double>& v) {
  return *std::max_element(v.begin(), v.end());
}
}  // namespace

bool journal_ab_section(const feedgen::Config& fc, uint64_t paced_messages, double pace_us, unsigned runs,
                        const trade::TradingConfig& trading, const dataplane::Placement& pl,
                        const std::string& dir, journal::FsyncPolicy fsync, uint32_t group_us) {
  std::printf(
      "\n== journal on/off: run-to-completion tick-to-trade (RX burst TSC -> return of rte_eth_tx_burst), "
      "one packet every %.1f us, %u pairs; on: fsync = \"%s\", group_us = %u ==\n",
      pace_us, runs, std::string(journal::to_string(fsync)).c_str(), group_us);
  feedgen::Config pc = fc;
  pc.messages = paced_messages;
  const Feed paced{feedgen::generate_frames(pc), paced_messages};
  g_feed_pool = rte_pktmbuf_pool_create(
      "perf_feed",
      static_cast<unsigned>(rte_align32pow2(static_cast<uint32_t>(paced.frames.size() + 1024))) - 1, 256, 0,
      RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
  if (!g_feed_pool) rte_exit(1, "feed pool: %s\n", rte_strerror(rte_errno));
  std::vector<double> off_p50, on_p50, off_p99, on_p99, diff_p50;
  bool complete = true;
  for (unsigned rep = 0; rep < runs; ++rep) {
    for (bool on : {false, true}) {
      journal::JournalConfig jc;
      if (on) {
        jc.enabled = true;
        jc.path = dir + "/journal-ab-" + std::to_string(getpid()) + "-" + std::to_string(rep);
        jc.fsync = fsync;
        jc.group_us = group_us;
        jc.segment_mb = 16;
        std::filesystem::create_directories(jc.path);
      }
      const RunOut r =
          run_appliance(paced, LcoreMode::kRunToCompletion, trading, pl, pace_us, OrderVenue::kNone, 0, jc);
      if (on) std::filesystem::remove_all(jc.path);
      const uint64_t orders = r.c.at("orders_buy") + r.c.at("orders_sell");
      const double p50 = ns_of(r.t2t.percentile(0.5)), p99 = ns_of(r.t2t.percentile(0.99));
      std::printf(
          "  journal %-3s orders %6lu measured %6lu journal records %6lu  p50 %6.0f ns  p99 %6.0f ns\n",
          on ? "on" : "off", static_cast<unsigned long>(orders), static_cast<unsigned long>(r.t2t.total()),
          static_cast<unsigned long>(r.journal_records), p50, p99);
      // Every order measured; with the journal, every order on disk (plus the venue's and markers').
      if (!all_messages_handled(r) || orders == 0 || r.t2t.total() != orders ||
          (on && r.journal_records < orders)) {
        std::printf(
            "    INCOMPLETE: not every message handled, or not every order sent, measured and journaled\n");
        print_run_stages(r);
        complete = false;
      }
      (on ? on_p50 : off_p50).push_back(p50);
      (on ? on_p99 : off_p99).push_back(p99);
    }
    diff_p50.push_back(on_p50.back() - off_p50.back());
  }
  std::printf(
      "RESULT journal_ab runs=%u off_p50_ns=%.0f[%.0f..%.0f] on_p50_ns=%.0f[%.0f..%.0f] "
      "pair_diff_p50_ns=%.0f[%.0f..%.0f] off_p99_ns=%.0f[%.0f..%.0f] on_p99_ns=%.0f[%.0f..%.0f] "
      "(median[min..max] over runs; diff = on - off, per pair)\n",
      runs, median(off_p50), min_of(off_p50), max_of(off_p50), median(on_p50), min_of(on_p50), max_of(on_p50),
      median(diff_p50), min_of(diff_p50), max_of(diff_p50), median(off_p99), min_of(off_p99), max_of(off_p99),
      median(on_p99), min_of(on_p99), max_of(on_p99));
  return complete;
}

}  // namespace sf::perf
