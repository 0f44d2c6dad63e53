// perf-dataplane --ab-lines (#12): what A/B line arbitration costs the whole data path. The same
// sf-feedgen feed is preloaded once as one line (UDP 26477) and once as two (every packet also on
// 26478, [feed.line_b] on the same port, arbitrated); back-pressured throughput runs (as section 1)
// alternate one line / two lines, so the host's noise hits both alike. The figure is ns per unique
// ITCH message: the two-line run's wall time includes the duplicate packets' work (their rx_burst,
// parse, arbitration and free) and is divided by the same unique message count as the one-line run's.
// A third run per round carries both lines with [feed.line_b] unconfigured: every copy is received,
// parsed and dropped as wrong_port, the cost of a second line's packets arriving at all (cpu only).
#include <rte_errno.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "harness.hpp"

namespace sf::perf {

using namespace sf::dataplane;

namespace {

constexpr uint16_t kLineBUdpPort = 26478;

struct Spread {
  double median = 0, min = 0, max = 0;
};

Spread spread(const std::vector<double>& v) {
  return {sf::perf::median(v), *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())};
}

struct PerMessage {
  double wall_ns = 0, cpu_ns = 0;  // cpu: the whole process's cpu time (what the lcores actually got)
};

// ns per unique message of one run, after checking that every unique message was routed, exactly
// `drops` packets were dropped, and (two lines) every line-B packet was a counted duplicate or a first copy.
PerMessage run_ns_per_message(const Feed& f, LcoreMode mode, const trade::TradingConfig& trading,
                              const Placement& pl, uint16_t line_b, uint64_t& duplicates,
                              uint64_t drops = 0) {
  const RunOut r = run_appliance(f, mode, trading, pl, 0, OrderVenue::kUdp, line_b);
  if (r.c.at("messages") != f.messages || r.c.at("drops") != drops || r.c.at("ring_dropped_full") ||
      r.c.at("gaps"))
    rte_exit(1, "ab-lines: messages %lu of %lu, drops %lu, ring drops %lu, gaps %lu\n",
             static_cast<unsigned long>(r.c.at("messages")), static_cast<unsigned long>(f.messages),
             static_cast<unsigned long>(r.c.at("drops")),
             static_cast<unsigned long>(r.c.at("ring_dropped_full")),
             static_cast<unsigned long>(r.c.at("gaps")));
  duplicates = r.c.count("duplicate_packets") ? r.c.at("duplicate_packets") : 0;
  const double n = static_cast<double>(f.messages);
  return {r.seconds * 1e9 / n, r.cpu_seconds * 1e9 / n};
}

}  // namespace

void ab_lines_section(uint64_t messages, unsigned repeat, const trade::TradingConfig& trading,
                      const Placement& pl) {
  feedgen::Config fc;
  fc.messages = messages;
  const Feed one{feedgen::generate_frames(fc), messages};
  fc.line_b_port = kLineBUdpPort;
  const Feed two{feedgen::generate_frames(fc), messages};
  g_feed_pool = rte_pktmbuf_pool_create(
      "perf_feed",
      static_cast<unsigned>(rte_align32pow2(static_cast<uint32_t>(two.frames.size() + 1024))) - 1, 256, 0,
      RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
  if (!g_feed_pool) rte_exit(1, "feed pool: %s\n", rte_strerror(rte_errno));
  std::printf("== A/B lines: %lu ITCH messages, %zu packets on one line vs %zu on two, back-pressure ==\n",
              static_cast<unsigned long>(messages), one.frames.size(), two.frames.size());
  // Wall time is what the figure means; on a shared host the lcores get a varying share of a
  // cpu, so the process's cpu time per message is printed beside it (run to completion: one polling lcore).
  for (LcoreMode mode : {LcoreMode::kRunToCompletion, LcoreMode::kPipeline}) {
    const char* name = mode == LcoreMode::kPipeline ? "pipeline" : "run_to_completion";
    std::vector<double> a, b, diff, ca, cb, cu;
    uint64_t dups = 0, unused = 0;
    const uint64_t copies = two.frames.size() - one.frames.size();
    (void)run_ns_per_message(one, mode, trading, pl, 0, dups);  // warm-up of both: first touches
    (void)run_ns_per_message(two, mode, trading, pl, kLineBUdpPort, dups);
    for (unsigned rep = 0; rep < repeat; ++rep) {
      const PerMessage x = run_ns_per_message(one, mode, trading, pl, 0, dups);
      const PerMessage y = run_ns_per_message(two, mode, trading, pl, kLineBUdpPort, dups);
      // The floor without arbitration: both lines' packets arrive, [feed.line_b] is not configured, so
      // each copy is received, parsed to its UDP port and counted as a wrong_port drop.
      const PerMessage u = run_ns_per_message(two, mode, trading, pl, 0, unused, copies);
      a.push_back(x.wall_ns);
      b.push_back(y.wall_ns);
      ca.push_back(x.cpu_ns);
      cb.push_back(y.cpu_ns);
      cu.push_back(u.cpu_ns);
      diff.push_back(y.wall_ns - x.wall_ns);
      std::printf(
          "  %-18s run %u: one line %.2f ns/msg (cpu %.2f), two lines %.2f ns/msg (cpu %.2f; %lu duplicate "
          "packets), line B unconfigured cpu %.2f\n",
          name, rep + 1, x.wall_ns, x.cpu_ns, y.wall_ns, y.cpu_ns, static_cast<unsigned long>(dups),
          u.cpu_ns);
    }
    const Spread sa = spread(a), sb = spread(b), sd = spread(diff), sca = spread(ca), scb = spread(cb),
                 scu = spread(cu);
    std::printf(
        "RESULT ab_lines_%s runs=%u one_line_ns=%.2f[%.2f..%.2f] two_lines_ns=%.2f[%.2f..%.2f] "
        "ratio=%.3f paired_diff_ns=%.2f[%.2f..%.2f] cpu_one_ns=%.2f[%.2f..%.2f] cpu_two_ns=%.2f[%.2f..%.2f] "
        "cpu_ratio=%.3f cpu_b_unconfigured_ns=%.2f[%.2f..%.2f] (ns per unique message, median[min..max])\n",
        name, repeat, sa.median, sa.min, sa.max, sb.median, sb.min, sb.max, sb.median / sa.median, sd.median,
        sd.min, sd.max, sca.median, sca.min, sca.max, scb.median, scb.min, scb.max, scb.median / sca.median,
        scu.median, scu.min, scu.max);
  }
}

}  // namespace sf::perf
