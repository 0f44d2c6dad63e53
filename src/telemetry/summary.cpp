#include "sniperforge/telemetry/summary.hpp"

#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace sf::telemetry {
namespace {

// Counter lookup that remembers which keys the named lines used.
class Shown {
 public:
  explicit Shown(const CounterList& c) {
    for (const auto& [k, v] : c) values_[k] = v;
  }
  uint64_t operator[](const std::string& k) {
    used_.insert(k);
    const auto it = values_.find(k);
    return it == values_.end() ? 0 : it->second;
  }
  // "a=1, b=2" of the non-zero keys starting with `prefix` (prefix removed); marks them used.
  std::string list(const std::string& prefix) {
    std::string out;
    for (const auto& [k, v] : values_) {
      if (k.rfind(prefix, 0) != 0) continue;
      used_.insert(k);
      if (v) out += (out.empty() ? "" : ", ") + k.substr(prefix.size()) + "=" + std::to_string(v);
    }
    return out;
  }
  std::string rest() const {
    std::string out;
    for (const auto& [k, v] : values_)
      if (v && !used_.count(k)) out += (out.empty() ? "" : ", ") + k + "=" + std::to_string(v);
    return out;
  }

 private:
  std::map<std::string, uint64_t> values_;
  std::set<std::string> used_;
};

void latency_lines(std::ostringstream& o, const SummaryLatency& l, bool replay) {
  auto ns = [&](const HistogramSnapshot& h, double q) {
    return static_cast<double>(h.percentile(q)) * 1e9 / l.tsc_hz;
  };
  char buf[400];
  const HistogramSnapshot& t2t = l.tick_to_trade;
  if (t2t.total()) {
    std::snprintf(buf, sizeof buf, "tick-to-trade: p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns over %lu orders\n",
                  ns(t2t, 0.5), ns(t2t, 0.99), ns(t2t, 0.999), static_cast<unsigned long>(t2t.total()));
    o << buf;
  } else {
    o << "tick-to-trade: no orders sent\n";
  }
  // What the figure above includes: the wait behind earlier events, not only the work on the order.
  std::snprintf(
      buf, sizeof buf,
      "               (RX burst TSC -> rte_eth_tx_burst: includes the wait in the ring behind earlier "
      "events%s; ring hop p50 %.0f ns, p99 %.0f ns)\n",
      replay ? ", i.e. the backlog of a pcap read faster than the executor" : "", ns(l.ring_hop, 0.5),
      ns(l.ring_hop, 0.99));
  o << buf;
  if (l.processing.total()) {
    std::snprintf(
        buf, sizeof buf,
        "processing:    p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns per ITCH event, executor only (engine + "
        "order build, 1 event in %u timed: %lu samples)\n",
        ns(l.processing, 0.5), ns(l.processing, 0.99), ns(l.processing, 0.999), l.processing_sample_every,
        static_cast<unsigned long>(l.processing.total()));
    o << buf;
  }
}

}  // namespace

std::string format_summary(const CounterList& counters, const SummaryLatency& latency, bool replay) {
  Shown c(counters);
  std::ostringstream o;
  o << "packets:       " << c["packets"] << " received (" << c["bytes"] << " bytes), " << c["feed_packets"]
    << " valid feed packets (" << c["heartbeats"] << " heartbeat/end-of-session)\n";
  o << "messages:      " << c["messages"] << " ITCH messages; " << c["ring_enqueued"] << " events enqueued, "
    << c["ring_dropped_full"] << " dropped on full rings\n";
  o << "sequence:      " << c["gaps"] << " gaps (" << c["gap_messages"] << " messages missing), "
    << c["duplicate_packets"] << " duplicate and " << c["late_packets"]
    << " late packets; books marked stale " << c["books_marked_stale"] << " time(s)\n";
  const std::string dr = c.list("drop_");
  o << "dropped:       " << (dr.empty() ? "none" : dr) << "\n";
  o << "books:         " << c["book_instruments"] << " instruments with orders over " << c["shards"]
    << " shard(s), " << c["executors"] << " executor(s)\n";
  // Book messages not applied (capacity, unknown references, ...); capacity losses leave their book stale.
  const std::string bd = c.list("book_drop_");
  o << "book drops:    " << (bd.empty() ? "none" : bd);
  (void)c["book_drops"];
  if (const uint64_t cs = c["books_capacity_stale"]) o << "; " << cs << " book(s) stale (capacity)";
  o << "\n";
  const uint64_t buy = c["orders_buy"], sell = c["orders_sell"];
  o << "orders:        " << buy + sell << " sent by the engines (" << buy << " buy, " << sell << " sell); "
    << c["tx_packets"] << " frames transmitted, " << c["tx_unsent"] << " unsent, " << c["mbuf_alloc_failed"]
    << " mbuf failures\n";
  const std::string rj = c.list("reject_");
  o << "rejected:      " << (rj.empty() ? "none" : rj) << "\n";
  if (const uint64_t m = c["misrouted"])
    o << "misrouted:     " << m << " events reached an executor without their shard\n";
  latency_lines(o, latency, replay);
  if (const std::string rest = c.rest(); !rest.empty()) o << "also:          " << rest << "\n";
  return o.str();
}

}  // namespace sf::telemetry
