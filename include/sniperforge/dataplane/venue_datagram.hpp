// Venue responses of the UDP order session on the RX lcore (RxProcessor), DPDK-free: the destination
// port names the shard (src_port + shard); every Sequenced Data packet's OUCH message is packed into
// 64-byte events for the executor that owns the shard. Counted in the RX lcore's venue_* counters.
#pragma once

#include <array>
#include <cstdint>

#include "sniperforge/dataplane/event.hpp"
#include "sniperforge/proto/net.hpp"
#include "sniperforge/proto/session.hpp"
#include "sniperforge/telemetry/lcore_stats.hpp"

namespace sf::dataplane {

// Order-session traffic (venue -> us), read from the RX stats struct (the venue_* counters there).
struct VenueCounts {
  uint64_t datagrams = 0;        // to one of our session ports
  uint64_t messages = 0;         // OUCH messages routed to an executor
  uint64_t bad_datagrams = 0;    // failed session framing / OUCH validation (all or nothing)
  uint64_t session_packets = 0;  // heartbeats, login replies, end of session (no executor work)
  uint64_t too_long = 0;         // OUCH message longer than kMaxVenueMessage
};

[[nodiscard]] inline VenueCounts venue_counts(const telemetry::RxLcoreStats& s) noexcept {
  return {s.venue_datagrams.load(), s.venue_messages_routed.load(), s.venue_bad_datagrams.load(),
          s.venue_session_packets.load(), s.venue_too_long.load()};
}

// One datagram to `shard`'s session port: `push(const Event&)` hands each event to that shard's executor.
template <class Push>
void route_venue_datagram(const net::UdpDatagram& udp, uint32_t shard, uint64_t tsc,
                          telemetry::RxLcoreStats& stats, Push&& push) noexcept {
  stats.venue_datagrams.add();
  const session::Error e = session::for_each_packet(
      udp.payload, udp.payload_length, session::Direction::kVenueToClient, [&](const session::Packet& p) {
        if (p.type != session::type::kSequencedData) {
          stats.venue_session_packets.add();
          return;
        }
        const session::SequencedData sd{p.payload, p.payload_length};
        std::array<Event, kMaxVenueEvents> ev;
        const std::size_t n = pack_venue(ev.data(), sd.sequence(), tsc, static_cast<uint8_t>(shard),
                                         sd.message(), sd.message_length());
        if (n == 0) {
          stats.venue_too_long.add();
          return;
        }
        stats.venue_messages_routed.add();
        for (std::size_t i = 0; i < n; ++i) push(ev[i]);
      });
  if (e != session::Error::kOk) stats.venue_bad_datagrams.add();
}

}  // namespace sf::dataplane
