// Per-lcore statistics written by the data-plane lcores, read by the stats lcore.
//
// One struct per lcore and role, alignas(64), exactly one writer (the owning lcore); every field
// is an sf::Counter (relaxed load + relaxed store, no lock prefix). The stats lcore reads them with
// relaxed loads at its own pace; it never writes. A run-to-completion lcore owns one RxLcoreStats
// and one ExecutorLcoreStats. Times are raw TSC ticks; the reader converts with the TSC rate.
//
// Every field is exported through the descriptor tables in stat_tables.hpp (one row per field).
//
// Writer checklist (D): heartbeat_tsc.set(rte_rdtsc()) once per loop iteration (or every N polls,
// as long as the interval stays far below telemetry.heartbeat_timeout_ms); polls.add() per poll
// and busy_polls.add() when the poll found work.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/common/side.hpp"
#include "sniperforge/net/neighbours.hpp"
#include "sniperforge/net/tcp_stats.hpp"
#include "sniperforge/telemetry/feed_labels.hpp"
#include "sniperforge/telemetry/feed_line_stats.hpp"
#include "sniperforge/telemetry/feed_recovery_stats.hpp"
#include "sniperforge/telemetry/histogram.hpp"

namespace sf::telemetry {

// Upper bound of executor lcores (ring destinations) an RX lcore can feed.
inline constexpr std::size_t kMaxExecutors = 16;
using sf::Side;  // common/side.hpp
inline constexpr std::size_t kTcpDropReasons = static_cast<std::size_t>(net::TcpDrop::kCount);
inline constexpr std::size_t kNeighbourDropReasons = static_cast<std::size_t>(net::NeighbourDrop::kCount);

struct alignas(kCacheLine) RxLcoreStats {
  // Liveness and busy ratio.
  alignas(kCacheLine) Counter heartbeat_tsc;  // set to rte_rdtsc() every loop iteration
  Counter polls;                              // rte_eth_rx_burst calls
  Counter busy_polls;                         // ... that returned >= 1 packet

  // Feed traffic (only packets that passed to the feed parser).
  alignas(kCacheLine) Counter packets;  // frames received on the feed queue
  Counter bytes;                        // their wire bytes (rte_pktmbuf_pkt_len)
  Counter feed_packets;                 // frames that carried a valid MoldUDP64 packet
  Counter messages;                     // ITCH messages accepted (sum of messages_by_type)
  Counter heartbeats;                   // MoldUDP64 heartbeats (message count 0)
  Counter last_feed_tsc;                // rte_rdtsc() of the last valid feed packet
  Counter next_expected_seq;            // MoldUDP64 sequence number expected next
  // Sequencing: a gap is one event; gap_messages counts the missing messages.
  Counter gaps;
  Counter gap_messages;
  Counter duplicate_packets;          // every message already seen (seq + count <= expected)
  Counter late_packets;               // partly seen (seq < expected < seq + count): the new tail is used
  Counter books_marked_stale;         // books marked stale because of a gap or a full ring
  Counter arbitration_held;           // packets held behind a hole, waiting for the other line
  Counter arbitration_hold_overflow;  // holes declared gaps early: no hold slot left
  Counter session_changes;            // the feed's MoldUDP64 session changed (confirmed): books stale
  Counter seq_restarts;               // the session's sequence moved far and stayed there: books stale

  // A/B line arbitration (line B only when [feed.line_b] is configured).
  alignas(kCacheLine) std::array<FeedLineStats, kFeedLines> lines{};

  // MoldUDP64 re-request recovery ([feed.rewind] only).
  FeedRecoveryStats recovery;

  // `transport = "dpdk"`: order-port frames handed to the executor owning their connection (or the
  // neighbour layer), frames of a separate order port that are none of ours, and frames lost on a full
  // executor ring (TCP retransmits them). Rare, on their own line.
  alignas(kCacheLine) Counter order_port_frames;
  Counter order_port_not_ours;
  Counter order_port_ring_full;

  alignas(kCacheLine) std::array<Counter, kItchTypeSlots> messages_by_type{};
  alignas(kCacheLine) std::array<Counter, kFeedDropReasonCount> drops{};

  // Per destination executor ring.
  alignas(kCacheLine) std::array<Counter, kMaxExecutors> ring_enqueued{};
  alignas(kCacheLine) std::array<Counter, kMaxExecutors> ring_dropped_full{};
  alignas(
      kCacheLine) std::array<Counter, kMaxExecutors> ring_high_water{};  // max occupancy seen by the producer

