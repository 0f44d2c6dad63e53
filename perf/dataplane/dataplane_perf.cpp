// perf-dataplane: the whole appliance data path (RX parse + sequence + routing -> SPSC rings ->
// executor Engine + OUCH in SoupBinTCP over TCP -> TX) fed from memory, next to the packet-I/O ceiling of the
// same virtual devices, in one run.
//
//   perf-dataplane [--messages N] [--config dpdk-config/replay.toml] [--pace-us U]
//                  [--transports dpdk,kernel] [--lcore-modes run_to_completion,pipeline]
//                  [--pcap FILE] [--repeat R] [--throughput-only] [--live-rate ...] [--ab-lines
//                  [--ab-nic-mbufs N]] [--msgs-per-packet N]
//                  [--journal-ab DIR] [--stall-rx-ms MS]
//
// 1. Throughput: an sf-feedgen feed is preloaded as mbufs into the RX ring of an in-process net_ring
//    port (rte_eth_from_rings); the lcores run with back-pressure (the RX lcore waits for ring space
//    instead of dropping), so zero drops holds by construction: this is the rate the pipeline
//    sustains when the sender waits for it. Pipeline (1 RX + 1 executor) and run-to-completion. The
//    orders leave as a replay's do (transport "none": the synthetic SoupBinTCP stream, no venue).
// 1b. Live rate (--live-rate, live_rate.cpp): a producer offers packets at a fixed rate with no
//    back-pressure; the highest rate with no loss anywhere over a probe is searched.
// 1c. A/B lines (--ab-lines, ab_lines.cpp): arbitration's cost, one line vs two, interleaved; then stop.
// 1d. Journal on/off (--journal-ab DIR, journal_ab.cpp): tick-to-trade with no [journal] and with
//    fsync = "group", --latency-repeat pairs interleaved; then stop.
// 2. Tick-to-trade: a feed enqueued by the main thread at one packet every --pace-us microseconds
//    (no queueing); per order, from the RX burst's TSC to the return of rte_eth_tx_burst. For each
//    order transport (--transports): SoupBinTCP over our TCP (transport "dpdk",
//    segments to an in-process TCP + SoupBinTCP peer on the same net_ring port); SoupBinTCP over a
//    kernel socket (transport "kernel": RX burst -> the order through the SPSC ring to the session
//    thread -> return of its send(), to a loopback server). The venues log in and ACK, never answer
//    orders (venue_peers.hpp). --config perf/dataplane/tick-to-trade.toml makes most packets trigger.
// 3. I/O ceiling: an io-forward loop (what dpdk-testpmd --forward-mode=io does) on the preloaded
//    ring port, and on net_null0 -> net_null1. The real dpdk-testpmd, side by side with (1) on the
//    same pcap: perf/dataplane/run-io-ceiling.sh (uses --pcap --throughput-only --repeat).
// Numbers from a shared 2-core VM are noisy: run a few times and quote medians.
#include <pthread.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <sched.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "runtime.hpp"
#include "sniperforge/common/cpu_time.hpp"
#include "sniperforge/dataplane/eal_args.hpp"
#include "sniperforge/dataplane/topology.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/trade/config_parse.hpp"

using namespace sf;
using namespace sf::dataplane;
using namespace sf::perf;

namespace {

// ---- io-forward (testpmd io mode): rx_burst -> tx_burst, unsent freed ----
struct IoFwd {
  uint16_t rx_port, tx_port;
  std::atomic<bool>* stop;
  uint64_t limit_packets;  // stop after this many (0: until *stop)
  uint64_t packets = 0;
  uint64_t tsc_start = 0, tsc_end = 0;
};

int io_forward(void* arg) {
  auto& io = *static_cast<IoFwd*>(arg);
  rte_mbuf* b[32];
  io.tsc_start = rte_rdtsc();
  while (!io.stop->load(std::memory_order_relaxed)) {
    const uint16_t n = rte_eth_rx_burst(io.rx_port, 0, b, 32);
    if (n == 0) {
      if (io.limit_packets && io.packets >= io.limit_packets) break;
      continue;
    }
    io.packets += n;
    const uint16_t s = rte_eth_tx_burst(io.tx_port, 0, b, n);
    if (s < n) rte_pktmbuf_free_bulk(b + s, n - s);
  }
  io.tsc_end = rte_rdtsc();
  return 0;
}

void start_port(uint16_t port, rte_mempool* pool) {
  rte_eth_conf conf{};
  if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
      rte_eth_rx_queue_setup(port, 0, 1024, rte_socket_id(), nullptr, pool) != 0 ||
      rte_eth_tx_queue_setup(port, 0, 1024, rte_socket_id(), nullptr) != 0 || rte_eth_dev_start(port) != 0)
    rte_exit(1, "port %u setup failed\n", port);
}

