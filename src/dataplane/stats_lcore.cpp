#include "sniperforge/dataplane/stats_lcore.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_telemetry.h>

#include <atomic>
#include <mutex>

#include "sniperforge/book/dump.hpp"
#include "sniperforge/dataplane/trade_adapter.hpp"
#include "sniperforge/telemetry/health.hpp"
#include "sniperforge/telemetry/stat_tables.hpp"
#include "sniperforge/trade/engine.hpp"

namespace sf::dataplane {
// The stats lcore feeds the telemetry layer's types throughout.
using namespace sf::telemetry;

namespace {

// rte_telemetry callbacks carry no user pointer: the running instance is global (one per process).
std::atomic<const StatsLcore*> g_active{nullptr};

int stats_cmd(const char*, const char*, rte_tel_data* d) {
  const StatsLcore* s = g_active.load(std::memory_order_acquire);
  if (s == nullptr) return -1;
  s->fill_stats(d);
  return 0;
}

int books_cmd(const char*, const char* params, rte_tel_data* d) {
  const StatsLcore* s = g_active.load(std::memory_order_acquire);
  if (s == nullptr) return -1;
  s->fill_books(d, params != nullptr ? std::string_view{params} : std::string_view{});
  return 0;
}

// rte_telemetry_register_cmd refuses help texts of RTE_TEL_MAX_STRING_LEN or more.
constexpr std::string_view kStatsHelp =
    "SniperForge feed, ring, executor and health counters. No parameters.";
constexpr std::string_view kBooksHelp =
    "SniperForge top of book per instrument. Parameter: symbol prefix (a reply holds ~190 books).";
static_assert(kStatsHelp.size() < RTE_TEL_MAX_STRING_LEN && kBooksHelp.size() < RTE_TEL_MAX_STRING_LEN);

void register_commands_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    rte_telemetry_register_cmd("/sniperforge/stats", stats_cmd, kStatsHelp.data());
    rte_telemetry_register_cmd("/sniperforge/books", books_cmd, kBooksHelp.data());
  });
}

}  // namespace

StatsLcore::StatsLcore(Inputs in) : in_(std::move(in)) {
  TelemetrySources src;
  src.rx = in_.rx;
  src.executors = in_.executors;
  src.logs = in_.logs;
  src.now_tsc = [] { return rte_rdtsc(); };
  src.tsc_hz = static_cast<double>(rte_get_tsc_hz());
  if (!in_.engines.empty()) {
    auto engines = in_.engines;
    src.read_engines = [engines](std::vector<EngineStats>& out) { read_engine_stats(engines, out); };
  }
  src.order_session_state = in_.order_session_state;
  src.read_sessions = in_.read_sessions;
  src.journal = in_.journal;
  src.control = in_.control;

  xstat_names_.resize(in_.ports.size());
  for (std::size_t i = 0; i < in_.ports.size(); ++i) {
    const uint16_t port = in_.ports[i].first;
    const int n = rte_eth_xstats_get_names(port, nullptr, 0);
    if (n <= 0) continue;
    std::vector<rte_eth_xstat_name> names(static_cast<std::size_t>(n));
    const int got = rte_eth_xstats_get_names(port, names.data(), static_cast<unsigned>(n));
    for (int k = 0; k < got && k < n; ++k)
      xstat_names_[i].emplace_back(names[static_cast<std::size_t>(k)].name);
  }
  service_ =
      std::make_unique<StatsService>(std::move(src), in_.config, [this](SystemSnapshot& s) { sample(s); });
}

StatsLcore::~StatsLcore() {
  stop();
}

void StatsLcore::start() {
  service_->start();
  if (in_.register_dpdk_telemetry) {
    register_commands_once();
    g_active.store(this, std::memory_order_release);
  }
}

void StatsLcore::stop() {
  const StatsLcore* self = this;
  g_active.compare_exchange_strong(self, nullptr);
  if (service_) service_->stop();
}

uint16_t StatsLcore::metrics_port() const noexcept {
  return service_ ? service_->metrics_port() : 0;
}

