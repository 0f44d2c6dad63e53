// NASDAQ "BinaryFILE" ITCH day files: each message is preceded by its u16 big-endian length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace sf::io {

// Maps the file read-only (a whole NASDAQ day is several GB; nothing is copied) and iterates the
// messages with bounds checks.
class BinaryFileReader {
 public:
  BinaryFileReader() = default;
  BinaryFileReader(const BinaryFileReader&) = delete;
  BinaryFileReader& operator=(const BinaryFileReader&) = delete;
  ~BinaryFileReader();

  bool open(const std::string& path);
  // Adopts an in-memory image instead of a file.
  void assign(std::vector<uint8_t> bytes) noexcept;
  // Next message; false at the end, or when the last prefix/message is cut short (then
  // truncated() is true).
  bool next(const uint8_t*& msg, uint16_t& len) noexcept;
  void rewind() noexcept {
    off_ = 0;
    truncated_ = false;
  }
  [[nodiscard]] bool truncated() const noexcept { return truncated_; }
  [[nodiscard]] std::size_t offset() const noexcept { return off_; }
  [[nodiscard]] std::span<const uint8_t> bytes() const noexcept { return {data_, size_}; }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  void release() noexcept;
  std::vector<uint8_t> owned_;
  void* map_ = nullptr;
  const uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t off_ = 0;
  bool truncated_ = false;
  std::string error_;
};

class BinaryFileWriter {
 public:
  BinaryFileWriter() = default;
  BinaryFileWriter(const BinaryFileWriter&) = delete;
  BinaryFileWriter& operator=(const BinaryFileWriter&) = delete;
  ~BinaryFileWriter();
  bool open(const std::string& path);
  void write(const uint8_t* msg, uint16_t len) noexcept;
  bool close() noexcept;
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  std::FILE* f_ = nullptr;
  bool failed_ = false;
  std::string error_;
};

}  // namespace sf::io
