#include "sniperforge/telemetry/collector.hpp"

#include <prometheus/text_serializer.h>

#include <deque>
#include <iterator>
#include <sstream>
#include <string_view>
#include <utility>

#include "sniperforge/telemetry/health.hpp"

namespace sf::telemetry {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

class Families {
 public:
  MetricFamily& family(std::string name, std::string help, MetricType type) {
    out_.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
    return out_.back();
  }
  std::vector<MetricFamily> take() {
    return {std::make_move_iterator(out_.begin()), std::make_move_iterator(out_.end())};
  }

 private:
  std::deque<MetricFamily> out_;  // references stay valid while families are added
};

void add_value(MetricFamily& f, Labels labels, double v) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
  f.metric.push_back(std::move(m));
}

std::string u(uint64_t v) {
  return std::to_string(v);
}

constexpr std::array<std::string_view, 2> kSides = {"buy", "sell"};
constexpr std::array<double, 3> kQuantiles = {0.5, 0.99, 0.999};
constexpr std::array<const char*, 3> kQuantileFamilies = {
    "sniperforge_latency_p50_seconds", "sniperforge_latency_p99_seconds", "sniperforge_latency_p999_seconds"};
constexpr std::array<const char*, 3> kQuantileHelp = {"Median latency since start, by stage",
                                                      "99th percentile latency since start, by stage",
                                                      "99.9th percentile latency since start, by stage"};

}  // namespace

BuildInfo this_build() noexcept {
  return sf::build_info();
}

const std::vector<double>& latency_bucket_bounds_seconds() {
  static const std::vector<double> b = [] {
    std::vector<double> v;
    for (double decade = 1e-8; decade < 1e-2 * 1.5; decade *= 10)
      for (double m : {1.0, 2.0, 5.0})
        if (decade * m <= 1e-2 * 1.0001) v.push_back(decade * m);
    return v;
  }();
  return b;
}

MetricsCollector::MetricsCollector(TelemetrySources sources, TelemetryConfig cfg, BuildInfo build)
    : src_(std::move(sources)),
      cfg_(std::move(cfg)),
      build_(std::move(build)),
      start_(std::chrono::steady_clock::now()),
      start_unix_seconds_(
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()),
      snap_(std::make_shared<SystemSnapshot>()) {
  if (!(src_.tsc_hz > 0)) src_.tsc_hz = 1e9;
}

void MetricsCollector::publish(std::shared_ptr<const SystemSnapshot> snap) {
  std::lock_guard lock(mu_);
  snap_ = std::move(snap);
}

std::shared_ptr<const SystemSnapshot> MetricsCollector::latest() const {
  std::lock_guard lock(mu_);
  return snap_;
}

uint64_t MetricsCollector::now_tsc() const {
  return src_.now_tsc ? src_.now_tsc() : 0;
}

Status MetricsCollector::health() const {
  return evaluate_health(src_, cfg_, now_tsc());
}

Status MetricsCollector::ready() const {
  std::vector<EngineStats> engines;
  if (src_.read_engines) src_.read_engines(engines);
  return evaluate_ready(src_, cfg_, now_tsc(), engines);
}

