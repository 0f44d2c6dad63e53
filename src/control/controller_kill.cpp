// Controller::kill: every shard refuses every new order at once (reason killed) and sweeps a Cancel to the
// venue for each order it holds open (control/channel.hpp, Engine::next_cancels); kill returns when every
// one of them is final (Canceled or Executed, as the venue answered) or after Options::kill_timeout,
// listing what is still open. Its answer carries the executors' TSC stamps: when the command reached each
// executor's ring, when the executor applied it, when it last let an order go, and the RX stamp of the
// newest feed event it had handled by then (feed_after_arrival_us: how much later than the command the
// newest feed data that could still trigger an order was received; robust to a descheduled thread).
#include <sstream>
#include <thread>

#include "sniperforge/control/controller.hpp"

namespace sf::control {

namespace {
using trade::ControlReply;

double ticks_to_us(int64_t ticks, uint64_t hz) {
  return hz == 0 ? 0.0 : static_cast<double>(ticks) * 1e6 / static_cast<double>(hz);
}
// Signed: negative when the executor's last order went before the command reached it.
int64_t since(uint64_t tsc, uint64_t origin) {
  return static_cast<int64_t>(tsc - origin);
}
// The command arrived at the executor when it was in the ring and the executor's thread was polling; the
// time before (a descheduled thread on a shared machine) is reported apart, as waited_for_executor_us.
uint64_t arrival(const ControlReply& r) {
  return since(r.polled_tsc, r.sent_tsc) > 0 ? r.polled_tsc : r.sent_tsc;
}

void shard_json(std::ostringstream& os, const ControlReply& killed, const ControlReply& now, uint64_t hz) {
  os << "{\"shard\":" << now.shard << ",\"trading_state\":\""
     << (now.killed ? std::string_view("killed") : trade::to_string(now.state))
     << "\",\"open_at_kill\":" << killed.open_orders << ",\"cancels_sent\":" << now.cancels_swept
     << ",\"open_orders\":" << now.open_orders << ",\"still_open\":[";
  for (std::size_t k = 0; k < now.open_sample.size() && k < now.open_orders; ++k)
    os << (k ? "," : "") << now.open_sample[k];
  const uint64_t at = arrival(killed);
  os << "],\"sent_tsc\":" << killed.sent_tsc << ",\"arrival_tsc\":" << at
     << ",\"applied_tsc\":" << killed.applied_tsc << ",\"last_order_tsc\":" << killed.last_order_tsc
     << ",\"waited_for_executor_us\":" << ticks_to_us(since(at, killed.sent_tsc), hz)
     << ",\"applied_after_arrival_us\":" << ticks_to_us(since(killed.applied_tsc, at), hz)
     << ",\"last_order_after_arrival_us\":" << ticks_to_us(since(killed.last_order_tsc, at), hz)
     << ",\"newest_rx_tsc\":" << killed.newest_rx_tsc
     << ",\"feed_after_arrival_us\":" << ticks_to_us(since(killed.newest_rx_tsc, killed.sent_tsc), hz) << "}";
}

void shard_text(std::ostringstream& os, const ControlReply& killed, const ControlReply& now, uint64_t hz) {
  os << "shard " << now.shard << ": " << now.cancels_swept << " cancels sent, applied "
     << ticks_to_us(since(killed.applied_tsc, arrival(killed)), hz) << " us after the command arrived";
  if (now.open_orders != 0) {
    os << "; " << now.open_orders << " orders still open (UserRefNum";
    for (std::size_t k = 0; k < now.open_sample.size() && k < now.open_orders; ++k)
      os << " " << now.open_sample[k];
    os << (now.open_orders > now.open_sample.size() ? " ...)" : ")");
  }
  os << "\n";
}
}  // namespace

Response Controller::kill(bool json, Outcome& out) {
  out.changes = true;
  out.change = "not killed -> killed";
  std::vector<ControlReply> killed, now;
  const bool all = broadcast({.op = trade::ControlOp::kKill}, killed);
  now = killed;
  // Until every shard's sweep is done and the venue has answered every Cancel (nothing open), or timeout.
  const auto deadline = std::chrono::steady_clock::now() + opt_.kill_timeout;
  auto settled = [&] {
    for (const auto& r : now)
      if (r.open_orders != 0 || r.cancels_owed) return false;
    return true;
  };
  while (!settled() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::vector<ControlReply> fresh;
    if (broadcast({.op = trade::ControlOp::kStatus}, fresh) || fresh.size() == now.size()) now.swap(fresh);
  }
  uint32_t cancels = 0, open = 0;
  for (const auto& r : now) {
    cancels += r.cancels_swept;
    open += r.open_orders;
  }
  const bool ok = all && settled() && now.size() == engines_.size();
  if (!ok) out.result = all ? "orders_still_open" : "timeout";
  const uint64_t hz = channels_.empty() ? 0 : channels_[0]->tsc_hz;
  std::ostringstream os;
  if (json) {
    os << "{\"command\":\"kill\",\"applied\":" << (all ? "true" : "false") << ",\"cancels_sent\":" << cancels
       << ",\"still_open\":" << open << ",\"tsc_hz\":" << hz << ",\"shards\":[";
    for (std::size_t i = 0; i < now.size() && i < killed.size(); ++i) {
      if (i) os << ",";
      shard_json(os, killed[i], now[i], hz);
    }
    os << "]}\n";
  } else {
    os << "killed: " << killed.size() << " of " << engines_.size() << " shards refuse every new order; "
       << cancels << " cancels sent\n";
    for (std::size_t i = 0; i < now.size() && i < killed.size(); ++i) shard_text(os, killed[i], now[i], hz);
    if (open == 0) os << "every open order's cancel was acknowledged\n";
  }
  return {ok ? 0 : 1, os.str()};
}

}  // namespace sf::control
