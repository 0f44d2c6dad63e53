// Counters of MoldUDP64 re-request recovery (dataplane/feed_recovery.hpp), one writer: the RX lcore.
#pragma once

#include <array>
#include <cstddef>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/telemetry/histogram.hpp"

namespace sf::telemetry {

// Why a gap could not be recovered by re-request (the books stay stale).
enum class RecoveryFailure : uint8_t {
  kNone = 0,
  kRetries = 1,    // the server did not fill the gap within the retries
  kBuffer = 2,     // the gap, or the live messages behind it, exceeded max_held_messages
  kAbandoned = 3,  // the feed's session or sequence range restarted while recovering (FeedGuard)
};
inline constexpr std::size_t kRecoveryFailureSlots = 4;
[[nodiscard]] constexpr const char* to_string(RecoveryFailure f) noexcept {
  switch (f) {
    case RecoveryFailure::kRetries:
      return "retries";
    case RecoveryFailure::kBuffer:
      return "buffer";
    case RecoveryFailure::kAbandoned:
      return "abandoned";
    case RecoveryFailure::kNone:
      break;
  }
  return "none";
}

struct alignas(kCacheLine) FeedRecoveryStats {
  Counter started;                                        // gaps whose recovery began
  Counter recovered;                                      // ... that ended with every missing message applied
  std::array<Counter, kRecoveryFailureSlots> failures{};  // by RecoveryFailure (slot 0 unused)
  Counter requests;                                       // re-request packets sent (first tries and retries)
  Counter retries;                                        // of those, re-sent after a timeout
  Counter timeouts;                                       // requests that timed out
  Counter unresolved;   // requests not sent: the server's MAC is not known (ARP)
  Counter tx_unsent;    // frames (requests, ARP) the feed port's TX queue did not take
  Counter answers;      // MoldUDP64 packets from the re-request server accepted
  Counter bad_answers;  // packets from the server that were not valid MoldUDP64 + ITCH of our session
  Counter messages;     // retransmitted messages applied
  Counter held;         // live messages held behind a gap (total)
  Counter recovering;   // gauge: 1 while a gap is being recovered
  Counter held_now;     // gauge: messages held now
  Counter failed;       // gauge: the last failure's RecoveryFailure, 0 none (latched: books stay stale)
  LatencyHistogram recovery_time;  // TSC ticks from the gap to the last held message applied
  // GLIMPSE snapshot fallback of a failed recovery ([feed.snapshot] with [feed.rewind]).
  Counter snapshot_taken;          // fallbacks begun (a recovery failed: a snapshot was asked for)
  Counter snapshot_succeeded;      // ... whose books were swapped in and the feed continued from them
  Counter snapshot_failed;         // ... whose snapshot could not be taken (books stay stale)
  Counter snapshot_state;          // gauge: 1 waiting for the snapshot, 2 it failed (books stale), 0 neither
  Counter snapshot_dropped;        // live messages dropped while waiting: more than max_held_messages
  Counter snapshot_skipped;        // held or live messages below the snapshot's sequence (already in it)
  LatencyHistogram snapshot_time;  // TSC ticks from the failure to the snapshot's books handed on
};

}  // namespace sf::telemetry
