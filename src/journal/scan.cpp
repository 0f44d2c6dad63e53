#include "sniperforge/journal/scan.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "sniperforge/journal/crc32c.hpp"
#include "sniperforge/journal/segment.hpp"

namespace sf::journal {
namespace {

// A segment mapped read-only (a zero-length file maps nothing).
class MappedFile {
 public:
  bool open(const std::string& path, std::string& error) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
      error = path + ": " + std::strerror(errno);
      return false;
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) return true;
    void* m = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (m == MAP_FAILED) {
      error = path + ": mmap: " + std::strerror(errno);
      return false;
    }
    data_ = static_cast<const uint8_t*>(m);
    return true;
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] const uint8_t* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  int fd_ = -1;
  const uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// One past the last non-zero byte at or after `from` (== from if all zero).
std::size_t written_end(const uint8_t* p, std::size_t from, std::size_t size) {
  std::size_t end = size;
  while (end > from && p[end - 1] == 0) --end;
  return end;
}

// Why the record at `off` is not good ("" if it is); `expected_seq` 0 accepts any sequence.
std::string check_record(const uint8_t* p, std::size_t off, std::size_t size, uint64_t expected_seq,
                         RecordView& out) {
  if (size - off < kMinRecordSize) return "a record header cut short";
  const uint32_t len = load_le<uint32_t>(p + off);
  if (len < kMinRecordSize || len > kMaxRecordSize) return "bad length " + std::to_string(len);
  if (len > size - off) return "a record running past the segment's end";
  const uint8_t* r = p + off;
  const uint32_t stored = load_le<uint32_t>(r + len - kCrcSize);
  if (crc32c(r, len - kCrcSize) != stored) return "CRC mismatch";
  if (r[4] == 0 || r[4] > kMaxRecordType) return "unknown record type " + std::to_string(r[4]);
  if (r[5] != kFormatVersion) return "unknown format version " + std::to_string(r[5]);
  out.type = static_cast<RecordType>(r[4]);
  out.shard = load_le<uint16_t>(r + 6);
  out.sequence = load_le<uint64_t>(r + 8);
  out.timestamp = load_le<uint64_t>(r + 16);
  if (expected_seq != 0 && out.sequence != expected_seq)
    return "sequence " + std::to_string(out.sequence) + " where " + std::to_string(expected_seq) + " was due";
  out.payload = r + kHeaderSize;
  out.payload_size = len - kMinRecordSize;
  out.bytes = r;
  out.size = len;
  return {};
}

bool zero_range(const std::string& path, uint64_t from, uint64_t to, std::string& error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  static const std::vector<uint8_t> zeros(1 << 16, 0);
  bool ok = true;
  for (uint64_t at = from; at < to && ok;) {
    const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(zeros.size(), to - at));
    const ssize_t w = ::pwrite(fd, zeros.data(), n, static_cast<off_t>(at));
    ok = w > 0;
    at += w > 0 ? static_cast<uint64_t>(w) : 0;
  }
  ok = ok && ::fdatasync(fd) == 0;
  if (!ok) error = path + ": repair: " + std::strerror(errno);
  ::close(fd);
  return ok;
}

}  // namespace

bool scan_journal(const std::string& dir, const RecordVisitor& visit, bool repair, ScanReport& rep,
                  std::string& error) {
  rep = ScanReport{};
  const std::vector<uint64_t> segs = list_segments(dir);
  uint64_t expected = 0;
  for (uint64_t seg : segs) {
    const std::string path = dir + "/" + segment_name(seg);
    MappedFile f;
    if (!f.open(path, error)) return false;
    const uint8_t* p = f.data();
    const std::size_t size = f.size();
    if (rep.torn) {  // everything after a torn record is dropped
      rep.dropped_bytes += written_end(p, 0, size);
      if (repair && ::unlink(path.c_str()) != 0) {
        error = path + ": " + std::strerror(errno);
        return false;
      }
      continue;
    }
    ++rep.segments;
    rep.end_segment = seg;
    std::size_t off = kSegmentHeaderSize;
    std::string why;
    if (size < kSegmentHeaderSize || std::memcmp(p, kSegmentMagic, sizeof kSegmentMagic) != 0 ||
        load_le<uint64_t>(p + 8) != seg) {
      off = 0;
      why = "bad segment header";
    }
    while (why.empty() && off < size) {
      if (size - off < 4 || load_le<uint32_t>(p + off) == 0) {
        if (written_end(p, off, size) != off) why = "garbage after the last record";
        break;
      }
      RecordView r;
      why = check_record(p, off, size, expected, r);
      if (!why.empty()) break;
      if (rep.records++ == 0) {
        rep.first_sequence = r.sequence;
        rep.first_timestamp = r.timestamp;
      }
      rep.last_sequence = r.sequence;
      rep.last_timestamp = r.timestamp;
      ++rep.by_type[static_cast<std::size_t>(r.type)];
      rep.bytes += r.size;
      expected = r.sequence + 1;
      if (visit) visit(r);
      off += r.size;
    }
    rep.end_offset = off;
    if (why.empty()) continue;
    rep.torn = true;
    rep.torn_why = why;
    rep.torn_at = segment_name(seg) + " offset " + std::to_string(off);
    const std::size_t end = written_end(p, off, size);
    rep.dropped_bytes += end - off;
    if (repair && off == 0) {  // not even the header is ours: rewrite it from scratch
      if (::unlink(path.c_str()) != 0) {
        error = path + ": " + std::strerror(errno);
        return false;
      }
      rep.end_segment = seg - 1;
      rep.end_offset = 0;
      --rep.segments;
    } else if (repair && !zero_range(path, off, end, error)) {
      return false;
    }
  }
  return true;
}

}  // namespace sf::journal
