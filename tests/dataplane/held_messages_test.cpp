// HeldMessages (#12): the bounded window FeedRecovery holds live messages in, keyed by sequence.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "sniperforge/dataplane/held_messages.hpp"

namespace sf::dataplane {
namespace {

struct Applied {
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> got;
  void apply(uint64_t seq, const uint8_t* msg, std::size_t len) {
    got.emplace_back(seq, std::vector(msg, msg + len));
  }
};

TEST(HeldMessages, KeepsACopyPerSequenceAppliesAndDropsIt) {
  HeldMessages h(4);
  EXPECT_EQ(h.capacity(), 4u);
  std::array<uint8_t, 3> m{1, 2, 3};
  h.put(10, m.data(), m.size());
  m[0] = 9;  // a copy was kept, not the caller's buffer
  h.put(12, m.data(), 2);
  h.put(12, m.data(), 1);  // the same sequence again: still one message
  EXPECT_EQ(h.count(), 2u);
  EXPECT_TRUE(h.has(10));
  EXPECT_FALSE(h.has(11));
  Applied out;
  EXPECT_FALSE(h.apply(11, out));
  EXPECT_TRUE(h.apply(10, out));
  EXPECT_FALSE(h.apply(10, out)) << "applied once, then free";
  ASSERT_EQ(out.got.size(), 1u);
  EXPECT_EQ(out.got[0].first, 10u);
  EXPECT_EQ(out.got[0].second, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_TRUE(h.drop(12));
  EXPECT_FALSE(h.drop(12));
  EXPECT_EQ(h.count(), 0u);
}

TEST(HeldMessages, SlotsWrapAroundAndDropAllCountsWhatWasHeld) {
  HeldMessages h(3);
  const std::array<uint8_t, 1> m{7};
  for (uint64_t seq = 100; seq < 103; ++seq) h.put(seq, m.data(), m.size());
  EXPECT_EQ(h.count(), 3u);
  Applied out;
  EXPECT_TRUE(h.apply(100, out));
  h.put(103, m.data(), m.size());  // 100's slot, free again
  EXPECT_TRUE(h.has(103));
  EXPECT_EQ(h.drop_all(), 3u);
  EXPECT_EQ(h.count(), 0u);
  for (uint64_t seq = 101; seq < 104; ++seq) EXPECT_FALSE(h.has(seq));
  EXPECT_EQ(HeldMessages(0).capacity(), 1u) << "never an empty window (a modulo by zero)";
}

}  // namespace
}  // namespace sf::dataplane
