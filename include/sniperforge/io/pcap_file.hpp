// pcap files through libpcap: a reader (microsecond and nanosecond pcaps, timestamps returned in
// ns) and a writer (nanosecond pcap, Ethernet link type by default).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sf::io {

inline constexpr int kLinkTypeEthernet = 1;  // DLT_EN10MB

struct PcapPacket {
  uint64_t ts_ns = 0;             // since the Unix epoch
  const uint8_t* data = nullptr;  // valid until the next call to next()
  uint32_t caplen = 0;            // bytes present
  uint32_t len = 0;               // bytes on the wire
};

class PcapReader {
 public:
  PcapReader() = default;
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;
  PcapReader(PcapReader&& o) noexcept;
  PcapReader& operator=(PcapReader&& o) noexcept;
  ~PcapReader();

  // Opens a pcap (or pcapng) file; on failure returns false and sets error().
  bool open(const std::string& path);
  // Next packet; false at the end of the file or on a read error (then error() is non-empty).
  bool next(PcapPacket& out);
  void close() noexcept;
  [[nodiscard]] bool is_open() const noexcept { return handle_ != nullptr; }
  [[nodiscard]] int link_type() const noexcept;
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  void* handle_ = nullptr;  // pcap_t*, kept opaque so users need no libpcap headers
  std::string error_;
};

// Bytes of a classic pcap file consumed after `records` records holding `captured` bytes: the 24-byte
// file header and a 16-byte header per record, so the count reaches the file size at its end (progress
// lines of tools that only count frames).
[[nodiscard]] constexpr uint64_t pcap_bytes_consumed(uint64_t records, uint64_t captured) noexcept {
  return 24 + 16 * records + captured;
}
// True when `path` starts with a classic pcap magic number (either byte order, us or ns timestamps), i.e.
// pcap_bytes_consumed applies; false for pcapng and anything else.
[[nodiscard]] bool is_classic_pcap(const std::string& path);

// A damaged pcap (#16: truncated mid-record, or garbage after the last record) is read up to its last
// complete record by every reader; both sniperforge (replay) and sf-backtest then print this one line,
// count the input as damaged and exit 1 after writing their outputs (docs/cli.md).
[[nodiscard]] std::string damaged_pcap_message(const std::string& path, uint64_t records,
                                               const std::string& error);
// Reads `path` through: empty when it reads to its end, otherwise damaged_pcap_message().
[[nodiscard]] std::string check_pcap(const std::string& path);

class PcapWriter {
 public:
  PcapWriter() = default;
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;
  ~PcapWriter();

  // Creates (truncates) a nanosecond-resolution pcap file.
  bool open(const std::string& path, int link_type = kLinkTypeEthernet, uint32_t snaplen = 262144);
  // Writes one packet (captured whole). ts_ns since the Unix epoch.
  void write(uint64_t ts_ns, const uint8_t* data, uint32_t len) noexcept;
  // Flushes and closes; false if a write error happened at any point.
  bool close() noexcept;
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] uint64_t packets() const noexcept { return packets_; }

 private:
  void* pcap_ = nullptr;    // pcap_t* (dead handle)
  void* dumper_ = nullptr;  // pcap_dumper_t*
  uint64_t packets_ = 0;
  std::string error_;
};

}  // namespace sf::io
