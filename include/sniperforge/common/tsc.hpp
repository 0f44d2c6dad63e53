// The CPU's time-stamp counter read without DPDK (the same counter rte_rdtsc() reads on x86), for
// DPDK-free code that stamps an event the data plane compares with its own TSC readings (sf-ctl's
// commands: when a command reached an executor's ring). Invariant TSCs agree across cores.
#pragma once

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace sf {

[[nodiscard]] inline uint64_t read_tsc() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();
#elif defined(__aarch64__)
  uint64_t v;
  asm volatile("mrs %0, cntvct_el0" : "=r"(v));  // what rte_rdtsc() reads on arm64
  return v;
#else
  return 0;
#endif
}

}  // namespace sf
