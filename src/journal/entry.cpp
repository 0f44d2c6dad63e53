#include "sniperforge/journal/entry.hpp"

namespace sf::journal {

bool read_order(const RecordView& r, OrderPayload& out) noexcept {
  if (r.type != RecordType::kOrder || r.payload_size < kOrderFixed) return false;
  const uint8_t* p = r.payload;
  out.user_ref_num = load_le<uint32_t>(p);
  out.locate = load_le<uint16_t>(p + 4);
  out.strategy = load_le<uint16_t>(p + 6);
  out.trigger_seq = load_le<uint64_t>(p + 8);
  out.tsc = load_le<uint64_t>(p + 16);
  out.ouch = {p + kOrderFixed, r.payload_size - kOrderFixed};
  return true;
}

bool read_venue(const RecordView& r, VenuePayload& out) noexcept {
  if (r.type != RecordType::kVenue || r.payload_size < kVenueFixed) return false;
  out.venue_seq = load_le<uint64_t>(r.payload);
  out.tsc = load_le<uint64_t>(r.payload + 8);
  out.message = {r.payload + kVenueFixed, r.payload_size - kVenueFixed};
  return true;
}

bool read_cancel(const RecordView& r, CancelPayload& out) noexcept {
  if (r.type != RecordType::kCancel || r.payload_size < kCancelFixed) return false;
  out.user_ref_num = load_le<uint32_t>(r.payload);
  out.quantity = load_le<uint32_t>(r.payload + 4);
  out.tsc = load_le<uint64_t>(r.payload + 8);
  out.ouch = {r.payload + kCancelFixed, r.payload_size - kCancelFixed};
  return true;
}

bool read_session(const RecordView& r, SessionPayload& out) noexcept {
  if (r.type != RecordType::kSession || r.payload_size < kSessionFixed) return false;
  out.event = static_cast<SessionEvent>(r.payload[0]);
  out.next_seq = load_le<uint64_t>(r.payload + 8);
  out.text = {reinterpret_cast<const char*>(r.payload + kSessionFixed), r.payload_size - kSessionFixed};
  return true;
}

bool read_control(const RecordView& r, ControlPayload& out) noexcept {
  if (r.type != RecordType::kControl || r.payload_size < kControlFixed) return false;
  std::size_t need = kControlFixed;
  for (int i = 0; i < 5; ++i) need += r.payload[4 + i];
  if (need != r.payload_size) return false;
  out.uid = load_le<uint32_t>(r.payload);
  const char* s = reinterpret_cast<const char*>(r.payload + kControlFixed);
  std::string_view* parts[] = {&out.who, &out.what, &out.old_value, &out.new_value, &out.result};
  for (int i = 0; i < 5; ++i) {
    *parts[i] = {s, r.payload[4 + i]};
    s += r.payload[4 + i];
  }
  return true;
}

std::string_view read_text(const RecordView& r) noexcept {
  return {reinterpret_cast<const char*>(r.payload), r.payload_size};
}

}  // namespace sf::journal
