// The DPDK-free executor (dataplane/executor.hpp) on a fake Port: events in from per-input queues, frames
// out into byte vectors. Real engines, the real transport "none" stream (replay_order_stream.hpp); only
// the rings and the NIC are fakes.
#include "sniperforge/dataplane/executor.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <vector>

#include "../book/itch_builder.hpp"
#include "executor_order_session.hpp"
#include "ouch_responses.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "trading_config_fixture.hpp"

namespace sf::dataplane {
namespace {

struct FakePort {
  std::vector<std::deque<Event>> inputs;
  uint64_t clock = 1'000'000;
  uint16_t port_id = 7;
  unsigned buffers_left = ~0u;  // frame() fails once this reaches 0
  std::array<std::vector<uint8_t>, kTxStage> staged;
  std::vector<std::vector<uint8_t>> sent;
  unsigned refills = 0;

  uint64_t now() noexcept { return clock += 10; }
  unsigned dequeue(std::size_t input, Event* out, unsigned max) noexcept {
    unsigned n = 0;
    for (auto& q = inputs[input]; n < max && !q.empty(); ++n) {
      out[n] = q.front();
      q.pop_front();
    }
    return n;
  }
  uint8_t* frame(unsigned slot, std::size_t length) noexcept {
    if (buffers_left == 0) return nullptr;
    --buffers_left;
    staged[slot].assign(length, 0);
    return staged[slot].data();
  }
  unsigned send(unsigned n) noexcept {
    for (unsigned i = 0; i < n; ++i) sent.push_back(staged[i]);
    return n;
  }
  void refill() noexcept { ++refills; }
  void keep_warm() const noexcept {}
};

trade::TradingConfig trading(uint32_t shards) {
  return sf::testing::parse_trading(sf::testing::with_two_snipers(sf::testing::shards_and_book(shards)));
}

// One executor hosting `hosted` of `shards` shards, with one input.
struct Harness {
  explicit Harness(uint32_t shards, std::vector<uint32_t> hosted = {0}) : cfg(trading(shards)) {
    x.driver = trade::ShardDriver(shards);
    for (uint32_t s = 0; s < shards; ++s) {
      engines.push_back(std::make_unique<trade::Engine>(cfg, s));
      sf::testing::add_replay_stream(x, s);
    }
    for (uint32_t s : hosted) x.driver.host(engines[s].get());
    x.inputs = 1;
    x.port.inputs.emplace_back();
  }
  // Every ITCH message of `b` as an event with MoldUDP64 sequence first_seq, first_seq + 1, ...
  void itch(const test::ItchBuilder& b, uint64_t first_seq) {
    for (std::size_t i = 0; i < b.size(); ++i) {
      Event e;
      const uint8_t* msg = b.data(i);
      pack_itch(e, first_seq + i, x.port.clock, msg, itch::kLengthByType[msg[0]]);
      x.port.inputs[0].push_back(e);
    }
  }
  void stale() {
    Event e;
    pack_stale(e, 0, x.port.clock, StaleReason::kGap);
    x.port.inputs[0].push_back(e);
  }
  // A venue message as an order transport delivers it (the DPDK TCP client, a kernel session's ring).
  void venue(uint32_t shard, const std::vector<uint8_t>& msg) {
    const uint64_t now = x.port.now();
    x.apply_venue(*engines[shard], shard, msg.data(), msg.size(), now, now);
  }
  void run() {
    while (x.poll()) {
    }
  }
  trade::TradingConfig cfg;
  std::vector<std::unique_ptr<trade::Engine>> engines;
  Executor<FakePort> x;
};

// SF0000 (sniper: buy 100 at 200500) at `locate` with an ask above the limit, then an ask of 70 at the limit
// (message 4): the sniper fires 70 on it.
test::ItchBuilder book_then_trigger(uint16_t locate) {
  test::ItchBuilder b;
  b.directory(locate, "SF0000").add(locate, 1, 'B', 100, 200000).add(locate, 2, 'S', 100, 200600);
  b.ts = 2000;
  b.add(locate, 3, 'S', 70, 200500);
  return b;
}

std::vector<uint8_t> accepted(uint32_t urn, uint32_t shares) {
  return sf::testing::order_accepted(urn, shares, 200500, trade::kTifIoc);
}

TEST(Executor, ItchEventsReachTheEngineOfTheirShard) {
  Harness h(2, {0, 1});
  test::ItchBuilder b;
  b.directory(1, "SF0000").directory(2, "SF0001").add(1, 1, 'B', 100, 200000).add(2, 2, 'S', 300, 210000);
  h.itch(b, 1);
  h.run();
  std::vector<book::BookRow> rows0, rows1;
  h.engines[0]->dump_rows(rows0);  // locate 2 % 2
  h.engines[1]->dump_rows(rows1);  // locate 1 % 2
  ASSERT_EQ(rows0.size(), 1u);
  EXPECT_EQ(rows0[0].symbol, "SF0001");
  EXPECT_EQ(rows0[0].orders, 1u);
  ASSERT_EQ(rows1.size(), 1u);
  EXPECT_EQ(rows1[0].symbol, "SF0000");
  EXPECT_EQ(h.x.stats->events.load(), 4u);
  EXPECT_EQ(h.x.stats->ring_dequeued.load(), 4u);
  EXPECT_EQ(h.x.stats->misrouted.load(), 0u);
}

TEST(Executor, TriggeredOrderReachesTheTxSinkAsTheShardsStreamBuildsIt) {
  Harness h(1);
  const test::ItchBuilder b = book_then_trigger(1);
  h.itch(b, 1);
  h.run();
  // The same messages through a bare engine give the order the frame must carry.
  trade::Engine reference(h.cfg, 0);
  std::array<trade::OrderRequest, 4> storage{};
  trade::OrderSink sink(storage);
  for (std::size_t i = 0; i < b.size(); ++i) reference.on_itch(b[i], 1 + i, 0, sink);
  ASSERT_EQ(sink.size(), 1u);
  const trade::OrderRequest r = sink[0];
  EXPECT_EQ(r.shares, 70u);
  EXPECT_EQ(r.trigger_seq, 4u);
  ASSERT_EQ(h.x.port.sent.size(), 1u);
  // The next segment of shard 0's synthetic stream (no handshake here: it starts at its ISN).
  ReplayOrderStream stream(sf::testing::executor_order_session(), 0);
  std::vector<uint8_t> want(kReplayOrderFrameLength);
  const uint8_t* ouch = nullptr;
  ASSERT_EQ(stream.enter_order(want.data(), r, ouch), want.size());  // rx_tsc is not in the frame
  EXPECT_EQ(h.x.port.sent[0], want);
  EXPECT_EQ(h.x.stats->tx_packets.load(), 1u);
  EXPECT_EQ(h.x.stats->tick_to_trade.snapshot().total(), 1u);
  EXPECT_GE(h.x.port.refills, 1u);  // the next order's buffer is taken after the send
}

// A control event of a kind no RX lcore sends (the retired UDP session's 0x02, or garbage) changes nothing
// and is counted, never silently ignored.
TEST(Executor, UnknownEventKindIsCountedAndChangesNothing) {
  Harness h(1);
  for (uint8_t kind : {uint8_t{0x00}, uint8_t{0x02}, uint8_t{0x03}, uint8_t{0x1f}}) {
    Event e;
    pack_stale(e, 0, h.x.port.clock, StaleReason::kGap);
    e.payload[0] = kind;
    h.x.port.inputs[0].push_back(e);
  }
  h.run();
  EXPECT_EQ(h.x.stats->unknown_events.load(), 4u);
  EXPECT_EQ(h.x.stats->stale_events.load(), 0u);
  EXPECT_EQ(h.x.stats->books_stale.load(), 0u);
  EXPECT_FALSE(h.engines[0]->stale());
  EXPECT_TRUE(h.x.port.sent.empty());
}

TEST(Executor, StaleEventRefusesOrdersButBooksFollowTheFeed) {
  Harness h(1);
  test::ItchBuilder book, trigger;
  book.directory(1, "SF0000").add(1, 1, 'B', 100, 200000).add(1, 2, 'S', 100, 200600);
  trigger.ts = 2000;
  trigger.add(1, 3, 'S', 70, 200500);  // would fire 70 (see book_then_trigger)
  h.itch(book, 1);
  h.stale();  // a gap: the one book is stale
  h.itch(trigger, 4);
  h.run();
  EXPECT_TRUE(h.x.port.sent.empty());
  EXPECT_EQ(h.x.stats->stale_events.load(), 1u);
  EXPECT_EQ(h.x.stats->books_stale.load(), 1u);
  EXPECT_TRUE(h.engines[0]->stale());
  std::vector<book::BookRow> rows;
  h.engines[0]->dump_rows(rows);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].orders, 3u);
}

