// The /metrics families, one function per group (metric_families.hpp), in the order Collect() calls them.
#include "metric_families.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <string_view>

#include "sniperforge/telemetry/control_stats.hpp"
#include "sniperforge/telemetry/stat_tables.hpp"

namespace sf::telemetry::families {
namespace {

// One lcore's samples of every row of a descriptor table (stat_tables.hpp), each with `labels` ({lcore}; none
// for the control plane's table).
template <class Stats>
void add_rows(Families& fs, std::span<const StatDesc<Stats>> table, const Labels& labels, const Stats& s,
              std::size_t executor_count) {
  for (const StatDesc<Stats>& d : table) {
    MetricFamily& f = fs.family(std::string{d.metric}, std::string{d.help},
                                d.kind == StatKind::kCounter ? MetricType::Counter : MetricType::Gauge);
    Labels base = labels;
    if (!d.role.empty()) base.push_back({std::string{d.role_label}, std::string{d.role}});
    if (!d.is_array()) {
      add_value(f, base, static_cast<double>(d.read(s, 0)));
      continue;
    }
    const std::size_t n = d.which == Slots::kPerExecutor ? std::min(d.slots, executor_count) : d.slots;
    for (std::size_t i = 0; i < n; ++i) {
      Labels l = base;
      l.push_back({std::string{d.label}, std::string{d.slot_name(i)}});
      add_value(f, std::move(l), static_cast<double>(d.read(s, i)));
    }
  }
}
// A TSC-tick histogram as a Prometheus one in seconds: cumulative counts at each bound (seconds).
void add_histogram(MetricFamily& f, Labels labels, const HistogramSnapshot& hs,
                   const std::vector<double>& bounds, double hz) {
  ClientMetric m;
  m.label = std::move(labels);
  m.histogram.sample_count = hs.total();
  m.histogram.sample_sum = static_cast<double>(hs.sum) / hz;
  for (double b : bounds) m.histogram.bucket.push_back({hs.count_below(static_cast<uint64_t>(b * hz)), b});
  f.metric.push_back(std::move(m));
}

constexpr std::array<double, 3> kQuantiles = {0.5, 0.99, 0.999};
constexpr std::array<const char*, 3> kQuantileFamilies = {
    "sniperforge_latency_p50_seconds", "sniperforge_latency_p99_seconds", "sniperforge_latency_p999_seconds"};
constexpr std::array<const char*, 3> kQuantileHelp = {"Median latency since start, by stage",
                                                      "99th percentile latency since start, by stage",
                                                      "99.9th percentile latency since start, by stage"};

}  // namespace

// Build, uptime, start time, scrapes, the configured SLO.
void add_process_families(Families& fs, const ProcessInfo& p) {
  auto& f = fs.family("sniperforge_build_info", "Build of the running binary (value is always 1)",
                      MetricType::Gauge);
  add_value(f,
            {{"version", p.build.version},
             {"compiler", p.build.compiler},
             {"buildtype", p.build.buildtype},
             {"dpdk", p.build.dpdk}},
            1);
  add_value(
      fs.family("sniperforge_uptime_seconds", "Seconds since the telemetry side started", MetricType::Gauge),
      {}, p.uptime_seconds);
  add_value(
      fs.family("sniperforge_start_time_seconds", "Unix time the telemetry side started", MetricType::Gauge),
      {}, p.start_unix_seconds);
  add_value(fs.family("sniperforge_scrapes_total", "Scrapes of /metrics served", MetricType::Counter), {},
            static_cast<double>(p.scrapes));
  add_value(
      fs.family("sniperforge_latency_slo_seconds", "Configured tick-to-trade p99 SLO", MetricType::Gauge), {},
      p.latency_slo_us * 1e-6);
}

// Every row of the per-lcore descriptor tables, and what is derived from them: feed and heartbeat ages,
// busy ratios.
void add_lcore_families(Families& fs, const TelemetrySources& src, const SystemSnapshot& snap, uint64_t now,
                        double hz) {
  for (const auto& r : src.rx)
    if (r.stats) add_rows(fs, rx_stat_descs(), {{"lcore", u(r.lcore)}}, *r.stats, src.executors.size());
  for (const auto& e : src.executors)
    if (e.stats) add_rows(fs, executor_stat_descs(), {{"lcore", u(e.lcore)}}, *e.stats, src.executors.size());
  // The control plane's (one writer, the control socket's thread; no lcore label).
  if (src.control) add_rows(fs, control_stat_descs(), {}, *src.control, 0);
  auto& age = fs.family("sniperforge_feed_last_packet_age_seconds",
                        "Seconds since the last valid feed packet (-1: none yet)", MetricType::Gauge);
  for (const auto& r : src.rx) {
    if (r.stats == nullptr) continue;
    const uint64_t last = r.stats->last_feed_tsc.load();
    add_value(age, {{"lcore", u(r.lcore)}},
              last == 0 ? -1.0 : (now > last ? static_cast<double>(now - last) / hz : 0.0));
  }
  auto& hb = fs.family("sniperforge_lcore_heartbeat_age_seconds",
                       "Seconds since the lcore last wrote its heartbeat (-1: never)", MetricType::Gauge);
  auto beat = [&](uint32_t lcore, const char* role, const Counter& h) {
    const uint64_t t = h.load();
    add_value(hb, {{"lcore", u(lcore)}, {"role", role}},
              t == 0 ? -1.0 : (now > t ? static_cast<double>(now - t) / hz : 0.0));
  };
  for (const auto& r : src.rx)
    if (r.stats) beat(r.lcore, "rx", r.stats->heartbeat_tsc);
  for (const auto& e : src.executors)
    if (e.stats) beat(e.lcore, "executor", e.stats->heartbeat_tsc);
  auto& ratio = fs.family("sniperforge_lcore_busy_ratio", "Busy polls / polls over the last stats interval",
                          MetricType::Gauge);
  for (const auto& l : snap.lcores) add_value(ratio, {{"lcore", u(l.lcore)}, {"role", l.role}}, l.busy_ratio);
}

// The executors' latency histograms by stage, and their p50/p99/p999.
void add_latency_families(Families& fs, const TelemetrySources& src, double hz) {
  auto& hist = fs.family("sniperforge_latency_seconds",
                         "Latency by stage: tick_to_trade, ring_hop, processing", MetricType::Histogram);
  std::array<MetricFamily*, 3> quant{};
  for (std::size_t q = 0; q < kQuantiles.size(); ++q)
    quant[q] = &fs.family(kQuantileFamilies[q], kQuantileHelp[q], MetricType::Gauge);
  const auto& bounds = latency_bucket_bounds_seconds();
  for (const auto& e : src.executors) {
    if (e.stats == nullptr) continue;
    const ExecutorLcoreStats& s = *e.stats;
    const std::string lc = u(e.lcore);
    const std::pair<const char*, const LatencyHistogram*> stages[] = {
        {"tick_to_trade", &s.tick_to_trade}, {"ring_hop", &s.ring_hop}, {"processing", &s.processing}};
    for (const auto& [stage, h] : stages) {
      const HistogramSnapshot hs = h->snapshot();
      add_histogram(hist, {{"lcore", lc}, {"stage", stage}}, hs, bounds, hz);
      for (std::size_t q = 0; q < kQuantiles.size(); ++q)
        add_value(*quant[q], {{"lcore", lc}, {"stage", stage}},
                  static_cast<double>(hs.percentile(kQuantiles[q])) / hz);
    }
  }
}

// Feed recovery time per gap, and of the GLIMPSE fallback ([feed.rewind], [feed.snapshot]; #12).
void add_feed_recovery_families(Families& fs, const TelemetrySources& src, double hz) {
  static const std::vector<double> bounds = [] {  // 100 us .. 10 s: a round trip per request
    std::vector<double> v;
    for (double decade = 1e-4; decade < 5; decade *= 10)
      for (double m : {1.0, 2.0, 5.0}) v.push_back(decade * m);
    v.push_back(10);
    return v;
  }();
  struct Family {
    const char* name;
    const char* help;
    LatencyHistogram FeedRecoveryStats::*field;
  };
  for (const Family& f :
       {Family{"sniperforge_feed_recovery_seconds",
               "Time from a feed gap to the last held message applied after re-request",
               &FeedRecoveryStats::recovery_time},
        Family{
            "sniperforge_feed_snapshot_fallback_seconds",
            "Time from a failed re-request recovery to the GLIMPSE snapshot's books handed to the executors",
            &FeedRecoveryStats::snapshot_time}}) {
    auto& hist = fs.family(f.name, f.help, MetricType::Histogram);
    for (const auto& r : src.rx) {
      if (r.stats == nullptr) continue;
      const HistogramSnapshot hs = (r.stats->recovery.*f.field).snapshot();
      add_histogram(hist, {{"lcore", u(r.lcore)}}, hs, bounds, hz);
    }
  }
}

// The lcores' binary log rings.
void add_log_families(Families& fs, const TelemetrySources& src) {
  auto& rec = fs.family("sniperforge_log_records_total", "Binary log records pushed by an lcore",
                        MetricType::Counter);
  auto& ovf = fs.family("sniperforge_log_overflow_total", "Binary log records lost because the ring was full",
                        MetricType::Counter);
  for (const auto& l : src.logs) {
    if (l.ring == nullptr) continue;
    Labels lb{{"lcore", u(l.lcore)}, {"role", l.role}};
    add_value(rec, lb, static_cast<double>(l.ring->pushed()));
    add_value(ovf, lb, static_cast<double>(l.ring->overflow()));
  }
}

// NIC, mempools, rings, as the stats thread sampled them.
void add_device_families(Families& fs, const SystemSnapshot& snap) {
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
  for (const auto& p : snap.ports) {
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
  for (const auto& m : snap.mempools) {
    add_value(inuse, {{"pool", m.name}}, static_cast<double>(m.in_use));
    add_value(avail, {{"pool", m.name}}, static_cast<double>(m.available));
    add_value(cap, {{"pool", m.name}}, static_cast<double>(m.capacity));
  }
  auto& occ = fs.family("sniperforge_ring_occupancy", "Ring entries in use (sampled)", MetricType::Gauge);
  auto& rcap = fs.family("sniperforge_ring_capacity", "Ring capacity in entries", MetricType::Gauge);
  auto& rhw = fs.family("sniperforge_ring_high_water", "Highest sampled ring occupancy since start",
                        MetricType::Gauge);
  for (const auto& r : snap.rings) {
    add_value(occ, {{"ring", r.name}}, static_cast<double>(r.count));
    add_value(rcap, {{"ring", r.name}}, static_cast<double>(r.capacity));
    add_value(rhw, {{"ring", r.name}}, static_cast<double>(r.high_water));
  }
}

// The engines' orders, fills, limits, rejects, positions and P&L; the order session.
void add_trading_families(Families& fs, const TelemetrySources& src,
                          const std::vector<EngineStats>& engines) {
  auto& orders =
      fs.family("sniperforge_trade_orders_total", "Orders the engine emitted", MetricType::Counter);
  auto& fills = fs.family("sniperforge_trade_fills_total", "Executions received", MetricType::Counter);
  auto& shares = fs.family("sniperforge_trade_filled_shares_total", "Shares executed", MetricType::Counter);
  auto& open = fs.family("sniperforge_trade_open_orders", "Orders live at the venue", MetricType::Gauge);
  auto& kill =
      fs.family("sniperforge_trade_kill_switch", "1 when the kill switch is engaged", MetricType::Gauge);
  auto& tstate = fs.family("sniperforge_trade_state",
                           "Trading state set by sf-ctl: 0 active, 1 reducing, 2 halted", MetricType::Gauge);
  auto& usage = fs.family("sniperforge_trade_limit_usage",
                          "Share of a risk limit in use: gross_notional per shard (of max_gross_notional), "
                          "position per symbol (of max_position)",
                          MetricType::Gauge);
  auto& stale = fs.family("sniperforge_books_stale", "Books currently marked stale", MetricType::Gauge);
  auto& rej = fs.family("sniperforge_trade_rejects_total", "Orders refused by the risk gate, by reason",
                        MetricType::Counter);
  auto& book_drops = fs.family("sniperforge_book_drops_total",
                               "Book messages not applied (capacity, unknown references, ...), by reason",
                               MetricType::Counter);
  auto& venue_bad = fs.family("sniperforge_trade_venue_check_failures_total",
                              "Venue responses refused by the order checks, by reason", MetricType::Counter);
  auto& venue_stop =
      fs.family("sniperforge_trade_venue_inconsistent",
                "1 while a refused venue response keeps the shard from sending orders", MetricType::Gauge);
  auto& pos = fs.family("sniperforge_trade_position_shares", "Net position of a configured instrument",
                        MetricType::Gauge);
  auto& pnl = fs.family("sniperforge_trade_pnl_dollars", "P&L of a configured instrument", MetricType::Gauge);
  auto& realized = fs.family("sniperforge_trade_realized_pnl_dollars",
                             "Realized P&L (average cost) of a configured instrument", MetricType::Gauge);
  for (const auto& e : engines) {
    const std::string sh = u(e.shard);
    add_value(orders, {{"shard", sh}}, static_cast<double>(e.orders));
    add_value(fills, {{"shard", sh}}, static_cast<double>(e.fills));
    add_value(shares, {{"shard", sh}}, static_cast<double>(e.filled_shares));
    add_value(open, {{"shard", sh}}, static_cast<double>(e.open_orders));
    add_value(kill, {{"shard", sh}}, e.kill_switch ? 1 : 0);
    add_value(tstate, {{"shard", sh}}, e.trading_state);
    add_value(usage, {{"shard", sh}, {"limit", "gross_notional"}}, e.gross_notional_usage);
    add_value(stale, {{"shard", sh}}, static_cast<double>(e.stale_books));
    for (const auto& [reason, n] : e.book_drops)
      add_value(book_drops, {{"shard", sh}, {"reason", reason}}, static_cast<double>(n));
    for (const auto& [reason, n] : e.rejects)
      add_value(rej, {{"shard", sh}, {"reason", reason}}, static_cast<double>(n));
    for (const auto& [reason, n] : e.venue_check_failures)
      add_value(venue_bad, {{"shard", sh}, {"reason", reason}}, static_cast<double>(n));
    add_value(venue_stop, {{"shard", sh}}, e.venue_inconsistent ? 1 : 0);
    for (const auto& i : e.instruments) {
      add_value(pos, {{"shard", sh}, {"symbol", i.symbol}}, static_cast<double>(i.position));
      add_value(pnl, {{"shard", sh}, {"symbol", i.symbol}}, i.pnl_dollars);
      add_value(realized, {{"shard", sh}, {"symbol", i.symbol}}, i.realized_pnl_dollars);
      add_value(usage, {{"shard", sh}, {"symbol", i.symbol}, {"limit", "position"}}, i.position_usage);
    }
  }
  if (src.order_session_state) {
    const int s = src.order_session_state();
    if (s >= 0)
      add_value(
          fs.family("sniperforge_order_session_up", "1 when the order session is up", MetricType::Gauge), {},
          s);
  }
}

// The SoupBinTCP sessions, one sample per shard and row of session_row_table() (session_rows.hpp).
void add_session_families(Families& fs, const std::vector<SessionRow>& rows) {
  for (const SessionRowDesc& d : session_row_table()) {
    MetricFamily* f = nullptr;
    for (const SessionRow& r : rows) {
      if (f == nullptr)
        f = &fs.family(std::string{d.metric}, std::string{d.help},
                       d.kind == StatKind::kCounter ? MetricType::Counter : MetricType::Gauge);
      add_value(*f, {{"shard", u(r.shard)}, {"user", r.user}}, static_cast<double>(d.read(r)));
    }
  }
}

// Anomaly episodes by kind.
void add_anomaly_families(Families& fs, const SystemSnapshot& snap) {
  auto& an =
      fs.family("sniperforge_anomaly", "1 while an anomaly episode is active, by kind", MetricType::Gauge);
  auto& z = fs.family("sniperforge_anomaly_zscore", "Last z-score of the series, by kind", MetricType::Gauge);
  auto& ep = fs.family("sniperforge_anomaly_episodes_total", "Anomaly episodes started, by kind",
                       MetricType::Counter);
  for (std::size_t k = 0; k < kAnomalyKindCount; ++k) {
    Labels l{{"kind", std::string{kAnomalyKindNames[k]}}};
    add_value(an, l, snap.anomalies[k].active ? 1 : 0);
    add_value(z, l, snap.anomalies[k].z);
    add_value(ep, l, static_cast<double>(snap.anomalies[k].episodes));
  }
}

}  // namespace sf::telemetry::families
