#include "sniperforge/io/binary_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "sniperforge/proto/endian.hpp"

namespace sf::io {

bool BinaryFileReader::open(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error_ = path + ": " + std::strerror(errno);
    return false;
  }
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  in.seekg(0, std::ios::beg);
  buf_.resize(static_cast<std::size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char*>(buf_.data()), size)) {
    error_ = path + ": read error";
    return false;
  }
  rewind();
  error_.clear();
  return true;
}

void BinaryFileReader::assign(std::vector<uint8_t> bytes) noexcept {
  buf_ = std::move(bytes);
  rewind();
}

bool BinaryFileReader::next(const uint8_t*& msg, uint16_t& len) noexcept {
  const std::size_t left = buf_.size() - off_;
  if (left == 0) return false;
  if (left < 2) {
    truncated_ = true;
    return false;
  }
  const uint16_t n = proto::load_be16(buf_.data() + off_);
  if (left - 2 < n) {
    truncated_ = true;
    return false;
  }
  msg = buf_.data() + off_ + 2;
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