// 1. Throughput, back-pressured (zero ring drops by construction; checked). Fills in feed.messages for a
// pcap.
void throughput_section(Feed& feed, unsigned repeat, const trade::TradingConfig& trading,
                        const Placement& pl) {
  const std::size_t packets = feed.frames.size();
  std::printf("== throughput, fed from memory (net_ring, preloaded), back-pressure, zero ring drops ==\n");
  for (LcoreMode mode : {LcoreMode::kPipeline, LcoreMode::kRunToCompletion}) {
    std::vector<double> mps, pps, cpu;
    uint64_t ring_drops = 0;
    for (unsigned rep = 0; rep < repeat; ++rep) {
      const RunOut r = run_appliance(feed, mode, trading, pl, 0);
      const double secs = r.seconds;
      if (feed.messages == 0) feed.messages = r.c.at("messages");
      mps.push_back(static_cast<double>(r.c.at("messages")) / secs);
      pps.push_back(static_cast<double>(packets) / secs);
      cpu.push_back(r.cpu_seconds / secs);
      ring_drops += r.c.at("ring_dropped_full") + r.c.at("drops");
      std::printf(
          "  %-18s %7.2f M msgs/s  %6.3f M pkts/s  (%.3f s; messages %lu, ring drops %lu, drops %lu, "
          "orders %lu)\n",
          mode == LcoreMode::kPipeline ? "pipeline 1+1" : "run-to-completion",
          static_cast<double>(r.c.at("messages")) / secs / 1e6, static_cast<double>(packets) / secs / 1e6,
          secs, static_cast<unsigned long>(r.c.at("messages")),
          static_cast<unsigned long>(r.c.at("ring_dropped_full")),
          static_cast<unsigned long>(r.c.at("drops")), static_cast<unsigned long>(r.c.at("tx_packets")));
      // The cpu the lcores actually got (a shared machine time-slices them): messages per cpu-second of
      // the whole process is the figure that does not depend on the neighbours.
      std::printf("    cpu time %.3f s for %.3f s wall (%.0f %%): %.2f M msgs per cpu-second%s\n",
                  r.cpu_seconds, secs, 100.0 * r.cpu_seconds / secs,
                  static_cast<double>(r.c.at("messages")) / r.cpu_seconds / 1e6,
                  mode == LcoreMode::kPipeline ? " (2 polling lcores)" : "");
      print_hist("  engine + orders per event (1 in 64)", r.proc);
      // At saturation the RX lcore runs ahead and waits on full rings: this is queueing, not the path.
      print_hist("  tick-to-trade at saturation", r.t2t);
    }
    // One machine-readable line per mode (perf/dataplane/run-io-ceiling.sh reads it).
    std::printf("RESULT %s runs=%u pkts_per_s=%.0f msgs_per_s=%.0f cpu_share=%.2f drops=%lu\n",
                mode == LcoreMode::kPipeline ? "pipeline" : "run_to_completion", repeat, median(pps),
                median(mps), median(cpu), static_cast<unsigned long>(ring_drops));
  }
}

uint64_t orders_sent(const RunOut& r) {
  return r.c.at("orders_buy") + r.c.at("orders_sell");
}

// One tick-to-trade run's numbers, printed; what kind of order left is said by `venue`.
void print_t2t_run(LcoreMode mode, OrderVenue venue, const RunOut& r) {
  const std::string what = std::string(mode == LcoreMode::kPipeline ? "pipeline 1+1" : "run-to-completion") +
                           " [" + to_string(venue) + "]: ";
  print_hist((what + "tick-to-trade").c_str(), r.t2t);
  if (venue == OrderVenue::kKernel)
    print_hist((what + "RX burst -> send() returned").c_str(), r.kernel_written);
  print_hist((what + "ring hop (per event)").c_str(), r.hop);
  print_hist((what + "engine (1 event in 64)").c_str(), r.proc);
  if (r.c.at("ring_dropped_full"))
    std::printf("    (ring drops: %lu)\n", static_cast<unsigned long>(r.c.at("ring_dropped_full")));
  if (venue != OrderVenue::kNone)
    std::printf("    orders %lu, received by the venue %lu, TCP retransmits %lu, refused session_down %lu\n",
                static_cast<unsigned long>(orders_sent(r)), static_cast<unsigned long>(r.venue_orders),
                static_cast<unsigned long>(r.c.at("session_tcp_retransmits")),
                static_cast<unsigned long>(r.c.at("reject_session_down")));
  if (venue == OrderVenue::kDpdk) {
    // Orders our TCP's congestion window held in the send buffer: measured when they left (also in the
    // tick-to-trade above), so a collapsed cwnd shows as latency here, never as unmeasured orders.
    const auto held = r.c.find("session_orders_held");
    std::printf("    orders held by the congestion window: %lu\n",
                static_cast<unsigned long>(held == r.c.end() ? 0 : held->second));
    print_hist((what + "tick-to-trade of the held orders").c_str(), r.t2t_held);
  }
}

