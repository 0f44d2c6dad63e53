// What the running or finished Runtime reports: book rows (after the run; while the lcores run,
// control::Controller::read_books asks the executors through the control rings), the stats lcore's inputs,
// the counter list of --stats-file and the summary.
#include "kernel_venue.hpp"
#include "rx_lcore.hpp"
#include "sniperforge/book/dump.hpp"
#include "sniperforge/telemetry/stat_tables.hpp"
#include "sniperforge/telemetry/summary.hpp"
#include "sniperforge/trade/engine_totals.hpp"

namespace sf::dataplane {

std::vector<control::ExecutorChannel*> Runtime::control_channels() const {
  std::vector<control::ExecutorChannel*> out;
  for (const auto& x : exec_) out.push_back(x->control.get());
  return out;
}

std::vector<book::BookRow> Runtime::book_rows() const {
  std::vector<book::BookRow> rows;
  for (const auto& e : engines_) e->dump_rows(rows);
  book::sort_book_rows(rows);
  return rows;
}

StatsLcore::Inputs Runtime::telemetry_inputs(const telemetry::TelemetryConfig& cfg) const {
  StatsLcore::Inputs in;
  in.config = cfg;
  for (const auto& r : rx_) in.rx.push_back({r->lcore, r->stats.get()});
  for (const auto& x : exec_) in.executors.push_back({x->lcore, x->stats.get()});
  for (const auto& r : rx_) in.logs.push_back({r->lcore, "rx", r->log.get()});
  for (const auto& x : exec_) in.logs.push_back({x->lcore, "executor", x->log.get()});
  for (const auto& p : ports_) {
    if (!p.found) continue;
    in.ports.emplace_back(p.port_id, p.name);
    if (p.pool) in.mempools.emplace_back(std::string(p.pool->name), p.pool);
  }
  for (const rte_ring* r : rings_) in.rings.emplace_back(std::string(r->name), r);
  for (const auto& e : engines_) in.engines.push_back(e.get());
  const auto& soup = dp_.order_session.soupbintcp;
  if (soup.transport == order_session::TransportKind::kKernel)
    // /ready fails while any shard's SoupBinTCP session is not logged in (or not started yet: the
    // sessions start after the journal has said where they resume).
    in.order_session_state = [this] {
      return sessions_started_.load(std::memory_order_acquire) && venue_->all_logged_in() ? 1 : 0;
    };
  else if (tcp_venue_)  // transport "dpdk": the same, the sessions run on the executor lcores
    in.order_session_state = [v = tcp_venue_.get()] { return v->all_logged_in() ? 1 : 0; };
  else
    in.order_session_state = [] { return -1; };  // transport "none" (replay): no venue, no login state
  in.read_sessions = [this](std::vector<telemetry::SessionRow>& rows) { read_session_rows(rows); };
  return in;
}

// One row per shard's SoupBinTCP session (relaxed loads of its single-writer counters; called by the
// stats and scrape threads). Kernel sessions not started yet have no row.
void Runtime::read_session_rows(std::vector<telemetry::SessionRow>& rows) const {
  const auto& logins = dp_.order_session.soupbintcp.logins;
  auto row = [&](std::size_t s, const order_session::SessionCounters& c) -> telemetry::SessionRow& {
    telemetry::SessionRow& r = rows.emplace_back();
    r.shard = static_cast<uint32_t>(s);
    if (s < logins.size()) r.user = logins[s].username;
    const auto state = static_cast<order_session::State>(c.state.get());
    r.state = static_cast<uint8_t>(state);
    r.state_name = order_session::to_string(state);
    r.logged_in = state == order_session::State::kLoggedIn;
    r.reconnects = c.reconnects.load();
    r.heartbeats_sent = c.heartbeats_sent.load();
    r.heartbeats_received = c.heartbeats_received.load();
    r.bytes_in = c.bytes_in.load();
    r.bytes_out = c.bytes_out.load();
    return r;
  };
  if (tcp_venue_) {
    for (std::size_t s = 0; s < tcp_venue_->size(); ++s) {
      const order_session::TcpVenueSession& v = tcp_venue_->session(s);
      telemetry::SessionRow& r = row(s, v.session().counters());
      r.tcp_retransmits = v.connection().stats().retransmitted_segments.load();
      r.tcp_srtt_ns = v.connection().stats().srtt_ns.load();
      r.orders_held = v.counters().orders_held.load();
    }
  } else if (sessions_started_.load(std::memory_order_acquire) && venue_) {
    for (std::size_t s = 0; s < venue_->size(); ++s) {
      const order_session::KernelSession& k = *venue_->shard(s).session;
      telemetry::SessionRow& r = row(s, k.counters());
      r.tcp_retransmits = k.kernel_counters().tcp_retransmits.load();
      r.tcp_srtt_ns = k.kernel_counters().tcp_srtt_ns.load();
    }
  }
}

std::vector<std::pair<std::string, uint64_t>> Runtime::counters() const {
  std::vector<std::pair<std::string, uint64_t>> c;
  std::vector<const telemetry::RxLcoreStats*> rx;
  std::vector<const telemetry::ExecutorLcoreStats*> ex;
  for (const auto& r : rx_) rx.push_back(r->stats.get());
  for (const auto& x : exec_) ex.push_back(x->stats.get());
  telemetry::add_lcore_counters(rx, ex, exec_.size(), c);
  std::vector<const trade::Engine*> engines;
  for (const auto& e : engines_) engines.push_back(e.get());
  const trade::EngineTotals t = trade::sum_engines(engines);
  c.emplace_back("risk_accepted", t.accepted);
  c.emplace_back("fills", t.fills);
  // Venue responses the engines' checks refused, by reason, the shards they stopped, and the shares the
  // believed fills bought and sold (cold: read once, e.g. for --stats-file at exit).
  for (std::size_t i = 1; i < t.venue_refused.size(); ++i)
    c.emplace_back("venue_refused_" + std::string(trade::to_string(static_cast<trade::VenueCheck>(i))),
                   t.venue_refused[i]);
  c.emplace_back("venue_inconsistent_shards", t.venue_inconsistent_shards);
  c.emplace_back("orders_adopted", t.orders_adopted);
  c.emplace_back("filled_shares_bought", t.filled_shares_bought);
  c.emplace_back("filled_shares_sold", t.filled_shares_sold);
  for (std::size_t i = 0; i < t.rejects.size(); ++i)
    c.emplace_back("reject_" + std::string(trade::to_string(static_cast<trade::Reject>(i))), t.rejects[i]);
  for (std::size_t d = 0; d < t.book_drops.size(); ++d)
    c.emplace_back("book_drop_" + std::string(book::to_string(static_cast<book::Drop>(d))), t.book_drops[d]);
  c.emplace_back("book_drops", t.book_drops_total());
  c.emplace_back("books_capacity_stale", t.capacity_stale);
  c.emplace_back("book_instruments", book_rows().size());
  c.emplace_back("shards", engines_.size());
  c.emplace_back("executors", exec_.size());
  return c;
}

// One executor histogram merged over the executors.
telemetry::HistogramSnapshot Runtime::merged(
    telemetry::LatencyHistogram telemetry::ExecutorLcoreStats::*h) const {
  telemetry::HistogramSnapshot t;
  for (const auto& x : exec_) t.merge(((*x->stats).*h).snapshot());
  return t;
}
telemetry::HistogramSnapshot Runtime::tick_to_trade() const {
  return merged(&telemetry::ExecutorLcoreStats::tick_to_trade);
}
telemetry::HistogramSnapshot Runtime::tick_to_trade_held() const {
  return merged(&telemetry::ExecutorLcoreStats::tick_to_trade_held);
}
telemetry::HistogramSnapshot Runtime::ring_hop() const {
  return merged(&telemetry::ExecutorLcoreStats::ring_hop);
}
telemetry::HistogramSnapshot Runtime::processing() const {
  return merged(&telemetry::ExecutorLcoreStats::processing);
}

telemetry::HistogramSnapshot Runtime::kernel_order_written() const {
  telemetry::HistogramSnapshot t;
  if (sessions_started_.load(std::memory_order_acquire))
    for (std::size_t s = 0; s < venue_->size(); ++s) t.merge(venue_->shard(s).written.ticks.snapshot());
  return t;
}

std::string Runtime::summary() const {
  telemetry::SummaryLatency lat;
  lat.tick_to_trade = tick_to_trade();
  lat.ring_hop = ring_hop();
  lat.processing = processing();
  lat.tsc_hz = static_cast<double>(rte_get_tsc_hz());
  lat.processing_sample_every = kProcessingSampleMask + 1;
  return telemetry::format_summary(counters(), lat, replay_);
}

}  // namespace sf::dataplane
