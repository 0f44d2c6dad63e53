#include "replay_input.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sniperforge/dataplane/feed_guard_config.hpp"
#include "sniperforge/dataplane/line_arbiter.hpp"
#include "sniperforge/io/binary_file.hpp"
#include "sniperforge/io/pcap_file.hpp"

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
  return looks_like_pcap(file) ? load_pcap(file, path, feed_port, in, error)
                               : load_binaryfile(file, in, error);
}

}  // namespace sf::backtest
