#include "sniperforge/journal/reconcile.hpp"

#include <algorithm>

#include "sniperforge/journal/entry.hpp"
#include "sniperforge/proto/ouch.hpp"

namespace sf::journal {

bool order_request_from_record(const RecordView& r, trade::OrderRequest& out) noexcept {
  OrderPayload o;
  if (!read_order(r, o)) return false;
  const uint8_t* p = o.ouch.data();
  if (o.ouch.empty() || p[0] != ouch::inbound::msg::EnterOrder::kType ||
      ouch::inbound::validate(p, o.ouch.size()) != ouch::Error::kOk)
    return false;
  const auto m = ouch::inbound::msg::EnterOrder::from(ouch::inbound::views::EnterOrder(p, o.ouch.size()));
  if (m.user_ref_num != o.user_ref_num) return false;
  out = trade::OrderRequest{};
  out.trigger_seq = o.trigger_seq;
  out.rx_tsc = o.tsc;
  out.price = m.price;
  out.shares = m.quantity;
  out.user_ref_num = m.user_ref_num;
  out.locate = o.locate;
  out.side = m.side;
  out.tif = m.time_in_force;
  out.symbol = m.symbol.c;
  out.strategy = o.strategy;
  return true;
}

Reconciler::Reconciler(std::span<trade::Engine* const> engines)
    : engines_(engines.begin(), engines.end()), shards_(engines.size()) {}

void Reconciler::apply(const RecordView& r) noexcept {
  if (r.type != RecordType::kOrder && r.type != RecordType::kVenue && r.type != RecordType::kSession) return;
  if (r.shard >= engines_.size()) {
    ++foreign_;
    return;
  }
  trade::Engine& engine = *engines_[r.shard];
  ShardRecovery& s = shards_[r.shard];
  switch (r.type) {
    case RecordType::kOrder: {
      trade::OrderRequest req;
      if (!order_request_from_record(r, req)) {
        ++s.bad_orders;
        return;
      }
      engine.restore_sent(req);
      s.user_ref_num_high_water = std::max(s.user_ref_num_high_water, req.user_ref_num);
      ++s.orders;
      return;
    }
    case RecordType::kVenue: {
      VenuePayload v;
      if (!read_venue(r, v)) return;
      trade::OrderSink none({});
      (void)engine.on_venue(v.message.data(), v.message.size(), v.tsc, none);
      s.last_venue_sequence = std::max(s.last_venue_sequence, v.venue_seq);
      ++s.venue_messages;
      return;
    }
    default: {  // a session event: where the venue's numbering stood (a login after a restart says so too)
      SessionPayload p;
      if (read_session(r, p) && p.next_seq > 0)
        s.last_venue_sequence = std::max(s.last_venue_sequence, p.next_seq - 1);
      ++s.session_events;
      return;
    }
  }
}

}  // namespace sf::journal
