// One journal record on disk (all integers little-endian):
//   u32 length      whole record, header and CRC included (kHeaderSize + payload + 4)
//   u8  type        RecordType
//   u8  version     kFormatVersion
//   u16 shard       executor / engine index (0 for records of the whole appliance)
//   u64 sequence    assigned by the writer: 1, 2, 3 ... over the whole journal, never reused
//   u64 timestamp   wall clock, ns since the Unix epoch
//   ... payload     by type (entry.hpp builds and reads them)
//   u32 crc32c      over every byte before it
// A length of 0 where a record would start is the end of what was written (segments are preallocated
// with zeros); anything else that does not check out is a torn or damaged tail (scan.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sf::journal {

enum class RecordType : uint8_t {
  kOrder = 1,    // an order sent: OUCH bytes, UserRefNum, trigger sequence, TSC (entry.hpp: OrderPayload)
  kVenue = 2,    // a venue message received: session sequence number and the OUCH bytes
  kSession = 3,  // order-session event: login, logout, reconnect, down
  kControl = 4,  // a risk or control change: who, what, old -> new
  kStart = 5,    // the appliance (or a backtest) started writing
  kStop = 6,     // it stopped cleanly
  kCancel = 7,   // an OUCH Cancel Order sent (kill's sweep, cancel_open): UserRefNum, new size, TSC, bytes
};
inline constexpr uint8_t kMaxRecordType = 7;

// The "type" key of sf-journal dump, and the names counted by sf-journal verify.
[[nodiscard]] constexpr std::string_view to_string(RecordType t) noexcept {
  switch (t) {
    case RecordType::kOrder:
      return "order";
    case RecordType::kVenue:
      return "venue";
    case RecordType::kSession:
      return "session";
    case RecordType::kControl:
      return "control";
    case RecordType::kStart:
      return "start";
    case RecordType::kStop:
      return "stop";
    case RecordType::kCancel:
      return "cancel";
  }
  return "unknown";
}

inline constexpr uint8_t kFormatVersion = 1;
inline constexpr std::size_t kHeaderSize = 24;
inline constexpr std::size_t kCrcSize = 4;
inline constexpr std::size_t kMinRecordSize = kHeaderSize + kCrcSize;
// A record fits one ring slot (entry.hpp), so no record is ever larger than this.
inline constexpr std::size_t kMaxRecordSize = 256;
inline constexpr std::size_t kMaxPayload = kMaxRecordSize - kMinRecordSize;

template <class T>
[[nodiscard]] inline T load_le(const uint8_t* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);  // x86-64 is little-endian: the wire order
  return v;
}
template <class T>
inline void store_le(uint8_t* p, T v) noexcept {
  std::memcpy(p, &v, sizeof v);
}

// A checked record in memory (scan.hpp produces them); `payload` points into the scanned bytes.
struct RecordView {
  RecordType type = RecordType::kStart;
  uint16_t shard = 0;
  uint64_t sequence = 0;
  uint64_t timestamp = 0;
  const uint8_t* payload = nullptr;
  std::size_t payload_size = 0;
  const uint8_t* bytes = nullptr;  // the whole record (header .. CRC)
  std::size_t size = 0;
};

}  // namespace sf::journal
