// sf-pcap decode [--port N] [-o OUT] [-q] FILE.pcap: one JSON object per ITCH 5.0 message, in feed order.
// Frames that are UDP to the feed port but not valid MoldUDP64 + ITCH are counted by reason on
// stderr and not decoded; other traffic is skipped (and counted by reason). Exit status 1 when the
// capture cannot be read to its end (the messages before the damage are still printed).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "sniperforge/common/cli.hpp"
#include "sniperforge/common/counter.hpp"
#include "sniperforge/common/progress.hpp"
#include "sniperforge/io/itch_json.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/feed.hpp"

namespace {

// " reason=count" for every non-zero feed (or non-feed) reason, then a newline.
void print_reasons(const sf::feed::ErrorCounts& errors, bool feed_reasons) {
  for (std::size_t r = 1; r < sf::feed::kErrorCount; ++r) {
    const auto reason = static_cast<sf::feed::Error>(r);
    if (sf::feed::is_feed_error(reason) == feed_reasons && errors[reason])
      std::cerr << ' ' << sf::feed::to_string(reason) << '=' << errors[reason];
  }
  std::cerr << '\n';
}

int decode(const std::string& path, uint16_t port, std::FILE* json_out, bool quiet) {
  sf::io::PcapReader reader;
  if (!reader.open(path)) {
    std::cerr << "sf-pcap: " << reader.error() << "\n";
    return 1;
  }
  if (reader.link_type() != sf::io::kLinkTypeEthernet) {
    std::cerr << "sf-pcap: " << path << ": link type " << reader.link_type() << " is not Ethernet\n";
    return 1;
  }
  std::string out;
  out.reserve(1 << 20);
  sf::feed::ErrorCounts errors;
  uint64_t frames = 0, feed_packets = 0, heartbeats = 0, end_of_session = 0, messages = 0, cut = 0;
  sf::io::PcapPacket pkt;
  sf::feed::PacketInfo info;
  // Progress on a terminal: bytes of the capture consumed (classic pcap; pcapng: messages only).
  sf::Counter records, captured, decoded;
  const bool classic = sf::io::is_classic_pcap(path);
  std::error_code ec;
  const uint64_t size = classic ? std::filesystem::file_size(path, ec) : 0;
  sf::ProgressOptions progress_options;
  progress_options.label = "sf-pcap decode";
  if (classic && !ec) {
    progress_options.unit = sf::ProgressUnit::kBytes;
    progress_options.detail_noun = "msgs";
  }
  sf::ProgressLine progress(
      progress_options,
      [&, unit = progress_options.unit] {
        if (unit == sf::ProgressUnit::kBytes)
          return sf::ProgressSample{sf::io::pcap_bytes_consumed(records.load(), captured.load()), size,
                                    decoded.load()};
        return sf::ProgressSample{decoded.load(), 0, 0};
      },
      sf::progress_wanted(quiet));
  while (reader.next(pkt)) {
    ++frames;
    records.set(frames);
    captured.add(pkt.caplen);
    if (pkt.caplen < pkt.len) ++cut;  // snaplen cut: decoded as captured, and will fail length checks
    const sf::feed::Error e = sf::feed::decode_frame(pkt.data, pkt.caplen, port, info,
                                                     [&](uint64_t seq, const uint8_t* msg, std::size_t) {
                                                       sf::io::append_itch_json(out, seq, msg);
                                                       out.push_back('\n');
                                                       ++messages;
                                                     });
    errors.add(e);
    if (e == sf::feed::Error::kOk) {
      ++feed_packets;
      if (info.kind() == sf::mold::Kind::kHeartbeat) ++heartbeats;
      if (info.kind() == sf::mold::Kind::kEndOfSession) ++end_of_session;
    }
    decoded.set(messages);
    if (out.size() >= (1u << 20) - 4096) {
      std::fwrite(out.data(), 1, out.size(), json_out);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), json_out);
  progress.finish();
  if (std::fflush(json_out) != 0 || std::ferror(json_out)) {
    std::cerr << "sf-pcap: write error\n";
    return 1;
  }
  // A capture that cannot be read to its end (cut short, corrupt record header) loses every frame
  // after the damage: say so, and fail, after printing what came before it.
  const bool unreadable = !reader.error().empty();
  if (unreadable)
    std::cerr << "sf-pcap: " << path << ": stopped after " << frames << " frames: " << reader.error() << "\n";

  uint64_t invalid = 0, skipped = 0;
  for (std::size_t r = 1; r < sf::feed::kErrorCount; ++r) {
    const auto reason = static_cast<sf::feed::Error>(r);
    (sf::feed::is_feed_error(reason) ? invalid : skipped) += errors[reason];
  }
  if (!quiet)
    std::cerr << "sf-pcap: " << frames << " frames, " << feed_packets << " MoldUDP64 packets on port " << port
              << " (" << heartbeats << " heartbeats, " << end_of_session << " end-of-session), " << messages
              << " ITCH messages, " << skipped << " other frames skipped\n";
  if (skipped && !quiet) {
    std::cerr << "sf-pcap: other frames by reason:";
    print_reasons(errors, false);
  }
  if (cut) std::cerr << "sf-pcap: warning: " << cut << " frames were cut short by the capture's snaplen\n";

  if (invalid) {
    std::cerr << "sf-pcap: " << invalid << " invalid packets on the feed port:";
    print_reasons(errors, true);
  }
  return unreadable ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sf-pcap: tools for SniperForge feed captures", "sf-pcap"};
  sf::cli::apply_conventions(app, "sf-pcap");
  app.require_subcommand(1);
  auto* dec = app.add_subcommand(
      "decode",
      "Print every ITCH 5.0 message carried by MoldUDP64 on UDP port --port (any destination address) as one "
      "JSON "
      "object per line: seq, type, stock_locate, tracking_number, timestamp, then the spec's fields in "
      "snake_case "
      "(alpha trimmed, prices as raw integers). Invalid feed packets are counted by reason on stderr.");
  uint16_t port = sf::feed::kDefaultPort;
  std::string file, output;
  dec->add_option("--port", port, "feed UDP destination port")
      ->check(sf::cli::unsigned_range(1, 65535))
      ->capture_default_str();
  dec->add_option("-o,--output", output, "write the JSON lines to this file (default: standard output)");
  bool quiet = false;
  sf::cli::add_quiet_flag(*dec, quiet)
      ->description("no progress line and no frame counts on stderr (warnings and errors still print)");
  dec->add_option("FILE", file, "pcap file")->required()->check(CLI::ExistingFile);
  if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;
  if (!dec->parsed()) return sf::cli::kExitUsage;
  if (output.empty()) return decode(file, port, stdout, quiet);
  std::FILE* out = std::fopen(output.c_str(), "wb");
  if (out == nullptr) {
    std::cerr << "sf-pcap: cannot write " << output << "\n";
    return sf::cli::kExitFailure;
  }
  int rc = decode(file, port, out, quiet);
  if (std::fclose(out) != 0 && rc == 0) {
    std::cerr << "sf-pcap: write error on " << output << "\n";
    rc = sf::cli::kExitFailure;
  }
  return rc;
}
