#include "sniperforge/snapshot/builder.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "sniperforge/proto/glimpse.hpp"
#include "sniperforge/proto/itch.hpp"

namespace sf::snapshot {
namespace {

struct LiveOrder {
  uint64_t ref;
  const book::OrderBook* book;
  book::Price price;
  uint32_t shares;
  book::Side side;
};

// First BookSet's book of each locate: directory and trading action are broadcast to every shard, so
// every copy agrees; the owner's copy may have a symbol the others lack (from its Add Orders).
std::vector<const book::OrderBook*> instruments(std::span<const book::BookSet* const> shards) {
  std::vector<const book::OrderBook*> by_locate(65536, nullptr);
  std::vector<const book::OrderBook*> out;
  for (const book::BookSet* s : shards)
    for (std::size_t i = 0; i < s->book_count(); ++i) {
      const book::OrderBook& b = s->book(static_cast<uint16_t>(i));
      const book::OrderBook*& seen = by_locate[b.locate()];
      if (seen == nullptr) {
        seen = &b;
        out.push_back(&b);
      } else if (seen->symbol().empty() && !b.symbol().empty()) {
        *std::find(out.begin(), out.end(), seen) = &b;
        seen = &b;
      }
    }
  return out;
}

std::vector<LiveOrder> live_orders(std::span<const book::BookSet* const> shards) {
  std::vector<LiveOrder> out;
  std::size_t n = 0;
  for (const book::BookSet* s : shards) n += s->live_orders();
  out.reserve(n);
  for (const book::BookSet* s : shards)
    s->orders().for_each([&](const book::OrderSlot& o) {
      out.push_back(LiveOrder{o.ref, &s->book(o.book), o.price, o.shares, o.side});
    });
  std::sort(out.begin(), out.end(), [](const LiveOrder& a, const LiveOrder& b) { return a.ref < b.ref; });
  return out;
}

class Writer {
 public:
  Writer(uint64_t ts, const MessageOut& out) : ts_(ts), out_(out) {}
  template <class Msg>
  void put(Msg m) {
    m.timestamp = ts_;
    const std::size_t n = m.encode(buf_.data());
    out_({buf_.data(), n});
  }
  void snapshot(uint64_t next_sequence) {
    const std::size_t n = glimpse::encode_snapshot(buf_.data(), next_sequence);
    out_({buf_.data(), n});
  }

 private:
  uint64_t ts_;
  const MessageOut& out_;
  std::array<uint8_t, itch::kMaxMessageLength> buf_{};
};

itch::Alpha<8> padded(const book::OrderBook& b) {
  return itch::Alpha<8>(std::string_view(b.symbol_padded().data(), 8));
}

}  // namespace

BuildCounts build_snapshot(std::span<const book::BookSet* const> shards, uint64_t next_sequence,
                           uint64_t timestamp_ns, const MessageOut& out) {
  BuildCounts c;
  Writer w(timestamp_ns, out);
  if (!shards.empty() && shards.front()->last_system_event() != 0) {
    itch::msg::SystemEvent s;
    s.event_code = shards.front()->last_system_event();
    w.put(s);
    ++c.system_events;
  }
  const std::vector<const book::OrderBook*> books = instruments(shards);
  for (const book::OrderBook* b : books) {
    if (b->symbol().empty()) continue;  // never named (no directory, no order): nothing to announce
    itch::msg::StockDirectory r;
    r.stock_locate = b->locate();
    r.stock = padded(*b);
    r.round_lot_size = b->round_lot();
    w.put(r);
    ++c.directory;
  }
  for (const book::OrderBook* b : books) {
    if (b->symbol().empty()) continue;
    itch::msg::StockTradingAction h;
    h.stock_locate = b->locate();
    h.stock = padded(*b);
    h.trading_state = static_cast<char>(b->trading_state());
    w.put(h);
    ++c.trading_actions;
  }
  for (const LiveOrder& o : live_orders(shards)) {
    itch::msg::AddOrder a;
    a.stock_locate = o.book->locate();
    a.order_reference_number = o.ref;
    a.buy_sell_indicator = to_char(o.side);
    a.shares = o.shares;
    a.stock = padded(*o.book);
    a.price = o.price;
    w.put(a);
    ++c.orders;
  }
  w.snapshot(next_sequence);
  return c;
}

}  // namespace sf::snapshot