// The run's measured orders: every fed message was handled, every order the risk gate passed has left
// and, with a venue, arrived.
bool t2t_run_complete(OrderVenue venue, const RunOut& r) {
  const uint64_t orders = orders_sent(r);
  const uint64_t measured = venue == OrderVenue::kKernel ? r.kernel_written.total() : r.t2t.total();
  return all_messages_handled(r) && orders > 0 && measured == orders &&
         (venue == OrderVenue::kNone || r.venue_orders == orders);
}

// 2. Tick-to-trade without queueing: a feed of `paced_messages` fed one packet every `pace_us`, the
// order transports and lcore modes alternating run by run. False if a run lost or did not measure an order.
bool tick_to_trade_section(const feedgen::Config& fc, uint64_t paced_messages, double pace_us,
                           unsigned latency_repeat, const trade::TradingConfig& trading, const Placement& pl,
                           const std::vector<OrderVenue>& venues, const std::vector<LcoreMode>& modes) {
  std::printf(
      "\n== tick-to-trade (RX burst TSC -> return of rte_eth_tx_burst; kernel: -> return of send()), one "
      "packet every %.1f us from the main lcore ==\n",
      pace_us);
  feedgen::Config pc = fc;
  pc.messages = paced_messages;
  const Feed paced{feedgen::generate_frames(pc), paced_messages};
  // Modes and transports alternate run by run, so a change in the machine's state hits all alike.
  // Per (mode, transport) and percentile, one value per run: the RESULT line gives their median and range.
  constexpr double kQuantiles[] = {0.5, 0.9, 0.99, 0.999};
  using Key = std::pair<LcoreMode, OrderVenue>;
  std::map<Key, std::array<std::vector<double>, 4>> pct;
  std::map<Key, std::vector<double>> run_orders;
  bool complete = true;
  for (unsigned rep = 0; rep < latency_repeat; ++rep) {
    for (LcoreMode mode : modes) {
      if (pace_us < 50 && feeder_shares_a_cpu(mode)) {  // below 50 us the feeder spins between packets
        if (rep == 0)
          std::printf("  pipeline 1+1: skipped (a spinning feeder would starve the RX lcore on cpu %u)\n",
                      rte_lcore_to_cpu_id(1));
        continue;
      }
      for (OrderVenue venue : venues) {
        const RunOut r = run_appliance(paced, mode, trading, pl, pace_us, venue);
        print_t2t_run(mode, venue, r);
        if (!t2t_run_complete(venue, r)) {
          std::printf(
              "    INCOMPLETE: not every message handled, or not every order sent, measured and received\n");
          print_run_stages(r);
          complete = false;
        }
        const auto& h = venue == OrderVenue::kKernel ? r.kernel_written : r.t2t;
        for (std::size_t q = 0; q < 4; ++q)
          pct[{mode, venue}][q].push_back(ns_of(h.percentile(kQuantiles[q])));
        run_orders[{mode, venue}].push_back(static_cast<double>(h.total()));
      }
    }
  }
  for (const auto& [key, v4] : pct) {
    const auto& o = run_orders[key];
    std::printf("RESULT tick_to_trade_%s_%s runs=%zu orders_per_run=%.0f..%.0f",
                key.first == LcoreMode::kPipeline ? "pipeline" : "run_to_completion", to_string(key.second),
                o.size(), *std::min_element(o.begin(), o.end()), *std::max_element(o.begin(), o.end()));
    constexpr const char* kNames[] = {"p50", "p90", "p99", "p99.9"};
    for (std::size_t q = 0; q < 4; ++q) {
      const auto& v = v4[q];
      std::printf(" %s_ns=%.0f[%.0f..%.0f]", kNames[q], median(v), *std::min_element(v.begin(), v.end()),
                  *std::max_element(v.begin(), v.end()));
    }
    std::printf(" (median[min..max] over runs)\n");
  }
  return complete;
}

