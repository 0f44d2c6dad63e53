// perf-dataplane --ab-lines (#12): what A/B line arbitration costs the whole data path. The same
// sf-feedgen feed is preloaded once as one line (UDP 26477) and once as two (every packet also on
// 26478, [feed.line_b] on the same port, arbitrated); back-pressured throughput runs (as section 1)
// alternate one line / two lines, so the host's noise hits both alike. The figure is ns per unique
// ITCH message: the two-line run's wall time includes the duplicate packets' work (their rx_burst,
// parse, arbitration and free) and is divided by the same unique message count as the one-line run's.
// A third run per round carries both lines with [feed.line_b] unconfigured: every copy is received,
// parsed and dropped as wrong_port, the cost of a second line's packets arriving at all (cpu only).
//
// Preloaded runs put the whole feed in mbufs before the run (~290 MB for 1 M messages on two lines):
// every mbuf is cold when the RX lcore reaches it, once. A NIC at full rate cycles a fixed set of
// mbufs through its descriptor ring instead. The recycled runs (run to completion, --ab-nic-mbufs)
// play that NIC: the main thread refills the net_ring RX ring from a pool of that many mbufs as the
// RX lcore frees them (no mempool cache: every mbuf of the pool cycles, first freed first refilled,
// the widest working set such a NIC has), writing each packet as the NIC's DMA would. One line, two
// lines and line B unconfigured go through the same feeder; their cpu figure is the process's cpu
// time minus the feeder thread's own (the NIC's work is not the appliance's) and minus the RX lcore's
// idle polls (a descheduled feeder lets the NIC run dry; each idle poll is priced by a packet-less run).
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_pause.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "sniperforge/common/cpu_time.hpp"

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
  uint64_t nic_underruns = 0;      // recycled runs: refills that found the NIC ring empty
  uint64_t idle_polls = 0;         // RX polls that found the NIC empty
  double cpu_raw_ns = 0;           // recycled runs: cpu before the idle polls' share is taken out
};

// Recycled runs: cpu ns one idle RX poll costs (idle_poll_ns()), taken out of their cpu figure.
double g_idle_poll_ns = 0;

// The recycled NIC: refills `rx` from `pool` a burst at a time until every frame of `f` is in it.
// Returns how many refills found the ring empty after the first: the RX lcore may have polled an
// empty NIC (the feeder descheduled), and its idle polls then count in the run's cpu time.
uint64_t feed_recycled(const Feed& f, rte_mempool* pool, rte_ring* rx) {
  uint64_t underruns = 0;
  constexpr unsigned kBurst = 32;
  rte_mbuf* m[kBurst];
  const std::size_t frames = f.frames.size();
  for (std::size_t i = 0; i < frames;) {
    const unsigned n = static_cast<unsigned>(std::min<std::size_t>(kBurst, frames - i));
    if (rte_pktmbuf_alloc_bulk(pool, m, n) != 0) {
      for (int k = 0; k < 32; ++k) rte_pause();  // all in flight: back off, leave the pool's ring alone
      continue;
    }
    for (unsigned k = 0; k < n; ++k) {
      const std::size_t len = f.frames.offsets[i + k + 1] - f.frames.offsets[i + k];
      char* d = rte_pktmbuf_append(m[k], static_cast<uint16_t>(len));
      if (!d) rte_exit(1, "frame larger than an mbuf\n");
      std::memcpy(d, f.frames.data.data() + f.frames.offsets[i + k], len);
    }
    underruns += i != 0 && rte_ring_count(rx) == 0;
    // The ring holds the whole pool: an enqueue cannot fail.
    if (rte_ring_enqueue_burst(rx, reinterpret_cast<void**>(m), n, nullptr) != n)
      rte_exit(1, "recycled NIC: RX ring smaller than its pool\n");
    i += n;
  }
  return underruns;
}

