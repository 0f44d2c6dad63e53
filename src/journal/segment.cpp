#include "sniperforge/journal/segment.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace sf::journal {

std::string segment_name(uint64_t number) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "segment-%08llu.sfj", static_cast<unsigned long long>(number));
  return buf;
}

std::vector<uint64_t> list_segments(const std::string& dir) {
  std::vector<uint64_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    unsigned long long n = 0;
    char tail = 0;
    if (name.size() == 20 && std::sscanf(name.c_str(), "segment-%8llu.sf%c", &n, &tail) == 2 && tail == 'j' &&
        n > 0)
      out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sf::journal
