// Per-lcore binary log ring: the hot lcores never format text.
//
// A record is a code, up to kMaxLogArgs u64 arguments and the TSC. The owning lcore push()es
// (single producer); the stats lcore pop()s (single consumer), formats with the code's format
// string (log_codes.hpp) and hands the line to spdlog. A full ring drops the new record and
// counts it in `overflow` (the reader exports it and logs the loss). Release/acquire on x86-64
// are plain `mov`s: no lock prefix, no syscall, no allocation.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "sniperforge/common/counter.hpp"
#include "sniperforge/telemetry/log_codes.hpp"

namespace sf::telemetry {

inline constexpr std::size_t kMaxLogArgs = 4;

struct LogRecord {
  uint64_t tsc = 0;
  LogCode code = LogCode::kNone;
  uint8_t nargs = 0;
  std::array<uint64_t, kMaxLogArgs> args{};
};
static_assert(sizeof(LogRecord) == 48);

template <std::size_t Capacity>
class alignas(kCacheLine) BasicLogRing {
  static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0, "capacity must be a power of two");

 public:
  static constexpr std::size_t kCapacity = Capacity;

  // Producer (owning lcore). Returns false (and counts) when full.
  template <class... Args>
  bool push(uint64_t tsc, LogCode code, Args... args) noexcept {
    static_assert(sizeof...(Args) <= kMaxLogArgs, "too many log arguments");
    const uint64_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_cache_ >= Capacity) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head - tail_cache_ >= Capacity) [[unlikely]] {
        overflow_.add();
        return false;
      }
    }
    LogRecord& r = slots_[head & (Capacity - 1)];
    r.tsc = tsc;
    r.code = code;
    r.nargs = static_cast<uint8_t>(sizeof...(Args));
    std::size_t i = 0;
    ((r.args[i++] = static_cast<uint64_t>(args)), ...);
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  // Consumer (stats lcore). Returns false when empty.
  bool pop(LogRecord& out) noexcept {
    const uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return false;
    out = slots_[tail & (Capacity - 1)];
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  // Any thread.
  [[nodiscard]] uint64_t overflow() const noexcept { return overflow_.load(); }
  [[nodiscard]] uint64_t pushed() const noexcept { return head_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::size_t size() const noexcept {
    return static_cast<std::size_t>(head_.load(std::memory_order_acquire) -
                                    tail_.load(std::memory_order_acquire));
  }

 private:
  // Producer line.
  alignas(kCacheLine) std::atomic<uint64_t> head_{0};
  uint64_t tail_cache_ = 0;
  Counter overflow_;
  // Consumer line.
  alignas(kCacheLine) std::atomic<uint64_t> tail_{0};
  alignas(kCacheLine) std::array<LogRecord, Capacity> slots_{};
};

// Default per-lcore ring: 1024 records (48 KiB).
using LogRing = BasicLogRing<1024>;

}  // namespace sf::telemetry