void StatsLcore::sample(SystemSnapshot& s) {
  for (std::size_t i = 0; i < in_.ports.size(); ++i) {
    const auto& [port, name] = in_.ports[i];
    PortStats p;
    p.port_id = port;
    p.name = name;
    rte_eth_stats st{};
    if (rte_eth_stats_get(port, &st) == 0) {
      p.ipackets = st.ipackets;
      p.opackets = st.opackets;
      p.ibytes = st.ibytes;
      p.obytes = st.obytes;
      p.imissed = st.imissed;
      p.ierrors = st.ierrors;
      p.oerrors = st.oerrors;
      p.rx_nombuf = st.rx_nombuf;
    }
    const auto& names = xstat_names_[i];
    if (!names.empty()) {
      std::vector<rte_eth_xstat> xs(names.size());
      const int got = rte_eth_xstats_get(port, xs.data(), static_cast<unsigned>(xs.size()));
      for (int k = 0; k < got && static_cast<std::size_t>(k) < xs.size(); ++k) {
        const uint64_t id = xs[static_cast<std::size_t>(k)].id;
        if (id < names.size()) p.xstats.emplace_back(names[id], xs[static_cast<std::size_t>(k)].value);
      }
    }
    s.ports.push_back(std::move(p));
  }
  for (const auto& [name, mp] : in_.mempools) {
    if (mp == nullptr) continue;
    s.mempools.push_back({name, rte_mempool_in_use_count(mp), rte_mempool_avail_count(mp), mp->size});
  }
  for (const auto& [name, r] : in_.rings) {
    if (r == nullptr) continue;
    s.rings.push_back({name, rte_ring_count(r), rte_ring_get_capacity(r), 0});
  }
}

void StatsLcore::fill_stats(rte_tel_data* d) const {
  rte_tel_data_start_dict(d);
  std::vector<const RxLcoreStats*> rx;
  std::vector<const ExecutorLcoreStats*> ex;
  for (const auto& r : in_.rx) rx.push_back(r.stats);
  for (const auto& e : in_.executors) ex.push_back(e.stats);
  CounterList counters;
  add_lcore_counters(rx, ex, in_.executors.size(), counters);
  // The command's documented top-level names (docs/observability.md), each one a descriptor key.
  static constexpr std::pair<const char*, std::string_view> kTopLevel[] = {
      {"feed_packets", "packets"},
      {"feed_bytes", "bytes"},
      {"feed_messages", "messages"},
      {"feed_gaps", "gaps"},
      {"feed_gap_messages", "gap_messages"},
      {"feed_duplicate_packets", "duplicate_packets"},
      {"feed_drops", "drops"},
      {"ring_dropped_full", "ring_dropped_full"},
      {"executor_events", "executor_events"},
      {"orders_sent_buy", "orders_buy"},
      {"orders_sent_sell", "orders_sell"},
      {"tx_unsent", "tx_unsent"},
  };
  for (const auto& [name, key] : kTopLevel)
    for (const auto& [k, v] : counters)
      if (k == key) rte_tel_data_add_dict_u64(d, name, v);
  // Every descriptor row, under the names of --stats-file.
  if (rte_tel_data* all = rte_tel_data_alloc()) {
    rte_tel_data_start_dict(all);
    for (const auto& [k, v] : counters) rte_tel_data_add_dict_u64(all, k.c_str(), v);
    if (rte_tel_data_add_dict_container(d, "counters", all, 0) != 0) rte_tel_data_free(all);
  }
  const Status h = service_->collector().health();
  const Status r = service_->collector().ready();
  rte_tel_data_add_dict_int(d, "healthy", h.ok ? 1 : 0);
  rte_tel_data_add_dict_int(d, "ready", r.ok ? 1 : 0);
  rte_tel_data_add_dict_string(d, "health_reason", h.ok ? "" : h.reason.substr(0, 120).c_str());
  rte_tel_data_add_dict_string(d, "ready_reason", r.ok ? "" : r.reason.substr(0, 120).c_str());
  rte_tel_data_add_dict_u64(d, "metrics_port", metrics_port());
}

void StatsLcore::fill_books(rte_tel_data* d, std::string_view symbol_prefix) const {
  rte_tel_data_start_dict(d);
  std::vector<book::BookRow> rows;
  if (in_.read_books) {
    in_.read_books(rows);
  } else {
    for (const trade::Engine* e : in_.engines)
      if (e != nullptr) e->dump_rows(rows);
  }
  book::sort_book_rows(rows);
  std::size_t n = 0;
  for (const auto& row : rows) {
    if (!std::string_view{row.symbol}.starts_with(symbol_prefix)) continue;
    if (++n > RTE_TEL_MAX_DICT_ENTRIES) break;  // the telemetry dict is bounded
    rte_tel_data* b = rte_tel_data_alloc();
    if (b == nullptr) break;
    rte_tel_data_start_dict(b);
    rte_tel_data_add_dict_u64(b, "bid_px", row.bid_px);
    rte_tel_data_add_dict_u64(b, "bid_qty", row.bid_qty);
    rte_tel_data_add_dict_u64(b, "ask_px", row.ask_px);
    rte_tel_data_add_dict_u64(b, "ask_qty", row.ask_qty);
    rte_tel_data_add_dict_u64(b, "orders", row.orders);
    if (rte_tel_data_add_dict_container(d, row.symbol.c_str(), b, 0) != 0) rte_tel_data_free(b);
  }
}

}  // namespace sf::dataplane