std::vector<MetricFamily> MetricsCollector::Collect() const {
  scrapes_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t now = now_tsc();
  const double hz = src_.tsc_hz;
  const auto snap = latest();
  Families fs;

  // ---- process ----
  {
    auto& f = fs.family("sniperforge_build_info", "Build of the running binary (value is always 1)",
                        MetricType::Gauge);
    add_value(f,
              {{"version", build_.version},
               {"compiler", build_.compiler},
               {"buildtype", build_.buildtype},
               {"dpdk", build_.dpdk}},
              1);
    add_value(fs.family("sniperforge_uptime_seconds", "Seconds since the telemetry side started",
                        MetricType::Gauge),
              {}, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    add_value(fs.family("sniperforge_start_time_seconds", "Unix time the telemetry side started",
                        MetricType::Gauge),
              {}, start_unix_seconds_);
    add_value(fs.family("sniperforge_scrapes_total", "Scrapes of /metrics served", MetricType::Counter), {},
              static_cast<double>(scrapes_.load(std::memory_order_relaxed)));
    add_value(
        fs.family("sniperforge_latency_slo_seconds", "Configured tick-to-trade p99 SLO", MetricType::Gauge),
        {}, cfg_.latency_slo_us * 1e-6);
  }

  // ---- feed (RX lcores) ----
  {
    auto& packets = fs.family("sniperforge_feed_packets_total", "Frames received on the feed RX queue",
                              MetricType::Counter);
    auto& bytes = fs.family("sniperforge_feed_bytes_total",
                            "Bytes of the frames received on the feed RX queue", MetricType::Counter);
    auto& mold = fs.family("sniperforge_feed_mold_packets_total",
                           "Frames that carried a valid MoldUDP64 packet", MetricType::Counter);
    auto& msgs = fs.family("sniperforge_feed_messages_total", "ITCH messages accepted, by message type",
                           MetricType::Counter);
    auto& hbs =
        fs.family("sniperforge_feed_heartbeats_total", "MoldUDP64 heartbeat packets", MetricType::Counter);
    auto& drops = fs.family("sniperforge_feed_drops_total", "Feed frames or messages dropped, by reason",
                            MetricType::Counter);
    auto& gaps =
        fs.family("sniperforge_feed_gaps_total", "MoldUDP64 sequence gaps (events)", MetricType::Counter);
    auto& gapm = fs.family("sniperforge_feed_gap_messages_total", "Messages missing in sequence gaps",
                           MetricType::Counter);
    auto& dup = fs.family("sniperforge_feed_duplicate_packets_total",
                          "MoldUDP64 packets whose messages were all seen before", MetricType::Counter);
    auto& late = fs.family("sniperforge_feed_late_packets_total",
                           "MoldUDP64 packets partly seen before (new tail used)", MetricType::Counter);
    auto& stale = fs.family("sniperforge_feed_books_marked_stale_total",
                            "Books marked stale by a gap or a full ring", MetricType::Counter);
    auto& next = fs.family("sniperforge_feed_next_sequence", "MoldUDP64 sequence number expected next",
                           MetricType::Gauge);
    auto& age = fs.family("sniperforge_feed_last_packet_age_seconds",
                          "Seconds since the last valid feed packet (-1: none yet)", MetricType::Gauge);
    auto& enq = fs.family("sniperforge_ring_enqueued_total",
                          "Events enqueued from an RX lcore to an executor ring", MetricType::Counter);
    auto& full = fs.family("sniperforge_ring_dropped_full_total",
                           "Events dropped because the executor ring was full", MetricType::Counter);
    auto& hw = fs.family("sniperforge_ring_producer_high_water",
                         "Highest ring occupancy the producer saw after an enqueue", MetricType::Gauge);
    for (const auto& r : src_.rx) {
      if (r.stats == nullptr) continue;
      const RxLcoreStats& s = *r.stats;
      const std::string lc = u(r.lcore);
      add_value(packets, {{"lcore", lc}}, static_cast<double>(s.packets.load()));
      add_value(bytes, {{"lcore", lc}}, static_cast<double>(s.bytes.load()));
      add_value(mold, {{"lcore", lc}}, static_cast<double>(s.feed_packets.load()));
      for (std::size_t t = 0; t < kItchTypeSlots; ++t)
        add_value(msgs, {{"lcore", lc}, {"type", std::string{itch_slot_label(t)}}},
                  static_cast<double>(s.messages_by_type[t].load()));
      add_value(hbs, {{"lcore", lc}}, static_cast<double>(s.heartbeats.load()));
      for (std::size_t d = 0; d < kFeedDropReasonCount; ++d)
        add_value(drops, {{"lcore", lc}, {"reason", std::string{kFeedDropReasonNames[d]}}},
                  static_cast<double>(s.drops[d].load()));
      add_value(gaps, {{"lcore", lc}}, static_cast<double>(s.gaps.load()));
      add_value(gapm, {{"lcore", lc}}, static_cast<double>(s.gap_messages.load()));
      add_value(dup, {{"lcore", lc}}, static_cast<double>(s.duplicate_packets.load()));
      add_value(late, {{"lcore", lc}}, static_cast<double>(s.late_packets.load()));
      add_value(stale, {{"lcore", lc}}, static_cast<double>(s.books_marked_stale.load()));
      add_value(next, {{"lcore", lc}}, static_cast<double>(s.next_expected_seq.load()));
      const uint64_t last = s.last_feed_tsc.load();
      add_value(age, {{"lcore", lc}},
                last == 0 ? -1.0 : (now > last ? static_cast<double>(now - last) / hz : 0.0));
      for (std::size_t e = 0; e < src_.executors.size() && e < kMaxExecutors; ++e) {
        Labels l{{"lcore", lc}, {"executor", u(e)}};
        add_value(enq, l, static_cast<double>(s.ring_enqueued[e].load()));
        add_value(full, l, static_cast<double>(s.ring_dropped_full[e].load()));
        add_value(hw, l, static_cast<double>(s.ring_high_water[e].load()));
      }
    }
  }

  // ---- lcores ----
  {
    auto& polls = fs.family("sniperforge_lcore_polls_total", "Poll-loop iterations", MetricType::Counter);
    auto& busy = fs.family("sniperforge_lcore_busy_polls_total", "Poll-loop iterations that found work",
                           MetricType::Counter);
    auto& hb = fs.family("sniperforge_lcore_heartbeat_age_seconds",
                         "Seconds since the lcore last wrote its heartbeat (-1: never)", MetricType::Gauge);
    auto one = [&](uint32_t lcore, const char* role, const Counter& p, const Counter& b, const Counter& h) {
      Labels l{{"lcore", u(lcore)}, {"role", role}};
      add_value(polls, l, static_cast<double>(p.load()));
      add_value(busy, l, static_cast<double>(b.load()));
      const uint64_t t = h.load();
      add_value(hb, l, t == 0 ? -1.0 : (now > t ? static_cast<double>(now - t) / hz : 0.0));
    };
    for (const auto& r : src_.rx)
      if (r.stats) one(r.lcore, "rx", r.stats->polls, r.stats->busy_polls, r.stats->heartbeat_tsc);
    for (const auto& e : src_.executors)
      if (e.stats) one(e.lcore, "executor", e.stats->polls, e.stats->busy_polls, e.stats->heartbeat_tsc);
    auto& ratio = fs.family("sniperforge_lcore_busy_ratio", "Busy polls / polls over the last stats interval",
                            MetricType::Gauge);
    for (const auto& l : snap->lcores)
      add_value(ratio, {{"lcore", u(l.lcore)}, {"role", l.role}}, l.busy_ratio);
  }

  // ---- executors ----
  {
    auto& ev = fs.family("sniperforge_executor_events_total", "ITCH messages handed to the trading engines",
                         MetricType::Counter);
    auto& deq =
        fs.family("sniperforge_ring_dequeued_total", "Events dequeued by an executor", MetricType::Counter);
    auto& venue =
        fs.family("sniperforge_venue_messages_total", "Order-session messages received", MetricType::Counter);
    auto& sent = fs.family("sniperforge_orders_sent_total", "Orders handed to the TX queue, by side",
                           MetricType::Counter);
    auto& txp =
        fs.family("sniperforge_tx_packets_total", "Frames accepted by the TX queue", MetricType::Counter);
    auto& txu = fs.family("sniperforge_tx_unsent_total", "Frames the TX queue did not accept (freed)",
                          MetricType::Counter);
    auto* stale_ex = &fs.family("sniperforge_executor_books_stale", "Books of this executor currently stale",
                                MetricType::Gauge);
    auto& hist = fs.family("sniperforge_latency_seconds",
                           "Latency by stage: tick_to_trade, ring_hop, processing", MetricType::Histogram);
    std::array<MetricFamily*, 3> quant{};
    for (std::size_t q = 0; q < kQuantiles.size(); ++q)
      quant[q] = &fs.family(kQuantileFamilies[q], kQuantileHelp[q], MetricType::Gauge);
    const auto& bounds = latency_bucket_bounds_seconds();
    for (const auto& e : src_.executors) {
      if (e.stats == nullptr) continue;
      const ExecutorLcoreStats& s = *e.stats;
      const std::string lc = u(e.lcore);
      add_value(ev, {{"lcore", lc}}, static_cast<double>(s.events.load()));
      add_value(deq, {{"lcore", lc}}, static_cast<double>(s.ring_dequeued.load()));
      add_value(venue, {{"lcore", lc}}, static_cast<double>(s.venue_messages.load()));
      for (std::size_t side = 0; side < 2; ++side)
        add_value(sent, {{"lcore", lc}, {"side", std::string{kSides[side]}}},
                  static_cast<double>(s.orders_sent[side].load()));
      add_value(txp, {{"lcore", lc}}, static_cast<double>(s.tx_packets.load()));
      add_value(txu, {{"lcore", lc}}, static_cast<double>(s.tx_unsent.load()));
      add_value(*stale_ex, {{"lcore", lc}}, static_cast<double>(s.books_stale.load()));
      const std::pair<const char*, const LatencyHistogram*> stages[] = {
          {"tick_to_trade", &s.tick_to_trade}, {"ring_hop", &s.ring_hop}, {"processing", &s.processing}};
      for (const auto& [stage, h] : stages) {
        const HistogramSnapshot hs = h->snapshot();
        ClientMetric m;
        m.label = {{"lcore", lc}, {"stage", stage}};
        m.histogram.sample_count = hs.total();
        m.histogram.sample_sum = static_cast<double>(hs.sum) / hz;
        for (double b : bounds)
          m.histogram.bucket.push_back({hs.count_below(static_cast<uint64_t>(b * hz)), b});
        hist.metric.push_back(std::move(m));
        for (std::size_t q = 0; q < kQuantiles.size(); ++q)
          add_value(*quant[q], {{"lcore", lc}, {"stage", stage}},
                    static_cast<double>(hs.percentile(kQuantiles[q])) / hz);
      }
    }
  }

  // ---- logging ----
  {
    auto& rec = fs.family("sniperforge_log_records_total", "Binary log records pushed by an lcore",
                          MetricType::Counter);
    auto& ovf = fs.family("sniperforge_log_overflow_total",
                          "Binary log records lost because the ring was full", MetricType::Counter);
    for (const auto& l : src_.logs) {
      if (l.ring == nullptr) continue;
      Labels lb{{"lcore", u(l.lcore)}, {"role", l.role}};
      add_value(rec, lb, static_cast<double>(l.ring->pushed()));
      add_value(ovf, lb, static_cast<double>(l.ring->overflow()));
    }
  }

  // ---- NIC, mempools, rings (sampled by the stats thread) ----
  {
    auto& rxp = fs.family("sniperforge_nic_rx_packets_total", "rte_eth_stats ipackets", MetricType::Counter);
    auto& txp = fs.family("sniperforge_nic_tx_packets_total", "rte_eth_stats opackets", MetricType::Counter);
    auto& rxb = fs.family("sniperforge_nic_rx_bytes_total", "rte_eth_stats ibytes", MetricType::Counter);
    auto& txb = fs.family("sniperforge_nic_tx_bytes_total", "rte_eth_stats obytes", MetricType::Counter);
    auto& miss = fs.family("sniperforge_nic_rx_missed_total", "rte_eth_stats imissed (dropped by the NIC)",
                           MetricType::Counter);
    auto& rxe = fs.family("sniperforge_nic_rx_errors_total", "rte_eth_stats ierrors", MetricType::Counter);
    auto& txe = fs.family("sniperforge_nic_tx_errors_total", "rte_eth_stats oerrors", MetricType::Counter);
    auto& nob = fs.family("sniperforge_nic_rx_nombuf_total",
                          "rte_eth_stats rx_nombuf (mbuf allocation failures)", MetricType::Counter);
    auto& xs =
        fs.family("sniperforge_nic_xstat", "Driver extended statistics (rte_eth_xstats)", MetricType::Gauge);
    for (const auto& p : snap->ports) {
      Labels l{{"port", p.name}};
      add_value(rxp, l, static_cast<double>(p.ipackets));
      add_value(txp, l, static_cast<double>(p.opackets));
      add_value(rxb, l, static_cast<double>(p.ibytes));
      add_value(txb, l, static_cast<double>(p.obytes));
      add_value(miss, l, static_cast<double>(p.imissed));
      add_value(rxe, l, static_cast<double>(p.ierrors));
      add_value(txe, l, static_cast<double>(p.oerrors));
      add_value(nob, l, static_cast<double>(p.rx_nombuf));
      for (const auto& [name, v] : p.xstats)
        add_value(xs, {{"port", p.name}, {"name", name}}, static_cast<double>(v));
    }
    auto& inuse = fs.family("sniperforge_mempool_in_use", "Mempool objects in use", MetricType::Gauge);
    auto& avail = fs.family("sniperforge_mempool_available", "Mempool objects available", MetricType::Gauge);
    auto& cap = fs.family("sniperforge_mempool_capacity", "Mempool size in objects", MetricType::Gauge);
    for (const auto& m : snap->mempools) {
      add_value(inuse, {{"pool", m.name}}, static_cast<double>(m.in_use));
      add_value(avail, {{"pool", m.name}}, static_cast<double>(m.available));
      add_value(cap, {{"pool", m.name}}, static_cast<double>(m.capacity));
    }
    auto& occ = fs.family("sniperforge_ring_occupancy", "Ring entries in use (sampled)", MetricType::Gauge);
    auto& rcap = fs.family("sniperforge_ring_capacity", "Ring capacity in entries", MetricType::Gauge);
    auto& rhw = fs.family("sniperforge_ring_high_water", "Highest sampled ring occupancy since start",
                          MetricType::Gauge);
    for (const auto& r : snap->rings) {
      add_value(occ, {{"ring", r.name}}, static_cast<double>(r.count));
      add_value(rcap, {{"ring", r.name}}, static_cast<double>(r.capacity));
      add_value(rhw, {{"ring", r.name}}, static_cast<double>(r.high_water));
    }
  }

  // ---- trading ----
  std::vector<EngineStats> engines;
  if (src_.read_engines) src_.read_engines(engines);
  {
    auto& orders =
        fs.family("sniperforge_trade_orders_total", "Orders the engine emitted", MetricType::Counter);
    auto& fills = fs.family("sniperforge_trade_fills_total", "Executions received", MetricType::Counter);
    auto& shares = fs.family("sniperforge_trade_filled_shares_total", "Shares executed", MetricType::Counter);
    auto& open = fs.family("sniperforge_trade_open_orders", "Orders live at the venue", MetricType::Gauge);
    auto& kill =
        fs.family("sniperforge_trade_kill_switch", "1 when the kill switch is engaged", MetricType::Gauge);
    auto& stale = fs.family("sniperforge_books_stale", "Books currently marked stale", MetricType::Gauge);
    auto& rej = fs.family("sniperforge_trade_rejects_total", "Orders refused by the risk gate, by reason",
                          MetricType::Counter);
    auto& venue_bad =
        fs.family("sniperforge_trade_venue_check_failures_total",
                  "Venue responses refused by the order checks, by reason", MetricType::Counter);
    auto& venue_stop =
        fs.family("sniperforge_trade_venue_inconsistent",
                  "1 while a refused venue response keeps the shard from sending orders", MetricType::Gauge);
    auto& pos = fs.family("sniperforge_trade_position_shares", "Net position of a configured instrument",
                          MetricType::Gauge);
    auto& pnl =
        fs.family("sniperforge_trade_pnl_dollars", "P&L of a configured instrument", MetricType::Gauge);
    for (const auto& e : engines) {
      const std::string sh = u(e.shard);
      add_value(orders, {{"shard", sh}}, static_cast<double>(e.orders));
      add_value(fills, {{"shard", sh}}, static_cast<double>(e.fills));
      add_value(shares, {{"shard", sh}}, static_cast<double>(e.filled_shares));
      add_value(open, {{"shard", sh}}, static_cast<double>(e.open_orders));
      add_value(kill, {{"shard", sh}}, e.kill_switch ? 1 : 0);
      add_value(stale, {{"shard", sh}}, static_cast<double>(e.stale_books));
      for (const auto& [reason, n] : e.rejects)
        add_value(rej, {{"shard", sh}, {"reason", reason}}, static_cast<double>(n));
      for (const auto& [reason, n] : e.venue_check_failures)
        add_value(venue_bad, {{"shard", sh}, {"reason", reason}}, static_cast<double>(n));
      add_value(venue_stop, {{"shard", sh}}, e.venue_inconsistent ? 1 : 0);
      for (const auto& i : e.instruments) {
        add_value(pos, {{"shard", sh}, {"symbol", i.symbol}}, static_cast<double>(i.position));
        add_value(pnl, {{"shard", sh}, {"symbol", i.symbol}}, i.pnl_dollars);
      }
    }
    if (src_.order_session_state) {
      const int s = src_.order_session_state();
      if (s >= 0)
        add_value(
            fs.family("sniperforge_order_session_up", "1 when the order session is up", MetricType::Gauge),
            {}, s);
    }
  }

  // ---- anomalies, health ----
  {
    auto& an =
        fs.family("sniperforge_anomaly", "1 while an anomaly episode is active, by kind", MetricType::Gauge);
    auto& z =
        fs.family("sniperforge_anomaly_zscore", "Last z-score of the series, by kind", MetricType::Gauge);
    auto& ep = fs.family("sniperforge_anomaly_episodes_total", "Anomaly episodes started, by kind",
                         MetricType::Counter);
    for (std::size_t k = 0; k < kAnomalyKindCount; ++k) {
      Labels l{{"kind", std::string{kAnomalyKindNames[k]}}};
      add_value(an, l, snap->anomalies[k].active ? 1 : 0);
      add_value(z, l, snap->anomalies[k].z);
      add_value(ep, l, static_cast<double>(snap->anomalies[k].episodes));
    }
    const Status h = evaluate_health(src_, cfg_, now);
    const Status r = evaluate_ready(src_, cfg_, now, engines);
    add_value(fs.family("sniperforge_health_ok", "1 when /health answers 200", MetricType::Gauge), {},
              h.ok ? 1 : 0);
    add_value(fs.family("sniperforge_ready", "1 when /ready answers 200", MetricType::Gauge), {},
              r.ok ? 1 : 0);
  }

  // Drop families without samples: they only add noise to the exposition.
  std::vector<MetricFamily> out = fs.take();
  std::erase_if(out, [](const MetricFamily& f) { return f.metric.empty(); });
  return out;
}

std::string serialize_text(const prometheus::Collectable& c) {
  std::ostringstream os;
  prometheus::TextSerializer{}.Serialize(os, c.Collect());
  return os.str();
}

}  // namespace sf::telemetry
