// perf-dataplane's shared pieces (harness.hpp).
#include "harness.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <thread>

#include "sniperforge/common/cpu_time.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/journal/writer.hpp"
#include "venue_peers.hpp"

namespace sf::perf {

using namespace sf::dataplane;

rte_mempool* g_feed_pool = nullptr;
uint32_t g_ring_size = 0;
uint32_t g_stall_rx_ms = 0;

namespace {
int g_port_seq = 0;
}  // namespace

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

void FeederCpu::restore() const {
  if (moved) pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
}

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

DataplaneConfig ring_port_config(const RingPort& rp, LcoreMode mode, bool replay, uint16_t line_b_udp_port) {
  DataplaneConfig dp;
  dp.ports.push_back(PortConfig{.name = "perf", .devargs = rp.name, .tx_queues = 1, .mbufs = 8191});
  dp.feed.port = dp.order_session.port = "perf";
  dp.order_session.soupbintcp.transport = order_session::TransportKind::kNone;  // configure_venue: a venue
  dp.order_session.soupbintcp.local_ip = order_session::kReplayLocalIp;
  dp.order_session.soupbintcp.venue_ip = order_session::kReplayVenueIp;
  dp.order_session.soupbintcp.venue_port = order_session::kReplayVenuePort;
  if (line_b_udp_port)
    dp.feed.line_b = FeedLineConfig{.port = "perf", .udp_port = line_b_udp_port, .group = std::nullopt};
  dp.lcores.mode = mode;
  if (g_ring_size) dp.lcores.ring_size = g_ring_size;
  dp.lcores.idle_polls_to_exit = replay ? 2000 : 1u << 31;
  return dp;
}

void finish_run(Runtime& rt, RingPort& rp, RunOut& out) {
  rt.wait();
  for (const auto& [k, v] : rt.counters()) out.c[k] = v;
  out.t2t = rt.tick_to_trade();
  out.t2t_held = rt.tick_to_trade_held();
  out.hop = rt.ring_hop();
  out.proc = rt.processing();
  out.kernel_written = rt.kernel_order_written();
  drain_and_free(rp.tx);  // order mbufs belong to the runtime's pool: free them before it goes
  rt.shutdown();
}

const char* to_string(OrderVenue v) noexcept {
  switch (v) {
    case OrderVenue::kNone:
      return "none";
    case OrderVenue::kDpdk:
      return "dpdk";
    case OrderVenue::kKernel:
      return "kernel";
  }
  return "?";
}

namespace {
constexpr std::array<uint8_t, 4> kLocalIp{10, 0, 0, 1};
constexpr std::array<uint8_t, 4> kVenueIp{10, 0, 0, 2};
constexpr uint16_t kVenuePort = 15000;
constexpr net::Mac kVenueMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

// A SoupBinTCP venue's session keys: one login per shard, its password in a mode-0600 file.
std::string configure_venue(DataplaneConfig& dp, OrderVenue v, uint32_t shards, uint16_t kernel_port) {
  const std::string password_file = "/tmp/sf_perf_" + std::to_string(getpid()) + ".password";
  const int fd = ::open(password_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ::write(fd, "PERF\n", 5) != 5) rte_exit(1, "%s: cannot write\n", password_file.c_str());
  ::close(fd);
  order_session::VenueSessionConfig& soup = dp.order_session.soupbintcp;
  soup.transport =
      v == OrderVenue::kDpdk ? order_session::TransportKind::kDpdk : order_session::TransportKind::kKernel;
  soup.local_ip = v == OrderVenue::kDpdk ? kLocalIp : std::array<uint8_t, 4>{};
  soup.venue_ip = v == OrderVenue::kDpdk ? kVenueIp : std::array<uint8_t, 4>{127, 0, 0, 1};
  soup.venue_port = v == OrderVenue::kDpdk ? kVenuePort : kernel_port;
  soup.gateway_mac = kVenueMac;  // no ARP exchange before the run
  for (uint32_t s = 0; s < shards; ++s)
    soup.logins.push_back({.username = "PERF" + std::to_string(s),
                           .password_file = password_file,
                           .session = "",
                           .first_sequence = 1});
  return password_file;
}

// The venue's side of the net_ring port: every frame the appliance sent to the TcpSoupPeer, its
// answers into the RX ring (as a NIC would receive them).
void serve_peer(RingPort& rp, TcpSoupPeer& peer) {
  const uint64_t now_ns = static_cast<uint64_t>(ns_of(rte_rdtsc()));
  TcpSoupPeer::Frames out;
  void* objs[64];
  unsigned n;
  while ((n = rte_ring_dequeue_burst(rp.tx, objs, 64, nullptr)) > 0)
    for (unsigned i = 0; i < n; ++i) {
      auto* m = static_cast<rte_mbuf*>(objs[i]);
      peer.on_frame({rte_pktmbuf_mtod(m, const uint8_t*), m->data_len}, now_ns, out);
      rte_pktmbuf_free(m);
    }
  peer.poll(now_ns, out);
  for (const auto& f : out) {
    rte_mbuf* m = rte_pktmbuf_alloc(g_feed_pool);
    if (!m) rte_exit(1, "feed pool exhausted\n");
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(f.size())), f.data(), f.size());
    while (rte_ring_enqueue(rp.rx, m) != 0) rte_pause();
  }
}

