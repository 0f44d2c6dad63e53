// Book reads through the control rings (one mechanism for sf-ctl and /sniperforge/books): `books SYMBOL
// [--levels N]` asks every executor for that symbol's book and its best N levels a side (the owning
// executor answers with them), read_books() for every book's top row.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>

#include "sniperforge/book/dump.hpp"
#include "sniperforge/control/controller.hpp"

namespace sf::control {

namespace {
std::string money(int64_t raw) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(raw) / 10'000.0);
  return buf;
}
std::string json_symbol(std::string_view s) {
  std::string o = "\"";
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x20)
      o += (c == '"' || c == '\\') ? std::string{'\\', c} : std::string{c};
  return o + "\"";
}
std::string levels_json(std::span<const book::LevelView> levels) {
  std::string o = "[";
  for (std::size_t i = 0; i < levels.size(); ++i)
    o += (i ? ",{\"price\":" : "{\"price\":") + std::to_string(levels[i].price) +
         ",\"shares\":" + std::to_string(levels[i].shares) +
         ",\"orders\":" + std::to_string(levels[i].orders) + "}";
  return o + "]";
}
}  // namespace

void Controller::read_books(std::vector<book::BookRow>& out) {
  std::lock_guard lock(mu_);
  out.clear();
  std::vector<trade::ControlReply> replies;
  broadcast({.op = trade::ControlOp::kBooks}, replies);
  for (std::size_t k = 0; k < channels_.size(); ++k) {
    const ExecutorChannel& ch = *channels_[k];
    if (answered_[k] != 0)  // the executor has copied them and moved on; only a command changes them
      out.insert(out.end(), ch.rows.begin(), ch.rows.end());
    else if (!ch.running.load(std::memory_order_acquire))
      for (const trade::Engine* e : ch.hosted) e->dump_rows(out);
  }
  book::sort_book_rows(out);
}

Response Controller::books(const std::vector<std::string>& a, bool json) {
  unsigned levels = 1;
  const bool with_levels = a.size() == 4 && a[2] == "--levels";
  if (a.size() != 2 && !with_levels) return {2, "error: usage: books SYMBOL [--levels N]\n"};
  if (with_levels) {
    const std::string& v = a[3];
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), levels);
    if (ec != std::errc{} || end != v.data() + v.size() || levels < 1 || levels > kMaxBookLevels)
      return {2,
              "error: --levels: '" + v + "' is not a number in 1.." + std::to_string(kMaxBookLevels) + "\n"};
  }
  if (a[1].empty() || a[1].size() > 8) return {2, "error: books: a symbol has 1..8 characters\n"};
  std::vector<trade::ControlReply> replies;
  const bool all = broadcast({.op = trade::ControlOp::kBooks,
                              .levels = static_cast<uint16_t>(levels),
                              .symbol = trade::padded_symbol(a[1])},
                             replies);
  for (std::size_t k = 0; k < channels_.size(); ++k) {
    const ExecutorChannel& ch = *channels_[k];
    if (answered_[k] == 0 || ch.rows.empty()) continue;
    const book::BookRow& r = ch.rows.front();
    const std::span<const book::LevelView> bids(ch.bids.data(), ch.bid_levels),
        asks(ch.asks.data(), ch.ask_levels);
    std::ostringstream os;
    if (json) {
      os << "{\"symbol\":" << json_symbol(r.symbol) << ",\"bid_px\":" << r.bid_px
         << ",\"bid_qty\":" << r.bid_qty << ",\"ask_px\":" << r.ask_px << ",\"ask_qty\":" << r.ask_qty
         << ",\"orders\":" << r.orders << ",\"bids\":" << levels_json(bids)
         << ",\"asks\":" << levels_json(asks) << "}\n";
    } else {
      os << r.symbol << ": bid " << r.bid_qty << " @ " << money(r.bid_px) << "  ask " << r.ask_qty << " @ "
         << money(r.ask_px) << "  (" << r.orders << " orders)\n";
      for (std::size_t i = 0; levels > 1 && i < std::max(bids.size(), asks.size()); ++i) {
        os << "  " << i + 1 << ":";
        if (i < bids.size()) os << "  bid " << bids[i].shares << " @ " << money(bids[i].price);
        if (i < asks.size()) os << "  ask " << asks[i].shares << " @ " << money(asks[i].price);
        os << "\n";
      }
    }
    return {all ? 0 : 1, os.str()};
  }
  return {all ? 2 : 1, "error: no book for '" + a[1] + "'\n"};
}

}  // namespace sf::control
