// CPU time, for benchmarks and tools on shared machines: where neighbours take the cores, CPU time is
// the fairer figure next to wall time.
#pragma once

#include <sys/resource.h>
#include <time.h>

namespace sf {

// All threads of the process so far, user + system.
[[nodiscard]] inline double process_cpu_seconds() noexcept {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// The calling thread so far.
[[nodiscard]] inline double thread_cpu_seconds() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace sf
