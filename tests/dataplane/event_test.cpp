#include "sniperforge/dataplane/event.hpp"

#include <gtest/gtest.h>

#include <array>

namespace sf::dataplane {
namespace {

TEST(Event, EveryItchTypeFits) {
  for (const auto& s : itch::kSchemas) EXPECT_LE(s.length, kEventPayload) << s.name;
}

TEST(Event, PacksItchAndTsc) {
  std::array<uint8_t, 50> noii{};
  noii[0] = 'I';
  for (std::size_t i = 1; i < noii.size(); ++i) noii[i] = static_cast<uint8_t>(i);
  Event e{};
  const uint64_t tsc = 0x1234'5678'9abc'def0ULL;
  pack_itch(e, 987654321, tsc, noii.data(), noii.size());
  EXPECT_TRUE(e.is_itch());
  EXPECT_EQ(e.seq, 987654321u);
  EXPECT_EQ(e.rx_tsc48(), tsc & kTsc48Mask);
  EXPECT_EQ(0, std::memcmp(e.payload, noii.data(), noii.size()));
  EXPECT_EQ(e.ticks_since_rx(tsc + 1000), 1000u);
  // Wrap of the low 48 bits is harmless.
  const uint64_t near_wrap = (uint64_t{5} << 48) - 10;
  pack_itch(e, 1, near_wrap, noii.data(), noii.size());
  EXPECT_EQ(e.ticks_since_rx(near_wrap + 25), 25u);
  // A stamp slightly ahead of `now` (another cpu's TSC) is 0, not a wrap.
  pack_itch(e, 1, 1000, noii.data(), noii.size());
  EXPECT_EQ(e.ticks_since_rx(990), 0u);
}

TEST(Event, StaleMarker) {
  Event e{};
  pack_stale(e, 5, 9, StaleReason::kRingFull);
  EXPECT_FALSE(e.is_itch());
  EXPECT_EQ(e.kind(), EventKind::kBooksStale);
  EXPECT_EQ(e.payload[1], static_cast<uint8_t>(StaleReason::kRingFull));
}

}  // namespace
}  // namespace sf::dataplane
