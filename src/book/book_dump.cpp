// The book dump (book/dump.hpp): each book's top as a row, sorted, written as CSV safe for spreadsheets.
#include <algorithm>
#include <ostream>

#include "sniperforge/book/book_set.hpp"
#include "sniperforge/book/dump.hpp"

namespace sf::book {

void BookSet::dump_rows(std::vector<BookRow>& out) const {
  for (std::size_t i = 0; i < book_count_; ++i) {
    const OrderBook& b = books_[i];
    if (!b.has_had_order()) continue;
    out.push_back(BookRow{std::string(b.symbol()), b.locate(), b.best_price(Side::kBuy),
                          b.best_shares(Side::kBuy), b.best_price(Side::kSell), b.best_shares(Side::kSell),
                          b.live_orders()});
  }
}

void sort_book_rows(std::vector<BookRow>& rows) {
  std::sort(rows.begin(), rows.end(), [](const BookRow& a, const BookRow& b) {
    return a.symbol != b.symbol ? a.symbol < b.symbol : a.locate < b.locate;
  });
}

std::string csv_field(std::string_view text) {
  // A leading = + - @ (or tab / CR) makes a spreadsheet evaluate the cell: prefix a quote to keep it text.
  std::string v;
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) v = "'";
  v.append(text);
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string q = "\"";  // RFC 4180: quoted, inner quotes doubled
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + '"';
}

void write_book_dump(std::ostream& out, std::vector<BookRow> rows) {
  sort_book_rows(rows);
  out << "symbol,bid_px,bid_qty,ask_px,ask_qty,orders\n";
  for (const BookRow& r : rows)
    out << csv_field(r.symbol) << ',' << r.bid_px << ',' << r.bid_qty << ',' << r.ask_px << ',' << r.ask_qty
        << ',' << r.orders << '\n';
}

}  // namespace sf::book
