#include "store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace sf::venue_sim {

bool MessageStore::open(const std::string& path, std::string& error) {
  if (path.empty()) return true;
  std::vector<uint8_t> bytes;
  {
    std::ifstream in(path, std::ios::binary);
    if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::size_t off = 0;
  while (bytes.size() - off >= 2) {
    const std::size_t n = (std::size_t{bytes[off]} << 8) | bytes[off + 1];
    if (bytes.size() - off - 2 < n) break;
    messages_.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(off + 2),
                           bytes.begin() + static_cast<std::ptrdiff_t>(off + 2 + n));
    visible_.push_back(0);
    off += 2 + n;
  }
  loaded_ = messages_.size();
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0 || ftruncate(fd_, static_cast<off_t>(off)) != 0 || lseek(fd_, 0, SEEK_END) < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

MessageStore::~MessageStore() {
  if (fd_ >= 0) ::close(fd_);
}

bool MessageStore::append(std::span<const uint8_t> m, uint64_t visible_at) {
  if (m.size() > 0xffff) return false;
  if (fd_ >= 0) {
    // One write per record: the page cache keeps it if the process is killed right after.
    std::vector<uint8_t> rec(2 + m.size());
    rec[0] = static_cast<uint8_t>(m.size() >> 8);
    rec[1] = static_cast<uint8_t>(m.size());
    std::memcpy(rec.data() + 2, m.data(), m.size());
    if (::write(fd_, rec.data(), rec.size()) != static_cast<ssize_t>(rec.size())) return false;
  }
  messages_.emplace_back(m.begin(), m.end());
  visible_.push_back(visible_at);
  return true;
}

}  // namespace sf::venue_sim
