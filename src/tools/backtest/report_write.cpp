// --report DIR: the CSVs, summary.json and the page (drawn by report_html.py with matplotlib).
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "report.hpp"

namespace sf::backtest {

namespace {

// Shortest text that reads back as the same double; money rounded to cents, ratios to 4 decimals first so
// the file and the page show the same short numbers.
std::string num(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  v = std::round(v * scale) / scale;
  if (v == 0) v = 0;  // no "-0"
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string symbol_of(const std::array<char, 8>& s) {
  return std::string(itch::trim_alpha({s.data(), s.size()}));
}

void metrics_json(std::ostringstream& o, const Metrics& m) {
  o << "\"orders\": " << m.orders << ", \"filled_orders\": " << m.filled_orders
    << ", \"shares_ordered\": " << m.shares_ordered << ", \"shares_filled\": " << m.shares_filled
    << ", \"fill_ratio\": " << num(m.fill_ratio, 4) << ", \"gross_pnl\": " << num(m.gross_pnl, 2)
    << ", \"fees\": " << num(m.fees, 2) << ", \"net_pnl\": " << num(m.net_pnl, 2)
    << ", \"sharpe\": " << (m.sharpe ? num(*m.sharpe, 4) : "null") << ", \"sharpe_periods\": " << m.periods
    << ", \"max_drawdown\": " << num(m.max_drawdown, 2) << ", \"turnover\": " << num(m.turnover, 2);
}

bool run_page_script(const std::string& dir, std::string& error) {
  const char* env = std::getenv("SF_REPORT_SCRIPT");
  const std::string script = env && *env ? env : SF_REPORT_SCRIPT;
  const pid_t pid = fork();
  if (pid < 0) {
    error = "fork failed";
    return false;
  }
  if (pid == 0) {
    // Debian's interpreter: python3-matplotlib is installed for it (a python3 earlier on PATH may lack it).
    execl("/usr/bin/python3", "python3", script.c_str(), dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = "report page: /usr/bin/python3 " + script + " failed (is python3-matplotlib installed?)";
    return false;
  }
  return true;
}

}  // namespace

std::string summary_json(const Summary& sum, const trade::TradingConfig& cfg, const sim::BacktestConfig& bt) {
  std::ostringstream o;
  const sim::VenueConfig& v = bt.venue;
  o << "{\n  \"conventions\": {\"money\": \"US dollars\", \"mark\": \"book mid (the last one while a side is "
       "empty)\", \"net_pnl\": \"gross_pnl - fee_per_share x shares_filled\", \"sharpe\": \"mean / sample "
       "standard deviation of net P&L per pnl_interval_ns (periods without trades count as 0), x "
       "sqrt(periods_per_year); periods_per_year = 252 days x 6.5 h / pnl_interval_ns\", "
       "\"max_drawdown\": \"largest fall of net P&L from its running peak (starting at 0)\", \"turnover\": "
       "\"sum of price x shares filled\"},\n";
  o << "  \"assumptions\": {\"seed\": " << v.seed << ", \"tick_to_trade_ns\": " << v.tick_to_trade_ns
    << ", \"order_latency\": \"" << (v.order_entry.is_histogram() ? "histogram" : "fixed")
    << "\", \"order_latency_mean_ns\": " << num(v.order_entry.mean_ns(), 1) << ", \"response_latency\": \""
    << (v.response.is_histogram() ? "histogram" : "fixed")
    << "\", \"response_latency_mean_ns\": " << num(v.response.mean_ns(), 1)
    << ", \"order_to_venue_mean_ns\": "
    << num(static_cast<double>(v.tick_to_trade_ns) + v.order_entry.mean_ns(), 1)
    << ", \"fee_per_share\": " << num(bt.fee_per_share, 6) << ", \"pnl_interval_ns\": " << v.pnl_interval_ns
    << ", \"periods_per_year\": " << num(periods_per_year(v.pnl_interval_ns), 4) << "},\n";
  o << "  \"strategies\": [";
  for (std::size_t i = 0; i < sum.strategies.size(); ++i) {
    const trade::StrategyConfig& s = cfg.strategies[i];
    o << (i ? ",\n" : "\n") << "    {\"index\": " << i << ", \"name\": \"" << s.name << "\", \"symbol\": \""
      << s.symbol << "\", \"side\": \"" << (s.side == book::Side::kBuy ? "buy" : "sell") << "\", ";
    metrics_json(o, sum.strategies[i]);
    o << '}';
  }
  o << "\n  ],\n  \"total\": {";
  metrics_json(o, sum.total);
  o << "}\n}\n";
  return o.str();
}

bool write_report(const std::string& dir, const RunOutput& out, const Summary& sum,
                  const trade::TradingConfig& cfg, const sim::BacktestConfig& bt, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir + ": " + ec.message();
    return false;
  }
  auto open = [&](const char* name, std::ofstream& f) {
    f.open(dir + "/" + name, std::ios::binary);
    return f.good();
  };
  std::ofstream fills, orders, pnl, summary;
  if (!open("fills.csv", fills) || !open("orders.csv", orders) || !open("pnl.csv", pnl) ||
      !open("summary.json", summary)) {
    error = "cannot write into " + dir;
    return false;
  }
  fills << "venue_ts,delivered_ts,strategy,symbol,side,shares,price,mid,liquidity,user_ref_num,match_number,"
           "contra_ref\n";
  for (const sim::SimFill& f : out.fills)
    fills << f.venue_ts << ',' << f.delivered_ts << ',' << f.strategy << ',' << out.symbols[f.locate] << ','
          << f.side << ',' << f.shares << ',' << f.price << ',' << f.mid << ',' << (f.passive ? 'A' : 'R')
          << ',' << f.user_ref_num << ',' << f.match_number << ',' << f.contra_ref << '\n';
  orders << "sent_ts,arrival_ts,done_ts,strategy,symbol,side,tif,shares,price,filled,canceled,queue_ahead,"
            "trigger_seq,user_ref_num\n";
  for (const sim::SimOrder& o : out.orders)
    orders << o.sent_ts << ',' << o.arrival_ts << ',' << o.done_ts << ',' << o.strategy << ','
           << symbol_of(o.symbol) << ',' << o.side << ',' << o.tif << ',' << o.shares << ',' << o.price << ','
           << o.filled << ',' << o.canceled << ',' << o.queue_ahead << ',' << o.trigger_seq << ','
           << o.user_ref_num << '\n';
  // Money in pnl.csv: dollars, as in summary.json.
  pnl << "ts,symbol,position,realized,unrealized,mid\n";
  for (const sim::PnlSample& s : out.pnl)
    pnl << s.ts << ',' << out.symbols[s.locate] << ',' << s.position << ','
        << num(static_cast<double>(s.realized) / 10'000.0, 4) << ','
        << num(static_cast<double>(s.unrealized) / 10'000.0, 4) << ',' << s.mid << '\n';
  std::ofstream equity(dir + "/equity.csv", std::ios::binary);
  equity << "ts,net_pnl,position\n";
  for (const EquityPoint& p : sum.total_curve)
    equity << p.ts << ',' << num(p.net_pnl, 4) << ',' << p.position << '\n';
  summary << summary_json(sum, cfg, bt);
  for (std::ofstream* f : {&fills, &orders, &pnl, &equity, &summary}) {
    f->close();
    if (!*f) {
      error = "cannot write into " + dir;
      return false;
    }
  }
  return run_page_script(dir, error);
}

}  // namespace sf::backtest
