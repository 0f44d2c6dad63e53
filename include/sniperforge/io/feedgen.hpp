// Deterministic synthetic NASDAQ TotalView-ITCH 5.0 feed (library behind `sf-feedgen`).
//
// Instruments: instrument i (0-based) is symbol "SF" + 4 digits (SF0000, SF0001, ...), stock locate
// i + 1, start mid (20 + i) dollars (raw 200000 + 10000 * i), tick 0.01 (raw 100). Each mid follows
// a noisy oscillation of +-1.5 % (period 100,000 messages) so that within a 100k-message feed the
// first instruments' best bid/ask move by at least +-1 %. Only consistent book events are
// generated (refs unique, executes/cancels never exceed live shares, the book never crosses: a mid
// move first executes the orders it crosses); faults are injected only at the packet level.
//
// Feed order: S 'O', R per instrument, H 'T' per instrument, S 'S', S 'Q', book events
// (A/F/E/C/X/D/U/P), S 'M', S 'E', S 'C'; then a MoldUDP64 end-of-session packet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sf::feedgen {

struct Config {
  uint64_t seed = 1;
  uint32_t instruments = 200;
  uint64_t messages = 100'000;   // ITCH messages in total (directory + events + end)
  uint64_t live_orders = 2'000;  // target number of live orders once warmed up
  double far_fraction = 0.0;     // fraction of adds placed far from the inside
  uint32_t far_min_ticks = 200;
  uint32_t far_max_ticks = 2'000;
  // Packets.
  uint32_t msgs_per_packet = 16;                             // at most; also bounded by max_payload
  uint32_t max_payload = 1'472;                              // UDP payload bytes (1500 MTU)
  double packet_rate = 100'000.0;                            // packets per second: spacing of timestamps
  uint64_t start_ns = 34'200'000'000'000ull;                 // 09:30:00 ns since midnight
  uint64_t midnight_unix_ns = 1'767'312'000'000'000'000ull;  // 2026-01-02 00:00:00 UTC (pcap clock)
  std::string session = "SFEED00001";
  uint64_t first_sequence = 1;
  bool end_of_session = true;
  uint32_t heartbeat_every = 0;  // a MoldUDP64 heartbeat after every N data packets (0 = none)
  // Addresses.
  uint32_t group = 0xE9360C6F;  // 233.54.12.111
  uint16_t port = 26477;
  uint32_t src_ip = 0x0A000001;  // 10.0.0.1
  uint16_t src_port = 49653;
  uint16_t vlan_id = 0;  // 0 = untagged
  bool udp_checksum = true;
  // Faults (probabilities per data packet, from an RNG stream separate from the messages).
  double gap_rate = 0.0;      // packet not written (sequence numbers skip)
  double dup_rate = 0.0;      // packet written twice
  double garbage_rate = 0.0;  // an invalid MoldUDP64 packet to the feed port before it
  // Line B: every data packet, heartbeat and end of session also goes to this UDP port (0 = one line).
  // Each line then loses a data packet's copy with probability `line_loss`, from its own RNG stream
  // (the messages and the faults above are unchanged); a copy is never lost on both lines unless
  // `line_loss_both` (gap_rate still drops a packet from both lines).
  uint16_t line_b_port = 0;
  double line_loss = 0.0;
  bool line_loss_both = false;
};

struct Stats {
  uint64_t messages = 0;  // ITCH messages generated (incl. those in dropped packets)
  uint64_t packets = 0;   // MoldUDP64 data packets built
  uint64_t frames = 0;    // frames written (incl. duplicates, garbage, end of session)
  uint64_t gaps = 0, duplicates = 0, garbage = 0, heartbeats = 0;
  uint64_t line_a_lost = 0, line_b_lost = 0;  // data packets lost on one line (line_loss)
  uint64_t oversize = 0;                      // input messages too long for one packet (not sent)
  uint64_t first_sequence = 0, next_sequence = 0;
  uint64_t live_orders = 0;  // at the end
  uint64_t max_live_orders = 0;
  std::array<uint64_t, 256> by_type{};
};

// ITCH message stream (no framing). Deterministic for a Config.
class MessageGenerator {
 public:
  explicit MessageGenerator(const Config& cfg);
  ~MessageGenerator();
  MessageGenerator(const MessageGenerator&) = delete;
  MessageGenerator& operator=(const MessageGenerator&) = delete;
  // Writes the next message into out (>= 64 bytes); returns its length, 0 when done.
  std::size_t next(uint8_t* out);
  [[nodiscard]] uint64_t live_orders() const noexcept;
  [[nodiscard]] uint64_t max_live_orders() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What a frame is, for manifests and tests.
enum class FrameKind : uint8_t { kData, kDuplicate, kGarbage, kEndOfSession, kHeartbeat };
struct FrameMeta {
  FrameKind kind;
  uint64_t sequence;  // MoldUDP64 sequence field
  uint16_t count;     // MoldUDP64 count field
};

using FrameCallback =
    std::function<void(uint64_t ts_unix_ns, const uint8_t* frame, std::size_t len, const FrameMeta&)>;
// Every intended message in sequence order, including those in packets dropped as gaps.
using MessageCallback = std::function<void(uint64_t seq, const uint8_t* msg, std::size_t len)>;

// Packs messages into MoldUDP64 packets inside Ethernet/IPv4/UDP frames and injects the faults.
class Packetizer {
 public:
  Packetizer(const Config& cfg, FrameCallback on_frame, MessageCallback on_message = {});
  ~Packetizer();
  Packetizer(const Packetizer&) = delete;
  Packetizer& operator=(const Packetizer&) = delete;
  void add(const uint8_t* msg, std::size_t len);
  // Flushes the last packet and writes the end-of-session packet if configured.
  void finish();
  [[nodiscard]] const Stats& stats() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whole synthetic feed as frames.
Stats generate(const Config& cfg, const FrameCallback& on_frame, const MessageCallback& on_message = {});

// In-memory frames (for tests and benchmarks): frame i is data[offsets[i], offsets[i+1]).
struct Frames {
  std::vector<uint8_t> data;
  std::vector<std::size_t> offsets{0};
  std::vector<uint64_t> ts_ns;
  Stats stats;
  [[nodiscard]] std::size_t size() const noexcept { return ts_ns.size(); }
  [[nodiscard]] const uint8_t* frame(std::size_t i) const noexcept { return data.data() + offsets[i]; }
  [[nodiscard]] std::size_t frame_length(std::size_t i) const noexcept { return offsets[i + 1] - offsets[i]; }
};
Frames generate_frames(const Config& cfg);

// Symbol of instrument i: "SF" + 4 digits.
std::string symbol(uint32_t instrument);

}  // namespace sf::feedgen
