// The progress line of long work (replay, backtest, feed generation, BinaryFILE conversion).
//
// A housekeeping thread reads counters the workers already keep (relaxed loads through `read`; the
// workers never format, print or make a syscall for it) and rewrites one line on stderr at most 4 times
// a second: done/total, percent, rate, ETA. Shown only when stderr is a terminal and --quiet is not
// given (progress_wanted); otherwise no thread is started and nothing is printed. finish() prints the
// final counts and ends the line; the tool's summary follows as before.
//
//   sf::Counter generated;  // the worker's own counter (sniperforge/common/counter.hpp)
//   sf::ProgressOptions o;
//   o.label = "sf-feedgen";
//   sf::ProgressLine progress(o, [&] { return sf::ProgressSample{generated.load(), total}; },
//                             sf::progress_wanted(quiet));
//   ... work ...
//   progress.finish();
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace sf {

struct ProgressSample {
  uint64_t done = 0;
  uint64_t total = 0;   // 0: unknown (no percent, no ETA)
  uint64_t detail = 0;  // a second count shown after the main one (e.g. messages of a replay in bytes)
};

enum class ProgressUnit { kCount, kBytes };

struct ProgressOptions {
  std::string label;  // e.g. "replay"
  ProgressUnit unit = ProgressUnit::kCount;
  std::string noun = "msgs";              // for kCount
  std::string detail_noun;                // empty: no detail count
  std::chrono::milliseconds period{250};  // at most one line per period (4 per second)
  std::FILE* out = stderr;
};

// True when a progress line should be shown: stderr is a terminal and --quiet was not given.
[[nodiscard]] bool progress_wanted(bool quiet) noexcept;

// The text of one line (no carriage return). `rate` per second; `elapsed_s` is used by the final line.
[[nodiscard]] std::string format_progress(const ProgressOptions& o, const ProgressSample& s, double rate,
                                          double elapsed_s, bool final_line);

class ProgressLine {
 public:
  using Reader = std::function<ProgressSample()>;
  // Starts the reporting thread only when `enabled`; `read` is called from that thread only.
  ProgressLine(ProgressOptions options, Reader read, bool enabled);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Prints the final line (one last read) and a newline, then joins. Idempotent. When the done count
  // reaches a known total the line ends by itself (e.g. a replay held open with --hold).
  void finish();
  [[nodiscard]] unsigned lines_printed() const noexcept { return lines_.load(std::memory_order_relaxed); }

 private:
  void run();
  void print(const ProgressSample& s, double rate, bool final_line);

  ProgressOptions opt_;
  Reader read_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<unsigned> lines_{0};
  std::chrono::steady_clock::time_point start_;
  std::thread thread_;
};

}  // namespace sf