TEST(Executor, VenueMessagesFromTheTransportReachTheEngine) {
  Harness h(1);
  h.itch(book_then_trigger(1), 1);
  h.run();
  ASSERT_EQ(h.x.port.sent.size(), 1u);
  h.venue(0, accepted(4, 70));  // UserRefNum = trigger sequence
  EXPECT_EQ(h.engines[0]->stats().venue_messages.load(), 1u);
  EXPECT_EQ(h.x.stats->venue_bad_messages.load(), 0u);
  const trade::OrderRecord* o = h.engines[0]->orders().find(4);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->state, trade::OrderState::kLive);
  EXPECT_EQ(h.engines[0]->orders().failures(), 0u);
}

TEST(Executor, MisroutedFeedAndBadVenueMessagesAreCounted) {
  Harness h(2, {0});
  test::ItchBuilder b;
  b.add(1, 1, 'B', 100, 200000);  // shard 1, hosted elsewhere
  h.itch(b, 1);
  h.run();
  std::vector<uint8_t> unknown = accepted(4, 70);
  unknown[0] = 'Q';  // no such OUCH message
  h.venue(0, unknown);
  std::vector<uint8_t> cut = accepted(5, 70);
  cut.pop_back();  // one byte short
  h.venue(0, cut);
  EXPECT_EQ(h.x.stats->misrouted.load(), 1u);
  EXPECT_EQ(h.x.stats->venue_bad_messages.load(), 2u);
}

TEST(Executor, NoTxBufferIsCountedAndTheOrderNotSent) {
  Harness h(1);
  h.x.port.buffers_left = 0;
  h.itch(book_then_trigger(1), 1);
  h.run();
  EXPECT_TRUE(h.x.port.sent.empty());
  EXPECT_EQ(h.x.stats->mbuf_alloc_failed.load(), 1u);
  EXPECT_EQ(h.x.stats->tx_packets.load(), 0u);
}

}  // namespace
}  // namespace sf::dataplane
