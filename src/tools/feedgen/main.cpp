// sf-feedgen: deterministic synthetic ITCH 5.0 feed as a MoldUDP64 pcap or a NASDAQ BinaryFILE,
// and conversion of a BinaryFILE day file into a MoldUDP64 pcap.
#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <string>

#include "sniperforge/common/cli.hpp"
#include "sniperforge/common/counter.hpp"
#include "sniperforge/common/progress.hpp"
#include "sniperforge/io/binary_file.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/io/itch_json.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/itch.hpp"

namespace {

constexpr uint64_t kNsPerDay = 86'400'000'000'000;

constexpr const char* kDescription = R"(Deterministic synthetic NASDAQ TotalView-ITCH 5.0 feed.

Output: Ethernet/IPv4/UDP multicast frames carrying MoldUDP64 packets (pcap, ns timestamps), or a
NASDAQ BinaryFILE (u16 big-endian length + message). Same seed and options -> same bytes.

Instruments: instrument i (0-based) is symbol "SF" + 4 digits (SF0000, SF0001, ...), stock locate
i+1, start mid (20 + i) dollars (raw 200000 + 10000*i), tick 0.01 (raw 100). Each mid follows a
noisy +-1.5 % oscillation (at most +-60 ticks; period 100,000 messages up to 200 instruments,
longer above), so over a 100k-message feed the first instruments' best bid and ask move by at
least +-1 % (e.g. SF0000 trades through 200500 and 199500, 202000 and 198000).

Message order: S 'O', R and H 'T' per instrument, S 'S', S 'Q', then book events in a realistic mix
(base A 40 %, F 2 %, D 34 %, X 4 %, E 6 %, C 1 %, U 10 %, P 3 %; adds replace removals while the
live order count is below --live-orders), then S 'M', 'E', 'C' and a MoldUDP64 end-of-session
packet. Book events are consistent: refs unique, executes/cancels never exceed live shares, the
book never crosses (crossing adds trade first; quotes the mid reaches fade via D/U/E). Faults
(--gap-rate, --dup-rate, --garbage-rate) act on packets only.

--from-binaryfile converts a real ITCH day file into a MoldUDP64 pcap (pcap time =
--midnight-unix-ns + each packet's first ITCH timestamp).)";

// A generated day ends before midnight: ITCH timestamps are nanoseconds since midnight.
bool ends_before_midnight(const sf::feedgen::Config& cfg) {
  const double last_ns =
      static_cast<double>(cfg.start_ns) +
      static_cast<double>((cfg.messages - 1) / cfg.msgs_per_packet) * 1e9 / cfg.packet_rate;
  return last_ns < static_cast<double>(kNsPerDay);
}

// The summary on stderr: counts of the written feed, then messages by type.
void print_summary(const std::string& output, const sf::feedgen::Stats& stats) {
  std::cerr << "sf-feedgen: " << output << ": messages " << stats.messages << ", packets " << stats.packets
            << ", frames " << stats.frames << ", sequences " << stats.first_sequence << ".."
            << (stats.next_sequence ? stats.next_sequence - 1 : 0) << ", gaps " << stats.gaps
            << ", duplicates " << stats.duplicates << ", lost on line a/b " << stats.line_a_lost << "/"
            << stats.line_b_lost << ", garbage " << stats.garbage << ", heartbeats " << stats.heartbeats
            << ", live orders " << stats.live_orders << " (max " << stats.max_live_orders << ")\n  by type:";
  for (int t = 0; t < 256; ++t) {
    const uint64_t n = stats.by_type[static_cast<std::size_t>(t)];
    if (n == 0) continue;
    if (std::isgraph(t)) {
      std::cerr << ' ' << static_cast<char>(t) << '=' << n;
    } else {  // foreign input: not a type letter
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", t);
      std::cerr << ' ' << hex << '=' << n;
    }
  }
  std::cerr << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  sf::feedgen::Config cfg;
  std::string output = "feed.pcap";
  std::string format = "pcap";
  std::string json_out, manifest_out, from_binaryfile, group = "233.54.12.111", src = "10.0.0.1";
  bool no_eos = false, no_checksum = false, quiet = false;

  CLI::App app{kDescription, "sf-feedgen"};
  sf::cli::apply_conventions(app, "sf-feedgen");
  using sf::cli::unsigned_range;
  constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
  app.add_option("-o,--output", output, "output file")->capture_default_str();
  app.add_option("--format", format, "pcap or binaryfile")
      ->check(CLI::IsMember({"pcap", "binaryfile"}))
      ->capture_default_str();
  app.add_option("--seed", cfg.seed, "RNG seed")->check(unsigned_range(0, kU64Max))->capture_default_str();
  app.add_option("--instruments", cfg.instruments, "number of instruments")
      ->check(unsigned_range(1, 65535))
      ->capture_default_str();
  app.add_option("--messages", cfg.messages, "total ITCH messages")
      ->check(unsigned_range(1, 1'000'000'000'000))
      ->capture_default_str();
  app.add_option("--live-orders", cfg.live_orders, "target number of live orders")
      ->check(unsigned_range(1, 100'000'000))
      ->capture_default_str();
  app.add_option("--far-fraction", cfg.far_fraction, "fraction of adds placed far from the inside")
      ->check(sf::cli::number_range(0, 1))
      ->capture_default_str();
  app.add_option("--far-min-ticks", cfg.far_min_ticks, "far adds: minimum distance (ticks)")
      ->check(unsigned_range(1, 20'000'000))
      ->capture_default_str();
  app.add_option("--far-max-ticks", cfg.far_max_ticks, "far adds: maximum distance (ticks)")
      ->check(unsigned_range(1, 20'000'000))
      ->capture_default_str();
  app.add_option("--msgs-per-packet", cfg.msgs_per_packet, "maximum messages per MoldUDP64 packet")
      ->check(unsigned_range(1, 65534))
      ->capture_default_str();
  app.add_option("--max-payload", cfg.max_payload, "maximum UDP payload bytes")
      ->check(unsigned_range(92, 65000))
      ->capture_default_str();
  app.add_option("--packet-rate", cfg.packet_rate, "packets per second (timestamp spacing)")
      ->check(sf::cli::positive_number(1e9))
      ->capture_default_str();
  app.add_option("--start-ns", cfg.start_ns, "first ITCH timestamp, ns since midnight")
      ->check(unsigned_range(0, kNsPerDay - 1))
      ->capture_default_str();
  // pcap keeps 32-bit seconds: the whole day must fit.
  app.add_option("--midnight-unix-ns", cfg.midnight_unix_ns,
                 "pcap time of midnight (ns since the Unix epoch)")
      ->check(unsigned_range(0, (uint64_t{UINT32_MAX} - 86'400) * 1'000'000'000))
      ->capture_default_str();
  app.add_option("--session", cfg.session, "MoldUDP64 session (1 to 10 characters)")
      ->check(CLI::Validator(
          [](std::string& s) {
            return s.empty() || s.size() > 10 ? "'" + s + "' is not 1 to 10 characters" : std::string{};
          },
          "TEXT(1..10)"))
      ->capture_default_str();
  app.add_option("--first-seq", cfg.first_sequence, "first MoldUDP64 sequence number")
      ->check(unsigned_range(1, uint64_t{1} << 62))
      ->capture_default_str();
  app.add_option("--group", group, "destination IPv4 (multicast group)")
      ->check(sf::cli::ipv4_address())
      ->capture_default_str();
  app.add_option("--port", cfg.port, "destination UDP port")
      ->check(unsigned_range(1, 65535))
      ->capture_default_str();
  app.add_option("--src", src, "source IPv4")->check(sf::cli::ipv4_address())->capture_default_str();
  app.add_option("--src-port", cfg.src_port, "source UDP port")
      ->check(unsigned_range(1, 65535))
      ->capture_default_str();
  app.add_option("--vlan", cfg.vlan_id, "802.1Q VLAN ID (0 = untagged)")->check(unsigned_range(0, 4095));
  app.add_flag("--no-udp-checksum", no_checksum, "leave the UDP checksum 0");
  app.add_flag("--no-end-of-session", no_eos, "do not write the end-of-session packet");
  app.add_option("--heartbeat-every", cfg.heartbeat_every,
                 "a MoldUDP64 heartbeat after every N data packets (0 = none)")
      ->check(unsigned_range(0, UINT32_MAX))
      ->capture_default_str();
  app.add_option("--gap-rate", cfg.gap_rate, "probability a data packet is dropped")
      ->check(sf::cli::number_range(0, 1));
  app.add_option("--dup-rate", cfg.dup_rate, "probability a data packet is written twice")
      ->check(sf::cli::number_range(0, 1));
  app.add_option("--garbage-rate", cfg.garbage_rate, "probability of an invalid packet before a data packet")
      ->check(sf::cli::number_range(0, 1));
  app.add_option("--line-b-port", cfg.line_b_port,
                 "also send every packet as line B to this UDP port (A/B feed lines; 0 = one line)")
      ->check(unsigned_range(0, 65535));
  app.add_option("--line-loss", cfg.line_loss,
                 "with --line-b-port: probability each line loses a data packet's copy (never on both lines)")
      ->check(sf::cli::number_range(0, 1));
  app.add_flag("--line-loss-both", cfg.line_loss_both, "--line-loss may drop a packet on both lines");
  app.add_option("--json-out", json_out, "also write every intended message as sf-pcap decode JSON lines");
  app.add_option("--manifest", manifest_out, "also write one line per frame: kind,sequence,count");
  app.add_option("--from-binaryfile", from_binaryfile, "convert this NASDAQ BinaryFILE into a MoldUDP64 pcap")
      ->check(CLI::ExistingFile);
  sf::cli::add_quiet_flag(app, quiet)->description("no progress line and no summary on stderr");
  if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;

  cfg.end_of_session = !no_eos;
  cfg.udp_checksum = !no_checksum;
  cfg.group = *sf::cli::parse_ipv4(group);  // both checked by their validators
  cfg.src_ip = *sf::cli::parse_ipv4(src);
  if (cfg.far_min_ticks > cfg.far_max_ticks) {
    std::cerr << "sf-feedgen: --far-min-ticks > --far-max-ticks\n";
    return sf::cli::kExitUsage;
  }
  if (from_binaryfile.empty() && !ends_before_midnight(cfg)) {
    std::cerr << "sf-feedgen: the feed would run past midnight (--start-ns + --messages / --msgs-per-packet "
                 "packets at --packet-rate): raise --packet-rate or lower --messages\n";
    return sf::cli::kExitUsage;
  }

  std::ofstream json, manifest;
  std::string line;
  if (!json_out.empty()) {
    json.open(json_out, std::ios::binary);
    if (!json) {
      std::cerr << "sf-feedgen: cannot write " << json_out << "\n";
      return 1;
    }
  }
  if (!manifest_out.empty()) {
    manifest.open(manifest_out, std::ios::binary);
    if (!manifest) {
      std::cerr << "sf-feedgen: cannot write " << manifest_out << "\n";
      return 1;
    }
  }
  sf::feedgen::MessageCallback on_message;
  if (json.is_open()) {
    on_message = [&](uint64_t seq, const uint8_t* msg, std::size_t len) {
      line.clear();
      sf::io::append_itch_json_checked(line, seq, msg, len);  // --from-binaryfile input may be invalid
      line.push_back('\n');
      json.write(line.data(), static_cast<std::streamsize>(line.size()));
    };
  }

  // Progress on a terminal: the loops below keep their position in `done` (one relaxed store); the
  // generated message count, or the bytes of the converted BinaryFILE.
  sf::Counter done;
  std::unique_ptr<sf::ProgressLine> progress;
  auto start_progress = [&](sf::ProgressUnit unit, uint64_t total) {
    sf::ProgressOptions o;
    o.label = "sf-feedgen";
    o.unit = unit;
    progress = std::make_unique<sf::ProgressLine>(
        o,
        [&done, total] {
          return sf::ProgressSample{done.load(), total};
        },
        sf::progress_wanted(quiet));
  };
  const bool generating = from_binaryfile.empty();
  if (generating) start_progress(sf::ProgressUnit::kCount, cfg.messages);

  sf::feedgen::Stats stats;
  bool input_truncated = false;
  if (format == "binaryfile" && from_binaryfile.empty()) {
    sf::io::BinaryFileWriter w;
    if (!w.open(output)) {
      std::cerr << "sf-feedgen: " << w.error() << "\n";
      return 1;
    }
    sf::feedgen::MessageGenerator gen(cfg);
    uint8_t buf[64];
    uint64_t seq = cfg.first_sequence;
    while (const std::size_t n = gen.next(buf)) {
      if (on_message) on_message(seq, buf, n);
      ++seq;
      ++stats.messages;
      done.set(stats.messages);
      ++stats.by_type[buf[0]];
      w.write(buf, static_cast<uint16_t>(n));
    }
    stats.live_orders = gen.live_orders();
    stats.max_live_orders = gen.max_live_orders();
    if (!w.close()) {
      std::cerr << "sf-feedgen: " << w.error() << "\n";
      return 1;
    }
  } else {
    sf::io::PcapWriter w;
    if (!w.open(output)) {
      std::cerr << "sf-feedgen: " << w.error() << "\n";
      return 1;
    }
    auto on_frame = [&](uint64_t ts, const uint8_t* f, std::size_t len, const sf::feedgen::FrameMeta& m) {
      w.write(ts, f, static_cast<uint32_t>(len));
      if (generating && m.kind == sf::feedgen::FrameKind::kData)
        done.set(m.sequence + m.count - cfg.first_sequence);
      if (manifest.is_open()) {
        static constexpr const char* kKinds[] = {"data", "duplicate", "garbage", "end_of_session",
                                                 "heartbeat"};
        manifest << kKinds[static_cast<int>(m.kind)] << ',' << m.sequence << ',' << m.count << '\n';
      }
    };
    if (!from_binaryfile.empty()) {
      sf::io::BinaryFileReader r;
      if (!r.open(from_binaryfile)) {
        std::cerr << "sf-feedgen: " << r.error() << "\n";
        return 1;
      }
      start_progress(sf::ProgressUnit::kBytes, r.bytes().size());
      sf::feedgen::Packetizer pk(cfg, on_frame, on_message);
      const uint8_t* msg;
      uint16_t len;
      uint64_t bad = 0;
      while (r.next(msg, len)) {
        if (sf::itch::validate(msg, len) != sf::itch::Error::kOk) ++bad;
        pk.add(msg, len);
        done.set(r.offset());
      }
      pk.finish();
      progress->finish();
      stats = pk.stats();
      // A cut or mis-framed input (e.g. zeroed length prefixes) loses everything after the bad prefix:
      // count it and fail, after writing what came before.
      if (r.truncated()) {
        std::cerr << "sf-feedgen: " << from_binaryfile << ": input ends inside a message: the last "
                  << r.bytes().size() - r.offset() << " of " << r.bytes().size()
                  << " bytes not converted (the length prefix at byte " << r.offset()
                  << " runs past the end)\n";
        input_truncated = true;
      }
      if (bad)
        std::cerr << "sf-feedgen: warning: " << bad << " messages are not valid ITCH 5.0 (copied as is)\n";
      if (stats.oversize)
        std::cerr << "sf-feedgen: warning: " << stats.oversize
                  << " messages too long for --max-payload were skipped\n";
    } else {
      stats = sf::feedgen::generate(cfg, on_frame, on_message);
    }
    if (generating) done.set(stats.messages);  // gaps and faults included
    if (!w.close()) {
      std::cerr << "sf-feedgen: " << w.error() << "\n";
      return 1;
    }
  }
  if (progress) progress->finish();
  if (!quiet) print_summary(output, stats);
  return input_truncated ? 1 : 0;
}
