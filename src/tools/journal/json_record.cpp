#include "json_record.hpp"

#include <cstdio>
#include <ctime>
#include <span>
#include <string_view>

#include "sniperforge/journal/entry.hpp"
#include "sniperforge/journal/reconcile.hpp"

namespace sf::journal {
namespace {

void add_string(std::string& out, std::string_view key, std::string_view v) {
  out += ",\"";
  out += key;
  out += "\":\"";
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void add_number(std::string& out, std::string_view key, uint64_t v) {
  out += ",\"";
  out += key;
  out += "\":";
  out += std::to_string(v);
}

void add_hex(std::string& out, std::string_view key, std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 15];
  }
  add_string(out, key, hex);
}

std::string_view trimmed(const std::array<char, 8>& s) {
  std::string_view v(s.data(), s.size());
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

void add_order(std::string& out, const RecordView& r) {
  OrderPayload o;
  if (!read_order(r, o)) return add_string(out, "error", "short order payload");
  add_number(out, "user_ref_num", o.user_ref_num);
  add_number(out, "locate", o.locate);
  add_number(out, "strategy", o.strategy);
  // Rebuilt from the venue's Order Accepted at a restart (its own record was lost to a kill -9).
  if (o.strategy == trade::Engine::kAdoptedOrder) out += ",\"adopted\":true";
  add_number(out, "trigger_seq", o.trigger_seq);
  add_number(out, "tsc", o.tsc);
  trade::OrderRequest req;
  if (order_request_from_record(r, req)) {
    add_string(out, "symbol", trimmed(req.symbol));
    add_string(out, "side", std::string_view(&req.side, 1));
    add_number(out, "shares", req.shares);
    add_number(out, "price", req.price);
    add_string(out, "tif", std::string_view(&req.tif, 1));
  } else {
    add_string(out, "error", "not a valid OUCH Enter Order");
  }
  add_hex(out, "ouch", o.ouch);
}

}  // namespace

std::string utc_time(uint64_t ns) {
  const auto secs = static_cast<std::time_t>(ns / 1'000'000'000ull);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<unsigned long long>(ns % 1'000'000'000ull));
  return buf;
}

std::string record_json(const RecordView& r) {
  std::string out = "{\"type\":\"";
  out += to_string(r.type);
  out += '"';
  add_number(out, "seq", r.sequence);
  add_number(out, "ts", r.timestamp);
  add_number(out, "shard", r.shard);
  switch (r.type) {
    case RecordType::kOrder:
      add_order(out, r);
      break;
    case RecordType::kVenue: {
      VenuePayload v;
      if (!read_venue(r, v)) break;
      add_number(out, "venue_seq", v.venue_seq);
      add_number(out, "tsc", v.tsc);
      if (!v.message.empty())
        add_string(out, "msg_type", std::string_view(reinterpret_cast<const char*>(v.message.data()), 1));
      add_hex(out, "bytes", v.message);
      break;
    }
    case RecordType::kSession: {
      SessionPayload s;
      if (!read_session(r, s)) break;
      add_string(out, "event", to_string(s.event));
      add_number(out, "next_seq", s.next_seq);
      add_string(out, "text", s.text);
      break;
    }
    case RecordType::kControl: {
      ControlPayload c;
      if (!read_control(r, c)) break;
      add_number(out, "uid", c.uid);
      add_string(out, "user", c.who);
      add_string(out, "command", c.what);
      add_string(out, "old", c.old_value);
      add_string(out, "new", c.new_value);
      add_string(out, "result", c.result);
      break;
    }
    case RecordType::kStart:
    case RecordType::kStop:
      add_string(out, "text", read_text(r));
      break;
    case RecordType::kCancel: {
      CancelPayload c;
      if (!read_cancel(r, c)) break;
      add_number(out, "user_ref_num", c.user_ref_num);
      add_number(out, "quantity", c.quantity);
      add_number(out, "tsc", c.tsc);
      add_hex(out, "ouch", c.ouch);
      break;
    }
  }
  out += '}';
  return out;
}

}  // namespace sf::journal
