// Feed generator library: determinism, book consistency (replayed through the shared decode path),
// the documented instrument/price contract, far adds, live-order target, packets and faults.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "sniperforge/io/feedgen.hpp"
#include "sniperforge/proto/feed.hpp"

namespace fg = sf::feedgen;
namespace itch = sf::itch;

namespace {

struct Order {
  uint16_t locate;
  char side;
  uint32_t price;
  uint32_t shares;
};

// Strict replay of the generated feed: fails on any inconsistency.
struct Replay {
  std::unordered_map<uint64_t, Order> orders;
  std::set<uint64_t> used_refs;
  std::map<uint16_t, std::map<uint32_t, int>> bids, asks;  // locate -> price -> orders
  std::vector<char> types;
  std::map<uint16_t, std::pair<uint32_t, uint32_t>> bid_range, ask_range;  // min/max best
  uint64_t adds = 0, far_adds = 0;
  std::size_t errors = 0;

  void fail(const char* what, uint64_t seq) {
    if (errors++ < 5) ADD_FAILURE() << what << " at seq " << seq;
  }
  void level(uint16_t loc, char side, uint32_t px, int d) {
    auto& m = (side == 'B' ? bids : asks)[loc];
    if ((m[px] += d) == 0) m.erase(px);
  }
  void reduce(uint64_t seq, uint64_t ref, uint32_t n) {
    auto it = orders.find(ref);
    if (it == orders.end()) return fail("unknown ref", seq);
    if (n == 0 || n > it->second.shares) return fail("reduce beyond live shares", seq);
    it->second.shares -= n;
    if (it->second.shares == 0) {
      level(it->second.locate, it->second.side, it->second.price, -1);
      orders.erase(it);
    }
  }
  void add(uint64_t seq, uint64_t ref, uint16_t loc, char side, uint32_t px, uint32_t sh) {
    if (!used_refs.insert(ref).second) return fail("duplicate ref", seq);
    if (sh == 0 || px == 0 || (side != 'B' && side != 'S')) return fail("bad add", seq);
    // Far adds: >= 200 ticks from the opposite inside (or own side when the other is empty).
    const auto& opp = (side == 'B' ? asks : bids)[loc];
    if (!opp.empty()) {
      const uint32_t inside = side == 'B' ? opp.begin()->first : opp.rbegin()->first;
      ++adds;
      if ((side == 'B' ? inside - std::min(inside, px) : px - std::min(px, inside)) >= 200 * 100) ++far_adds;
    }
    orders[ref] = Order{loc, side, px, sh};
    level(loc, side, px, +1);
  }
  void check_uncrossed(uint64_t seq, uint16_t loc) {
    const auto& b = bids[loc];
    const auto& a = asks[loc];
    if (!b.empty() && !a.empty() && b.rbegin()->first >= a.begin()->first) fail("crossed book", seq);
    if (!b.empty()) {
      auto& r = bid_range.try_emplace(loc, UINT32_MAX, 0).first->second;
      r.first = std::min(r.first, b.rbegin()->first);
      r.second = std::max(r.second, b.rbegin()->first);
    }
    if (!a.empty()) {
      auto& r = ask_range.try_emplace(loc, UINT32_MAX, 0).first->second;
      r.first = std::min(r.first, a.begin()->first);
      r.second = std::max(r.second, a.begin()->first);
    }
  }
  void on(uint64_t seq, const uint8_t* m) {
    types.push_back(static_cast<char>(m[0]));
    itch::visit(m, [&](auto v) {
      using V = decltype(v);
      if constexpr (std::is_same_v<V, itch::AddOrder> || std::is_same_v<V, itch::AddOrderMpid>) {
        add(seq, v.order_reference_number(), v.stock_locate(), v.buy_sell_indicator(), v.price(), v.shares());
      } else if constexpr (std::is_same_v<V, itch::OrderExecuted>) {
        reduce(seq, v.order_reference_number(), v.executed_shares());
      } else if constexpr (std::is_same_v<V, itch::OrderExecutedWithPrice>) {
        reduce(seq, v.order_reference_number(), v.executed_shares());
      } else if constexpr (std::is_same_v<V, itch::OrderCancel>) {
        reduce(seq, v.order_reference_number(), v.canceled_shares());
      } else if constexpr (std::is_same_v<V, itch::OrderDelete>) {
        auto it = orders.find(v.order_reference_number());
        if (it == orders.end()) return fail("delete of unknown ref", seq);
        reduce(seq, it->first, it->second.shares);
      } else if constexpr (std::is_same_v<V, itch::OrderReplace>) {
        auto it = orders.find(v.original_order_reference_number());
        if (it == orders.end()) return fail("replace of unknown ref", seq);
        const Order o = it->second;
        if (o.locate != v.stock_locate()) fail("replace locate", seq);
        reduce(seq, it->first, o.shares);
        add(seq, v.new_order_reference_number(), o.locate, o.side, v.price(), v.shares());
      }
      if (v.stock_locate() != 0) check_uncrossed(seq, v.stock_locate());
    });
  }
};

Replay replay(const fg::Frames& f, uint64_t& first_seq, uint64_t& next_seq) {
  Replay r;
  first_seq = next_seq = 0;
  bool first = true;
  for (std::size_t i = 0; i < f.size(); ++i) {
    sf::feed::PacketInfo info;
    const auto e = sf::feed::decode_frame(f.frame(i), f.frame_length(i), 26477, info,
                                          [&](uint64_t seq, const uint8_t* m, std::size_t) {
                                            if (first) first_seq = seq;
                                            first = false;
                                            if (seq != (next_seq ? next_seq : seq))
                                              ADD_FAILURE() << "gap at " << seq;
                                            next_seq = seq + 1;
                                            r.on(seq, m);
                                          });
    EXPECT_EQ(e, sf::feed::Error::kOk);
  }
  return r;
}

}  // namespace

