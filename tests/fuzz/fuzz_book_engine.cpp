// libFuzzer target (#16): the book and the engine on valid ITCH 5.0 streams that lie — unknown references,
// over-executions, over-cancels, replaces and deletes of dead orders, duplicate adds — against a simple
// std::map reference model. After every message the touched book's top equals the model's and (when the
// input drives the engine too) the engine's own books agree with the standalone BookSet; at the end every
// level, the live-order count and every drop counter agree. No allocation inside BookSet::apply or
// Engine::on_itch (counted through the sanitizer's malloc hook), orders bounded by the risk limits.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "../book/itch_builder.hpp"
#include "hot_path_allocs.hpp"
#include "sniperforge/book/book_set.hpp"
#include "sniperforge/trade/config_parse.hpp"
#include "sniperforge/trade/engine.hpp"

namespace {

using sf::book::BookSet;
using sf::book::Drop;
using sf::book::Side;

constexpr std::size_t kMaxOps = 256;  // < [book] max_orders below: capacity is not what this checks

struct RefOrder {
  uint16_t locate;
  char side;
  uint32_t price, shares;
};
struct Model {
  std::map<uint64_t, RefOrder> orders;
  std::map<std::pair<uint16_t, char>, std::map<uint32_t, std::pair<uint64_t, uint32_t>>> levels;  // shares, n
  std::array<uint64_t, static_cast<std::size_t>(Drop::kCount)> drops{};
  void drop(Drop d) { ++drops[static_cast<std::size_t>(d)]; }
  void add(uint16_t locate, uint64_t ref, char side, uint32_t shares, uint32_t price) {
    if (orders.count(ref)) return drop(Drop::kDuplicateRef);
    orders[ref] = {locate, side, price, shares};
    auto& l = levels[{locate, side}][price];
    l.first += shares;
    ++l.second;
  }
  bool live(uint16_t locate, uint64_t ref) {
    const auto it = orders.find(ref);
    if (it == orders.end()) return drop(Drop::kUnknownRef), false;
    if (it->second.locate != locate) return drop(Drop::kLocateMismatch), false;
    return true;
  }
  void remove(uint64_t ref) {
    const RefOrder o = orders.at(ref);
    auto& side = levels[{o.locate, o.side}];
    auto& l = side.at(o.price);
    l.first -= o.shares;
    if (--l.second == 0) side.erase(o.price);
    orders.erase(ref);
  }
  void reduce(uint64_t ref, uint32_t n, Drop over) {
    RefOrder& o = orders.at(ref);
    if (n > o.shares) drop(over);
    if (n >= o.shares) return remove(ref);
    levels[{o.locate, o.side}].at(o.price).first -= n;
    o.shares -= n;
  }
};

void check_book(const BookSet& books, const Model& m, uint16_t locate, bool all_levels) {
  const sf::book::OrderBook* b = books.find(locate);
  for (const char sc : {'B', 'S'}) {
    const Side s = sc == 'B' ? Side::kBuy : Side::kSell;
    const auto it = m.levels.find({locate, sc});
    const std::size_t n = it == m.levels.end() ? 0 : it->second.size();
    if ((b ? b->depth(s) : 0u) != n) __builtin_trap();
    if (n == 0) continue;
    std::vector<std::pair<uint32_t, std::pair<uint64_t, uint32_t>>> want(it->second.begin(),
                                                                         it->second.end());
    if (sc == 'B') std::reverse(want.begin(), want.end());
    for (std::size_t i = 0; i < (all_levels ? n : 1); ++i) {
      const sf::book::LevelView got = b->level(s, static_cast<uint32_t>(i));
      if (got.price != want[i].first || got.shares != want[i].second.first ||
          got.orders != want[i].second.second)
        __builtin_trap();
    }
  }
}

const sf::trade::TradingConfig& trading_config() {
  static const sf::trade::TradingConfig cfg = [] {
    std::vector<std::string> errors;
    auto c = sf::trade::parse_trading_config(toml::parse(R"(
[trading]
max_tracked_orders = 64
[book]
max_orders = 512
max_instruments = 8
max_levels_per_side = 64
max_levels_total = 4096
[risk]
max_open_orders = 50
max_position = 100000
max_orders_per_second = 1000000
throttle_burst = 1000
[[strategy]]
name = "sniper"
symbol = "SF0001"
side = "buy"
limit_price = 101000
shares = 10
max_position = 100000
[[strategy]]
name = "sniper"
symbol = "SF0002"
side = "sell"
limit_price = 99000
shares = 10
max_position = 100000
)"),
                                             errors);
    if (!errors.empty()) __builtin_trap();
    return c;
  }();
  return cfg;
}

}  // namespace

