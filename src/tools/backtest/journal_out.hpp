// sf-backtest --journal DIR: the orders of a replay written as the appliance's journal (issue #13), so a
// backtest is audited with the same tools (sf-journal verify|dump|positions). Records: a start marker,
// one order record per order (shard, UserRefNum, trigger sequence, the OUCH Enter Order bytes the
// appliance would send), a stop marker. Venue responses of --venue sim are not journaled yet.
#pragma once

#include <string>
#include <vector>

#include "sniperforge/trade/order_request.hpp"

namespace sf::backtest {

// `orders` in the order the backtest reports them; `dir` must not hold a journal already. False + `error`.
bool write_journal(const std::string& dir, const std::vector<trade::OrderRequest>& orders, uint32_t shards,
                   std::string& error);

}  // namespace sf::backtest
