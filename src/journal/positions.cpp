#include "sniperforge/journal/positions.hpp"

#include "sniperforge/journal/entry.hpp"
#include "sniperforge/trade/venue_event.hpp"

namespace sf::journal {

PositionRebuild::Shard& PositionRebuild::shard(uint16_t i) {
  Shard& s = shards_[i];
  if (!s.tracker) s.tracker = std::make_unique<trade::OrderTracker>(capacity_);
  return s;
}

void PositionRebuild::apply(const RecordView& r) {
  if (r.type == RecordType::kOrder) {
    trade::OrderRequest req;
    if (!order_request_from_record(r, req)) return;
    Shard& s = shard(r.shard);
    s.tracker->on_sent(req);
    s.urns.push_back(req.user_ref_num);
    std::string sym(req.symbol.begin(), req.symbol.end());
    while (!sym.empty() && sym.back() == ' ') sym.pop_back();
    s.symbols.emplace(req.locate, std::move(sym));
  } else if (r.type == RecordType::kVenue) {
    VenuePayload v;
    trade::VenueEvent e;
    if (!read_venue(r, v) ||
        trade::parse_ouch_outbound(v.message.data(), v.message.size(), e) != trade::VenueParse::kOk) {
      if (v.message.empty() || v.message[0] != 'S') ++venue_refused_;  // system events carry no order
      return;
    }
    bool closed_resting = false;
    if (shard(r.shard).tracker->on_event(e, closed_resting).check != trade::VenueCheck::kOk) ++venue_refused_;
  }
}

std::vector<PositionRow> PositionRebuild::rows() const {
  std::vector<PositionRow> out;
  for (const auto& [index, s] : shards_) {
    std::map<uint16_t, uint32_t> open;
    for (uint32_t urn : s.urns) {
      const trade::OrderRecord* o = s.tracker->find(urn);
      if (o != nullptr && !trade::is_terminal(o->state)) ++open[o->locate];
    }
    for (const auto& [locate, symbol] : s.symbols) {
      const trade::Position& p = s.tracker->position(locate);
      PositionRow row;
      row.shard = index;
      row.symbol = symbol;
      row.locate = locate;
      row.position = p.shares;
      row.realized = p.realized;
      row.bought = p.bought;
      row.sold = p.sold;
      row.open_orders = open[locate];
      out.push_back(std::move(row));
    }
  }
  return out;
}

uint64_t PositionRebuild::evicted() const noexcept {
  uint64_t n = 0;
  for (const auto& [index, s] : shards_) n += s.tracker->evicted();
  return n;
}

}  // namespace sf::journal
