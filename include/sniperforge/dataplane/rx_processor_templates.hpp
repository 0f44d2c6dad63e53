// The RX processor's fixed-offset look at the other line's copies (#12, two lines): looks_applied() (a
// prefetch hint) and the duplicate fast path: take_applied_copy() counts the other line's
// copy of an applied packet from fixed offsets (duplicate_template.hpp) exactly as on_frame() would
// count it (applied_copy: the packet, its bytes, a feed packet, a duplicate packet, its line's packet,
// duplicate, last packet time and own sequence), the counters added once per burst (end_burst()).
// Members of RxProcessor<Sink>, kept apart from rx_processor.hpp.
//
// Why it is exact: a line's template is learned from a frame judged here as on_frame() judges it
// (net::parse_udp, the re-request server test, the line classification, the feed guard's accept_locked)
// and fixes every byte those decisions read: EtherType, IPv4 version/IHL/fragment/protocol, both
// addresses and ports. A frame that matches it with consistent lengths therefore parses the same way,
// to the same line, from a source the guard accepts; the session and the sequence are judged again for
// every frame (accept_locked_known_source), so a session the guard has since left is not taken.
#pragma once

#include "sniperforge/dataplane/rx_processor.hpp"

namespace sf::dataplane {

// Two lines: a prefetch hint from the frame's first cache line alone (Ethernet, IPv4 without options,
// UDP, MoldUDP64 header: bytes 0..61) — true if it looks like a data packet whose messages are all
// applied (typically the other line's copy), whose body the RX loop then does not fetch. Not a verdict:
// on_frame() judges the packet; a wrong hint costs one prefetch, never a message. False with one line.
template <class Sink>
inline bool RxProcessor<Sink>::looks_applied(const uint8_t* frame, std::size_t len) const noexcept {
  constexpr std::size_t kMold = 14 + 20 + 8;  // Ethernet + IPv4 (IHL 5) + UDP
  if (!s_.line_b_udp_port || len < kMold + mold::kHeaderLength || !arb_.started()) return false;
  if (proto::load_be16(frame + 12) != 0x0800 || frame[14] != 0x45) return false;
  const uint64_t seq = proto::load_be64(frame + kMold + 10);
  const uint16_t count = proto::load_be16(frame + kMold + 18);
  return count != 0 && count != 0xffff && seq + count <= arb_.next();
}

// Two lines, for each frame before on_frame() (on_line_b_port_frame() if `line_b_port`) while
// copies_by_template(): true if the frame was the copy of an applied packet, recognised at fixed offsets
// from its line's duplicate template and counted exactly as on_frame() counts it, its counters added at
// the next end_burst() (call it at the end of every burst: the RX lcore does; they are exact after it);
// false: nothing changed, on_frame() takes the frame. Outside on_frame() and mostly out of line: the one
// line's code stays as it was (GCC's inlining of on_frame() is sensitive to its size). The sequence is
// checked first, inline: a packet not wholly applied (every first copy) leaves without a call;
// heartbeats, the end of the session and wrapping sequences take the full path.
template <class Sink>
inline bool RxProcessor<Sink>::take_applied_copy(const uint8_t* frame, std::size_t len, uint64_t tsc,
                                                 bool line_b_port) noexcept {
  if (len < DuplicateTemplate::kBytes || len > feed::kMaxFrameBytes) return false;
  const uint64_t seq = DuplicateTemplate::sequence(frame), count = DuplicateTemplate::count(frame);
  if (count == 0 || count == mold::kEndOfSessionCount || seq + count > arb_.next() || seq + count < seq)
    return false;
  return take_copy_by_template(frame, len, tsc, line_b_port, seq, count);
}

// take_applied_copy() past its sequence check: the frame is a copy of applied messages if its line's
// template (or a template learned from it now) says so and the guard accepts its session and sequence.
template <class Sink>
bool RxProcessor<Sink>::take_copy_by_template(const uint8_t* frame, std::size_t len, uint64_t tsc,
                                              bool line_b_port, uint64_t seq, uint64_t count) noexcept {
  // Line B's own port: only its template (learned there); the feed port: line A's, and line B's when it
  // shares the port, the line that matched last first.
  int line = kLineB;
  if (line_b_port) {
    if (!s_.line_b_own_port || !templates_[kLineB].matches(frame, len)) line = -1;
  } else if (s_.line_b_own_port) {
    line = templates_[kLineA].matches(frame, len) ? kLineA : -1;
  } else if (!templates_[line = last_template_line_].matches(frame, len)) {
    line = kLineA + kLineB - line;
    if (!templates_[line].matches(frame, len)) line = -1;
  }
  if (line < 0) [[unlikely]]
    return learn_and_take(frame, len, tsc, line_b_port, seq, count);  // a tail call: this stays a leaf
  const FeedPacket p{0, frame + DuplicateTemplate::kMold, seq, seq + count, true};
  if (!guard_.accept_locked_known_source(p, {true, arb_.next(), arb_.horizon()})) [[unlikely]]
    return false;
  count_copy(line, seq, count, len, tsc);
  return true;
}

template <class Sink>
bool RxProcessor<Sink>::learn_and_take(const uint8_t* frame, std::size_t len, uint64_t tsc, bool line_b_port,
                                       uint64_t seq, uint64_t count) noexcept {
  const int line = learn_template(frame, len, line_b_port, seq, count);
  if (line < 0) return false;
  count_copy(line, seq, count, len, tsc);
  return true;
}

// The copy's counts: its line's own sequence now, the counters at end_burst() (one addition per counter
// and burst instead of eight per copy).
template <class Sink>
inline void RxProcessor<Sink>::count_copy(int line, uint64_t seq, uint64_t count, std::size_t len,
                                          uint64_t tsc) noexcept {
  last_template_line_ = line;
  ++template_copies_;
  now_ = tsc;
  arb_.on_applied_copy_uncounted(line, seq, count);
  PendingCopies& p = pending_[line];
  ++p.packets;
  p.bytes += len;
  p.last_tsc = tsc;
  copies_pending_ = true;
}

template <class Sink>
void RxProcessor<Sink>::fold_copies() noexcept {
  for (int l = 0; l < kLines; ++l) {
    PendingCopies& p = pending_[l];
    if (p.packets == 0) continue;
    // on_frame()'s counts, applied_copy()'s, and the line's (LineArbiter::on_applied_copy()'s).
    stats_.packets.add(p.packets);
    stats_.bytes.add(p.bytes);
    stats_.feed_packets.add(p.packets);
    stats_.duplicate_packets.add(p.packets);
    stats_.last_feed_tsc.max(p.last_tsc);
    FeedLineStats& line = arb_.stats(l);
    line.packets.add(p.packets);
    line.duplicates.add(p.packets);
    line.last_packet_tsc.max(p.last_tsc);
    p = PendingCopies{};
  }
  copies_pending_ = false;
}

// No template matched an applied packet's copy: the frame judged as on_frame() judges it, and if it is
// a copy the feed guard accepts, untagged with a 20-byte IPv4 header, its line's template is learned
// from it. The line, or -1 (nothing changed: on_frame() takes the frame).
template <class Sink>
int RxProcessor<Sink>::learn_template(const uint8_t* frame, std::size_t len, bool line_b_port, uint64_t seq,
                                      uint64_t count) noexcept {
  if (proto::load_be16(frame + 12) != net::kEtherTypeIpv4 || frame[14] != 0x45) return -1;  // cheap first
  net::UdpDatagram udp;
  if (net::parse_udp(frame, len, udp) != net::Error::kOk || udp.vlan_tags != 0 ||
      udp.ip_header_length != DuplicateTemplate::kIpv4 || udp.payload_length < mold::kHeaderLength)
    return -1;
  if (recovery_ && recovery_->is_server(udp)) return -1;
  int line = -1;
  if (line_b_port) {  // on_line_b_port_frame()'s classification; its template only on line B's own port
    if (s_.line_b_own_port && is_line_b(udp)) line = kLineB;
  } else if (udp.dst_port == s_.feed_udp_port && (!s_.feed_group || udp.dst_ip == *s_.feed_group)) {
    line = kLineA;
  } else if (!s_.line_b_own_port && is_line_b(udp)) {
    line = kLineB;
  }
  if (line < 0) return -1;
  const FeedPacket p{udp.src_ip, udp.payload, seq, seq + count, true};
  if (!guard_.accept_locked(p, {true, arb_.next(), arb_.horizon()})) return -1;
  templates_[line].learn(frame);
  return line;
}

}  // namespace sf::dataplane