  // Hot-path helpers (all inline, branch-free except the index clamp).
  void count_message(char itch_type) noexcept {
    messages.add();
    messages_by_type[itch_slot(itch_type)].add();
  }
  void count_drop(FeedDropReason r) noexcept {
    const auto i = static_cast<std::size_t>(r);
    drops[i < kFeedDropReasonCount ? i : kFeedDropReasonCount - 1].add();
  }
};

struct alignas(kCacheLine) ExecutorLcoreStats {
  alignas(kCacheLine) Counter heartbeat_tsc;
  Counter polls;       // ring dequeue calls
  Counter busy_polls;  // ... that returned >= 1 event

  alignas(kCacheLine) Counter events;    // ITCH messages handed to the engine(s)
  Counter venue_messages;                // order-session messages received
  std::array<Counter, 2> orders_sent{};  // by Side
  Counter tx_packets;                    // frames handed to rte_eth_tx_burst and accepted
  Counter tx_unsent;                     // frames the TX queue did not take (freed, counted)
  Counter ring_dequeued;                 // elements taken from the RX ring(s)
  Counter books_stale;                   // gauge (set()): books of this executor currently stale

  // Rare events, on their own line: each one is a counted oddity, never a hot-path write.
  alignas(kCacheLine) Counter stale_events;  // books-stale events handled (a gap or a full ring)
  Counter misrouted;                         // events for a shard this executor does not host
  Counter unknown_events;                    // control events of a kind no RX lcore sends (not handled)
  Counter mbuf_alloc_failed;                 // orders not sent: no mbuf (or too small a data room)
  Counter venue_bad_messages;                // venue messages the engine could not parse
  Counter journal_ring_full;  // records the journal ring did not take (its shards stop orders: journal_full)

  // SoupBinTCP sessions of this executor's shards (`transport = "kernel"`), on their own line: the
  // ring-full refusals are the executor's; the rest mirrors the sessions' own counters (summed over
  // the hosted shards), copied by the executor every few thousand polls and at exit.
  alignas(kCacheLine) Counter session_ring_full;  // orders refused: the session's order ring was full
  Counter sessions_logged_in;                     // gauge: hosted sessions logged in now
  Counter session_reconnects;
  Counter session_heartbeats_sent;
  Counter session_heartbeats_received;
  Counter session_bytes_in;
  Counter session_bytes_out;
  Counter session_orders_refused;  // orders the session itself refused (it went down after the check)
  // `transport = "dpdk"` only: our TCP under the sessions, and the order port's neighbour layer (ARP,
  // ICMP echo; executor 0), copied like the session counters.
  Counter session_tcp_retransmits;  // segments retransmitted (timeout, fast retransmit)
  Counter session_tcp_srtt_ns;      // gauge: largest smoothed RTT of the hosted connections
  Counter session_orders_held;      // orders the congestion (or peer's) window held in the send buffer
  std::array<Counter, kTcpDropReasons> session_tcp_drops{};  // by net::TcpDrop
  Counter neighbour_arp_answered;
  Counter neighbour_icmp_answered;
  Counter neighbour_arp_requests;        // ARP requests we sent to resolve the venue (or gateway)
  Counter segments_unsent_no_neighbour;  // TCP segments not sent: next hop unresolved (TCP retransmits)
  std::array<Counter, kNeighbourDropReasons> neighbour_drops{};  // by net::NeighbourDrop

  // Latency, in TSC ticks.
  LatencyHistogram tick_to_trade;  // NIC RX timestamp (or rx_tsc) -> order handed to TX (its send returned)
  LatencyHistogram ring_hop;       // RX lcore enqueue tsc -> executor dequeue tsc
  LatencyHistogram processing;     // executor: engine on_itch + order build for one event
  // dpdk transport: tick-to-trade of the orders the congestion window held, when they left (their wait
  // included; they are in tick_to_trade too).
  LatencyHistogram tick_to_trade_held;

  void count_order(Side s) noexcept { orders_sent[static_cast<std::size_t>(s)].add(); }
};

// Sanity: the hot structs start on their own cache line.
static_assert(alignof(RxLcoreStats) == kCacheLine);
static_assert(alignof(ExecutorLcoreStats) == kCacheLine);

}  // namespace sf::telemetry
