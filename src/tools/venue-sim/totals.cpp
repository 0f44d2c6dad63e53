#include "totals.hpp"

#include <map>
#include <sstream>
#include <utility>

#include "sniperforge/proto/ouch.hpp"

namespace sf::venue_sim {
namespace {
namespace out = ouch::outbound;

struct Totals {
  uint64_t messages = 0, orders = 0, accepted = 0, rejected = 0, canceled = 0, fills = 0, filled_shares = 0;
  std::map<std::string, std::map<char, uint64_t>> shares;  // symbol -> side -> filled shares
};

Totals fold(const MessageStore& s) {
  Totals t;
  std::map<uint32_t, std::pair<std::string, char>> order_of;  // UserRefNum -> (symbol, side)
  for (uint64_t q = 1; q <= s.size(); ++q) {
    const auto m = s.at(q);
    ++t.messages;
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
        if (it != order_of.end()) t.shares[it->second.first][it->second.second] += e.quantity();
        break;
      }
      default:
        break;
    }
  }
  return t;
}

void quoted(std::ostringstream& o, std::string_view s) {
  o << '"';
  for (char c : s) {
    if (c == '"' || c == '\\') o << '\\';
    if (static_cast<unsigned char>(c) >= 0x20) o << c;
  }
  o << '"';
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
    j << "}}";
  }
  j << "]}";
  return j.str();
}

}  // namespace sf::venue_sim
