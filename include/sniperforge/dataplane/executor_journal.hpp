// The executor's journal records (journal/writer.hpp): each built where it lies in this executor's next
// ring slot to the writer thread (no scratch copy, no call into the writer, no syscall), before what it
// records is sent or applied. Member functions of Executor<Port>, kept apart from executor.hpp.
#pragma once

#include "sniperforge/dataplane/executor.hpp"

namespace sf::dataplane {

// `build(entry)` fills the claimed slot and says whether the record fit. A full ring (or a record that
// does not fit) is counted and closes the shards' orders at the next poll (journal_full); the writer
// stamps the wall time, the sequence and the CRC.
template <class Port>
template <class Build>
inline void Executor<Port>::journal_record(Build&& build) noexcept {
  journal::Entry* slot = journal->claim();
  if (slot && build(*slot)) [[likely]]
    journal->publish();
  else
    stats->journal_ring_full.add();
}

// The order just built, as sent (its OUCH bytes).
template <class Port>
inline void Executor<Port>::journal_order(uint32_t shard, const trade::OrderRequest& r,
                                          const uint8_t* ouch) noexcept {
  journal_record([&](journal::Entry& e) {
    return journal::make_order_record(e, static_cast<uint16_t>(shard), 0, r, {ouch, kEnterOrderLength});
  });
}

// Kill's (or cancel_open's) Cancel Orders, each as a "cancel" record with its OUCH bytes, before they leave.
template <class Port>
inline void Executor<Port>::journal_cancels(uint32_t shard,
                                            std::span<const trade::CancelRequest> cancels) noexcept {
  std::array<uint8_t, kCancelOrderLength> ouch{};
  for (const trade::CancelRequest& c : cancels) {
    encode_cancel_order(ouch.data(), c);
    journal_record([&](journal::Entry& e) {
      return journal::make_cancel(e, static_cast<uint16_t>(shard), 0,
                                  {c.user_ref_num, c.quantity, last_now, {ouch.data(), ouch.size()}});
    });
  }
}

// A venue message (with its SoupBinTCP sequence number), before it is applied.
template <class Port>
inline void Executor<Port>::journal_venue(uint32_t shard, uint64_t venue_seq, const uint8_t* msg,
                                          std::size_t len, uint64_t rx_tsc) noexcept {
  journal_record([&](journal::Entry& e) {
    return journal::make_venue(e, static_cast<uint16_t>(shard), 0, {venue_seq, rx_tsc, {msg, len}});
  });
}

// A session's login, reconnect or loss, with the venue sequence number its next message will carry.
template <class Port>
inline void Executor<Port>::journal_session(uint32_t shard, journal::SessionEvent ev,
                                            uint64_t next_venue_seq) noexcept {
  journal_record([&](journal::Entry& e) {
    return journal::make_session(e, static_cast<uint16_t>(shard), 0, {ev, next_venue_seq, {}});
  });
}

// Before a burst: orders only while the ring has room for what one burst can add and the writer works.
// The engines are told only when that changes.
template <class Port>
inline void Executor<Port>::gate_journal() noexcept {
  const bool open = journal_writer->accepting(*journal, kJournalReserve);
  if (open == journal_open) [[likely]]
    return;
  journal_open = open;
  for (trade::Engine* eng : driver.engines()) eng->set_journal_open(open);
}

}  // namespace sf::dataplane
