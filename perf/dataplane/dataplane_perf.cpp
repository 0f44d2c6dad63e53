// perf-dataplane: the whole appliance data path (RX parse + sequence + routing -> SPSC rings ->
// executor Engine + OUCH frames -> TX) fed from memory, next to the packet-I/O ceiling of the same
// virtual devices, in one run.
//
//   perf-dataplane [--messages N] [--config dpdk-config/replay.toml] [--pace-us U]
//                  [--pcap FILE] [--repeat R] [--throughput-only]
//
// 1. Throughput: an sf-feedgen feed is preloaded as mbufs into the RX ring of an in-process net_ring
//    port (rte_eth_from_rings); the lcores run with back-pressure (the RX lcore waits for ring space
//    instead of dropping), so the rate measured is the highest the pipeline sustains with zero ring
//    drops. Pipeline (1 RX + 1 executor) and run-to-completion.
// 2. Tick-to-trade: the same feed enqueued by the main thread at one packet every --pace-us
//    microseconds (no queueing), histogram of RX burst -> tx_burst per order.
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
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "runtime.hpp"
#include "sniperforge/common/cpu_time.hpp"
#include "sniperforge/dataplane/eal_args.hpp"
#include "sniperforge/dataplane/topology.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/trade/config_parse.hpp"

using namespace sf;
using namespace sf::dataplane;

