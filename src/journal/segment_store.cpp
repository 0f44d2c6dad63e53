#include "sniperforge/journal/segment_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sniperforge/journal/record.hpp"
#include "sniperforge/journal/segment.hpp"

namespace sf::journal {

namespace {
constexpr std::size_t kBufferBytes = 1 << 18;
}

SegmentStore::~SegmentStore() {
  close();
}

bool SegmentStore::fail(const std::string& what) {
  if (error_.empty()) error_ = "journal: " + what + ": " + std::strerror(errno);
  return false;
}

bool SegmentStore::open(const std::string& dir, uint64_t segment_bytes, uint64_t end_segment,
                        uint64_t end_offset, bool sync_on_roll) {
  dir_ = dir;
  segment_bytes_ = segment_bytes;
  sync_on_roll_ = sync_on_roll;
  buf_.assign(kBufferBytes, 0);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    errno = ec.value();
    return fail("cannot create " + dir);
  }
  if (end_segment == 0 || end_offset == 0) {
    segment_ = end_segment;
    return roll();
  }
  segment_ = end_segment;
  const std::string path = dir_ + "/" + segment_name(segment_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) return fail("open " + path);
  offset_ = end_offset;
  return true;
}

// Leaves the current segment (synced) and creates the next one, preallocated and with its header.
bool SegmentStore::roll() {
  if (fd_ >= 0) {
    if (sync_on_roll_ && ::fdatasync(fd_) != 0) return fail("fdatasync " + segment_name(segment_));
    ::close(fd_);
    fd_ = -1;
  }
  ++segment_;
  const std::string path = dir_ + "/" + segment_name(segment_);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) return fail("create " + path);
  if (const int rc = ::posix_fallocate(fd_, 0, static_cast<off_t>(segment_bytes_)); rc != 0) {
    // No room for a whole segment: remove the empty file so the journal stays clean.
    ::close(fd_);
    fd_ = -1;
    ::unlink(path.c_str());
    errno = rc;
    return fail("preallocate " + path);
  }
  uint8_t header[kSegmentHeaderSize];
  std::memcpy(header, kSegmentMagic, sizeof kSegmentMagic);
  store_le<uint64_t>(header + 8, segment_);
  if (::pwrite(fd_, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header))
    return fail("write " + path);
  offset_ = kSegmentHeaderSize;
  return true;
}

bool SegmentStore::append(const uint8_t* record, std::size_t size) {
  if (failed() || fd_ < 0) return false;
  if (offset_ + used_ + size > segment_bytes_) {
    if (!flush() || !roll()) return false;
  }
  if (used_ + size > buf_.size() && !flush()) return false;
  std::memcpy(buf_.data() + used_, record, size);
  used_ += size;
  return true;
}

bool SegmentStore::flush() {
  if (failed() || fd_ < 0) return false;
  std::size_t done = 0;
  while (done < used_) {
    const ssize_t w = ::pwrite(fd_, buf_.data() + done, used_ - done, static_cast<off_t>(offset_ + done));
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      if (w == 0) errno = EIO;
      return fail("write " + segment_name(segment_));
    }
    done += static_cast<std::size_t>(w);
  }
  offset_ += used_;
  used_ = 0;
  return true;
}

bool SegmentStore::sync() {
  if (!flush()) return false;
  if (::fdatasync(fd_) != 0) return fail("fdatasync " + segment_name(segment_));
  ++syncs_;
  return true;
}

void SegmentStore::close() {
  if (fd_ < 0) return;
  if (!failed()) (void)sync();
  ::close(fd_);
  fd_ = -1;
}

}  // namespace sf::journal
