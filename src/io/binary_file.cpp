#include "sniperforge/io/binary_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "sniperforge/proto/endian.hpp"

namespace sf::io {

BinaryFileReader::~BinaryFileReader() {
  release();
}

void BinaryFileReader::release() noexcept {
  if (map_ != nullptr) ::munmap(map_, size_);
  map_ = nullptr;
  owned_.clear();
  data_ = nullptr;
  size_ = 0;
  rewind();
}

bool BinaryFileReader::open(const std::string& path) {
  release();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error_ = path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error_ = path + ": " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    void* m = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      ::madvise(m, static_cast<std::size_t>(st.st_size), MADV_SEQUENTIAL);
      map_ = m;
      data_ = static_cast<const uint8_t*>(m);
      size_ = static_cast<std::size_t>(st.st_size);
      ::close(fd);
      error_.clear();
      return true;
    }
  }
  // Not mappable (pipe, empty, ...): read it.
  std::vector<uint8_t> buf;
  uint8_t chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = path + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    buf.insert(buf.end(), chunk, chunk + n);
  }
  ::close(fd);
  assign(std::move(buf));
  error_.clear();
  return true;
}

void BinaryFileReader::assign(std::vector<uint8_t> bytes) noexcept {
  release();
  owned_ = std::move(bytes);
  data_ = owned_.data();
  size_ = owned_.size();
}

bool BinaryFileReader::next(const uint8_t*& msg, uint16_t& len) noexcept {
  const std::size_t left = size_ - off_;
  if (left == 0) return false;
  if (left < 2) {
    truncated_ = true;
    return false;
  }
  const uint16_t n = proto::load_be16(data_ + off_);
  if (left - 2 < n) {
    truncated_ = true;
    return false;
  }
  msg = data_ + off_ + 2;
  len = n;
  off_ += 2 + std::size_t{n};
  return true;
}

BinaryFileWriter::~BinaryFileWriter() {
  close();
}

bool BinaryFileWriter::open(const std::string& path) {
  close();
  f_ = std::fopen(path.c_str(), "wb");
  if (f_ == nullptr) {
    error_ = path + ": " + std::strerror(errno);
    return false;
  }
  failed_ = false;
  return true;
}

void BinaryFileWriter::write(const uint8_t* msg, uint16_t len) noexcept {
  if (f_ == nullptr) return;
  uint8_t prefix[2];
  proto::store_be<uint16_t>(prefix, len);
  if (std::fwrite(prefix, 1, 2, f_) != 2 || std::fwrite(msg, 1, len, f_) != len) failed_ = true;
}

bool BinaryFileWriter::close() noexcept {
  if (f_ == nullptr) return !failed_;
  if (std::fclose(f_) != 0) failed_ = true;
  f_ = nullptr;
  if (failed_) error_ = "write error";
  return !failed_;
}

}  // namespace sf::io
