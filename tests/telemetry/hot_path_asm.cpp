// The data-plane entry points of the telemetry primitives, compiled with the project's flags into
// their own archive so that telemetry_hot_path can inspect the generated code with objdump.
#include "sniperforge/telemetry/lcore_stats.hpp"
#include "sniperforge/telemetry/log_ring.hpp"

using namespace sf::telemetry;

extern "C" {
void sf_hot_counter_add(sf::Counter& c, uint64_t n) {
  c.add(n);
}
void sf_hot_counter_max(sf::Counter& c, uint64_t n) {
  c.max(n);
}
void sf_hot_histogram_record(LatencyHistogram& h, uint64_t v) {
  h.record(v);
}
void sf_hot_rx_count_message(RxLcoreStats& s, char type) {
  s.count_message(type);
}
void sf_hot_rx_count_drop(RxLcoreStats& s, FeedDropReason r) {
  s.count_drop(r);
}
void sf_hot_executor_count_order(ExecutorLcoreStats& s, Side side) {
  s.count_order(side);
}
void sf_hot_shared_set_i64(sf::Shared<int64_t>& v, int64_t x) {
  v.set(x);
}
void sf_hot_shared_set_bool(sf::Shared<bool>& v, bool x) {
  v.set(x);
}
bool sf_hot_log_push(LogRing& r, uint64_t tsc, uint64_t a, uint64_t b, uint64_t c) {
  return r.push(tsc, LogCode::kSeqGap, a, b, c);
}
}