// 3. I/O ceiling: io-forward on the same kinds of vdevs.
void io_ceiling_section(const Feed& feed) {
  const std::size_t packets = feed.frames.size();
  std::printf(
      "\n== packet-I/O ceiling: io-forward loop (testpmd --forward-mode=io equivalent) on lcore 1 ==\n");
  {
    RingPort rp = make_ring_port(static_cast<unsigned>(rte_align32pow2(static_cast<uint32_t>(packets + 1))),
                                 static_cast<unsigned>(rte_align32pow2(static_cast<uint32_t>(packets + 1))));
    start_port(rp.port_id, g_feed_pool);
    preload(feed, rp.rx);
    std::atomic<bool> stop{false};
    IoFwd io{rp.port_id, rp.port_id, &stop, packets};
    rte_eal_remote_launch(io_forward, &io, 1);
    rte_eal_wait_lcore(1);
    const double secs = ns_of(io.tsc_end - io.tsc_start) / 1e9;
    std::printf("  %-18s %7.2f M pkts/s (%lu packets of the feed; %.2f M ITCH msgs/s equivalent)\n",
                "net_ring (preload)", static_cast<double>(io.packets) / secs / 1e6,
                static_cast<unsigned long>(io.packets), static_cast<double>(feed.messages) / secs / 1e6);
    rte_eth_dev_stop(rp.port_id);
    drain_and_free(rp.tx);
  }
  {
    uint16_t p0 = 0, p1 = 0;
    rte_eth_dev_get_port_by_name("net_null0", &p0);
    rte_eth_dev_get_port_by_name("net_null1", &p1);
    rte_mempool* null_pool = rte_pktmbuf_pool_create("perf_null", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                                     static_cast<int>(rte_socket_id()));
    start_port(p0, null_pool);
    start_port(p1, null_pool);
    std::atomic<bool> stop{false};
    IoFwd io{p0, p1, &stop, 0};
    rte_eal_remote_launch(io_forward, &io, 1);
    const uint64_t end = rte_rdtsc() + rte_get_tsc_hz() / 2;
    while (rte_rdtsc() < end) rte_pause();
    stop.store(true);
    rte_eal_wait_lcore(1);
    const double secs = ns_of(io.tsc_end - io.tsc_start) / 1e9;
    std::printf("  %-18s %7.2f M pkts/s (64-byte frames, 0.5 s)\n", "net_null0->null1",
                static_cast<double>(io.packets) / secs / 1e6);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"perf-dataplane: sniperforge data path fed from memory, and the packet-I/O ceiling"};
  uint64_t messages = 1'000'000;
  std::string config = std::string(SF_SOURCE_ROOT) + "/dpdk-config/replay.toml";
  double pace_us = 200;
  uint64_t paced_messages = 50'000;
  std::string pcap;
  unsigned repeat = 1;
  bool throughput_only = false;
  std::vector<std::string> transports{"dpdk", "kernel"};
  std::vector<std::string> lcore_modes{"run_to_completion", "pipeline"};
  app.add_option("--messages", messages, "ITCH messages in the generated feed");
  app.add_option("--config", config, "trading tables ([trading], [book], [risk], [[strategy]]) from here");
  app.add_option("--pace-us", pace_us, "tick-to-trade runs: one packet every this many microseconds");
  app.add_option("--paced-messages", paced_messages, "tick-to-trade runs: messages in their (smaller) feed");
  app.add_option("--pcap", pcap, "throughput runs: preload the frames of this pcap instead of generating");
  app.add_option("--repeat", repeat, "throughput runs per mode (medians printed as RESULT lines)")
      ->check(CLI::Range(1u, 50u));
  app.add_option("--ring-size", g_ring_size, "events per (RX, executor) ring (default: [lcores] ring_size's)")
      ->check(CLI::PositiveNumber);
  app.add_option("--stall-rx-ms", g_stall_rx_ms,
                 "tick-to-trade runs (a test of the harness): the RX lcore stalls this many ms halfway "
                 "through the feed, as an lcore that a loaded host deschedules")
      ->check(CLI::Range(1u, 5000u));
  unsigned latency_repeat = 1;
  app.add_option("--latency-repeat", latency_repeat,
                 "tick-to-trade runs per mode (medians printed as RESULT lines)")
      ->check(CLI::Range(1u, 50u));
  app.add_option("--transports", transports,
                 "tick-to-trade runs: how orders leave (dpdk: SoupBinTCP over our TCP to an in-process peer; "
                 "kernel: SoupBinTCP over a loopback kernel socket)")
      ->delimiter(',')
      ->check(CLI::IsMember({"dpdk", "kernel"}));
  app.add_option("--lcore-modes", lcore_modes, "tick-to-trade runs: run_to_completion, pipeline")
      ->delimiter(',')
      ->check(CLI::IsMember({"run_to_completion", "pipeline"}));
  app.add_flag("--throughput-only", throughput_only, "skip the tick-to-trade and I/O-ceiling sections");
  bool ab_lines = false;
  app.add_flag("--ab-lines", ab_lines,
               "only A/B line arbitration's cost: --repeat runs per mode, one line vs two interleaved");
  unsigned ab_nic_mbufs = 1023;
  app.add_option("--ab-nic-mbufs", ab_nic_mbufs,
                 "--ab-lines' recycled runs: mbufs the NIC cycles (default: a 1,024-descriptor ring's worth)")
      ->check(CLI::Range(255u, 65535u));
  // sf-feedgen packs at most this many messages per MoldUDP64 packet, and never more than a 1,472-byte
  // payload (a 1,500-byte MTU). A feed at full rate fills its packets: NASDAQ's own capture
  // (../shared/data/itch SOURCES.md, Multiple.Packets.pcap) carries 38 messages in 1,472 bytes.
  unsigned msgs_per_packet = feedgen::Config{}.msgs_per_packet;
  app.add_option(
         "--msgs-per-packet", msgs_per_packet,
         "generated feeds: at most this many ITCH messages per packet (and at most 1,472 payload bytes)")
      ->check(CLI::Range(1u, 1472u));
  std::string journal_ab_dir;
  app.add_option("--journal-ab", journal_ab_dir,
                 "only the journal's cost: --latency-repeat pairs of run-to-completion tick-to-trade runs, "
                 "no [journal] vs fsync = \"group\" in a fresh subdirectory of this directory");
  std::string journal_fsync = "group";
  app.add_option("--journal-fsync", journal_fsync, "--journal-ab: the \"on\" runs' [journal] fsync")
      ->check(CLI::IsMember({"group", "every", "none"}));
  uint32_t journal_group_us = 500;
  app.add_option("--journal-group-us", journal_group_us, "--journal-ab: the \"on\" runs' [journal] group_us")
      ->check(CLI::Range(1u, 1'000'000u));
  int housekeeping_cpu = -1;
  std::vector<int> lcore_cpus;
  app.add_option("--housekeeping-cpu", housekeeping_cpu,
                 "[lcores] housekeeping: the main thread's cpu (feeder, venue, journal writer); default: the "
                 "first core")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--lcore-cpus", lcore_cpus,
                 "[lcores] cpus: the RX lcore's, then the executor's cpu (pipeline needs both; "
                 "run-to-completion uses the first); default: the placement's choice")
      ->delimiter(',')
      ->check(CLI::NonNegativeNumber);
  bool live_rate = false;
  LiveRateOptions live;
  app.add_flag("--live-rate", live_rate,
               "after the throughput runs, search the highest loss-free offered rate (no back-pressure), "
               "then stop");
  app.add_option("--live-seconds", live.seconds, "live rate: seconds per probe")
      ->check(CLI::Range(0.1, 600.0));
  app.add_option("--live-min", live.min_mps, "live rate: lower bound, ITCH messages/s");
  app.add_option("--live-max", live.max_mps, "live rate: upper bound, ITCH messages/s");
  app.add_option("--live-steps", live.steps, "live rate: bisection steps")->check(CLI::Range(0u, 20u));
  app.add_option("--live-nic-ring", live.nic_ring, "live rate: packets the net_ring RX ring (the NIC) holds")
      ->check(CLI::IsMember({256u, 512u, 1024u, 2048u, 4096u, 8192u, 16384u}));
  app.add_option("--live-feed-messages", live.feed_messages, "live rate: messages in the looped feed")
      ->check(CLI::Range(uint64_t{10'000}, uint64_t{4'000'000}));
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> errors;
  const toml::table root = toml::parse_file(config);
  const trade::TradingConfig trading = trade::parse_trading_config(root, errors);
  if (!errors.empty()) {
    std::fprintf(stderr, "%s: %s\n", config.c_str(), errors.front().c_str());
    return 2;
  }

  // Placement and EAL exactly as the appliance does it (pipeline 1 + 1: lcores 0, 1, 2).
  DataplaneConfig eal_cfg;
  eal_cfg.eal.file_prefix = "sf_perf";
  eal_cfg.ports.push_back(PortConfig{.name = "null0", .devargs = "net_null0,size=64,copy=0"});
  eal_cfg.ports.push_back(PortConfig{.name = "null1", .devargs = "net_null1,size=64,copy=0"});
  eal_cfg.lcores.housekeeping = housekeeping_cpu;
  eal_cfg.lcores.cpus = lcore_cpus;
  const Machine machine = discover_machine();
  const Placement pl = choose_placement(machine, eal_cfg.lcores, -1);
  if (!pl.errors.empty() || pl.rx_cpus.empty()) {
    std::fprintf(stderr, "placement: %s", pl.describe(LcoreMode::kPipeline).c_str());
    return 2;
  }
  const EalPlan plan = build_eal_args(eal_cfg, pl, probe_hugepages(), static_cast<int>(getpid()), errors);
  std::vector<std::string> args = plan.args;
  args.push_back("--log-level=lib.eal:warning");
  std::vector<char*> av;
  for (auto& a : args) av.push_back(a.data());
  if (rte_eal_init(static_cast<int>(av.size()), av.data()) < 0) rte_exit(1, "rte_eal_init failed\n");
  std::printf("machine: %s; %s\n", machine.description.c_str(), plan.hugepage_reason.c_str());
  std::printf("placement: %s", pl.describe(LcoreMode::kPipeline).c_str());

  if (ab_lines) {
    ab_lines_section(std::min<uint64_t>(messages, 2'000'000), repeat, trading, pl,  // the pool's size
                     ab_nic_mbufs, msgs_per_packet);
    eal_cleanup_and_remove_runtime_dir();
    return 0;
  }
  feedgen::Config fc;
  fc.messages = messages;
  fc.msgs_per_packet = msgs_per_packet;
  if (!journal_ab_dir.empty()) {
    const bool complete =
        journal_ab_section(fc, paced_messages, pace_us, latency_repeat, trading, pl, journal_ab_dir,
                           journal_fsync == "none"    ? journal::FsyncPolicy::kNone
                           : journal_fsync == "every" ? journal::FsyncPolicy::kEvery
                                                      : journal::FsyncPolicy::kGroup,
                           journal_group_us);
    eal_cleanup_and_remove_runtime_dir();
    return complete ? 0 : 1;
  }
  Feed feed;
  if (pcap.empty()) {
    feed = Feed{feedgen::generate_frames(fc), messages};
    std::printf("feed: %lu ITCH messages in %zu packets (sf-feedgen, %u msgs/packet max)\n\n",
                static_cast<unsigned long>(messages), feed.frames.size(), fc.msgs_per_packet);
  } else {
    feed = Feed{load_pcap(pcap), 0};  // messages: counted by the first run
    std::printf("feed: %zu packets from %s\n\n", feed.frames.size(), pcap.c_str());
  }
  const std::size_t packets = feed.frames.size();
  g_feed_pool = rte_pktmbuf_pool_create(
      "perf_feed", static_cast<unsigned>(rte_align32pow2(static_cast<uint32_t>(packets + 1024))) - 1, 256, 0,
      RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
  if (!g_feed_pool) rte_exit(1, "feed pool: %s\n", rte_strerror(rte_errno));

  throughput_section(feed, repeat, trading, pl);
  if (live_rate) {
    live_rate_search(live, trading, pl);
    eal_cleanup_and_remove_runtime_dir();
    return 0;
  }
  if (throughput_only) {
    eal_cleanup_and_remove_runtime_dir();
    return 0;
  }

  std::vector<OrderVenue> venues;
  for (const std::string& t : transports)
    venues.push_back(t == "dpdk" ? OrderVenue::kDpdk : OrderVenue::kKernel);
  std::vector<LcoreMode> modes;
  for (const std::string& m : lcore_modes)
    modes.push_back(m == "pipeline" ? LcoreMode::kPipeline : LcoreMode::kRunToCompletion);
  const bool complete =
      tick_to_trade_section(fc, paced_messages, pace_us, latency_repeat, trading, pl, venues, modes);
  io_ceiling_section(feed);
  eal_cleanup_and_remove_runtime_dir();
  return complete ? 0 : 1;
}
