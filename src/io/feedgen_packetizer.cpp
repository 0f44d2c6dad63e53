// sf-feedgen's packets (io/feedgen.hpp Packetizer): messages into MoldUDP64 packets in UDP frames, with the
// configured faults (gaps, duplicates, garbage, per-line loss on A/B lines), heartbeats and end of session;
// generate() drives a MessageGenerator through it.
#include <algorithm>
#include <cstring>
#include <optional>

#include "feedgen_rng.hpp"
#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/proto/itch.hpp"
#include "sniperforge/proto/moldudp64.hpp"
#include "sniperforge/proto/net.hpp"

namespace sf::feedgen {

using detail::Rng;

struct Packetizer::Impl {
  Impl(const Config& c, FrameCallback f, MessageCallback m)
      : cfg(c),
        on_frame(std::move(f)),
        on_message(std::move(m)),
        rng(c.seed ^ 0xfa017fa017ull),
        line_rng(c.seed ^ 0x11e10b11e1ull) {
    spec.dst_mac = net::multicast_mac(cfg.group);
    spec.src_mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    spec.src_ip = cfg.src_ip;
    spec.dst_ip = cfg.group;
    spec.src_port = cfg.src_port;
    spec.dst_port = cfg.port;
    spec.has_vlan = cfg.vlan_id != 0;
    spec.vlan_id = cfg.vlan_id;
    spec.udp_checksum = cfg.udp_checksum;
    hdr = net::udp_headers_length(spec);
    payload_cap =
        std::clamp<std::size_t>(cfg.max_payload, mold::kHeaderLength + 2 + itch::kMaxMessageLength, 65'000);
    frame.resize(hdr + payload_cap);
    stats.first_sequence = stats.next_sequence = cfg.first_sequence;
    reset_builder();
  }

  const Config cfg;
  FrameCallback on_frame;
  MessageCallback on_message;
  Rng rng;
  Rng line_rng;  // per-line loss: its own stream, so the lossless and lossy feeds carry the same packets
  net::UdpFrameSpec spec;
  std::size_t hdr = 0;
  std::size_t payload_cap = 0;
  std::vector<uint8_t> frame;
  std::optional<mold::PacketBuilder> builder;
  uint64_t packet_ts = 0;  // ITCH timestamp of the first message of the packet
  uint64_t last_ts = 0;
  Stats stats;

  void reset_builder() { builder.emplace(frame.data() + hdr, payload_cap, cfg.session, stats.next_sequence); }

  void emit(const uint8_t* f, std::size_t len, const FrameMeta& meta) {
    ++stats.frames;
    if (on_frame) on_frame(cfg.midnight_unix_ns + last_ts, f, len, meta);
  }

  void write_frame(std::size_t payload_len, const FrameMeta& meta) {
    spec.ip_id = static_cast<uint16_t>(stats.frames);
    net::write_udp_headers(frame.data(), spec, payload_len);
    emit(frame.data(), hdr + payload_len, meta);
  }

  // A packet on every line: line A as write_frame(), then line B's copy to line_b_port.
  void write_lines(std::size_t payload_len, const FrameMeta& meta, bool may_lose) {
    if (cfg.line_b_port == 0) return write_frame(payload_len, meta);
    bool lose_a = may_lose && line_rng.chance(cfg.line_loss);
    bool lose_b = may_lose && line_rng.chance(cfg.line_loss);
    if (lose_a && lose_b && !cfg.line_loss_both) (line_rng.below(2) ? lose_a : lose_b) = false;
    if (lose_a)
      ++stats.line_a_lost;
    else
      write_frame(payload_len, meta);
    if (lose_b) {
      ++stats.line_b_lost;
      return;
    }
    spec.dst_port = cfg.line_b_port;
    write_frame(payload_len, meta);
    spec.dst_port = cfg.port;
  }

  void garbage() {
    ++stats.garbage;
    std::vector<uint8_t> g(hdr + 64);
    std::size_t plen;
    switch (rng.below(3)) {
      case 0:  // shorter than a MoldUDP64 header
        plen = 1 + rng.below(mold::kHeaderLength - 1);
        for (std::size_t i = 0; i < plen; ++i) g[hdr + i] = static_cast<uint8_t>(rng.next());
        break;
      case 1:  // claims more blocks than it carries
        mold::write_header(g.data() + hdr, cfg.session, stats.next_sequence, 3);
        proto::store_be<uint16_t>(g.data() + hdr + 20, 12);
        std::memset(g.data() + hdr + 22, 'S', 12);
        plen = 34;
        break;
      default:  // a block with a type ITCH 5.0 does not define
        mold::write_header(g.data() + hdr, cfg.session, stats.next_sequence, 1);
        proto::store_be<uint16_t>(g.data() + hdr + 20, 12);
        std::memset(g.data() + hdr + 22, 'z', 12);
        plen = 34;
        break;
    }
    net::UdpFrameSpec s = spec;
    s.ip_id = static_cast<uint16_t>(stats.frames);
    net::write_udp_headers(g.data(), s, plen);
    emit(g.data(), hdr + plen, FrameMeta{FrameKind::kGarbage, 0, 0});
  }

  void flush() {
    if (builder->count() == 0) return;
    const uint16_t count = builder->count();
    const std::size_t plen = builder->finish();
    const uint64_t seq = stats.next_sequence;
    ++stats.packets;
    stats.next_sequence += count;
    if (rng.chance(cfg.garbage_rate)) garbage();
    if (rng.chance(cfg.gap_rate)) {
      ++stats.gaps;
    } else {
      write_lines(plen, FrameMeta{FrameKind::kData, seq, count}, true);
      if (rng.chance(cfg.dup_rate)) {
        ++stats.duplicates;
        write_frame(plen, FrameMeta{FrameKind::kDuplicate, seq, count});
      }
    }
    if (cfg.heartbeat_every != 0 && stats.packets % cfg.heartbeat_every == 0) {
      ++stats.heartbeats;
      const std::size_t hl = mold::encode_heartbeat(frame.data() + hdr, cfg.session, stats.next_sequence);
      write_lines(hl, FrameMeta{FrameKind::kHeartbeat, stats.next_sequence, 0}, false);
    }
    reset_builder();
  }

  void add(const uint8_t* msg, std::size_t len) {
    if (len > payload_cap - mold::kHeaderLength - mold::kBlockPrefixLength) {
      ++stats.oversize;  // only possible for foreign input (--from-binaryfile)
      return;
    }
    const uint32_t mpp = std::max<uint32_t>(cfg.msgs_per_packet, 1);
    if (builder->count() >= mpp || !builder->fits(len)) flush();
    if (builder->count() == 0 && len >= itch::kHeaderLength) last_ts = proto::load_be48(msg + 5);
    if (on_message) on_message(stats.next_sequence + builder->count(), msg, len);
    builder->add(msg, len);
    ++stats.messages;
    ++stats.by_type[len ? msg[0] : 0];
  }

  void finish() {
    flush();
    if (cfg.end_of_session) {
      const std::size_t plen =
          mold::encode_end_of_session(frame.data() + hdr, cfg.session, stats.next_sequence);
      write_lines(plen, FrameMeta{FrameKind::kEndOfSession, stats.next_sequence, mold::kEndOfSessionCount},
                  false);
    }
  }
};

Packetizer::Packetizer(const Config& cfg, FrameCallback on_frame, MessageCallback on_message)
    : impl_(std::make_unique<Impl>(cfg, std::move(on_frame), std::move(on_message))) {}
Packetizer::~Packetizer() = default;
void Packetizer::add(const uint8_t* msg, std::size_t len) {
  impl_->add(msg, len);
}
void Packetizer::finish() {
  impl_->finish();
}
const Stats& Packetizer::stats() const noexcept {
  return impl_->stats;
}

Stats generate(const Config& cfg, const FrameCallback& on_frame, const MessageCallback& on_message) {
  MessageGenerator gen(cfg);
  Packetizer pk(cfg, on_frame, on_message);
  uint8_t buf[64];
  while (const std::size_t n = gen.next(buf)) pk.add(buf, n);
  pk.finish();
  Stats s = pk.stats();
  s.live_orders = gen.live_orders();
  s.max_live_orders = gen.max_live_orders();
  return s;
}

Frames generate_frames(const Config& cfg) {
  Frames out;
  out.stats = generate(cfg, [&](uint64_t ts, const uint8_t* f, std::size_t len, const FrameMeta&) {
    out.data.insert(out.data.end(), f, f + len);
    out.offsets.push_back(out.data.size());
    out.ts_ns.push_back(ts);
  });
  return out;
}

}  // namespace sf::feedgen
