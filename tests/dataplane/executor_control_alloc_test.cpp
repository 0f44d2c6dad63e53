// Proves the executor's command path allocation-free (issue #14): global operator new is replaced with a
// counting version (tests/support/counting_new.hpp), and an Executor on a port that allocates nothing
// (fixed frame buffers, a fixed input queue) serves every kind of operator command through its control
// rings, interleaved with feed events, while a shard holds open orders (kill and cancel_open build their
// Cancel frames in the shard's transport "none" stream). After one warm-up round, not one allocation may
// happen inside poll(), and every command is answered.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "../book/itch_builder.hpp"
#include "counting_new.hpp"
#include "executor_order_session.hpp"
#include "sniperforge/dataplane/executor.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "trading_config_fixture.hpp"

namespace sf::dataplane {
namespace {

using sf::testing::AllocationScope;

// A port that never allocates: one input queue in a fixed array, frames into fixed buffers.
struct FixedPort {
  static constexpr std::size_t kInput = 4096;
  std::array<Event, kInput> input{};
  std::size_t head = 0, tail = 0;
  uint64_t clock = 1'000'000;
  uint16_t port_id = 7;
  std::array<std::array<uint8_t, 256>, kTxStage> staged{};
  uint64_t frames_sent = 0;

  void push(const Event& e) {
    ASSERT_LT(tail - head, kInput);
    input[tail++ % kInput] = e;
  }
  uint64_t now() noexcept { return clock += 10; }
  unsigned dequeue(std::size_t, Event* out, unsigned max) noexcept {
    unsigned n = 0;
    for (; n < max && head != tail; ++n) out[n] = input[head++ % kInput];
    return n;
  }
  uint8_t* frame(unsigned slot, std::size_t length) noexcept {
    return length <= staged[slot].size() ? staged[slot].data() : nullptr;
  }
  unsigned send(unsigned n) noexcept {
    frames_sent += n;
    return n;
  }
  void refill() noexcept {}
  void keep_warm() const noexcept {}
};

struct Harness {
  Harness()
      : cfg(sf::testing::parse_trading(sf::testing::with_two_snipers(sf::testing::shards_and_book(1)))) {
    engine = std::make_unique<trade::Engine>(cfg, 0);
    x.driver = trade::ShardDriver(1);
    x.driver.host(engine.get());
    sf::testing::add_replay_stream(x, 0);
    x.inputs = 1;
    x.control = std::make_unique<control::ExecutorChannel>(1);
    x.control->rows.reserve(cfg.book.max_instruments);
    x.control->running.store(true);
  }
  void itch(const test::ItchBuilder& b) {
    for (std::size_t i = 0; i < b.size(); ++i) {
      Event e;
      const uint8_t* msg = b.data(i);
      pack_itch(e, ++seq, x.port.clock, msg, itch::kLengthByType[msg[0]]);
      x.port.push(e);
    }
  }
  trade::TradingConfig cfg;
  std::unique_ptr<trade::Engine> engine;
  Executor<FixedPort> x;
  uint64_t seq = 0;
};

// Every kind of command an operator (or /sniperforge/books) sends.
std::vector<trade::ControlCommand> every_command(const trade::TradingConfig& cfg) {
  using trade::ControlOp;
  trade::RiskLimits limits = trade::limits_of(cfg.risk);
  limits.max_position += 1;
  trade::StrategyParams params = trade::params_of(cfg.strategies[0]);
  params.shares = 50;
  const auto sf0000 = trade::padded_symbol("SF0000");
  return {{.op = ControlOp::kStatus},
          {.op = ControlOp::kKill},
          {.op = ControlOp::kStatus},
          {.op = ControlOp::kUnkill},
          {.op = ControlOp::kCancelOpen},
          {.op = ControlOp::kSetState, .state = trade::TradingState::kReducing},
          {.op = ControlOp::kSetState, .state = trade::TradingState::kHalted, .symbol = sf0000},
          {.op = ControlOp::kSetState, .state = trade::TradingState::kActive, .symbol = sf0000},
          {.op = ControlOp::kSetState, .state = trade::TradingState::kActive},
          {.op = ControlOp::kSetState,
           .state = trade::TradingState::kHalted,
           .symbol = trade::padded_symbol("NOPE")},
          {.op = ControlOp::kSetLimits, .limits = limits},
          {.op = ControlOp::kSetStrategy, .strategy = 0, .params = params},
          {.op = ControlOp::kClearVenueInconsistent},
          {.op = ControlOp::kBooks},
          {.op = ControlOp::kBooks, .levels = 5, .symbol = sf0000}};
}

TEST(ExecutorControlAlloc, CounterSeesAllocations) {
  AllocationScope scope;
  auto* p = new int(3);
  const uint64_t seen = scope.news();
  delete p;
  EXPECT_EQ(seen, 1u);  // the test can fail: the counting operator new is really in use
}

TEST(ExecutorControlAlloc, EveryCommandIsServedAndAnsweredWithoutAllocating) {
  Harness h;
  test::ItchBuilder book;  // a two-level book, then an ask at the sniper's limit: one order stays open
  book.directory(1, "SF0000")
      .add(1, 1, 'B', 100, 200000)
      .add(1, 2, 'B', 100, 199900)
      .add(1, 3, 'S', 100, 200600);
  book.ts = 2000;
  book.add(1, 4, 'S', 70, 200500);
  h.itch(book);
  test::ItchBuilder churn;  // feed events between commands: an order added and deleted away from the limit
  churn.add(1, 100, 'S', 100, 201000).del(1, 100);
  const std::vector<trade::ControlCommand> commands = every_command(h.cfg);
  uint64_t sent = 0, answered = 0, cancels = 0;
  auto round = [&](bool counted) {
    uint64_t news = 0;
    for (trade::ControlCommand c : commands) {
      c.id = ++sent;
      ASSERT_TRUE(h.x.control->requests.push(c));
      h.itch(churn);
      {
        const AllocationScope scope;
        while (h.x.poll()) {
        }
        h.x.poll();  // an idle pass too (the cancel sweep continues between polls)
        news += scope.news();
      }
      trade::ControlReply r;
      while (h.x.control->replies.pop(r)) {
        EXPECT_EQ(r.id, c.id);
        ++answered;
        cancels += r.cancels;
      }
    }
    if (counted) {
      EXPECT_EQ(news, 0u) << "heap allocations on the executor's command path";
    }
  };
  round(false);  // warm-up: first touches of the engine's and the books' lazily sized state
  ASSERT_EQ(h.x.control->rows.size(), 1u) << "books SF0000 found the book";
  EXPECT_EQ(h.x.control->bid_levels, 2u);
  EXPECT_EQ(h.x.control->bids[1].price, 199900u);
  const uint64_t frames_before = h.x.port.frames_sent;
  for (int i = 0; i < 200; ++i) round(true);
  EXPECT_EQ(answered, sent);
  EXPECT_GT(cancels, 0u) << "kill and cancel_open swept the open order";
  EXPECT_GT(h.x.port.frames_sent, frames_before) << "Cancel frames were built and sent while counting";
  EXPECT_EQ(h.x.control->reply_drops.load(), 0u);
}

}  // namespace
}  // namespace sf::dataplane
