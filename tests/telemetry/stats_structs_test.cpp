#include "sniperforge/telemetry/lcore_stats.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace sf::telemetry {
namespace {

TEST(FeedLabels, DropReasonNamesRoundTrip) {
  for (std::size_t i = 0; i < kFeedDropReasonCount; ++i) {
    const auto r = static_cast<FeedDropReason>(i);
    EXPECT_EQ(drop_reason_from_name(to_string(r)), r);
  }
  EXPECT_EQ(drop_reason_from_name("no_such_reason"), FeedDropReason::kOther);
  EXPECT_EQ(drop_reason_from_name("not_udp"), FeedDropReason::kNotUdp);
}

TEST(FeedLabels, EveryProtoFeedErrorHasItsOwnReason) {
  for (std::size_t i = 1; i < feed::kErrorCount; ++i) {
    const auto e = static_cast<feed::Error>(i);
    EXPECT_NE(drop_reason(e), FeedDropReason::kOther) << feed::to_string(e);
    EXPECT_EQ(to_string(drop_reason(e)), feed::to_string(e));
  }
}

TEST(FeedLabels, ItchSlotsCoverEveryTypeOnce) {
  std::array<int, kItchTypeSlots> seen{};
  for (const auto& s : itch::kSchemas) {
    const auto slot = itch_slot(s.type);
    ASSERT_LT(slot, itch::kMessageTypeCount);
    ++seen[slot];
    EXPECT_EQ(itch_slot_label(slot), std::string_view(&s.type, 1));
  }
  for (std::size_t i = 0; i < itch::kMessageTypeCount; ++i) EXPECT_EQ(seen[i], 1);
  EXPECT_EQ(itch_slot('z'), kItchTypeUnknownSlot);
  EXPECT_EQ(itch_slot_label(kItchTypeUnknownSlot), "unknown");
}

TEST(LcoreStats, HelpersCountInTheRightSlots) {
  auto rx = std::make_unique<RxLcoreStats>();
  rx->count_message('A');
  rx->count_message('A');
  rx->count_message('?');
  rx->count_drop(FeedDropReason::kWrongPort);
  rx->count_drop(static_cast<FeedDropReason>(200));  // clamped, never out of bounds
  EXPECT_EQ(rx->messages.load(), 3u);
  EXPECT_EQ(rx->messages_by_type[itch_slot('A')].load(), 2u);
  EXPECT_EQ(rx->messages_by_type[kItchTypeUnknownSlot].load(), 1u);
  EXPECT_EQ(rx->drops[static_cast<std::size_t>(FeedDropReason::kWrongPort)].load(), 1u);
  EXPECT_EQ(rx->drops[static_cast<std::size_t>(FeedDropReason::kOther)].load(), 1u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(rx.get()) % kCacheLine, 0u);

  auto ex = std::make_unique<ExecutorLcoreStats>();
  ex->count_order(Side::kSell);
  ex->tick_to_trade.record(1000);
  EXPECT_EQ(ex->orders_sent[1].load(), 1u);
  EXPECT_EQ(ex->orders_sent[0].load(), 0u);
  EXPECT_EQ(ex->tick_to_trade.snapshot().total(), 1u);
}

}  // namespace
}  // namespace sf::telemetry
