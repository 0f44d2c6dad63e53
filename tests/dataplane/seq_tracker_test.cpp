#include "sniperforge/dataplane/seq_tracker.hpp"

#include <gtest/gtest.h>

namespace sf::dataplane {
namespace {

TEST(SeqTracker, InOrder) {
  SeqTracker t;
  EXPECT_EQ(t.on_data(1, 3).verdict, SeqVerdict::kFirst);
  EXPECT_EQ(t.expected(), 4u);
  EXPECT_EQ(t.on_data(4, 2).verdict, SeqVerdict::kInOrder);
  EXPECT_EQ(t.expected(), 6u);
}

TEST(SeqTracker, GapCountsMissingAndUsesThePacket) {
  SeqTracker t;
  (void)t.on_data(1, 3);
  const auto r = t.on_data(10, 2);
  EXPECT_EQ(r.verdict, SeqVerdict::kGap);
  EXPECT_EQ(r.missing, 6u);
  EXPECT_EQ(r.skip, 0u);
  EXPECT_EQ(t.expected(), 12u);
}

TEST(SeqTracker, DuplicateIsDroppedWhole) {
  SeqTracker t;
  (void)t.on_data(1, 3);
  (void)t.on_data(4, 3);
  const auto r = t.on_data(4, 3);
  EXPECT_EQ(r.verdict, SeqVerdict::kDuplicate);
  EXPECT_EQ(r.skip, 3u);
  EXPECT_EQ(t.expected(), 7u);
  EXPECT_EQ(t.on_data(1, 1).verdict, SeqVerdict::kDuplicate);
}

TEST(SeqTracker, LateKeepsTheNewTail) {
  SeqTracker t;
  (void)t.on_data(1, 5);  // expects 6
  const auto r = t.on_data(4, 5);
  EXPECT_EQ(r.verdict, SeqVerdict::kLate);
  EXPECT_EQ(r.skip, 2u);
  EXPECT_EQ(t.expected(), 9u);
}

TEST(SeqTracker, HeartbeatRevealsGap) {
  SeqTracker t;
  (void)t.on_data(1, 5);
  EXPECT_EQ(t.on_next(6).verdict, SeqVerdict::kInOrder);
  const auto r = t.on_next(9);
  EXPECT_EQ(r.verdict, SeqVerdict::kGap);
  EXPECT_EQ(r.missing, 3u);
  EXPECT_EQ(t.on_next(2).verdict, SeqVerdict::kInOrder);  // an old heartbeat changes nothing
  EXPECT_EQ(t.expected(), 9u);
}

TEST(SeqTracker, FirstHeartbeatSetsExpectation) {
  SeqTracker t;
  EXPECT_EQ(t.on_next(100).verdict, SeqVerdict::kFirst);
  EXPECT_EQ(t.on_data(100, 1).verdict, SeqVerdict::kInOrder);
}

}  // namespace
}  // namespace sf::dataplane
