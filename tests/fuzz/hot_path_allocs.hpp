// Counts heap allocations made by this thread inside a "hot path" window, through the sanitizer's malloc
// hook (the libFuzzer build has ASan). Thread-local, so an allocation by libFuzzer's own threads (its RSS
// watcher, for one) is never blamed on the code under test. The first counted allocation prints its size
// and stack, so a rare failure names its culprit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>

extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*)(const volatile void*, std::size_t),
                                                         void (*)(const volatile void*))
    __attribute__((weak));
extern "C" void __sanitizer_print_stack_trace() __attribute__((weak));

namespace sf::fuzz {

class HotPathAllocs {
 public:
  // Installs the hook once per process; false where there is no sanitizer (the gcc corpus replay).
  static bool install() {
    static const bool hooked = __sanitizer_install_malloc_and_free_hooks &&
                               __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
    return hooked;
  }
  static void begin() { counting_ = install(); }
  static void end() { counting_ = false; }
  static uint64_t count() { return allocs_; }

 private:
  static void on_malloc(const volatile void*, std::size_t size) {
    if (!counting_) return;
    if (allocs_++ == 0) {
      std::fprintf(stderr, "hot path allocated %zu bytes; stack:\n", size);
      if (__sanitizer_print_stack_trace) __sanitizer_print_stack_trace();
    }
  }
  static void on_free(const volatile void*) {}
  static inline thread_local bool counting_ = false;
  static inline thread_local uint64_t allocs_ = 0;
};

// RAII window: allocations while it lives are counted.
struct HotPathWindow {
  HotPathWindow() { HotPathAllocs::begin(); }
  ~HotPathWindow() { HotPathAllocs::end(); }
};

}  // namespace sf::fuzz
