#include "totals.hpp"

#include "matching.hpp"

#include <map>
#include <sstream>
#include <utility>

#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/trade/checked_math.hpp"
#include "sniperforge/trade/orders.hpp"

namespace sf::venue_sim {
namespace {
namespace out = ouch::outbound;

struct Totals {
  uint64_t messages = 0, orders = 0, accepted = 0, rejected = 0, canceled = 0, fills = 0, filled_shares = 0;
  std::map<std::string, std::map<char, uint64_t>> shares;  // symbol -> side -> filled shares
  // symbol -> side -> sum of price x shares of the executions (raw: 1/10000 dollar)
  std::map<std::string, std::map<char, trade::Int128>> notional;
  // symbol -> position the fills built, in sequence order: its realized P&L is the appliance's rule
  // (average cost, trade::Position), so the two can be compared to the raw unit.
  std::map<std::string, trade::Position> positions;
  // The venue's own order book of the session (matching.hpp), rebuilt as after a restart: its resting
  // orders are the open-order count.
  SessionOrders book;
};

Totals fold(const MessageStore& s) {
  Totals t;
  std::map<uint32_t, std::pair<std::string, char>> order_of;  // UserRefNum -> (symbol, side)
  for (uint64_t q = 1; q <= s.size(); ++q) {
    const auto m = s.at(q);
    ++t.messages;
    t.book.learn(m);
    if (m.empty() || out::validate(m.data(), m.size()) != ouch::Error::kOk) continue;
    switch (m[0]) {
      case 'A': {
        const out::views::OrderAccepted a(m.data(), m.size());
        ++t.orders;
        ++t.accepted;
        order_of[a.user_ref_num()] = {std::string(ouch::trim_alpha(a.symbol())), a.side()};
        break;
      }
      case 'J':
        ++t.orders;
        ++t.rejected;
        break;
      case 'C':
        ++t.canceled;
        break;
      case 'E': {
        const out::views::OrderExecuted e(m.data(), m.size());
        ++t.fills;
        t.filled_shares += e.quantity();
        const auto it = order_of.find(e.user_ref_num());
        if (it != order_of.end()) {
          const auto& [symbol, side] = it->second;
          t.shares[symbol][side] += e.quantity();
          t.notional[symbol][side] += static_cast<trade::Int128>(e.quantity()) * e.price();
          (void)t.positions[symbol].fill(side, e.quantity(), e.price());
        }
        break;
      }
      default:
        break;
    }
  }
  return t;
}

std::string decimal(trade::Int128 v) {
  std::string d;
  do {
    d.insert(d.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v);
  return d;
}

void quoted(std::ostringstream& o, std::string_view s) {
  o << '"';
  for (char c : s) {
    if (c == '"' || c == '\\') o << '\\';
    if (static_cast<unsigned char>(c) >= 0x20) o << c;
  }
  o << '"';
}
// ,"notional":{"SYM":{"B":raw,"S":raw}},"realized_pnl":{"SYM":raw}   (raw = 1/10000 dollar)
void write_money(std::ostringstream& j, const Totals& t) {
  j << ",\"notional\":{";
  const char* sep = "";
  for (const auto& [sym, sides] : t.notional) {
    j << sep;
    quoted(j, sym);
    j << ":{";
    const char* sep2 = "";
    for (const auto& [side, n] : sides) {
      j << sep2 << '"' << side << "\":" << decimal(n);
      sep2 = ",";
    }
    j << "}";
    sep = ",";
  }
  j << "},\"realized_pnl\":{";
  sep = "";
  for (const auto& [sym, p] : t.positions) {
    j << sep;
    quoted(j, sym);
    j << ":" << p.realized;
    sep = ",";
  }
  j << "}";
}
}  // namespace

std::string totals_json(const std::string& session_name, const std::vector<NamedStore>& stores) {
  std::ostringstream j;
  j << "{\"session\":";
  quoted(j, session_name);
  j << ",\"sessions\":[";
  for (std::size_t i = 0; i < stores.size(); ++i) {
    const Totals t = fold(*stores[i].store);
    j << (i ? "," : "") << "{\"username\":";
    quoted(j, stores[i].username);
    j << ",\"messages\":" << t.messages << ",\"orders\":" << t.orders << ",\"accepted\":" << t.accepted
      << ",\"rejected\":" << t.rejected << ",\"canceled\":" << t.canceled << ",\"fills\":" << t.fills
      << ",\"filled_shares\":" << t.filled_shares << ",\"shares\":{";
    bool first = true;
    for (const auto& [sym, sides] : t.shares) {
      j << (first ? "" : ",");
      quoted(j, sym);
      j << ":{";
      first = false;
      bool first_side = true;
      for (const auto& [side, n] : sides) {
        j << (first_side ? "" : ",") << '"' << side << "\":" << n;
        first_side = false;
      }
      j << "}";
    }
    j << "}";
    write_money(j, t);
    j << ",\"open_orders\":" << t.book.open.size() << "}";
  }
  j << "]}";
  return j.str();
}

}  // namespace sf::venue_sim
