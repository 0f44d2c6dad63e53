#include "sniperforge/telemetry/stat_tables.hpp"

#include <algorithm>
#include <array>

namespace sf::telemetry {
namespace {

// Row helpers: a plain field, or one slot of an array field.
#define SF_FIELD(S, f) [](const S& s, std::size_t) -> uint64_t { return s.f.load(); }
#define SF_SLOT(S, f) [](const S& s, std::size_t i) -> uint64_t { return s.f[i].load(); }

std::string_view drop_name(std::size_t i) {
  return kFeedDropReasonNames[i];
}
std::string_view executor_name(std::size_t i) {
  static constexpr std::array<std::string_view, kMaxExecutors> kNames = {
      "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"};
  return kNames[i];
}
std::string_view line_name(std::size_t i) {
  return i == 0 ? "a" : "b";
}
std::string_view side_name(std::size_t i) {
  return i == 0 ? "buy" : "sell";
}

using Rx = RxLcoreStats;
using Ex = ExecutorLcoreStats;
constexpr auto kCounter = StatKind::kCounter;
constexpr auto kGauge = StatKind::kGauge;

// Rows in the order the reporters list them.
const StatDesc<Rx> kRx[] = {
    {.key = "rx_polls",
     .metric = "sniperforge_lcore_polls_total",
     .help = "Poll-loop iterations",
     .kind = kCounter,
     .read = SF_FIELD(Rx, polls),
     .role = "rx"},
    {.key = "rx_busy_polls",
     .metric = "sniperforge_lcore_busy_polls_total",
     .help = "Poll-loop iterations that found work",
     .kind = kCounter,
     .read = SF_FIELD(Rx, busy_polls),
     .role = "rx"},
    {.key = "packets",
     .metric = "sniperforge_feed_packets_total",
     .help = "Frames received on the feed RX queue",
     .kind = kCounter,
     .read = SF_FIELD(Rx, packets)},
    {.key = "bytes",
     .metric = "sniperforge_feed_bytes_total",
     .help = "Bytes of the frames received on the feed RX queue",
     .kind = kCounter,
     .read = SF_FIELD(Rx, bytes)},
    {.key = "feed_packets",
     .metric = "sniperforge_feed_mold_packets_total",
     .help = "Frames that carried a valid MoldUDP64 packet",
     .kind = kCounter,
     .read = SF_FIELD(Rx, feed_packets)},
    {.key = "messages",
     .metric = "sniperforge_feed_messages_total",
     .help = "ITCH messages accepted, by message type",
     .kind = kCounter,
     .read = SF_SLOT(Rx, messages_by_type),
     .label = "type",
     .slots = kItchTypeSlots,
     .slot_name = itch_slot_label,
     .total = true},
    {.key = "heartbeats",
     .metric = "sniperforge_feed_heartbeats_total",
     .help = "MoldUDP64 heartbeat packets",
     .kind = kCounter,
     .read = SF_FIELD(Rx, heartbeats)},
    {.key = "drop",
     .metric = "sniperforge_feed_drops_total",
     .help = "Feed frames or messages dropped, by reason",
     .kind = kCounter,
     .read = SF_SLOT(Rx, drops),
     .label = "reason",
     .slots = kFeedDropReasonCount,
     .slot_name = drop_name,
     .total_key = "drops"},
    {.key = "gaps",
     .metric = "sniperforge_feed_gaps_total",
     .help = "MoldUDP64 sequence gaps (events)",
     .kind = kCounter,
     .read = SF_FIELD(Rx, gaps)},
    {.key = "gap_messages",
     .metric = "sniperforge_feed_gap_messages_total",
     .help = "Messages missing in sequence gaps",
     .kind = kCounter,
     .read = SF_FIELD(Rx, gap_messages)},
    {.key = "duplicate_packets",
     .metric = "sniperforge_feed_duplicate_packets_total",
     .help = "MoldUDP64 packets whose messages were all seen before",
     .kind = kCounter,
     .read = SF_FIELD(Rx, duplicate_packets)},
    {.key = "late_packets",
     .metric = "sniperforge_feed_late_packets_total",
     .help = "MoldUDP64 packets partly seen before (new tail used)",
     .kind = kCounter,
     .read = SF_FIELD(Rx, late_packets)},
    {.key = "books_marked_stale",
     .metric = "sniperforge_feed_books_marked_stale_total",
     .help = "Books marked stale by a gap or a full ring",
     .kind = kCounter,
     .read = SF_FIELD(Rx, books_marked_stale)},
    {.key = "arbitration_held",
     .metric = "sniperforge_feed_arbitration_held_total",
     .help = "Packets held behind a hole, waiting for the other feed line",
     .kind = kCounter,
     .read = SF_FIELD(Rx, arbitration_held)},
    {.key = "arbitration_hold_overflow",
     .metric = "sniperforge_feed_arbitration_hold_overflow_total",
     .help = "Holes declared gaps before the arbitration window ended: no hold slot left",
     .kind = kCounter,
     .read = SF_FIELD(Rx, arbitration_hold_overflow)},
    {.key = "session_changes",
     .metric = "sniperforge_feed_session_changes_total",
     .help = "Confirmed changes of the feed's MoldUDP64 session (books marked stale)",
     .kind = kCounter,
     .read = SF_FIELD(Rx, session_changes)},
    {.key = "seq_restarts",
     .metric = "sniperforge_feed_seq_restarts_total",
     .help = "Confirmed jumps of the feed's sequence beyond [feed] max_seq_jump (books marked stale)",
     .kind = kCounter,
     .read = SF_FIELD(Rx, seq_restarts)},
    {.key = "line_packets",
     .metric = "sniperforge_feed_line_packets_total",
     .help = "Valid MoldUDP64 packets received, by feed line",
     .kind = kCounter,
     .read = [](const Rx& s, std::size_t i) -> uint64_t { return s.lines[i].packets.load(); },
     .label = "line",
     .slots = kFeedLines,
     .slot_name = line_name},
    {.key = "line_first_messages",
     .metric = "sniperforge_feed_line_first_messages_total",
     .help = "Messages a feed line delivered first (A/B arbitration)",
     .kind = kCounter,
     .read = [](const Rx& s, std::size_t i) -> uint64_t { return s.lines[i].first_messages.load(); },
     .label = "line",
     .slots = kFeedLines,
     .slot_name = line_name},
    {.key = "line_duplicates",
     .metric = "sniperforge_feed_line_duplicates_total",
     .help = "Packets of a feed line discarded as already seen (A/B arbitration)",
     .kind = kCounter,
     .read = [](const Rx& s, std::size_t i) -> uint64_t { return s.lines[i].duplicates.load(); },
     .label = "line",
     .slots = kFeedLines,
     .slot_name = line_name},
    {.key = "line_gaps",
     .metric = "sniperforge_feed_line_gaps_total",
     .help = "Holes in a feed line's own sequence (the other line may have filled them)",
     .kind = kCounter,
     .read = [](const Rx& s, std::size_t i) -> uint64_t { return s.lines[i].gaps.load(); },
     .label = "line",
     .slots = kFeedLines,
     .slot_name = line_name},
    {.key = "next_expected_seq",
     .metric = "sniperforge_feed_next_sequence",
     .help = "MoldUDP64 sequence number expected next",
     .kind = kGauge,
     .read = SF_FIELD(Rx, next_expected_seq),
     .combine = Combine::kMax},
    {.key = "ring_enqueued",
     .metric = "sniperforge_ring_enqueued_total",
     .help = "Events enqueued from an RX lcore to an executor ring",
     .kind = kCounter,
     .read = SF_SLOT(Rx, ring_enqueued),
     .label = "executor",
     .slots = kMaxExecutors,
     .slot_name = executor_name,
     .which = Slots::kPerExecutor,
     .total = true},
    {.key = "ring_dropped_full",
     .metric = "sniperforge_ring_dropped_full_total",
     .help = "Events dropped because the executor ring was full",
     .kind = kCounter,
     .read = SF_SLOT(Rx, ring_dropped_full),
     .label = "executor",
     .slots = kMaxExecutors,
     .slot_name = executor_name,
     .which = Slots::kPerExecutor,
     .total = true},
    {.key = "ring_producer_high_water",
     .metric = "sniperforge_ring_producer_high_water",
     .help = "Highest ring occupancy the producer saw after an enqueue",
     .kind = kGauge,
     .read = SF_SLOT(Rx, ring_high_water),
     .label = "executor",
     .slots = kMaxExecutors,
     .slot_name = executor_name,
     .which = Slots::kPerExecutor,
     .total = true,
     .combine = Combine::kMax},
    {.key = "venue_datagrams",
     .metric = "sniperforge_venue_datagrams_total",
     .help = "Datagrams to one of the order-session ports",
     .kind = kCounter,
     .read = SF_FIELD(Rx, venue_datagrams)},
    {.key = "venue_messages_routed",
     .metric = "sniperforge_venue_messages_routed_total",
     .help = "Venue (OUCH) messages routed to the executor of their shard",
     .kind = kCounter,
     .read = SF_FIELD(Rx, venue_messages_routed)},
    {.key = "venue_bad_datagrams",
     .metric = "sniperforge_venue_bad_datagrams_total",
     .help = "Order-session datagrams dropped whole: bad session framing or OUCH validation",
     .kind = kCounter,
     .read = SF_FIELD(Rx, venue_bad_datagrams)},
    {.key = "venue_too_long",
     .metric = "sniperforge_venue_too_long_total",
     .help = "Venue messages dropped: longer than an executor event chain carries",
     .kind = kCounter,
     .read = SF_FIELD(Rx, venue_too_long)},
    {.key = "venue_session_packets",
     .metric = "sniperforge_venue_session_packets_total",
     .help = "Order-session packets without executor work (heartbeats, login replies, end of session)",
     .kind = kCounter,
     .read = SF_FIELD(Rx, venue_session_packets)},
};

const StatDesc<Ex> kEx[] = {
    {.key = "executor_polls",
     .metric = "sniperforge_lcore_polls_total",
     .help = "Poll-loop iterations",
     .kind = kCounter,
     .read = SF_FIELD(Ex, polls),
     .role = "executor"},
    {.key = "executor_busy_polls",
     .metric = "sniperforge_lcore_busy_polls_total",
     .help = "Poll-loop iterations that found work",
     .kind = kCounter,
     .read = SF_FIELD(Ex, busy_polls),
     .role = "executor"},
    {.key = "executor_events",
     .metric = "sniperforge_executor_events_total",
     .help = "ITCH messages handed to the trading engines",
     .kind = kCounter,
     .read = SF_FIELD(Ex, events)},
    {.key = "ring_dequeued",
     .metric = "sniperforge_ring_dequeued_total",
     .help = "Events dequeued by an executor",
     .kind = kCounter,
     .read = SF_FIELD(Ex, ring_dequeued)},
    {.key = "venue_messages",
     .metric = "sniperforge_venue_messages_total",
     .help = "Order-session messages received",
     .kind = kCounter,
     .read = SF_FIELD(Ex, venue_messages)},
    {.key = "venue_bad_messages",
     .metric = "sniperforge_venue_bad_messages_total",
     .help = "Order-session messages the engine could not parse, or torn (start lost on a full ring)",
     .kind = kCounter,
     .read = SF_FIELD(Ex, venue_bad_messages)},
    {.key = "orders",
     .metric = "sniperforge_orders_sent_total",
     .help = "Orders handed to the TX queue, by side",
     .kind = kCounter,
     .read = SF_SLOT(Ex, orders_sent),
     .label = "side",
     .slots = 2,
     .slot_name = side_name},
    {.key = "tx_packets",
     .metric = "sniperforge_tx_packets_total",
     .help = "Frames accepted by the TX queue",
     .kind = kCounter,
     .read = SF_FIELD(Ex, tx_packets)},
    {.key = "tx_unsent",
     .metric = "sniperforge_tx_unsent_total",
     .help = "Frames the TX queue did not accept (freed)",
     .kind = kCounter,
     .read = SF_FIELD(Ex, tx_unsent)},
    {.key = "mbuf_alloc_failed",
     .metric = "sniperforge_mbuf_alloc_failed_total",
     .help = "Orders not sent: no mbuf for the frame",
     .kind = kCounter,
     .read = SF_FIELD(Ex, mbuf_alloc_failed)},
    {.key = "journal_ring_full",
     .metric = "sniperforge_journal_ring_full_total",
     .help = "Journal records an executor could not hand to the writer (ring full or writer failed)",
     .kind = kCounter,
     .read = SF_FIELD(Ex, journal_ring_full)},
    {.key = "executor_books_stale",
     .metric = "sniperforge_executor_books_stale",
     .help = "Books of this executor currently stale",
     .kind = kGauge,
     .read = SF_FIELD(Ex, books_stale)},
    {.key = "stale_events",
     .metric = "sniperforge_executor_stale_events_total",
     .help = "Books-stale events an executor handled (a gap or a full ring)",
     .kind = kCounter,
     .read = SF_FIELD(Ex, stale_events)},
    {.key = "misrouted",
     .metric = "sniperforge_executor_misrouted_total",
     .help = "Events that reached an executor without their shard",
     .kind = kCounter,
     .read = SF_FIELD(Ex, misrouted)},
    {.key = "session_ring_full",
     .metric = "sniperforge_session_ring_full_total",
     .help = "Orders refused because the order session's ring was full",
     .kind = kCounter,
     .read = SF_FIELD(Ex, session_ring_full)},
    {.key = "sessions_logged_in",
     .metric = "sniperforge_sessions_logged_in",
     .help = "SoupBinTCP sessions of this executor's shards logged in now",
     .kind = kGauge,
     .read = SF_FIELD(Ex, sessions_logged_in)},
    {.key = "session_reconnects",
     .metric = "sniperforge_session_reconnects_total",
     .help = "SoupBinTCP connection attempts after the first",
     .kind = kCounter,
     .read = SF_FIELD(Ex, session_reconnects)},
    {.key = "session_heartbeats_sent",
     .metric = "sniperforge_session_heartbeats_sent_total",
     .help = "SoupBinTCP client heartbeats sent",
     .kind = kCounter,
     .read = SF_FIELD(Ex, session_heartbeats_sent)},
    {.key = "session_heartbeats_received",
     .metric = "sniperforge_session_heartbeats_received_total",
     .help = "SoupBinTCP server heartbeats received",
     .kind = kCounter,
     .read = SF_FIELD(Ex, session_heartbeats_received)},
    {.key = "session_bytes_in",
     .metric = "sniperforge_session_bytes_received_total",
     .help = "SoupBinTCP bytes received from the venue",
     .kind = kCounter,
     .read = SF_FIELD(Ex, session_bytes_in)},
    {.key = "session_bytes_out",
     .metric = "sniperforge_session_bytes_sent_total",
     .help = "SoupBinTCP bytes sent to the venue",
     .kind = kCounter,
     .read = SF_FIELD(Ex, session_bytes_out)},
    {.key = "session_orders_refused",
     .metric = "sniperforge_session_orders_refused_total",
     .help = "Orders the session refused because it went down after the risk check",
     .kind = kCounter,
     .read = SF_FIELD(Ex, session_orders_refused)},
};

#undef SF_FIELD
#undef SF_SLOT

template <class Stats>
void add_table(std::span<const StatDesc<Stats>> table, std::span<const Stats* const> lcores,
               std::size_t executor_count, CounterList& out) {
  for (const StatDesc<Stats>& d : table) {
    for_each_key(d, executor_count, [&](std::string key, std::size_t slot) {
      uint64_t v = 0;
      auto fold = [&](uint64_t x) { v = d.combine == Combine::kMax ? std::max(v, x) : v + x; };
      for (const Stats* s : lcores) {
        if (s == nullptr) continue;
        if (slot != SIZE_MAX) {
          fold(d.read(*s, slot));
        } else {
          for (std::size_t i = 0; i < d.slots; ++i) fold(d.read(*s, i));
        }
      }
      out.emplace_back(std::move(key), v);
    });
  }
}

}  // namespace

std::span<const StatDesc<RxLcoreStats>> rx_stat_descs() noexcept {
  return kRx;
}
std::span<const StatDesc<ExecutorLcoreStats>> executor_stat_descs() noexcept {
  return kEx;
}

void add_lcore_counters(std::span<const RxLcoreStats* const> rx,
                        std::span<const ExecutorLcoreStats* const> executors, std::size_t executor_count,
                        CounterList& out) {
  add_table(rx_stat_descs(), rx, executor_count, out);
  add_table(executor_stat_descs(), executors, executor_count, out);
}

}  // namespace sf::telemetry
