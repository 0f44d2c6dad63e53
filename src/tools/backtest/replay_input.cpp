#include "replay_input.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sniperforge/dataplane/feed_guard_config.hpp"
#include "sniperforge/dataplane/line_arbiter.hpp"
#include "sniperforge/io/binary_file.hpp"
#include "sniperforge/io/pcap_file.hpp"
#include "sniperforge/proto/endian.hpp"

namespace sf::backtest {

bool looks_like_pcap(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  uint8_t m[4]{};
  if (!f.read(reinterpret_cast<char*>(m), 4)) return false;
  const uint32_t le = m[0] | (m[1] << 8) | (m[2] << 16) | (uint32_t{m[3]} << 24);
  return le == 0xA1B2C3D4 || le == 0xD4C3B2A1 || le == 0xA1B23C4D || le == 0x4D3CB2A1 || le == 0x0A0D0D0A;
}

void parse_feed_input(const toml::table& root, FeedInputSettings& out, std::vector<std::string>& errors) {
  out.arbitration_us = root["feed"]["arbitration_us"].value_or<int64_t>(200);
  if (const toml::table* feed = root["feed"].as_table())
    dataplane::parse_feed_guard(*feed, out.guard, errors);  // the appliance's own parser
  if (root["feed"]["line_b"].as_table())
    out.line_b_port = static_cast<uint16_t>(root["feed"]["line_b"]["udp_port"].value_or<int64_t>(26478));
}

namespace {

void note_feed_time(Input& in, const uint8_t* itch_msg, std::size_t len) {
  if (len < 11) return;
  const uint64_t ts = proto::load_be48(itch_msg + 5);
  if (!in.input_first_feed_time) in.input_first_feed_time = ts;
  in.feed_time_end = std::max(in.feed_time_end, ts);
}

std::string clock_of(uint64_t ns_since_midnight) {
  const uint64_t s = ns_since_midnight / 1'000'000'000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu.%09llu", static_cast<unsigned long long>(s / 3600),
                static_cast<unsigned long long>(s / 60 % 60), static_cast<unsigned long long>(s % 60),
                static_cast<unsigned long long>(ns_since_midnight % 1'000'000'000));
  return buf;
}

void append(Input& in, uint64_t seq, const uint8_t* msg, std::size_t len) {
  in.messages.push_back(Message{seq, in.bytes.size(), static_cast<uint8_t>(len)});
  in.bytes.insert(in.bytes.end(), msg, msg + len);
  if (in.loaded != nullptr) in.loaded->set(in.messages.size());
}

// The arbiter's sink: messages of the packets it applies, gaps where it declares them.
struct Merge {
  Input& in;
  void deliver(int /*line*/, const uint8_t* p, std::size_t len, uint64_t skip) {
    if (skip) ++in.stats.late_packets;
    for (const mold::Block b : mold::PacketView(p, len)) {  // validated when it arrived
      if (skip) {
        --skip;
        continue;
      }
      append(in, b.sequence, b.data, b.length);
    }
  }
  void gap(uint64_t /*first*/, uint64_t missing) {
    in.stats.gap_messages += missing;
    in.gaps.push_back(in.messages.size());
  }
  void duplicate(int /*line*/, uint64_t /*seq*/, uint64_t /*count*/) { ++in.stats.duplicate_packets; }
};

// The feed guard, as the appliance's RxProcessor::admit(): false = dropped (counted); a confirmed change
// of the stream marks the engines stale here (a gap index) and restarts the arbiter.
bool admit(Input& in, const feed::PacketInfo& info) {
  dataplane::LineArbiter& arb = *in.arbiter;
  const bool data = info.kind() == mold::Kind::kData;
  const dataplane::FeedPacket p{info.udp.src_ip, info.mold.session_bytes(), info.sequence(),
                                data ? info.next_sequence() : info.sequence(), data};
  const dataplane::FeedVerdict v = in.guard->judge(p, {arb.started(), arb.next(), arb.horizon()});
  if (v == dataplane::FeedVerdict::kAccept) return true;
  if (dataplane::is_drop(v)) {
    ++in.stats.drops[static_cast<std::size_t>(dataplane::guard_drop_reason(v))];
    return false;
  }
  if (v != dataplane::FeedVerdict::kRelearn) {
    ++(v == dataplane::FeedVerdict::kSessionChange ? in.stats.session_changes : in.stats.seq_restarts);
    in.gaps.push_back(in.messages.size());
  }
  arb.restart();
  return true;
}

bool load_pcap(const std::string& path, const std::string& name, uint16_t port, Input& in,
               std::string& error) {
  io::PcapReader reader;
  if (!reader.open(path)) {
    error = reader.error();
    return false;
  }
  if (reader.link_type() != io::kLinkTypeEthernet) {
    error = "link type " + std::to_string(reader.link_type()) + " is not Ethernet";
    return false;
  }
  if (!in.arbiter)
    in.arbiter = std::make_unique<dataplane::LineArbiter>(
        in.feed.line_b_port ? in.feed.arbitration_us * 1000 : 0,
        in.feed.line_b_port ? dataplane::LineArbiter::kDefaultHeldPackets : 0);
  if (!in.guard) in.guard = std::make_unique<dataplane::FeedGuard>(in.feed.guard);
  dataplane::LineArbiter& arb = *in.arbiter;
  Merge out{in};
  const auto ignore = [](uint64_t, const uint8_t*, std::size_t) {};
  io::PcapPacket pkt;
  uint64_t now_ns = 0, records = 0;
  while (reader.next(pkt)) {
    ++records;
    ++in.stats.frames;
    now_ns = pkt.ts_ns;
    feed::PacketInfo info;
    int line = dataplane::kLineA;
    feed::Error e = feed::decode_frame(pkt.data, pkt.caplen, port, info, ignore);
    if (e == feed::Error::kWrongPort && in.feed.line_b_port) {
      e = feed::decode_frame(pkt.data, pkt.caplen, in.feed.line_b_port, info, ignore);
      line = dataplane::kLineB;
    }
    if (e != feed::Error::kOk) {
      ++in.stats.drops[static_cast<std::size_t>(telemetry::drop_reason(e))];
      continue;
    }
    if (info.kind() == mold::Kind::kData)
      for (const mold::Block b : info.mold) {  // before the guard: a day's feed time even if all dropped
        note_feed_time(in, b.data, b.length);
        break;
      }
    arb.poll(now_ns, out);
    if (!admit(in, info)) continue;
    if (info.kind() != mold::Kind::kData) {
      ++in.stats.heartbeats;
      arb.on_next(line, info.next_sequence(), now_ns, out);
      continue;
    }
    arb.on_data(line, info.mold.data(), info.mold.size(), info.sequence(), info.message_count(), now_ns, out);
  }
  // The end of a file is the end of the capture: a hole still open is a gap (the appliance's replay ends
  // the same way).
  arb.flush(out);
  if (!reader.error().empty()) {
    // Damaged (truncated, garbage tail): what was read stays replayed, as the appliance's net_pcap does;
    // the run says so, counts it and exits 1 (docs/cli.md).
    ++in.stats.damaged_inputs;
    std::fprintf(stderr, "sf-backtest: %s\n",
                 io::damaged_pcap_message(name, records, reader.error()).c_str());
  }
  return true;
}

bool load_binaryfile(const std::string& path, Input& in, std::string& error) {
  io::BinaryFileReader reader;
  if (!reader.open(path)) {
    error = reader.error();
    return false;
  }
  const uint8_t* msg = nullptr;
  uint16_t len = 0;
  // Sequence numbers continue across BinaryFILE inputs, starting at 1.
  uint64_t seq = in.messages.empty() ? 1 : in.messages.back().seq + 1;
  while (reader.next(msg, len)) {
    if (itch::validate(msg, len) != itch::Error::kOk) {
      ++in.stats.binaryfile_bad_messages;
      ++seq;
      continue;
    }
    note_feed_time(in, msg, len);
    append(in, seq++, msg, len);
  }
  if (reader.truncated()) ++in.stats.binaryfile_truncated;
  return true;
}

}  // namespace

namespace {

// A pipe (e.g. `zcat day.itch.gz | sf-backtest /dev/stdin`) can be read only once, but the input type is
// detected by reading its first bytes: spool it to a temporary regular file first, so nothing is lost.
class Spool {
 public:
  bool open(const std::string& path, std::string& error) {
    std::ifstream src(path, std::ios::binary);
    if (!src) {
      error = "cannot open " + path;
      return false;
    }
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
      path_ = path;
      return true;
    }
    std::string tmpl = (std::filesystem::temp_directory_path(ec) / "sf-backtest-XXXXXX").string();
    const int fd = mkstemp(tmpl.data());
    if (fd < 0) {
      error = "cannot create a spool file for " + path;
      return false;
    }
    close(fd);
    spooled_ = tmpl;
    std::ofstream dst(spooled_, std::ios::binary | std::ios::trunc);
    dst << src.rdbuf();
    if (!dst.flush()) {
      error = "cannot spool " + path + " to " + spooled_;
      return false;
    }
    path_ = spooled_;
    return true;
  }
  ~Spool() {
    std::error_code ec;
    if (!spooled_.empty()) std::filesystem::remove(spooled_, ec);
  }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string path_, spooled_;
};

}  // namespace

bool load_input(const std::string& path, uint16_t feed_port, Input& in, std::string& error) {
  Spool spool;
  if (!spool.open(path, error)) return false;
  const std::string& file = spool.path();
  const bool continuing = in.feed_time_seen;
  const uint64_t previous_end = in.feed_time_end;
  in.input_first_feed_time.reset();
  const bool ok =
      looks_like_pcap(file) ? load_pcap(file, path, feed_port, in, error) : load_binaryfile(file, in, error);
  if (!ok) return false;
  if (!in.input_first_feed_time) return true;
  in.feed_time_seen = true;
  if (continuing && *in.input_first_feed_time < previous_end) {
    error = "starts at feed time " + clock_of(*in.input_first_feed_time) +
            ", before the inputs before it ended (" + clock_of(previous_end) +
            "): the INPUTs are one feed in time order (a capture split into files), and another day would "
            "replay on the day before's state; backtest each day on its own, or all of them with --sweep";
    return false;
  }
  return true;
}

}  // namespace sf::backtest
