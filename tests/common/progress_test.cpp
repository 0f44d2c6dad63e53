// The progress line: its text, at most 4 lines a second, the final line at 100 %, nothing at all when
// disabled, and the line ending by itself when the count reaches the total.
#include "sniperforge/common/progress.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[4096];
  while (const std::size_t n = std::fread(buf, 1, sizeof buf, f)) s.append(buf, n);
  return s;
}

TEST(Progress, LineText) {
  sf::ProgressOptions o;
  o.label = "replay";
  o.unit = sf::ProgressUnit::kBytes;
  o.detail_noun = "msgs";
  EXPECT_EQ(sf::format_progress(o, {1'230'000'000, 10'000'000'000, 20'500'000}, 412e6, 3.0, false),
            "replay: 1.23 GB/10.0 GB (12.3 %), 20.5M msgs  412 MB/s  ETA 0:21");
  EXPECT_EQ(sf::format_progress(o, {10'000'000'000, 10'000'000'000, 166'000'000}, 400e6, 25.04, true),
            "replay: 10.0 GB/10.0 GB (100.0 %), 166M msgs  400 MB/s  in 25.0 s");
  sf::ProgressOptions c;
  c.label = "sf-feedgen";
  EXPECT_EQ(sf::format_progress(c, {950, 280'000'000, 0}, 0, 0.1, false),
            "sf-feedgen: 950/280M msgs (0.0 %)  0 msgs/s  ETA --:--");
  EXPECT_EQ(sf::format_progress(c, {140'000'000, 280'000'000, 0}, 1e6, 1, false),
            "sf-feedgen: 140M/280M msgs (50.0 %)  1.00M msgs/s  ETA 2:20");
  EXPECT_EQ(sf::format_progress(c, {140'000'000, 280'000'000, 0}, 1e4, 1, false),
            "sf-feedgen: 140M/280M msgs (50.0 %)  10.0k msgs/s  ETA 3:53:20");
  sf::ProgressOptions runs;
  runs.label = "sweep";
  runs.noun = "runs";
  EXPECT_EQ(sf::format_progress(runs, {3, 18, 0}, 2.5, 1.2, false),
            "sweep: 3/18 runs (16.7 %)  2.50 runs/s  ETA 0:06");
  // Unknown total: the count and the rate only.
  EXPECT_EQ(sf::format_progress(c, {12'345, 0, 0}, 5e3, 1, false), "sf-feedgen: 12.3k msgs  5.00k msgs/s");
}

TEST(Progress, AtMostFourLinesASecondAndAFinalLineAt100Percent) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::atomic<uint64_t> done{0};
  constexpr uint64_t kTotal = 1'000'000;
  const auto t0 = std::chrono::steady_clock::now();
  {
    sf::ProgressOptions o;
    o.label = "work";
    o.out = f;
    sf::ProgressLine line(
        o,
        [&] {
          return sf::ProgressSample{done.load(std::memory_order_relaxed), kTotal};
        },
        true);
    while (std::chrono::steady_clock::now() - t0 < 1200ms) {
      done.store(std::min<uint64_t>(kTotal - 1, done.load() + 1000), std::memory_order_relaxed);
      std::this_thread::sleep_for(1ms);
    }
    done.store(kTotal);
    line.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Lines are at least 250 ms apart: in `seconds`, at most floor(seconds * 4) of them.
    EXPECT_LE(line.lines_printed(), static_cast<unsigned>(seconds * 4));
    EXPECT_GE(line.lines_printed(), 2u);  // a tick or more, then the final line (loose: shared machines)
  }
  const std::string out = read_all(f);
  std::fclose(f);
  EXPECT_EQ(static_cast<unsigned>(std::count(out.begin(), out.end(), '\r')),
            static_cast<unsigned>(std::count(out.begin(), out.end(), '\x1b')));
  EXPECT_NE(out.find("work: 1.00M/1.00M msgs (100.0 %)"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);  // one line, rewritten in place
}

TEST(Progress, DisabledPrintsNothingAndNeverReads) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::atomic<int> reads{0};
  {
    sf::ProgressOptions o;
    o.out = f;
    sf::ProgressLine line(
        o,
        [&] {
          ++reads;
          return sf::ProgressSample{1, 1};
        },
        false);
    std::this_thread::sleep_for(300ms);
  }
  EXPECT_EQ(reads.load(), 0);
  EXPECT_TRUE(read_all(f).empty());
  std::fclose(f);
}

TEST(Progress, EndsByItselfAtTheTotal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  sf::ProgressOptions o;
  o.label = "replay";
  o.out = f;
  sf::ProgressLine line(
      o,
      [] {
        return sf::ProgressSample{500, 500};
      },
      true);
  std::this_thread::sleep_for(700ms);  // e.g. sniperforge --hold: the input is consumed, the run goes on
  EXPECT_EQ(line.lines_printed(), 1u);
  line.finish();
  EXPECT_EQ(line.lines_printed(), 1u);
  const std::string out = read_all(f);
  EXPECT_NE(out.find("(100.0 %)"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  std::fclose(f);
}

TEST(Progress, NotWantedWhenQuiet) {
  EXPECT_FALSE(sf::progress_wanted(true));
}

}  // namespace