namespace {

struct Feed {
  feedgen::Frames frames;
  uint64_t messages = 0;
};

rte_mempool* g_feed_pool = nullptr;
int g_port_seq = 0;
uint32_t g_ring_size = 0;  // --ring-size (0: the config default)

// A net_ring port whose RX ring holds `n` free slots; TX goes to a large ring we drain.
struct RingPort {
  std::string name;
  uint16_t port_id = 0;
  rte_ring* rx = nullptr;
  rte_ring* tx = nullptr;
};

RingPort make_ring_port(unsigned rx_size, unsigned tx_size) {
  RingPort p;
  const int id = g_port_seq++;
  p.name = "sfperf" + std::to_string(id);
  p.rx = rte_ring_create(("perf_rx" + std::to_string(id)).c_str(), rx_size, static_cast<int>(rte_socket_id()),
                         RING_F_SP_ENQ | RING_F_SC_DEQ);
  p.tx = rte_ring_create(("perf_tx" + std::to_string(id)).c_str(), tx_size, static_cast<int>(rte_socket_id()),
                         RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (!p.rx || !p.tx) rte_exit(1, "ring create: %s\n", rte_strerror(rte_errno));
  const int port = rte_eth_from_rings(p.name.c_str(), &p.rx, 1, &p.tx, 1, rte_socket_id());
  if (port < 0) rte_exit(1, "rte_eth_from_rings: %s\n", rte_strerror(rte_errno));
  p.port_id = static_cast<uint16_t>(port);
  char name[RTE_ETH_NAME_MAX_LEN];
  if (rte_eth_dev_get_name_by_port(p.port_id, name) == 0) p.name = name;  // "net_ring_sfperf0"
  return p;
}

void drain_and_free(rte_ring* r) {
  void* objs[64];
  unsigned n;
  while ((n = rte_ring_dequeue_burst(r, objs, 64, nullptr)) > 0)
    rte_pktmbuf_free_bulk(reinterpret_cast<rte_mbuf**>(objs), n);
}

rte_mbuf* frame_mbuf(const Feed& f, std::size_t i) {
  rte_mbuf* m = rte_pktmbuf_alloc(g_feed_pool);
  if (!m) rte_exit(1, "feed pool exhausted\n");
  const std::size_t len = f.frames.offsets[i + 1] - f.frames.offsets[i];
  char* d = rte_pktmbuf_append(m, static_cast<uint16_t>(len));
  if (!d) rte_exit(1, "frame larger than an mbuf\n");
  std::memcpy(d, f.frames.data.data() + f.frames.offsets[i], len);
  return m;
}

void preload(const Feed& f, rte_ring* r) {
  for (std::size_t i = 0; i < f.frames.size(); ++i)
    if (rte_ring_enqueue(r, frame_mbuf(f, i)) != 0) rte_exit(1, "rx ring too small\n");
}

double ns_of(uint64_t ticks) {
  return static_cast<double>(ticks) * 1e9 / static_cast<double>(rte_get_tsc_hz());
}

struct RunOut {
  double seconds = 0;
  double cpu_seconds = 0;  // all threads of the process during the run (polling lcores spin at 100 %)
  std::map<std::string, uint64_t> c;
  telemetry::HistogramSnapshot t2t, hop, proc;
};

// Pins the calling (feeder) thread to a cpu no executor lcore runs on, and restores its affinity.
struct FeederCpu {
  cpu_set_t saved{};
  bool moved = false;
  void restore() const {
    if (moved) pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
  }
};

// Pipeline on a machine whose main cpu is the executor's: the feeder has to share a polling lcore's cpu.
bool feeder_shares_a_cpu(LcoreMode mode) {
  // Lcores as the Runtime launches them with one RX: pipeline RX 1, executor 2; run-to-completion 1.
  const unsigned exec_cpu = rte_lcore_to_cpu_id(mode == LcoreMode::kPipeline ? 2 : 1);
  const unsigned main_cpu = rte_lcore_to_cpu_id(static_cast<int>(rte_get_main_lcore()));
  return mode == LcoreMode::kPipeline && main_cpu == exec_cpu;
}

FeederCpu place_feeder(LcoreMode mode) {
  FeederCpu f;
  if (!feeder_shares_a_cpu(mode)) return f;
  const unsigned main_cpu = rte_lcore_to_cpu_id(static_cast<int>(rte_get_main_lcore()));
  const unsigned rx_cpu = rte_lcore_to_cpu_id(1);
  pthread_getaffinity_np(pthread_self(), sizeof f.saved, &f.saved);
  cpu_set_t to;
  CPU_ZERO(&to);
  CPU_SET(rx_cpu, &to);
  f.moved = pthread_setaffinity_np(pthread_self(), sizeof to, &to) == 0;
  std::printf("  (feeder thread moved from cpu %u, the executor's, to cpu %u, the RX lcore's)\n", main_cpu,
              rx_cpu);
  return f;
}

// Runs the real Runtime on a ring port. `paced_us` = 0: preloaded (throughput); else the main thread
// feeds one packet every paced_us microseconds while the lcores run.
RunOut run_appliance(const Feed& f, LcoreMode mode, const trade::TradingConfig& trading, const Placement& pl,
                     double paced_us) {
  const unsigned rx_size = static_cast<unsigned>(rte_align32pow2(static_cast<uint32_t>(f.frames.size() + 1)));
  RingPort rp = make_ring_port(rx_size, 1 << 16);
  if (paced_us == 0) preload(f, rp.rx);

  DataplaneConfig dp;
  dp.ports.push_back(PortConfig{.name = "perf", .devargs = rp.name, .tx_queues = 1, .mbufs = 8191});
  dp.feed.port = dp.order_session.port = "perf";
  dp.lcores.mode = mode;
  if (g_ring_size) dp.lcores.ring_size = g_ring_size;
  dp.lcores.idle_polls_to_exit = paced_us == 0 ? 2000 : 1u << 31;
  RunOut out;
  {
    Runtime rt(dp, trading, pl);
    rt.force_replay(paced_us == 0);
    std::vector<std::string> errors, notes;
    if (!rt.build(errors, notes)) rte_exit(1, "build: %s\n", errors.empty() ? "?" : errors.front().c_str());
    const uint64_t t0 = rte_rdtsc();
    const double cpu0 = process_cpu_seconds();
    rt.launch();
    if (paced_us > 0) {
      // The feeder plays the NIC: it must not take cpu time from an executor lcore, or the executor's
      // wait for the scheduler is what gets measured. On a machine with a spare cpu it stays where it
      // is; on 2 cpus in pipeline mode it shares the RX lcore's cpu, where any delay it causes falls
      // before the RX stamp (a packet the RX lcore has not polled yet is not on the clock).
      const FeederCpu feeder = place_feeder(mode);
      const uint64_t gap = static_cast<uint64_t>(paced_us * static_cast<double>(rte_get_tsc_hz()) / 1e6);
      uint64_t next = rte_rdtsc();
      const bool sleep = paced_us >= 50;  // long gaps: sleep, so a shared cpu is free for the lcores
      for (std::size_t i = 0; i < f.frames.size(); ++i) {
        rte_mbuf* m = frame_mbuf(f, i);
        if (sleep) {
          const uint64_t now = rte_rdtsc();
          if (next > now)
            std::this_thread::sleep_for(std::chrono::nanoseconds(static_cast<uint64_t>(ns_of(next - now))));
        }
        while (rte_rdtsc() < next) rte_pause();
        while (rte_ring_enqueue(rp.rx, m) != 0) rte_pause();
        next += gap;
        if ((i & 255) == 0) drain_and_free(rp.tx);
      }
      // Let the last packets through, then stop.
      const uint64_t settle = rte_rdtsc() + rte_get_tsc_hz() / 20;
      while (rte_rdtsc() < settle) rte_pause();
      rt.request_stop();
      feeder.restore();
    }
    while (!rt.finished()) {  // sleep: the main lcore shares a cpu with an executor on small machines
      drain_and_free(rp.tx);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const uint64_t t1 = rte_rdtsc();
    rt.wait();
    out.seconds = ns_of(t1 - t0) / 1e9;
    out.cpu_seconds = process_cpu_seconds() - cpu0;
    for (const auto& [k, v] : rt.counters()) out.c[k] = v;
    out.t2t = rt.tick_to_trade();
    out.hop = rt.ring_hop();
    out.proc = rt.processing();
    drain_and_free(rp.tx);  // order mbufs belong to the runtime's pool: free them before it goes
    rt.shutdown();
  }
  drain_and_free(rp.rx);
  return out;
}

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

// Every frame of a pcap (as captured), e.g. the sf-feedgen file dpdk-testpmd reads.
feedgen::Frames load_pcap(const std::string& path) {
  feedgen::Frames f;
  io::PcapReader r;
  if (!r.open(path)) rte_exit(1, "%s: %s\n", path.c_str(), r.error().c_str());
  io::PcapPacket pkt;
  while (r.next(pkt)) {
    f.data.insert(f.data.end(), pkt.data, pkt.data + pkt.caplen);
    f.offsets.push_back(f.data.size());
    f.ts_ns.push_back(pkt.ts_ns);
  }
  if (!r.error().empty()) rte_exit(1, "%s: %s\n", path.c_str(), r.error().c_str());
  return f;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// rte_eal_cleanup() leaves /var/run/dpdk/<prefix> behind: remove it (one per run otherwise).
void eal_cleanup_and_remove_runtime_dir() {
  const std::string dir = rte_eal_get_runtime_dir();
  rte_eal_cleanup();
  std::error_code ec;
  if (dir.find("sf_perf") != std::string::npos) std::filesystem::remove_all(dir, ec);
}

void print_hist(const char* what, const telemetry::HistogramSnapshot& h) {
  if (!h.total()) {
    std::printf("  %-40s none\n", what);
    return;
  }
  std::printf(
      "  %-40s n=%lu mean %.0f ns, p50 %.0f ns, p90 %.0f ns, p99 %.0f ns, p99.9 %.0f ns, max %.0f ns\n", what,
      static_cast<unsigned long>(h.total()), ns_of(h.sum) / static_cast<double>(h.total()),
      ns_of(h.percentile(0.5)), ns_of(h.percentile(0.9)), ns_of(h.percentile(0.99)),
      ns_of(h.percentile(0.999)), ns_of(h.max));
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
  app.add_option("--messages", messages, "ITCH messages in the generated feed");
  app.add_option("--config", config, "trading tables ([trading], [book], [risk], [[strategy]]) from here");
  app.add_option("--pace-us", pace_us, "tick-to-trade runs: one packet every this many microseconds");
  app.add_option("--paced-messages", paced_messages, "tick-to-trade runs: messages in their (smaller) feed");
  app.add_option("--pcap", pcap, "throughput runs: preload the frames of this pcap instead of generating");
  app.add_option("--repeat", repeat, "throughput runs per mode (medians printed as RESULT lines)")
      ->check(CLI::Range(1u, 50u));
  app.add_option("--ring-size", g_ring_size, "events per (RX, executor) ring (default: [lcores] ring_size's)")
      ->check(CLI::PositiveNumber);
  unsigned latency_repeat = 1;
  app.add_option("--latency-repeat", latency_repeat,
                 "tick-to-trade runs per mode (medians printed as RESULT lines)")
      ->check(CLI::Range(1u, 50u));
  app.add_flag("--throughput-only", throughput_only, "skip the tick-to-trade and I/O-ceiling sections");
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
  const Machine machine = discover_machine();
  const Placement pl = choose_placement(machine, eal_cfg.lcores, -1);
  const EalPlan plan = build_eal_args(eal_cfg, pl, probe_hugepages(), static_cast<int>(getpid()), errors);
  std::vector<std::string> args = plan.args;
  args.push_back("--log-level=lib.eal:warning");
  std::vector<char*> av;
  for (auto& a : args) av.push_back(a.data());
  if (rte_eal_init(static_cast<int>(av.size()), av.data()) < 0) rte_exit(1, "rte_eal_init failed\n");
  std::printf("machine: %s; %s\n", machine.description.c_str(), plan.hugepage_reason.c_str());
  std::printf("placement: %s", pl.describe(LcoreMode::kPipeline).c_str());

  feedgen::Config fc;
  fc.messages = messages;
  Feed feed;
  if (pcap.empty()) {
    feed = Feed{feedgen::generate_frames(fc), messages};
    std::printf("feed: %lu ITCH messages in %zu packets (sf-feedgen defaults, %u msgs/packet max)\n\n",
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

  // 1. Throughput, back-pressured (zero ring drops by construction; checked).
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
  if (throughput_only) {
    eal_cleanup_and_remove_runtime_dir();
    return 0;
  }

  // 2. Tick-to-trade without queueing.
  std::printf(
      "\n== tick-to-trade (RX burst TSC -> tx_burst), one packet every %.1f us from the main lcore ==\n",
      pace_us);
  feedgen::Config pc = fc;
  pc.messages = paced_messages;
  const Feed paced{feedgen::generate_frames(pc), paced_messages};
  // Modes alternate run by run, so a change in the machine's state hits both alike.
  std::map<LcoreMode, std::vector<double>> p50, p90, p99;
  std::map<LcoreMode, uint64_t> orders;
  for (unsigned rep = 0; rep < latency_repeat; ++rep) {
    for (LcoreMode mode : {LcoreMode::kRunToCompletion, LcoreMode::kPipeline}) {
      if (pace_us < 50 && feeder_shares_a_cpu(mode)) {  // below 50 us the feeder spins between packets
        if (rep == 0)
          std::printf("  pipeline 1+1: skipped (a spinning feeder would starve the RX lcore on cpu %u)\n",
                      rte_lcore_to_cpu_id(1));
        continue;
      }
      const RunOut r = run_appliance(paced, mode, trading, pl, pace_us);
      const bool pipe = mode == LcoreMode::kPipeline;
      print_hist(pipe ? "pipeline 1+1: tick-to-trade" : "run-to-completion: tick-to-trade", r.t2t);
      print_hist(pipe ? "pipeline 1+1: ring hop (per event)" : "run-to-completion: ring hop", r.hop);
      print_hist(pipe ? "pipeline 1+1: engine (1 event in 64)" : "run-to-completion: engine (1 in 64)",
                 r.proc);
      if (r.c.at("ring_dropped_full"))
        std::printf("    (ring drops: %lu)\n", static_cast<unsigned long>(r.c.at("ring_dropped_full")));
      p50[mode].push_back(ns_of(r.t2t.percentile(0.5)));
      p90[mode].push_back(ns_of(r.t2t.percentile(0.9)));
      p99[mode].push_back(ns_of(r.t2t.percentile(0.99)));
      orders[mode] += r.t2t.total();
    }
  }
  for (LcoreMode mode : {LcoreMode::kRunToCompletion, LcoreMode::kPipeline})
    if (!p50[mode].empty())
      std::printf(
          "RESULT tick_to_trade_%s runs=%u orders=%lu p50_ns=%.0f p90_ns=%.0f p99_ns=%.0f (medians of "
          "runs)\n",
          mode == LcoreMode::kPipeline ? "pipeline" : "run_to_completion", latency_repeat,
          static_cast<unsigned long>(orders[mode]), median(p50[mode]), median(p90[mode]), median(p99[mode]));

  // 3. I/O ceiling: io-forward on the same kinds of vdevs.
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
  eal_cleanup_and_remove_runtime_dir();
  return 0;
}
