// HeldOrders: the orders a congestion window held are released, oldest first, exactly when a segment
// carrying each one's last byte leaves (across the 2^32 sequence wrap), and forgotten when the connection
// starts over.
#include "sniperforge/dataplane/held_orders.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sf::dataplane {
namespace {

std::vector<uint64_t> release(HeldOrders& h, uint32_t sent_end) {
  std::vector<uint64_t> left;
  h.release_through(sent_end, [&](uint64_t rx) { left.push_back(rx); });
  return left;
}

TEST(HeldOrders, ASegmentReleasesTheOrdersWhoseLastByteItCarries) {
  HeldOrders h(8);
  const uint32_t base = 0xffffff00;  // the wrap falls between the second and third order
  ASSERT_TRUE(h.push(base + 50, 1));
  ASSERT_TRUE(h.push(base + 100, 2));
  ASSERT_TRUE(h.push(base + 350, 3));
  EXPECT_FALSE(h.any_through(base + 49));
  EXPECT_TRUE(release(h, base + 49).empty());  // the first order's last byte has not left
  EXPECT_EQ(release(h, base + 120), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(h.size(), 1u);
  EXPECT_TRUE(release(h, base + 300).empty());
  EXPECT_EQ(release(h, base + 350), (std::vector<uint64_t>{3}));
  EXPECT_EQ(h.size(), 0u);
}

TEST(HeldOrders, AFullQueueRefusesAndAClearForgets) {
  HeldOrders h(2);
  EXPECT_TRUE(h.push(10, 1));
  EXPECT_TRUE(h.push(20, 2));
  EXPECT_FALSE(h.push(30, 3));
  h.clear();
  EXPECT_FALSE(h.any_through(1000));
  EXPECT_TRUE(h.push(30, 4));  // the ring wraps
  EXPECT_TRUE(h.push(40, 5));
  EXPECT_EQ(release(h, 40), (std::vector<uint64_t>{4, 5}));
}

}  // namespace
}  // namespace sf::dataplane
