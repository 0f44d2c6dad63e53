// Shared by the perf-dataplane sections (dataplane_perf.cpp, live_rate.cpp): the in-process net_ring
// port that plays the NIC, feeds copied into mbufs, the real Runtime run on them, and report helpers.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>
#include <sched.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime.hpp"
#include "sniperforge/dataplane/topology.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/journal/config.hpp"
#include "sniperforge/telemetry/histogram.hpp"
#include "sniperforge/trade/config.hpp"

namespace sf::perf {

struct Feed {
  feedgen::Frames frames;
  uint64_t messages = 0;
};

extern rte_mempool* g_feed_pool;
extern uint32_t g_ring_size;    // --ring-size (0: the config default)
extern uint32_t g_stall_rx_ms;  // --stall-rx-ms (0: none): paced runs' RX lcore stalls mid-feed

// A net_ring port: the RX ring is what the lcores poll (the "NIC"), TX goes to a ring we drain.
struct RingPort {
  std::string name;
  uint16_t port_id = 0;
  rte_ring* rx = nullptr;
  rte_ring* tx = nullptr;
};
RingPort make_ring_port(unsigned rx_size, unsigned tx_size);
void drain_and_free(rte_ring* r);
rte_mbuf* frame_mbuf(const Feed& f, std::size_t i);
void preload(const Feed& f, rte_ring* r);
double ns_of(uint64_t ticks);
double median(std::vector<double> v);

// How the orders leave: transport "none" (no venue: SoupBinTCP in the synthetic TCP stream a replay
// writes, the throughput runs'), SoupBinTCP over our own TCP on the same net_ring port (a TcpSoupPeer
// answers in process), or over a kernel socket to a KernelSoupServer.
enum class OrderVenue : uint8_t { kNone, kDpdk, kKernel };
const char* to_string(OrderVenue v) noexcept;  // "none", "dpdk", "kernel"

struct RunOut {
  double seconds = 0;
  double cpu_seconds = 0;  // all threads of the process during the run (polling lcores spin at 100 %)
  std::map<std::string, uint64_t> c;
  telemetry::HistogramSnapshot t2t, hop, proc;
  telemetry::HistogramSnapshot t2t_held;        // dpdk: the orders the congestion window held (also in t2t)
  telemetry::HistogramSnapshot kernel_written;  // kKernel: RX burst -> send() returned (session thread)
  uint64_t venue_orders = 0;                    // SoupBinTCP: Unsequenced Data packets the venue received
  uint64_t journal_records = 0;                 // `journal` given: records its writer thread wrote
  // How a paced run went, stage by stage (print_run_stages): what was fed, what the lcores had not taken
  // from the "NIC" when the run stopped, how long the login and the wait for the lcores took.
  uint64_t fed_packets = 0, fed_messages = 0;
  uint64_t nic_left_at_stop = 0;
  double login_ms = 0, drain_ms = 0;
  bool drain_timed_out = false;
};
// Every fed ITCH message was parsed by the RX lcore and handled by an executor.
bool all_messages_handled(const RunOut& r);
// A failed run's stages, from the feed to the venue: the harness's figures and every non-zero counter
// (RX, rings, order port, session, risk rejects by reason, TX), so a failure says where it stopped.
void print_run_stages(const RunOut& r);

// Pins the calling (feeder) thread to a cpu no executor lcore runs on, and restores its affinity.
struct FeederCpu {
  cpu_set_t saved{};
  bool moved = false;
  void restore() const;
};
bool feeder_shares_a_cpu(dataplane::LcoreMode mode);
FeederCpu place_feeder(dataplane::LcoreMode mode);

// The real Runtime on a ring port. `paced_us` = 0: preloaded (throughput); else the main thread feeds
// one packet every paced_us microseconds while the lcores run.
// With a SoupBinTCP venue the feed starts once every session is logged in, and the venue is served
// in the middle of each gap (the appliance is idle then, as it is when a LAN peer's ACK arrives).
// `line_b_udp_port` != 0: [feed.line_b] on that UDP port of the same port (A/B lines arbitrated).
// `journal` (enabled): the executors journal their orders through a writer thread, as the appliance does.
RunOut run_appliance(const Feed& f, dataplane::LcoreMode mode, const trade::TradingConfig& trading,
                     const dataplane::Placement& pl, double paced_us, OrderVenue venue = OrderVenue::kNone,
                     uint16_t line_b_udp_port = 0, const journal::JournalConfig& journal = {});
// The appliance's DataplaneConfig for a ring port (one port for feed and orders, transport "none").
dataplane::DataplaneConfig ring_port_config(const RingPort& rp, dataplane::LcoreMode mode, bool replay,
                                            uint16_t line_b_udp_port = 0);
// Collects the run's counters and histograms, frees the orders, shuts the runtime down.
void finish_run(dataplane::Runtime& rt, RingPort& rp, RunOut& out);

feedgen::Frames load_pcap(const std::string& path);
void eal_cleanup_and_remove_runtime_dir();
void print_hist(const char* what, const telemetry::HistogramSnapshot& h);

// Live rate (live_rate.cpp): the highest offered rate the pipeline takes without a drop.
struct LiveRateOptions {
  double seconds = 10;                   // each probe offers packets this long
  double min_mps = 5e6, max_mps = 40e6;  // ITCH messages/s searched
  unsigned steps = 6;                    // bisection steps after the bracket
  unsigned nic_ring = 4096;              // packets the "NIC" (net_ring RX ring) buffers
  uint64_t feed_messages = 1'000'000;    // the feed looped by the producer
};
// A/B lines (--ab-lines, ab_lines.cpp, #12): the same feed on one line and on two, back-pressured
// throughput runs interleaved one line / two lines; ns per unique message, medians and ratios. Preloaded
// (both lcore modes), then fed by a recycled NIC of `nic_mbufs` mbufs (run to completion). The feed packs
// at most `msgs_per_packet` messages per packet (sf-feedgen's --msgs-per-packet).
void ab_lines_section(uint64_t messages, unsigned repeat, const trade::TradingConfig& trading,
                      const dataplane::Placement& pl, unsigned nic_mbufs, unsigned msgs_per_packet);

// Journal on/off (--journal-ab DIR, journal_ab.cpp, #13): run-to-completion tick-to-trade with no
// [journal] and with `fsync` ("group" by default; group_us 500 by default) in a fresh subdirectory of
// DIR, interleaved run by run. False if a run lost an order or the journal did not record every order.
bool journal_ab_section(const feedgen::Config& fc, uint64_t paced_messages, double pace_us, unsigned runs,
                        const trade::TradingConfig& trading, const dataplane::Placement& pl,
                        const std::string& dir, journal::FsyncPolicy fsync, uint32_t group_us);

void live_rate_search(const LiveRateOptions& o, const trade::TradingConfig& trading,
                      const dataplane::Placement& pl);

}  // namespace sf::perf
