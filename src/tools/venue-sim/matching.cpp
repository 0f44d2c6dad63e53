#include "matching.hpp"

#include <chrono>

#include "sniperforge/proto/endian.hpp"
#include "sniperforge/sim/rule_fill.hpp"

namespace sf::venue_sim {
namespace {
namespace out = ouch::outbound;

template <class Msg>
void push(const Msg& m, std::vector<Message>& outv) {
  Message b(ouch::kMaxFixedLength);
  b.resize(m.encode(b.data()));
  outv.push_back(std::move(b));
}
}  // namespace

uint64_t ns_since_midnight() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()) %
         (86'400ull * 1'000'000'000ull);
}

void SessionOrders::learn(std::span<const uint8_t> m) {
  if (m.empty()) return;
  if (m[0] == 'A' && out::validate(m.data(), m.size()) == ouch::Error::kOk) {
    const out::views::OrderAccepted a(m.data(), m.size());
    if (a.user_ref_num() > last_user_ref_num) last_user_ref_num = a.user_ref_num();
    if (a.order_reference_number() >= next_order_ref) next_order_ref = a.order_reference_number() + 1;
    open[a.user_ref_num()] = a.quantity();
  } else if (m[0] == 'E' && out::validate(m.data(), m.size()) == ouch::Error::kOk) {
    const out::views::OrderExecuted e(m.data(), m.size());
    if (e.match_number() >= next_match) next_match = e.match_number() + 1;
    take_open(e.user_ref_num(), e.quantity());
  } else if (m[0] == 'C' && out::validate(m.data(), m.size()) == ouch::Error::kOk) {
    const out::views::OrderCanceled c(m.data(), m.size());
    take_open(c.user_ref_num(), c.quantity());
  }
}

void SessionOrders::take_open(uint32_t urn, uint32_t shares) {
  const auto it = open.find(urn);
  if (it == open.end()) return;
  if (it->second <= shares)
    open.erase(it);
  else
    it->second -= shares;
}

void answer_cancel_order(const ouch::inbound::views::CancelOrder& c, SessionOrders& s, uint64_t ts,
                         std::vector<Message>& outv) {
  const auto it = s.open.find(c.user_ref_num());
  if (it == s.open.end() || c.quantity() >= it->second) return;
  out::msg::OrderCanceled m;
  m.timestamp = ts;
  m.user_ref_num = c.user_ref_num();
  m.quantity = it->second - c.quantity();
  m.reason = kCancelUserRequested;
  push(m, outv);
  s.take_open(c.user_ref_num(), m.quantity);
}

std::size_t faulty_executions(Fault fault, out::msg::OrderExecuted first, uint32_t quantity, uint64_t& match,
                              std::array<out::msg::OrderExecuted, 2>& outv) {
  first.quantity = quantity - quantity / 2;
  first.match_number = match++;
  outv[0] = first;
  outv[1] = first;  // duplicate-exec: the same message again
  if (fault == Fault::kOverfill) {
    outv[1].quantity = quantity;
    outv[1].match_number = match++;
  }
  return 2;
}

void answer_enter_order(const ouch::inbound::views::EnterOrder& o, const Rules& rules, SessionOrders& s,
                        uint64_t ts, std::vector<Message>& outv) {
  if (o.user_ref_num() <= s.last_user_ref_num) {
    out::msg::Rejected j;
    j.timestamp = ts;
    j.user_ref_num = o.user_ref_num();
    j.reason = kRejectUserRefNum;
    j.cl_ord_id = o.cl_ord_id();
    return push(j, outv);
  }
  s.last_user_ref_num = o.user_ref_num();
  out::msg::OrderAccepted a;
  a.timestamp = ts;
  a.user_ref_num = o.user_ref_num();
  a.side = o.side();
  a.quantity = o.quantity();
  a.symbol = o.symbol();
  a.price = o.price();
  a.time_in_force = o.time_in_force();
  a.display = o.display();
  a.order_reference_number = s.next_order_ref++;
  a.capacity = o.capacity();
  a.intermarket_sweep_eligibility = o.intermarket_sweep_eligibility();
  a.cross_type = o.cross_type();
  a.order_state = 'L';
  a.cl_ord_id = o.cl_ord_id();
  push(a, outv);
  s.open[o.user_ref_num()] = o.quantity();
  if (rules.no_fill) return;

  out::msg::OrderExecuted x;
  x.timestamp = ts;
  x.user_ref_num = o.user_ref_num();
  x.price = o.price();
  x.liquidity_flag = 'R';
  if (rules.fault != Fault::kNone) {
    std::array<out::msg::OrderExecuted, 2> xs{};
    const std::size_t n = faulty_executions(rules.fault, x, o.quantity(), s.next_match, xs);
    for (std::size_t i = 0; i < n; ++i) push(xs[i], outv);
    return;
  }
  // The rule shared with sf-backtest's `fill_model` (sim/rule_fill.hpp).
  const uint32_t filled =
      sim::rule_fill_shares(rules.fill == FillRule::kFull ? sim::FillModel::kFull : sim::FillModel::kSeeded,
                            rules.seed, o.user_ref_num(), o.quantity());
  if (filled > 0) {
    x.quantity = filled;
    x.match_number = s.next_match++;
    push(x, outv);
    s.take_open(o.user_ref_num(), filled);
  }
  if (filled < o.quantity() && o.time_in_force() == '3') {  // IOC: the rest is canceled at once
    out::msg::OrderCanceled c;
    c.timestamp = ts;
    c.user_ref_num = o.user_ref_num();
    c.quantity = o.quantity() - filled;
    c.reason = kCancelImmediateOrCancel;
    push(c, outv);
    s.open.erase(o.user_ref_num());
  }
}

}  // namespace sf::venue_sim
