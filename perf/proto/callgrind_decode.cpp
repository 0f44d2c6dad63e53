// Deterministic driver for callgrind: decodes N sf-feedgen messages once through
// decode_all_typed(); instructions per message = Ir of decode_all_typed / N. See docs/performance.md.
#include <cstdio>
#include <cstdlib>

#include "decode_loop.hpp"

int main(int argc, char** argv) {
  const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200'000;
  const auto f = sf::feedgen::generate_frames(sf::perf::workload_a(n));
  const auto r = sf::perf::decode_all_typed(f);
  std::printf("messages %llu packets %llu checksum %llu\n", static_cast<unsigned long long>(r.messages),
              static_cast<unsigned long long>(f.stats.packets), static_cast<unsigned long long>(r.checksum));
  return r.messages == n ? 0 : 1;
}