// The journal of a run: an empty directory opened, the executors' rings attached, the writer started.
void start_journal(journal::Writer& w, Runtime& rt) {
  journal::ScanReport recovered;
  if (!w.open(recovered)) rte_exit(1, "journal: %s\n", w.failure().c_str());
  rt.attach_journal(w, std::size_t{1} << 14);  // the appliance's ring (app/journal_setup.cpp)
  w.start();
}

// A paced run waits for the venue's login this long, and for the lcores to take the last packets this
// long after the feed ends. Both are bounds, not expectations: on a loaded host (CI runs two tests at
// once, and the RX lcore shares its cpu with other processes' threads) an lcore is descheduled for tens
// of ms at a time, and a login was seen to take 2.3 s.
constexpr double kLoginWaitSeconds = 20;
constexpr double kDrainWaitSeconds = 20;
// --stall-rx-ms: the RX lcore's stall starts this long after launch; the feed is timed so that its
// first half is enqueued before the stall and its second half during it.
constexpr uint64_t kStallAfterMs = 1500;

uint64_t ticks_of_seconds(double s) {
  return static_cast<uint64_t>(s * static_cast<double>(rte_get_tsc_hz()));
}

// Until every session is logged in and reconciled, serving the venue.
void wait_for_login(Runtime& rt, OrderVenue venue, const std::function<void()>& serve) {
  const uint64_t deadline = rte_rdtsc() + ticks_of_seconds(kLoginWaitSeconds);
  while (!rt.order_sessions_logged_in() || !rt.order_sessions_reconciled()) {
    if (rte_rdtsc() > deadline)
      rte_exit(1, "%s venue: no login within %.0f s\n", to_string(venue), kLoginWaitSeconds);
    serve();
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

// The main thread plays the NIC: one packet every paced_us, the venue served in the middle of each gap.
void feed_paced(const Feed& f, double paced_us, RingPort& rp, const std::function<void()>& serve) {
  const uint64_t gap = static_cast<uint64_t>(paced_us * static_cast<double>(rte_get_tsc_hz()) / 1e6);
  const bool sleep = paced_us >= 50;  // long gaps: sleep, so a shared cpu is free for the lcores
  auto wait_until = [sleep](uint64_t t) {
    const uint64_t now = rte_rdtsc();
    if (sleep && t > now)
      std::this_thread::sleep_for(std::chrono::nanoseconds(static_cast<uint64_t>(ns_of(t - now))));
    while (rte_rdtsc() < t) rte_pause();
  };
  uint64_t next = rte_rdtsc();
  for (std::size_t i = 0; i < f.frames.size(); ++i) {
    rte_mbuf* m = frame_mbuf(f, i);
    wait_until(next);
    while (rte_ring_enqueue(rp.rx, m) != 0) rte_pause();
    wait_until(next + gap / 2);  // the order has left: the venue's answer arrives mid-gap
    serve();
    next += gap;
  }
}

// The run ends once the lcores have taken every frame from the "NIC" (its RX ring is empty; the burst
// in hand is finished after the stop), not a fixed time after the last packet: a fixed 50 ms dropped
// the feed's tail whenever the RX lcore was descheduled that long (CI: 224 of 4,000 events handled).
void stop_when_drained(Runtime& rt, RingPort& rp, const std::function<void()>& serve, RunOut& out) {
  const uint64_t t0 = rte_rdtsc();
  const uint64_t deadline = t0 + ticks_of_seconds(kDrainWaitSeconds);
  serve();
  while (rte_ring_count(rp.rx) != 0 && rte_rdtsc() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    serve();
  }
  out.nic_left_at_stop = rte_ring_count(rp.rx);
  out.drain_timed_out = out.nic_left_at_stop != 0;
  out.drain_ms = ns_of(rte_rdtsc() - t0) / 1e6;
  rt.request_stop();
}

// --stall-rx-ms: the Runtime's test stall on the RX lcore (lcore 1, as feeder_shares_a_cpu says).
void arm_rx_stall(Runtime& rt) {
  if (g_stall_rx_ms) rt.set_test_stall({.lcore = 1, .after_ms = kStallAfterMs, .for_ms = g_stall_rx_ms});
}

// --stall-rx-ms: hold the feed back until its first half ends as the stall begins, serving the venue
// meanwhile: a peer left unanswered this long (up to 1.5 s) times out the session's heartbeat segment
// and collapses our congestion window before the feed starts, which no LAN peer would do.
void time_feed_for_stall(const Feed& f, double paced_us, uint64_t launched,
                         const std::function<void()>& serve) {
  if (!g_stall_rx_ms) return;
  const double half_feed_ms = static_cast<double>(f.frames.size()) * paced_us / 2e3;
  const uint64_t start =
      launched + ticks_of_seconds((static_cast<double>(kStallAfterMs) - half_feed_ms) / 1e3);
  if (rte_rdtsc() > start)
    std::printf(
        "    (--stall-rx-ms: the login ended after the feed should have started; the stall may "
        "miss the feed)\n");
  while (rte_rdtsc() < start) {
    serve();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}
}  // namespace

RunOut run_appliance(const Feed& f, LcoreMode mode, const trade::TradingConfig& trading, const Placement& pl,
                     double paced_us, OrderVenue venue, uint16_t line_b_udp_port,
                     const journal::JournalConfig& journal) {
  const unsigned rx_size = static_cast<unsigned>(rte_align32pow2(static_cast<uint32_t>(f.frames.size() + 1)));
  RingPort rp = make_ring_port(rx_size, 1 << 16);
  if (paced_us == 0) preload(f, rp.rx);
  RunOut out;
  out.fed_packets = f.frames.size();
  out.fed_messages = f.messages;
  std::optional<TcpSoupPeer> peer;
  std::optional<KernelSoupServer> server;
  if (venue == OrderVenue::kDpdk) peer.emplace(kVenueMac, net::ipv4(10, 0, 0, 2), kVenuePort);
  if (venue == OrderVenue::kKernel) server.emplace();
  DataplaneConfig dp = ring_port_config(rp, mode, paced_us == 0, line_b_udp_port);
  const std::string password_file =
      venue == OrderVenue::kNone ? ""
                                 : configure_venue(dp, venue, trading.shards, server ? server->port() : 0);
  // Between two feed packets: the venue answers, TX is drained.
  const std::function<void()> serve = [&] {
    if (peer)
      serve_peer(rp, *peer);
    else
      drain_and_free(rp.tx);
  };
  {
    std::optional<journal::Writer> writer;  // outlives the lcores that write into its rings
    Runtime rt(dp, trading, pl);
    rt.force_replay(paced_us == 0);
    std::vector<std::string> errors, notes;
    if (!rt.build(errors, notes)) rte_exit(1, "build: %s\n", errors.empty() ? "?" : errors.front().c_str());
    if (journal.enabled) start_journal(writer.emplace(journal), rt);
    if (!rt.start_order_sessions(errors, notes))
      rte_exit(1, "build: %s\n", errors.empty() ? "?" : errors.front().c_str());
    if (!password_file.empty()) std::remove(password_file.c_str());
    if (paced_us > 0) arm_rx_stall(rt);
    const uint64_t t0 = rte_rdtsc();
    const double cpu0 = process_cpu_seconds();
    rt.launch();
    wait_for_login(rt, venue, serve);
    out.login_ms = ns_of(rte_rdtsc() - t0) / 1e6;
    if (paced_us > 0) {
      // The feeder plays the NIC: it must not take cpu time from an executor lcore, or the executor's
      // wait for the scheduler is what gets measured. On a machine with a spare cpu it stays where it
      // is; on 2 cpus in pipeline mode it shares the RX lcore's cpu, where any delay it causes falls
      // before the RX stamp (a packet the RX lcore has not polled yet is not on the clock).
      const FeederCpu feeder = place_feeder(mode);
      time_feed_for_stall(f, paced_us, t0, serve);
      feed_paced(f, paced_us, rp, serve);
      stop_when_drained(rt, rp, serve, out);
      feeder.restore();
    }
    while (!rt.finished()) {  // sleep: the main lcore shares a cpu with an executor on small machines
      serve();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    serve();  // the venue takes what the lcores sent last
    const uint64_t t1 = rte_rdtsc();
    out.seconds = ns_of(t1 - t0) / 1e9;
    out.cpu_seconds = process_cpu_seconds() - cpu0;
    finish_run(rt, rp, out);
    if (writer) {
      writer->stop();
      if (writer->failed()) rte_exit(1, "journal: %s\n", writer->failure().c_str());
      out.journal_records = writer->stats().records.load();
    }
  }
  if (peer) out.venue_orders = peer->orders();
  if (server) out.venue_orders = server->orders();  // the sessions logged out when the Runtime went
  drain_and_free(rp.rx);
  return out;
}

bool all_messages_handled(const RunOut& r) {
  return r.c.at("messages") == r.fed_messages && r.c.at("executor_events") == r.fed_messages;
}

void print_run_stages(const RunOut& r) {
  std::printf(
      "    fed %lu packets (%lu messages); login %.1f ms; after the feed, %.1f ms until the lcores "
      "had taken every packet%s; left in the NIC ring at the stop: %lu\n",
      static_cast<unsigned long>(r.fed_packets), static_cast<unsigned long>(r.fed_messages), r.login_ms,
      r.drain_ms, r.drain_timed_out ? " (gave up)" : "", static_cast<unsigned long>(r.nic_left_at_stop));
  std::printf("    venue received %lu orders; non-zero counters:",
              static_cast<unsigned long>(r.venue_orders));
  unsigned n = 0;
  for (const auto& [k, v] : r.c) {
    if (!v) continue;
    std::printf("%s%s=%lu", n++ % 6 == 0 ? "\n      " : " ", k.c_str(), static_cast<unsigned long>(v));
  }
  std::printf("\n");
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

}  // namespace sf::perf
