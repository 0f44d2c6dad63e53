#include "sniperforge/common/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <deque>

namespace sf {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kRateWindow{2};  // the rate (and ETA) follow the last two seconds

// 3 significant digits with a decimal prefix: "812", "12.3k", "1.20M" (bytes: "812 B", "1.20 GB").
std::string quantity(double v, ProgressUnit unit) {
  static constexpr const char* kCount[] = {"", "k", "M", "G", "T", "P"};
  static constexpr const char* kBytes[] = {" B", " kB", " MB", " GB", " TB", " PB"};
  std::size_t p = 0;
  while (v >= 999.5 && p + 1 < std::size(kCount)) {
    v /= 1000;
    ++p;
  }
  char buf[32];
  // Whole counts as they are; a rate below 100 per second keeps a decimal ("2.5 runs/s").
  const bool whole = p == 0 && (v >= 99.5 || v == std::floor(v));
  const char* fmt = whole || v >= 99.95 ? "%.0f%s" : v >= 9.995 ? "%.1f%s" : "%.2f%s";
  std::snprintf(buf, sizeof buf, fmt, v, unit == ProgressUnit::kBytes ? kBytes[p] : kCount[p]);
  return buf;
}

std::string duration(double seconds) {
  const auto s = static_cast<uint64_t>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60), static_cast<unsigned long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  return buf;
}

}  // namespace

bool progress_wanted(bool quiet) noexcept {
  return !quiet && ::isatty(STDERR_FILENO) == 1;
}

std::string format_progress(const ProgressOptions& o, const ProgressSample& s, double rate, double elapsed_s,
                            bool final_line) {
  // Appended piece by piece (gcc 12 -Wrestrict misfires on chains of "literal" + std::string).
  const bool bytes = o.unit == ProgressUnit::kBytes;
  auto noun = [&](std::string& line) {
    if (!bytes) line.append(" ").append(o.noun);
  };
  std::string line = o.label;
  line.append(": ").append(quantity(static_cast<double>(s.done), o.unit));
  if (s.total) line.append("/").append(quantity(static_cast<double>(s.total), o.unit));
  noun(line);
  char buf[48];
  if (s.total) {
    std::snprintf(buf, sizeof buf, " (%.1f %%)",
                  std::min(100.0, 100.0 * static_cast<double>(s.done) / static_cast<double>(s.total)));
    line.append(buf);
  }
  if (!o.detail_noun.empty())
    line.append(", ")
        .append(quantity(static_cast<double>(s.detail), ProgressUnit::kCount))
        .append(" ")
        .append(o.detail_noun);
  line.append("  ").append(quantity(rate, o.unit));
  noun(line);
  line.append("/s");
  if (final_line) {
    std::snprintf(buf, sizeof buf, "  in %.1f s", elapsed_s);
    line.append(buf);
  } else if (s.total) {
    line.append("  ETA ").append(rate > 0 && s.total > s.done
                                     ? duration(static_cast<double>(s.total - s.done) / rate)
                                     : std::string("--:--"));
  }
  return line;
}

ProgressLine::ProgressLine(ProgressOptions options, Reader read, bool enabled)
    : opt_(std::move(options)), read_(std::move(read)), start_(Clock::now()) {
  if (enabled) thread_ = std::thread([this] { run(); });
}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::finish() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProgressLine::print(const ProgressSample& s, double rate, bool final_line) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  // \r rewrites the line, ESC[K clears what a longer previous line left behind.
  std::fputs("\r", opt_.out);
  std::fputs(format_progress(opt_, s, rate, elapsed, final_line).c_str(), opt_.out);
  std::fputs(final_line ? "\x1b[K\n" : "\x1b[K", opt_.out);
  std::fflush(opt_.out);
  lines_.fetch_add(1, std::memory_order_relaxed);
}

void ProgressLine::run() {
  struct Point {
    Clock::time_point t;
    uint64_t done;
  };
  std::deque<Point> window;
  Clock::time_point last_print{};
  bool printed = false;
  auto average_rate = [&](const ProgressSample& s) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    return elapsed > 0 ? static_cast<double>(s.done) / elapsed : 0.0;
  };
  std::unique_lock lock(mu_);
  for (;;) {
    if (cv_.wait_for(lock, opt_.period, [this] { return stop_; })) {
      lock.unlock();
      // At most one line per period, the final one included.
      if (printed) std::this_thread::sleep_until(last_print + opt_.period);
      const ProgressSample s = read_();
      print(s, average_rate(s), true);
      return;
    }
    lock.unlock();
    const ProgressSample s = read_();
    const Clock::time_point now = Clock::now();
    window.push_back({now, s.done});
    while (window.size() > 2 && now - window[1].t >= kRateWindow) window.pop_front();
    const double span = std::chrono::duration<double>(window.back().t - window.front().t).count();
    const bool complete = s.total != 0 && s.done >= s.total;
    const double rate = complete || span <= 0
                            ? average_rate(s)
                            : static_cast<double>(window.back().done - window.front().done) / span;
    print(s, rate, complete);
    last_print = now;
    printed = true;
    if (complete) return;  // the line is finished; finish() only joins
    lock.lock();
  }
}

}  // namespace sf