TEST(FeedGen, DeterministicForASeed) {
  fg::Config c;
  c.messages = 20'000;
  const auto a = fg::generate_frames(c);
  const auto b = fg::generate_frames(c);
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.ts_ns, b.ts_ns);
  c.seed = 2;
  EXPECT_NE(fg::generate_frames(c).data, a.data);
}

TEST(FeedGen, ConsistentBookEventsAndDirectoryFirst) {
  fg::Config c;
  c.messages = 150'000;
  c.instruments = 50;
  c.live_orders = 3'000;
  const auto f = fg::generate_frames(c);
  uint64_t first = 0, next = 0;
  const Replay r = replay(f, first, next);
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(next, 150'001u);
  ASSERT_EQ(r.types.size(), 150'000u);
  EXPECT_EQ(r.types[0], 'S');
  for (int i = 1; i <= 50; ++i) EXPECT_EQ(r.types[static_cast<std::size_t>(i)], 'R');
  for (int i = 51; i <= 100; ++i) EXPECT_EQ(r.types[static_cast<std::size_t>(i)], 'H');
  EXPECT_EQ(r.types[101], 'S');
  EXPECT_EQ(r.types[102], 'S');
  // Realistic mix: every book event type appears; adds and deletes dominate.
  std::map<char, uint64_t> n;
  for (char t : r.types) ++n[t];
  for (char t : std::string("AFECXDUP")) EXPECT_GT(n[t], 0u) << t;
  EXPECT_GT(n['A'], n['E']);
  EXPECT_GT(n['D'], n['X']);
  EXPECT_EQ(f.stats.messages, 150'000u);
  EXPECT_EQ(f.stats.by_type['A'], n['A']);
  // Live orders settle near the target.
  EXPECT_NEAR(static_cast<double>(r.orders.size()), 3000.0, 450.0);
  EXPECT_EQ(r.orders.size(), f.stats.live_orders);
}

TEST(FeedGen, InstrumentContractAndMidMoves) {
  fg::Config c;  // defaults: 200 instruments
  c.messages = 100'000;
  const auto f = fg::generate_frames(c);
  EXPECT_EQ(fg::symbol(0), "SF0000");
  EXPECT_EQ(fg::symbol(42), "SF0042");
  uint64_t first = 0, next = 0;
  const Replay r = replay(f, first, next);
  EXPECT_EQ(r.errors, 0u);
  for (uint16_t loc = 1; loc <= 3; ++loc) {
    const double start = 200'000.0 + 10'000.0 * (loc - 1);
    ASSERT_TRUE(r.bid_range.count(loc) && r.ask_range.count(loc));
    // Best bid and ask both move at least +-1 % around the start mid.
    EXPECT_GE(r.bid_range.at(loc).second, start * 1.01) << loc;
    EXPECT_LE(r.bid_range.at(loc).first, start * 0.99) << loc;
    EXPECT_GE(r.ask_range.at(loc).second, start * 1.01) << loc;
    EXPECT_LE(r.ask_range.at(loc).first, start * 0.99) << loc;
  }
  // Directory: symbols and locates as documented; prices on the 0.01 tick.
  sf::feed::PacketInfo info;
  std::vector<std::string> syms;
  for (std::size_t i = 0; i < f.size() && syms.size() < 3; ++i)
    (void)sf::feed::decode_frame(f.frame(i), f.frame_length(i), 26477, info,
                                 [&](uint64_t, const uint8_t* m, std::size_t) {
                                   if (m[0] == 'R' && syms.size() < 3) {
                                     itch::StockDirectory v{m};
                                     EXPECT_EQ(v.stock_locate(), syms.size() + 1);
                                     syms.emplace_back(itch::trim_alpha(v.stock()));
                                   }
                                   if (m[0] == 'A') {
                                     EXPECT_EQ(itch::AddOrder{m}.price() % 100, 0u);
                                   }
                                 });
  EXPECT_EQ(syms, (std::vector<std::string>{"SF0000", "SF0001", "SF0002"}));
}

TEST(FeedGen, FarAddsFraction) {
  fg::Config c;
  c.messages = 100'000;
  c.instruments = 20;
  c.live_orders = 2'000;
  c.far_fraction = 0.05;
  uint64_t first = 0, next = 0;
  const Replay r = replay(fg::generate_frames(c), first, next);
  EXPECT_EQ(r.errors, 0u);
  const double frac = static_cast<double>(r.far_adds) / static_cast<double>(r.adds);
  EXPECT_GT(frac, 0.03);
  EXPECT_LT(frac, 0.08);
  c.far_fraction = 0.0;
  const Replay none = replay(fg::generate_frames(c), first, next);
  EXPECT_LT(static_cast<double>(none.far_adds) / static_cast<double>(none.adds), 0.01);
}

TEST(FeedGen, PacketsRespectLimits) {
  fg::Config c;
  c.messages = 10'000;
  c.msgs_per_packet = 40;
  c.max_payload = 600;
  c.vlan_id = 7;
  c.heartbeat_every = 50;
  const auto f = fg::generate_frames(c);
  std::size_t heartbeats = 0;
  uint64_t next_seq_seen = 0;
  std::size_t max_count = 0, data_packets = 0;
  uint64_t last_ts = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    sf::feed::PacketInfo info;
    ASSERT_EQ(sf::feed::decode_frame(f.frame(i), f.frame_length(i), 26477, info,
                                     [](uint64_t, const uint8_t*, std::size_t) {}),
              sf::feed::Error::kOk);
    EXPECT_LE(info.udp.payload_length, 600u);
    EXPECT_EQ(info.udp.vlan_id, 7);
    EXPECT_EQ(info.udp.dst_ip, 0xE9360C6Fu);
    EXPECT_TRUE(sf::net::udp_checksum_ok(info.udp));
    EXPECT_GE(f.ts_ns[i], last_ts);
    last_ts = f.ts_ns[i];
    if (info.kind() == sf::mold::Kind::kHeartbeat) {
      ++heartbeats;
      EXPECT_EQ(info.sequence(), next_seq_seen);  // heartbeat carries the next expected sequence
      EXPECT_EQ(data_packets % 50, 0u);
    }
    if (info.kind() == sf::mold::Kind::kData) {
      next_seq_seen = info.next_sequence();
      ++data_packets;
      max_count = std::max<std::size_t>(max_count, info.message_count());
    }
    if (i + 1 == f.size()) {
      EXPECT_EQ(info.kind(), sf::mold::Kind::kEndOfSession);
    }
  }
  EXPECT_LE(max_count, 40u);
  EXPECT_GT(max_count, 10u);
  EXPECT_EQ(data_packets, f.stats.packets);
  EXPECT_EQ(heartbeats, data_packets / 50);
  EXPECT_EQ(heartbeats, f.stats.heartbeats);
}

TEST(FeedGen, InjectedFaults) {
  fg::Config c;
  c.messages = 50'000;
  c.gap_rate = 0.02;
  c.dup_rate = 0.02;
  c.garbage_rate = 0.02;
  std::vector<fg::FrameMeta> metas;
  std::vector<std::vector<uint8_t>> frames;
  uint64_t intended = 0;
  const auto stats = fg::generate(
      c,
      [&](uint64_t, const uint8_t* p, std::size_t n, const fg::FrameMeta& m) {
        metas.push_back(m);
        frames.emplace_back(p, p + n);
      },
      [&](uint64_t, const uint8_t*, std::size_t) { ++intended; });
  EXPECT_EQ(intended, 50'000u);
  EXPECT_GT(stats.gaps, 0u);
  EXPECT_GT(stats.duplicates, 0u);
  EXPECT_GT(stats.garbage, 0u);
  std::set<uint64_t> seen;
  uint64_t dup_msgs = 0, garbage_rejected = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    sf::feed::PacketInfo info;
    const auto e = sf::feed::decode_frame(frames[i].data(), frames[i].size(), 26477, info,
                                          [&](uint64_t seq, const uint8_t*, std::size_t) {
                                            if (!seen.insert(seq).second) ++dup_msgs;
                                          });
    if (metas[i].kind == fg::FrameKind::kGarbage) {
      EXPECT_TRUE(sf::feed::is_feed_error(e)) << sf::feed::to_string(e);
      ++garbage_rejected;
    } else {
      EXPECT_EQ(e, sf::feed::Error::kOk);
    }
  }
  EXPECT_EQ(garbage_rejected, stats.garbage);
  EXPECT_GT(dup_msgs, 0u);
  EXPECT_LT(seen.size(), 50'000u);  // gaps lost messages
  EXPECT_EQ(*seen.rbegin() <= 50'000u, true);
}

TEST(FeedGen, LargeWorkloadQuickly) {
  // Workload (b) shape at 1/6 scale: many instruments, deep books, far adds.
  fg::Config c;
  c.messages = 1'000'000;
  c.instruments = 8'000;
  c.live_orders = 200'000;
  c.far_fraction = 0.05;
  fg::MessageGenerator g(c);
  uint8_t buf[64];
  uint64_t n = 0;
  while (g.next(buf)) ++n;
  EXPECT_EQ(n, 1'000'000u);
  EXPECT_GT(g.max_live_orders(), 150'000u);
}
