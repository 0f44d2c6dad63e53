#include "sniperforge/dataplane/rewind_requester.hpp"

#include <gtest/gtest.h>

namespace sf::dataplane {
namespace {

RewindRequester::Settings settings() {
  RewindRequester::Settings s;
  s.max_per_request = 10;
  s.timeout = 20;
  s.retries = 2;
  s.min_interval = 5;
  return s;
}

TEST(RewindRequester, LargeGapIsSplitIntoResponseSizedRequests) {
  RewindRequester r(settings());
  r.start(100, 25);
  auto q = r.poll(0);
  EXPECT_EQ(q.first_seq, 100u);
  EXPECT_EQ(q.count, 10);
  EXPECT_EQ(r.poll(1).count, 0);  // outstanding: wait
  r.on_messages(100, 10);
  EXPECT_EQ(r.poll(2).count, 0);  // rate limit: 5 apart
  EXPECT_EQ(r.counts().rate_limited, 1u);
  q = r.poll(5);
  EXPECT_EQ(q.first_seq, 110u);
  EXPECT_EQ(q.count, 10);
  r.on_messages(110, 10);
  q = r.poll(10);
  EXPECT_EQ(q.first_seq, 120u);
  EXPECT_EQ(q.count, 5);
  r.on_messages(118, 7);  // overlapping retransmission
  EXPECT_EQ(r.state(), RewindRequester::State::kFilled);
  EXPECT_EQ(r.counts().requests, 3u);
}

TEST(RewindRequester, RetriesAfterTimeoutThenFails) {
  RewindRequester r(settings());
  r.start(1, 3);
  EXPECT_EQ(r.poll(0).count, 3);
  EXPECT_EQ(r.poll(19).count, 0);
  EXPECT_EQ(r.poll(20).first_seq, 1u);  // retry 1
  EXPECT_EQ(r.poll(40).first_seq, 1u);  // retry 2
  EXPECT_EQ(r.poll(60).count, 0);       // retries exhausted
  EXPECT_EQ(r.state(), RewindRequester::State::kFailed);
  EXPECT_EQ(r.counts().retries, 2u);
  EXPECT_EQ(r.counts().timeouts, 3u);
  r.on_messages(1, 3);  // too late: stays failed
  EXPECT_EQ(r.state(), RewindRequester::State::kFailed);
}

TEST(RewindRequester, PartialAnswerResetsTheRetriesForTheRest) {
  RewindRequester r(settings());
  r.start(1, 8);
  EXPECT_EQ(r.poll(0).count, 8);
  r.on_messages(1, 3);
  const auto q = r.poll(5);
  EXPECT_EQ(q.first_seq, 4u);
  EXPECT_EQ(q.count, 5);
  r.on_messages(9, 2);  // not contiguous: ignored
  EXPECT_EQ(r.next(), 4u);
  r.on_messages(4, 5);
  EXPECT_EQ(r.state(), RewindRequester::State::kFilled);
}

}  // namespace
}  // namespace sf::dataplane