// One back-pressured run fed by the recycled NIC (run_appliance's preloaded run, with the feeder).
RunOut run_recycled(const Feed& f, LcoreMode mode, const trade::TradingConfig& trading, const Placement& pl,
                    uint16_t line_b, rte_mempool* pool, unsigned idle_ms = 0) {
  RingPort rp = make_ring_port(rte_align32pow2(pool->size + 1), 1 << 16);
  RunOut out;
  // No exit on idle polls (a descheduled feeder is not the feed's end); back-pressure as a replay.
  DataplaneConfig dp = ring_port_config(rp, mode, false, line_b);
  {
    Runtime rt(dp, trading, pl);
    rt.force_replay(true);
    std::vector<std::string> errors, notes;
    if (!rt.build(errors, notes) || !rt.start_order_sessions(errors, notes))
      rte_exit(1, "build: %s\n", errors.empty() ? "?" : errors.front().c_str());
    const uint64_t t0 = rte_rdtsc();
    const double cpu0 = process_cpu_seconds(), feeder0 = thread_cpu_seconds();
    rt.launch();
    const uint64_t underruns = feed_recycled(f, pool, rp.rx);
    while (rte_ring_count(rp.rx) != 0) {  // the burst in hand is finished after the stop
      drain_and_free(rp.tx);
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    if (idle_ms) std::this_thread::sleep_for(std::chrono::milliseconds(idle_ms));
    rt.request_stop();
    while (!rt.finished()) std::this_thread::sleep_for(std::chrono::microseconds(50));
    out.seconds = ns_of(rte_rdtsc() - t0) / 1e9;
    out.cpu_seconds = (process_cpu_seconds() - cpu0) - (thread_cpu_seconds() - feeder0);
    finish_run(rt, rp, out);
    out.c["nic_underruns"] = underruns;
  }
  drain_and_free(rp.rx);
  return out;
}

// ns per unique message of one run, after checking that every unique message was routed, exactly
// `drops` packets were dropped, and (two lines) every line-B packet was a counted duplicate or a first copy.
PerMessage run_ns_per_message(const Feed& f, LcoreMode mode, const trade::TradingConfig& trading,
                              const Placement& pl, uint16_t line_b, uint64_t& duplicates, uint64_t drops,
                              rte_mempool* nic) {
  const RunOut r = nic ? run_recycled(f, mode, trading, pl, line_b, nic)
                       : run_appliance(f, mode, trading, pl, 0, OrderVenue::kNone, line_b);
  if (r.c.at("messages") != f.messages || r.c.at("drops") != drops || r.c.at("ring_dropped_full") ||
      r.c.at("gaps"))
    rte_exit(1, "ab-lines: messages %lu of %lu, drops %lu, ring drops %lu, gaps %lu\n",
             static_cast<unsigned long>(r.c.at("messages")), static_cast<unsigned long>(f.messages),
             static_cast<unsigned long>(r.c.at("drops")),
             static_cast<unsigned long>(r.c.at("ring_dropped_full")),
             static_cast<unsigned long>(r.c.at("gaps")));
  duplicates = r.c.count("duplicate_packets") ? r.c.at("duplicate_packets") : 0;
  const double n = static_cast<double>(f.messages);
  PerMessage pm{r.seconds * 1e9 / n, r.cpu_seconds * 1e9 / n,
                r.c.count("nic_underruns") ? r.c.at("nic_underruns") : 0,
                r.c.at("rx_polls") - r.c.at("rx_busy_polls"), r.cpu_seconds * 1e9 / n};
  // A recycled run's RX lcore spins whenever the feeder (descheduled) lets the NIC run dry: that spin is
  // the feeder's doing, not the packets' cost. Preloaded runs keep their cpu as measured.
  if (nic) pm.cpu_ns -= static_cast<double>(pm.idle_polls) * g_idle_poll_ns / n;
  return pm;
}

// The cpu one idle RX poll costs in `mode`: a recycled run with no packet that idles 100 ms.
double idle_poll_ns(LcoreMode mode, const trade::TradingConfig& trading, const Placement& pl,
                    rte_mempool* pool) {
  const RunOut r = run_recycled(Feed{}, mode, trading, pl, 0, pool, 100);
  const uint64_t idle = r.c.at("rx_polls") - r.c.at("rx_busy_polls");
  return idle ? r.cpu_seconds * 1e9 / static_cast<double>(idle) : 0;
}

}  // namespace

