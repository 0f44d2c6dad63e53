#include "sniperforge/sim/config.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sf::sim {

namespace {

constexpr int64_t kMaxNs = 3'600'000'000'000;  // an hour: anything longer is a typo

struct Reader {
  const toml::table& t;
  std::vector<std::string>& errors;
  void fail(std::string_view key, const std::string& why) {
    errors.push_back("backtest." + std::string(key) + ": " + why);
  }
  void ns(std::string_view key, uint64_t& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const auto v = n->value<int64_t>();
    if (!n->is_integer() || !v || *v < 0 || *v > kMaxNs)
      return fail(key, "must be an integer 0..3.6e12 (ns)");
    out = static_cast<uint64_t>(*v);
  }
  void histogram(std::string_view key, LatencyModel& out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    const toml::table* h = n->as_table();
    if (h == nullptr) return fail(key, "must be a table { bounds_ns = [...], counts = [...] }");
    for (auto&& [k, v] : *h)
      if (k.str() != "bounds_ns" && k.str() != "counts")
        return fail(key, "unknown key '" + std::string(k.str()) + "'");
    auto ints = [&](std::string_view name, std::vector<uint64_t>& dst) {
      const toml::array* a = h->get_as<toml::array>(name);
      if (a == nullptr || a->empty())
        return fail(key, std::string(name) + " must be a non-empty integer array");
      for (const toml::node& e : *a) {
        const auto v = e.value<int64_t>();
        if (!e.is_integer() || !v || *v < 0 || *v > kMaxNs)
          return fail(key, std::string(name) + " must hold integers 0..3.6e12");
        dst.push_back(static_cast<uint64_t>(*v));
      }
    };
    ints("bounds_ns", out.bounds_ns);
    ints("counts", out.counts);
    if (const char* why = out.invalid()) fail(key, why);
  }
};

}  // namespace

BacktestConfig parse_backtest_config(const toml::table& root, std::vector<std::string>& errors) {
  BacktestConfig cfg;
  const toml::node* node = root.get("backtest");
  if (node == nullptr) return cfg;
  const toml::table* t = node->as_table();
  if (t == nullptr) {
    errors.push_back("backtest: must be a table");
    return cfg;
  }
  static constexpr std::string_view kKeys[] = {"seed",
                                               "tick_to_trade_ns",
                                               "order_latency_ns",
                                               "order_latency_histogram",
                                               "response_latency_ns",
                                               "response_latency_histogram",
                                               "fee_per_share",
                                               "pnl_interval_ns",
                                               "fill_model"};
  for (auto&& [k, v] : *t)
    if (std::find(std::begin(kKeys), std::end(kKeys), k.str()) == std::end(kKeys))
      errors.push_back("backtest: unknown key '" + std::string(k.str()) + "'");
  Reader r{*t, errors};
  if (const toml::node* n = t->get("seed")) {
    const auto v = n->value<int64_t>();
    if (!n->is_integer() || !v || *v < 0)
      r.fail("seed", "must be a non-negative integer");
    else
      cfg.venue.seed = static_cast<uint64_t>(*v);
  }
  r.ns("tick_to_trade_ns", cfg.venue.tick_to_trade_ns);
  r.ns("order_latency_ns", cfg.venue.order_entry.fixed_ns);
  r.histogram("order_latency_histogram", cfg.venue.order_entry);
  r.ns("response_latency_ns", cfg.venue.response.fixed_ns);
  r.histogram("response_latency_histogram", cfg.venue.response);
  r.ns("pnl_interval_ns", cfg.venue.pnl_interval_ns);
  if (cfg.venue.pnl_interval_ns == 0) r.fail("pnl_interval_ns", "must be > 0");
  if (const toml::node* n = t->get("fill_model")) {
    const auto v = n->value<std::string>();
    const auto m = v ? fill_model_from(*v) : std::nullopt;
    if (!m)
      r.fail("fill_model", "must be \"book\" (L3 matching), \"seeded\" or \"full\" (sf-venue-sim's rules)");
    else
      cfg.venue.fill_model = *m;
  }
  if (const toml::node* n = t->get("fee_per_share")) {
    const auto v = n->value<double>();
    if (!(n->is_integer() || n->is_floating_point()) || !v || !(*v >= 0) || *v > 1)
      r.fail("fee_per_share", "must be a number of dollars 0..1");
    else
      cfg.fee_per_share = *v;
  }
  return cfg;
}

}  // namespace sf::sim
