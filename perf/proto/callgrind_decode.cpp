// Deterministic driver for callgrind: decodes N sf-feedgen messages once through decode_all_typed()
// (or decode_all_views() with a second argument "views"); instructions per message = Ir of that
// function / N. See docs/performance.md.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "decode_loop.hpp"

int main(int argc, char** argv) {
  const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200'000;
  const bool views = argc > 2 && std::strcmp(argv[2], "views") == 0;
  const auto f = sf::feedgen::generate_frames(sf::perf::workload_a(n));
  const auto r = views ? sf::perf::decode_all_views(f) : sf::perf::decode_all_typed(f);
  std::printf("messages %llu packets %llu checksum %llu\n", static_cast<unsigned long long>(r.messages),
              static_cast<unsigned long long>(f.stats.packets), static_cast<unsigned long long>(r.checksum));
  return r.messages == n ? 0 : 1;
}
