#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace sf::backtest {

namespace {

constexpr double kRawPerDollar = 10'000.0;

// The net P&L curve of the fills `use` selects, marked at the book mids of the P&L samples (and at each
// fill's mid), with every sample and fill a point.
template <class Use>
std::vector<EquityPoint> equity_curve(const RunOutput& out, double fee_per_share, Use use) {
  std::map<uint16_t, trade::Position> pos;
  std::map<uint16_t, uint32_t> mark;
  double fees = 0;
  std::vector<EquityPoint> curve;
  auto point = [&](uint64_t ts) {
    double raw = 0;
    int64_t shares = 0;
    for (const auto& [locate, p] : pos) {
      raw += static_cast<double>(p.realized + p.unrealized(mark[locate]));
      shares += p.shares;
    }
    curve.push_back({ts, raw / kRawPerDollar - fees, shares});
  };
  std::size_t f = 0, m = 0;
  while (f < out.fills.size() || m < out.pnl.size()) {
    // Fills first at equal times: a sample at the same instant already includes them.
    if (f < out.fills.size() && (m == out.pnl.size() || out.fills[f].venue_ts <= out.pnl[m].ts)) {
      const sim::SimFill& x = out.fills[f++];
      if (!use(x)) continue;
      if (x.mid != 0)
        mark[x.locate] = x.mid;
      else if (mark[x.locate] == 0)
        mark[x.locate] = static_cast<uint32_t>(x.price);
      pos[x.locate].fill(x.side, x.shares, x.price);
      fees += fee_per_share * x.shares;
      point(x.venue_ts);
    } else {
      const sim::PnlSample& s = out.pnl[m++];
      if (s.mid != 0) mark[s.locate] = s.mid;
      point(s.ts);
    }
  }
  return curve;
}

void curve_metrics(const std::vector<EquityPoint>& curve, uint64_t interval, Metrics& m) {
  double peak = 0;
  for (const EquityPoint& p : curve) {
    peak = std::max(peak, p.net_pnl);
    m.max_drawdown = std::max(m.max_drawdown, peak - p.net_pnl);
  }
  if (curve.empty()) return;
  // P&L per period: the curve's value at the end of each period (carried over empty ones), minus the last.
  const uint64_t first = curve.front().ts / interval, last = curve.back().ts / interval;
  std::vector<double> returns;
  double prev = 0, value = 0;
  std::size_t i = 0;
  for (uint64_t b = first; b <= last; ++b) {
    while (i < curve.size() && curve[i].ts / interval == b) value = curve[i++].net_pnl;
    returns.push_back(value - prev);
    prev = value;
  }
  m.periods = returns.size();
  if (returns.size() < 2) return;
  double mean = 0;
  for (double r : returns) mean += r;
  mean /= static_cast<double>(returns.size());
  double var = 0;
  for (double r : returns) var += (r - mean) * (r - mean);
  var /= static_cast<double>(returns.size() - 1);
  if (var > 0) m.sharpe = mean / std::sqrt(var) * std::sqrt(periods_per_year(interval));
}

}  // namespace

double periods_per_year(uint64_t interval_ns) noexcept {
  return 252.0 * 6.5 * 3600e9 / static_cast<double>(interval_ns);
}

RunOutput merge_runs(const std::vector<ShardRun>& runs) {
  RunOutput out;
  out.symbols.resize(65536);
  for (const ShardRun& r : runs) {
    if (!r.venue) continue;
    const auto& v = *r.venue;
    out.orders.insert(out.orders.end(), v.orders().begin(), v.orders().end());
    out.fills.insert(out.fills.end(), v.fills().begin(), v.fills().end());
    out.pnl.insert(out.pnl.end(), v.pnl().begin(), v.pnl().end());
    for (const sim::PnlSample& s : v.pnl())
      if (const book::OrderBook* b = r.engine->books().find(s.locate)) out.symbols[s.locate] = b->symbol();
  }
  std::sort(out.orders.begin(), out.orders.end(), [](const sim::SimOrder& a, const sim::SimOrder& b) {
    return std::tie(a.sent_ts, a.trigger_seq, a.user_ref_num, a.locate) <
           std::tie(b.sent_ts, b.trigger_seq, b.user_ref_num, b.locate);
  });
  std::sort(out.fills.begin(), out.fills.end(), [](const sim::SimFill& a, const sim::SimFill& b) {
    return std::tie(a.venue_ts, a.locate, a.user_ref_num, a.match_number) <
           std::tie(b.venue_ts, b.locate, b.user_ref_num, b.match_number);
  });
  std::stable_sort(out.pnl.begin(), out.pnl.end(), [](const sim::PnlSample& a, const sim::PnlSample& b) {
    return std::tie(a.ts, a.locate) < std::tie(b.ts, b.locate);
  });
  return out;
}

Summary summarize(const RunOutput& out, const trade::TradingConfig& cfg, const sim::BacktestConfig& bt) {
  Summary sum;
  sum.strategies.resize(cfg.strategies.size());
  const uint64_t interval = bt.venue.pnl_interval_ns;
  auto count = [&](Metrics& m, auto use_order, auto use_fill) {
    for (const sim::SimOrder& o : out.orders) {
      if (!use_order(o)) continue;
      ++m.orders;
      m.shares_ordered += o.shares;
      m.filled_orders += o.filled != 0;
    }
    for (const sim::SimFill& f : out.fills) {
      if (!use_fill(f)) continue;
      m.shares_filled += f.shares;
      m.turnover += static_cast<double>(f.price) * f.shares / kRawPerDollar;
    }
    m.fill_ratio = m.shares_ordered ? static_cast<double>(m.shares_filled) / m.shares_ordered : 0.0;
    m.fees = bt.fee_per_share * static_cast<double>(m.shares_filled);
    const auto curve = equity_curve(out, bt.fee_per_share, use_fill);
    m.net_pnl = curve.empty() ? 0.0 : curve.back().net_pnl;
    m.gross_pnl = m.net_pnl + m.fees;
    curve_metrics(curve, interval, m);
    return curve;
  };
  for (std::size_t i = 0; i < sum.strategies.size(); ++i) {
    const auto s = static_cast<uint16_t>(i);
    count(
        sum.strategies[i], [s](const sim::SimOrder& o) { return o.strategy == s; },
        [s](const sim::SimFill& f) { return f.strategy == s; });
  }
  sum.total_curve = count(
      sum.total, [](const sim::SimOrder&) { return true; }, [](const sim::SimFill&) { return true; });
  return sum;
}

}  // namespace sf::backtest
