#include "sniperforge/io/itch_json.hpp"

#include <charconv>
#include <string_view>

#include "sniperforge/proto/itch.hpp"

namespace sf::io {

namespace {

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20 || c >= 0x7f) {
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

void append_key(std::string& out, std::string_view k) {
  out.push_back(',');
  out.push_back('"');
  out.append(k);
  out.append("\":");
}

}  // namespace

void append_itch_json(std::string& out, uint64_t seq, const uint8_t* msg) {
  const itch::MessageView v{msg};
  out.append("{\"seq\":");
  append_uint(out, seq);
  out.append(",\"type\":");
  append_string(out, std::string_view{reinterpret_cast<const char*>(msg), 1});
  append_key(out, "stock_locate");
  append_uint(out, v.stock_locate());
  append_key(out, "tracking_number");
  append_uint(out, v.tracking_number());
  append_key(out, "timestamp");
  append_uint(out, v.timestamp());
  if (const itch::MessageSchema* s = itch::schema_for(v.type())) {
    for (const itch::FieldDesc& f : s->fields) {
      append_key(out, f.name);
      const uint8_t* p = msg + f.offset;
      switch (f.kind) {
        case itch::FieldKind::kU16:
          append_uint(out, proto::load_be16(p));
          break;
        case itch::FieldKind::kU32:
        case itch::FieldKind::kPrice4:
          append_uint(out, proto::load_be32(p));
          break;
        case itch::FieldKind::kU64:
        case itch::FieldKind::kPrice8:
          append_uint(out, proto::load_be64(p));
          break;
        case itch::FieldKind::kChar:
        case itch::FieldKind::kAlpha:
          append_string(out, itch::trim_alpha({reinterpret_cast<const char*>(p), f.size}));
          break;
      }
    }
  }
  out.push_back('}');
}

void append_itch_json_checked(std::string& out, uint64_t seq, const uint8_t* msg, std::size_t len) {
  const itch::Error e = itch::validate(msg, len);
  if (e == itch::Error::kOk) return append_itch_json(out, seq, msg);
  out.append("{\"seq\":");
  append_uint(out, seq);
  append_key(out, "invalid");
  append_string(out, itch::to_string(e));
  append_key(out, "length");
  append_uint(out, len);
  out.push_back('}');
}

}  // namespace sf::io
