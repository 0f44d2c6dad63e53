// One ITCH 5.0 message as one JSON object (the `sf-pcap decode` line format), driven by the
// runtime schema in itch.hpp: seq, type, stock_locate, tracking_number, timestamp, then the
// message's fields in spec order, named after the spec in snake_case. Alpha fields are strings
// with trailing spaces trimmed, char fields one-character strings, prices raw integers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sf::io {

// Appends the JSON object (no newline). `msg` must have passed itch::validate().
void append_itch_json(std::string& out, uint64_t seq, const uint8_t* msg);

// For bytes not known to be valid (foreign input): the object above if itch::validate(msg, len)
// accepts them, else {"seq":N,"invalid":"<itch reason>","length":len} without reading past len.
void append_itch_json_checked(std::string& out, uint64_t seq, const uint8_t* msg, std::size_t len);

}  // namespace sf::io