// The corpus replay (replay_main.cpp) runs whole-op prefixes only: one run costs an Engine's set-up, whose
// per-locate tables (65,536 entries each) dominate. For the same reason only inputs whose first byte has its
// top bit set (the op kind uses the low bits) drive the Engine too; the others drive the BookSet alone, ~50x
// faster, so the fuzzer spends most of its time on the book.
extern "C" std::size_t sf_fuzz_prefix_step() {
  return 4;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const sf::trade::TradingConfig& cfg = trading_config();
  BookSet books(cfg.book);
  std::optional<sf::trade::Engine> engine;
  if (size > 0 && (data[0] & 0x80)) engine.emplace(cfg);
  Model m;
  std::array<sf::trade::OrderRequest, 16> storage;
  sf::test::ItchBuilder msg;
  msg.reserve(1);
  uint64_t seq = 1, next_ref = 1;
  std::vector<uint64_t> refs;  // every reference used so far (live or dead)
  auto apply = [&](uint16_t locate) {
    sf::trade::OrderSink sink{std::span<sf::trade::OrderRequest>(storage)};
    {
      const sf::fuzz::HotPathWindow hot;
      books.apply(msg[0]);
      if (engine) engine->on_itch(msg[0], seq++, 0, sink);
    }
    if (sf::fuzz::HotPathAllocs::count()) __builtin_trap();  // the hot path allocated
    if (engine && engine->tracked_open_orders() > cfg.risk.max_open_orders) __builtin_trap();
    if (locate) check_book(books, m, locate, false);
    if (locate && engine) check_book(engine->books(), m, locate, false);
    msg.clear();
  };
  for (uint16_t l = 1; l <= 4; ++l) {
    const char stock[] = {'S', 'F', '0', '0', '0', static_cast<char>('0' + l)};
    msg.directory(l, std::string_view(stock, 6));
    apply(0);
  }
  // Each op (4 bytes): kind, locate, which reference, shares/price. At most kMaxOps, so live orders stay
  // under [book] max_orders and the books small: a run is cheap to set up (the arena and the order map
  // are sized by the config) and fast to check.
  for (std::size_t i = 0; i + 4 <= std::min(size, 4 * kMaxOps); i += 4) {
    const uint8_t kind = data[i] % 8, pick = data[i + 2], v = data[i + 3];
    const auto locate = static_cast<uint16_t>(1 + data[i + 1] % 4);
    const uint64_t ref = refs.empty() || pick < 16 ? next_ref + 1000 + pick : refs[pick % refs.size()];
    const uint32_t price = 100'000 + (v % 32) * 100 - 1'600, shares = 1 + v;
    if (kind <= 1) {  // add (a fresh reference, or a lie: a live or dead one)
      const uint64_t r = pick < 200 ? next_ref++ : ref;
      const char side = (v & 1) ? 'S' : 'B';
      msg.add(locate, r, side, shares, price);
      m.add(locate, r, side, shares, price);
      refs.push_back(r);
    } else if (kind == 2) {
      msg.exec(locate, ref, shares);
      if (m.live(locate, ref)) m.reduce(ref, shares, Drop::kOverExecution);
    } else if (kind == 3) {
      msg.cancel(locate, ref, shares);
      if (m.live(locate, ref)) m.reduce(ref, shares, Drop::kOverCancel);
    } else if (kind == 4) {
      msg.del(locate, ref);
      if (m.live(locate, ref)) m.remove(ref);
    } else if (kind == 5) {  // replace, of a live or a dead order, into a fresh reference
      const uint64_t nr = next_ref++;
      msg.replace(locate, ref, nr, shares, price);
      if (m.live(locate, ref)) {
        const char side = m.orders.at(ref).side;
        m.remove(ref);
        m.add(locate, nr, side, shares, price);
      }
      refs.push_back(nr);
    } else {
      msg.exec_px(locate, ref, shares, price, (v & 2) ? 'Y' : 'N');
      if (m.live(locate, ref)) m.reduce(ref, shares, Drop::kOverExecution);
    }
    apply(locate);
  }
  for (uint16_t l = 1; l <= 4; ++l) {
    check_book(books, m, l, true);
    if (engine) check_book(engine->books(), m, l, true);
  }
  if (books.live_orders() != m.orders.size() || (engine && engine->books().live_orders() != m.orders.size()))
    __builtin_trap();
  for (std::size_t d = 0; d < m.drops.size(); ++d)
    if (books.drops(static_cast<Drop>(d)) != m.drops[d]) __builtin_trap();
  return 0;
}
