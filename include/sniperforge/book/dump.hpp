// The book dump: one CSV line per instrument that has had at least one order, sorted by symbol, with header
// `symbol,bid_px,bid_qty,ask_px,ask_qty,orders`. Rows may come from any number of shards.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sniperforge/book/book_set.hpp"

namespace sf::book {

// Sorts rows by (symbol, locate) in place.
void sort_book_rows(std::vector<BookRow>& rows);

// One CSV field per RFC 4180 (quoted when it holds , " CR or LF; quotes doubled), with a leading
// = + - @ tab or CR neutralised by a ' prefix (feed symbols are untrusted: "=1+1,X" is not a formula).
std::string csv_field(std::string_view text);

// Writes header + rows (sorted by symbol; the input need not be sorted).
void write_book_dump(std::ostream& out, std::vector<BookRow> rows);

}  // namespace sf::book
