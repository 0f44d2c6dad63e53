// A feed line's duplicate template (#12, two lines): the fixed bytes of that line's packets as they
// arrive untagged, IPv4 without options: EtherType, version/IHL, fragment bits, protocol, source and
// destination address and port, MoldUDP64 session. Learned from a packet the full path judged (the
// RxProcessor's applied_copy: the feed guard accepted its source and session, the arbiter its
// classification), it lets the RX lcore recognise the same line's later copies with five masked 64-bit
// compares at fixed offsets instead of the general Ethernet/VLAN/IPv4/UDP parse. matches() is the whole
// structural check: a frame it accepts parses (net::parse_udp) to the same line, source and session, with
// its MoldUDP64 header at kMold. Pure and DPDK-free.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/moldudp64.hpp"

namespace sf::dataplane {

// Which bits of each compared word (bytes 12..51, EtherType .. the session's last byte) must equal the
// learned packet's: 0xff = the whole byte; 0x3f/0xff = the fragment offset and MF (DF and the reserved
// bit are ignored, as net::parse_udp ignores them).
inline constexpr std::size_t kDuplicateTemplateWords = 5;
inline constexpr std::array<uint8_t, 8 * kDuplicateTemplateWords> kDuplicateTemplateMaskBytes{
    0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00,  // 12: EtherType, version/IHL; TOS, total length, ID
    0x3f, 0xff, 0x00, 0xff, 0x00, 0x00, 0xff, 0xff,  // 20: fragment, TTL, protocol, checksum, source..
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // 28: ..source, destination, source port
    0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,  // 36: destination port; UDP length, checksum; session..
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // 44: ..session
};
// The same masks as native-order words: byte b of a word is its b-th byte in memory.
constexpr std::array<uint64_t, kDuplicateTemplateWords> duplicate_template_masks() noexcept {
  std::array<uint64_t, kDuplicateTemplateWords> m{};
  for (std::size_t w = 0; w < m.size(); ++w)
    for (std::size_t b = 0; b < 8; ++b) {
      const std::size_t shift = std::endian::native == std::endian::little ? 8 * b : 56 - 8 * b;
      m[w] |= uint64_t{kDuplicateTemplateMaskBytes[8 * w + b]} << shift;
    }
  return m;
}

class DuplicateTemplate {
 public:
  static constexpr std::size_t kEthernet = 14, kIpv4 = 20, kUdp = 8;
  static constexpr std::size_t kMold = kEthernet + kIpv4 + kUdp;      // the MoldUDP64 header's offset: 42
  static constexpr std::size_t kBytes = kMold + mold::kHeaderLength;  // what matches() reads: 62

  // `frame` is a packet of this line that net::parse_udp() found untagged with a 20-byte IPv4 header.
  void learn(const uint8_t* frame) noexcept {
    for (std::size_t w = 0; w < kWords; ++w) want_[w] = word(frame, w) & kMask[w];
    valid_ = true;
  }
  [[nodiscard]] bool valid() const noexcept { return valid_; }

  // True if the frame's fixed bytes are the learned ones and its lengths agree: the IPv4 total length
  // is exactly its header plus the UDP length, lies inside the frame (Ethernet padding may follow), and
  // the UDP payload holds at least a MoldUDP64 header. Reads bytes 0..kBytes-1 only (len >= kBytes).
  [[nodiscard]] bool matches(const uint8_t* frame, std::size_t len) const noexcept {
    uint64_t diff = 0;
    for (std::size_t w = 0; w < kWords; ++w) diff |= (word(frame, w) ^ want_[w]) & kMask[w];
    const std::size_t ip_total = proto::load_be16(frame + kEthernet + 2);
    const std::size_t udp_len = proto::load_be16(frame + kEthernet + kIpv4 + 4);
    return valid_ && diff == 0 && ip_total == kIpv4 + udp_len && udp_len >= kUdp + mold::kHeaderLength &&
           kEthernet + ip_total <= len;
  }

  // The MoldUDP64 header's sequence and message count, at their fixed offsets (len >= kBytes).
  [[nodiscard]] static uint64_t sequence(const uint8_t* frame) noexcept {
    return proto::load_be64(frame + kMold + mold::kSessionLength);
  }
  [[nodiscard]] static uint16_t count(const uint8_t* frame) noexcept {
    return proto::load_be16(frame + kMold + mold::kSessionLength + 8);
  }

 private:
  // Bytes 12..51 (EtherType .. the session's last byte) as five native-order words.
  static constexpr std::size_t kFirst = 12, kWords = kDuplicateTemplateWords;
  static uint64_t word(const uint8_t* frame, std::size_t w) noexcept {
    uint64_t v;
    std::memcpy(&v, frame + kFirst + 8 * w, sizeof v);
    return v;
  }
  static constexpr std::array<uint64_t, kWords> kMask = duplicate_template_masks();

  std::array<uint64_t, kWords> want_{};
  bool valid_ = false;
};

}  // namespace sf::dataplane
