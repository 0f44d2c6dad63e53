// What a producer (an executor, the control plane, a backtest) hands the journal writer: one record in a
// fixed-size ring slot, built in place without allocating. The producer fills the header's length, type,
// shard and timestamp and the payload; the writer assigns the sequence and computes the CRC when it
// appends. Payload layouts (little-endian):
//   order    u32 user_ref_num, u16 locate, u16 strategy, u64 trigger_seq, u64 tsc, OUCH bytes (the rest)
//   venue    u64 venue_seq (SoupBinTCP sequence; 0 for an unsequenced session), u64 tsc, OUCH bytes
//   session  u8 event, 7 zero bytes, u64 next_seq (the next venue sequence expected), text
//   control  u32 uid, u8 who, what, old, new, result lengths, then the five strings (an sf-ctl command:
//            "root", "limits set max_position 500", "10000", "500", "ok")
//   start    text (version, mode)          stop   text (reason)
//   cancel   u32 user_ref_num, u32 quantity (the order's new size: 0 cancels all), u64 tsc, OUCH bytes
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "sniperforge/journal/record.hpp"

namespace sf::journal {

struct alignas(64) Entry {
  std::array<uint8_t, kMaxRecordSize> bytes;
  [[nodiscard]] std::size_t size() const noexcept { return load_le<uint32_t>(bytes.data()); }
};

enum class SessionEvent : uint8_t { kLogin = 1, kLogout = 2, kReconnect = 3, kDown = 4 };
[[nodiscard]] constexpr std::string_view to_string(SessionEvent e) noexcept {
  switch (e) {
    case SessionEvent::kLogin:
      return "login";
    case SessionEvent::kLogout:
      return "logout";
    case SessionEvent::kReconnect:
      return "reconnect";
    case SessionEvent::kDown:
      return "down";
  }
  return "unknown";
}

struct OrderPayload {
  uint32_t user_ref_num = 0;
  uint16_t locate = 0;
  uint16_t strategy = 0;
  uint64_t trigger_seq = 0;
  uint64_t tsc = 0;
  std::span<const uint8_t> ouch;
};
inline constexpr std::size_t kOrderFixed = 24;

struct VenuePayload {
  uint64_t venue_seq = 0;
  uint64_t tsc = 0;
  std::span<const uint8_t> message;
};
inline constexpr std::size_t kVenueFixed = 16;

struct SessionPayload {
  SessionEvent event = SessionEvent::kLogin;
  uint64_t next_seq = 0;
  std::string_view text;
};
inline constexpr std::size_t kSessionFixed = 16;

struct CancelPayload {
  uint32_t user_ref_num = 0;
  uint32_t quantity = 0;
  uint64_t tsc = 0;
  std::span<const uint8_t> ouch;
};
inline constexpr std::size_t kCancelFixed = 16;

struct ControlPayload {
  std::string_view who, what, old_value, new_value, result;
  uint32_t uid = 0;
};
inline constexpr std::size_t kControlFixed = 9;

namespace detail {
inline uint8_t* begin_entry(Entry& e, RecordType type, uint16_t shard, uint64_t wall_ns) noexcept {
  uint8_t* p = e.bytes.data();
  p[4] = static_cast<uint8_t>(type);
  p[5] = kFormatVersion;
  store_le<uint16_t>(p + 6, shard);
  store_le<uint64_t>(p + 8, 0);  // sequence: the writer's
  store_le<uint64_t>(p + 16, wall_ns);
  return p + kHeaderSize;
}
inline void finish_entry(Entry& e, std::size_t payload) noexcept {
  store_le<uint32_t>(e.bytes.data(), static_cast<uint32_t>(kHeaderSize + payload + kCrcSize));
}
}  // namespace detail

// Each builder returns false (and builds nothing) when the payload would not fit kMaxPayload.
inline bool make_order(Entry& e, uint16_t shard, uint64_t wall_ns, const OrderPayload& o) noexcept {
  if (o.ouch.size() > kMaxPayload - kOrderFixed) return false;
  uint8_t* p = detail::begin_entry(e, RecordType::kOrder, shard, wall_ns);
  store_le<uint32_t>(p, o.user_ref_num);
  store_le<uint16_t>(p + 4, o.locate);
  store_le<uint16_t>(p + 6, o.strategy);
  store_le<uint64_t>(p + 8, o.trigger_seq);
  store_le<uint64_t>(p + 16, o.tsc);
  std::memcpy(p + kOrderFixed, o.ouch.data(), o.ouch.size());
  detail::finish_entry(e, kOrderFixed + o.ouch.size());
  return true;
}

inline bool make_venue(Entry& e, uint16_t shard, uint64_t wall_ns, const VenuePayload& v) noexcept {
  if (v.message.size() > kMaxPayload - kVenueFixed) return false;
  uint8_t* p = detail::begin_entry(e, RecordType::kVenue, shard, wall_ns);
  store_le<uint64_t>(p, v.venue_seq);
  store_le<uint64_t>(p + 8, v.tsc);
  std::memcpy(p + kVenueFixed, v.message.data(), v.message.size());
  detail::finish_entry(e, kVenueFixed + v.message.size());
  return true;
}

inline bool make_cancel(Entry& e, uint16_t shard, uint64_t wall_ns, const CancelPayload& c) noexcept {
  if (c.ouch.size() > kMaxPayload - kCancelFixed) return false;
  uint8_t* p = detail::begin_entry(e, RecordType::kCancel, shard, wall_ns);
  store_le<uint32_t>(p, c.user_ref_num);
  store_le<uint32_t>(p + 4, c.quantity);
  store_le<uint64_t>(p + 8, c.tsc);
  std::memcpy(p + kCancelFixed, c.ouch.data(), c.ouch.size());
  detail::finish_entry(e, kCancelFixed + c.ouch.size());
  return true;
}

inline bool make_session(Entry& e, uint16_t shard, uint64_t wall_ns, const SessionPayload& s) noexcept {
  if (s.text.size() > kMaxPayload - kSessionFixed) return false;
  uint8_t* p = detail::begin_entry(e, RecordType::kSession, shard, wall_ns);
  std::memset(p, 0, 8);
  p[0] = static_cast<uint8_t>(s.event);
  store_le<uint64_t>(p + 8, s.next_seq);
  std::memcpy(p + kSessionFixed, s.text.data(), s.text.size());
  detail::finish_entry(e, kSessionFixed + s.text.size());
  return true;
}

inline bool make_control(Entry& e, uint16_t shard, uint64_t wall_ns, const ControlPayload& c) noexcept {
  const std::string_view parts[] = {c.who, c.what, c.old_value, c.new_value, c.result};
  std::size_t total = kControlFixed;
  for (std::string_view s : parts) {
    if (s.size() > 255) return false;
    total += s.size();
  }
  if (total > kMaxPayload) return false;
  uint8_t* p = detail::begin_entry(e, RecordType::kControl, shard, wall_ns);
  store_le<uint32_t>(p, c.uid);
  uint8_t* out = p + kControlFixed;
  for (int i = 0; i < 5; ++i) {
    p[4 + i] = static_cast<uint8_t>(parts[i].size());
    std::memcpy(out, parts[i].data(), parts[i].size());
    out += parts[i].size();
  }
  detail::finish_entry(e, total);
  return true;
}

// kStart or kStop with a free text.
inline bool make_marker(Entry& e, RecordType type, uint64_t wall_ns, std::string_view text) noexcept {
  if (text.size() > kMaxPayload || (type != RecordType::kStart && type != RecordType::kStop)) return false;
  uint8_t* p = detail::begin_entry(e, type, 0, wall_ns);
  std::memcpy(p, text.data(), text.size());
  detail::finish_entry(e, text.size());
  return true;
}

// Readers of a checked record's payload: false when the record is not of that type or its payload is
// shorter than the layout (a record that passed its CRC but was written by a broken producer).
[[nodiscard]] bool read_order(const RecordView& r, OrderPayload& out) noexcept;
[[nodiscard]] bool read_venue(const RecordView& r, VenuePayload& out) noexcept;
[[nodiscard]] bool read_session(const RecordView& r, SessionPayload& out) noexcept;
[[nodiscard]] bool read_control(const RecordView& r, ControlPayload& out) noexcept;
[[nodiscard]] bool read_cancel(const RecordView& r, CancelPayload& out) noexcept;
[[nodiscard]] std::string_view read_text(const RecordView& r) noexcept;  // start / stop

}  // namespace sf::journal
