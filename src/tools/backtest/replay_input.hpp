// Loads backtest inputs (pcap or NASDAQ BinaryFILE) into one in-memory ITCH message sequence, with the same
// feed rules as the appliance's RX lcore: feed::decode_frame() for frames, A/B line arbitration and MoldUDP64
// sequence tracking (dataplane::LineArbiter on pcap time: duplicates dropped, late packets trimmed, gaps
// counted), the feed guard (dataplane::FeedGuard: sources, session, implausible jumps), every drop labelled.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/dataplane/feed_guard.hpp"
#include "sniperforge/dataplane/line_arbiter.hpp"
#include "sniperforge/proto/feed.hpp"

namespace sf::backtest {

struct Message {
  uint64_t seq;     // MoldUDP64 sequence number (BinaryFILE: 1-based index)
  uint64_t offset;  // into Input::bytes
  uint8_t length;
};

struct InputStats {
  uint64_t frames = 0;
  uint64_t heartbeats = 0;
  uint64_t gap_messages = 0;
  uint64_t duplicate_packets = 0;
  uint64_t late_packets = 0;
  // Frames dropped by reason, the appliance's labels (sniperforge_feed_drops_total{reason}): parse errors
  // and the feed guard's (forged_source, mold_wrong_session, seq_jump).
  std::array<uint64_t, telemetry::kFeedDropReasonCount> drops{};
  uint64_t session_changes = 0;  // as the appliance's RX counters of the same names
  uint64_t seq_restarts = 0;
  uint64_t binaryfile_bad_messages = 0;  // BinaryFILE records that fail ITCH validation
  uint64_t binaryfile_truncated = 0;
  uint64_t damaged_inputs = 0;  // pcaps truncated or garbage-tailed: read up to the damage, exit status 1
};

// What the config's [feed] says about which packets to apply, as the appliance's RX lcore reads it.
struct FeedInputSettings {
  uint16_t line_b_port = 0;            // [feed.line_b] udp_port (26478 when the table is there); 0 = one line
  uint64_t arbitration_us = 200;       // [feed] arbitration_us
  dataplane::FeedGuardSettings guard;  // [feed] session, sources, max_seq_jump (the appliance's parser)
};

// Reads FeedInputSettings from a config: the one reader for sf-backtest and sf-backtest --sweep, so both
// follow the same feed (#16). Problems are appended to `errors`.
void parse_feed_input(const toml::table& root, FeedInputSettings& out, std::vector<std::string>& errors);

struct Input {
  std::vector<uint8_t> bytes;
  std::vector<Message> messages;
  // Indices into `messages` before which the sequence tracker saw a gap (non-decreasing; may equal
  // messages.size() for a gap after the last message). The engines are marked stale there, as the
  // appliance's RX lcore puts a stale marker ahead of the gap packet's messages.
  std::vector<std::size_t> gaps;
  InputStats stats;
  FeedInputSettings feed;  // from the config's [feed] (parse_feed_input)
  // One arbiter for all pcaps loaded into this Input, as the appliance has one per feed (a second Input,
  // e.g. the next day of a sweep, starts a new session). Created by the first pcap.
  std::unique_ptr<dataplane::LineArbiter> arbiter;
  std::unique_ptr<dataplane::FeedGuard> guard;  // created with the arbiter
  // Feed time (ITCH timestamps, ns since midnight): the INPUTs are one feed in time order (a capture split
  // into files); one that starts before the end of the previous one is another day and is refused (#16):
  // its sequences would read as duplicates of the day before.
  uint64_t feed_time_end = 0;
  bool feed_time_seen = false;
  std::optional<uint64_t> input_first_feed_time;  // of the input being loaded
  Counter* loaded = nullptr;  // when set, follows messages.size() as inputs load (a progress line reads it)
  [[nodiscard]] const uint8_t* data(const Message& m) const noexcept { return bytes.data() + m.offset; }
};

// True if the file starts with a pcap or pcapng magic number.
bool looks_like_pcap(const std::string& path);

// Appends the ITCH messages of `path` to `in`. Returns false (with `error`) if the file cannot be read, or
// if it starts earlier in feed time than the inputs before it ended (another day: not one feed).
bool load_input(const std::string& path, uint16_t feed_port, Input& in, std::string& error);

}  // namespace sf::backtest