void ab_lines_section(uint64_t messages, unsigned repeat, const trade::TradingConfig& trading,
                      const Placement& pl, unsigned nic_mbufs, unsigned msgs_per_packet) {
  feedgen::Config fc;
  fc.messages = messages;
  fc.msgs_per_packet = msgs_per_packet;
  const Feed one{feedgen::generate_frames(fc), messages};
  fc.line_b_port = kLineBUdpPort;
  const Feed two{feedgen::generate_frames(fc), messages};
  g_feed_pool = rte_pktmbuf_pool_create(
      "perf_feed",
      static_cast<unsigned>(rte_align32pow2(static_cast<uint32_t>(two.frames.size() + 1024))) - 1, 256, 0,
      RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
  if (!g_feed_pool) rte_exit(1, "feed pool: %s\n", rte_strerror(rte_errno));
  rte_mempool* nic = rte_pktmbuf_pool_create("perf_ab_nic", nic_mbufs, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                             static_cast<int>(rte_socket_id()));
  if (!nic) rte_exit(1, "recycled NIC pool: %s\n", rte_strerror(rte_errno));
  std::printf(
      "== A/B lines: %lu ITCH messages, %zu packets on one line vs %zu on two (at most %u messages "
      "per packet), back-pressure ==\n",
      static_cast<unsigned long>(messages), one.frames.size(), two.frames.size(), msgs_per_packet);
  // Wall time is what the figure means; on a shared host the lcores get a varying share of a
  // cpu, so the process's cpu time per message is printed beside it (run to completion: one polling lcore).
  struct Case {
    LcoreMode mode;
    rte_mempool* pool;  // null: preloaded
    const char* name;
  };
  for (const Case& c : {Case{LcoreMode::kRunToCompletion, nullptr, "run_to_completion"},
                        Case{LcoreMode::kPipeline, nullptr, "pipeline"},
                        Case{LcoreMode::kRunToCompletion, nic, "run_to_completion_recycled"}}) {
    if (c.pool) {
      g_idle_poll_ns = idle_poll_ns(c.mode, trading, pl, c.pool);
      std::printf(
          "  recycled NIC: %u mbufs in flight at most (preloaded: %zu / %zu); an idle RX poll costs %.1f cpu "
          "ns\n",
          nic_mbufs, one.frames.size(), two.frames.size(), g_idle_poll_ns);
    }
    std::vector<double> a, b, diff, ca, cb, cu;
    uint64_t dups = 0, unused = 0;
    const uint64_t copies = two.frames.size() - one.frames.size();
    (void)run_ns_per_message(one, c.mode, trading, pl, 0, dups, 0, c.pool);  // warm-up of both
    (void)run_ns_per_message(two, c.mode, trading, pl, kLineBUdpPort, dups, 0, c.pool);
    for (unsigned rep = 0; rep < repeat; ++rep) {
      const PerMessage x = run_ns_per_message(one, c.mode, trading, pl, 0, dups, 0, c.pool);
      const PerMessage y = run_ns_per_message(two, c.mode, trading, pl, kLineBUdpPort, dups, 0, c.pool);
      // The floor without arbitration: both lines' packets arrive, [feed.line_b] is not configured, so
      // each copy is received, parsed to its UDP port and counted as a wrong_port drop.
      const PerMessage u = run_ns_per_message(two, c.mode, trading, pl, 0, unused, copies, c.pool);
      a.push_back(x.wall_ns);
      b.push_back(y.wall_ns);
      ca.push_back(x.cpu_ns);
      cb.push_back(y.cpu_ns);
      cu.push_back(u.cpu_ns);
      diff.push_back(y.wall_ns - x.wall_ns);
      std::printf(
          "  %-18s run %u: one line %.2f ns/msg (cpu %.2f), two lines %.2f ns/msg (cpu %.2f; %lu duplicate "
          "packets), line B unconfigured cpu %.2f\n",
          c.name, rep + 1, x.wall_ns, x.cpu_ns, y.wall_ns, y.cpu_ns, static_cast<unsigned long>(dups),
          u.cpu_ns);
      if (c.pool)
        std::printf(
            "    (one / two / unconfigured) refills that found the NIC empty %lu / %lu / %lu, idle RX polls "
            "%lu / "
            "%lu / %lu, cpu before taking them out %.2f / %.2f / %.2f\n",
            static_cast<unsigned long>(x.nic_underruns), static_cast<unsigned long>(y.nic_underruns),
            static_cast<unsigned long>(u.nic_underruns), static_cast<unsigned long>(x.idle_polls),
            static_cast<unsigned long>(y.idle_polls), static_cast<unsigned long>(u.idle_polls), x.cpu_raw_ns,
            y.cpu_raw_ns, u.cpu_raw_ns);
    }
    const Spread sa = spread(a), sb = spread(b), sd = spread(diff), sca = spread(ca), scb = spread(cb),
                 scu = spread(cu);
    std::printf(
        "RESULT ab_lines_%s runs=%u one_line_ns=%.2f[%.2f..%.2f] two_lines_ns=%.2f[%.2f..%.2f] "
        "ratio=%.3f paired_diff_ns=%.2f[%.2f..%.2f] cpu_one_ns=%.2f[%.2f..%.2f] cpu_two_ns=%.2f[%.2f..%.2f] "
        "cpu_ratio=%.3f cpu_b_unconfigured_ns=%.2f[%.2f..%.2f] (ns per unique message, median[min..max])\n",
        c.name, repeat, sa.median, sa.min, sa.max, sb.median, sb.min, sb.max, sb.median / sa.median,
        sd.median, sd.min, sd.max, sca.median, sca.min, sca.max, scb.median, scb.min, scb.max,
        scb.median / sca.median, scu.median, scu.min, scu.max);
  }
  rte_mempool_free(nic);
}

}  // namespace sf::perf
