#include "sniperforge/telemetry/journal_health.hpp"

namespace sf::telemetry {
namespace {

void add(std::vector<prometheus::MetricFamily>& out, std::string name, std::string help,
         prometheus::MetricType type, double v) {
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter)
    m.counter.value = v;
  else
    m.gauge.value = v;
  out.push_back(prometheus::MetricFamily{std::move(name), std::move(help), type, {std::move(m)}});
}

}  // namespace

std::string journal_ready_problem(const JournalHealth& h) {
  switch (h.phase) {
    case JournalHealth::Phase::kReconciling:
      return h.reason.empty() ? "reconciling" : "reconciling: " + h.reason;
    case JournalHealth::Phase::kFailed:
      return "journal failed, trading stopped: " + h.reason;
    case JournalHealth::Phase::kRunning:
      break;
  }
  return {};
}

void append_journal_families(const JournalHealth& h, std::vector<prometheus::MetricFamily>& out) {
  using prometheus::MetricType;
  add(out, "sniperforge_journal_failed",
      "1 once the journal writer failed (disk full, I/O error): every shard refuses orders (journal_full)",
      MetricType::Gauge, h.phase == JournalHealth::Phase::kFailed ? 1 : 0);
  add(out, "sniperforge_journal_reconciling",
      "1 while start-up reconciliation runs (journal replay, venue catch-up): strategies do not fire",
      MetricType::Gauge, h.phase == JournalHealth::Phase::kReconciling ? 1 : 0);
  add(out, "sniperforge_journal_records_total", "Records the journal writer appended", MetricType::Counter,
      static_cast<double>(h.records));
  add(out, "sniperforge_journal_bytes_total", "Bytes the journal writer appended", MetricType::Counter,
      static_cast<double>(h.bytes));
  add(out, "sniperforge_journal_syncs_total", "fdatasync calls of the journal writer", MetricType::Counter,
      static_cast<double>(h.syncs));
  add(out, "sniperforge_journal_disk_irq_on_lcore",
      "1 when the journal disk's interrupts are delivered to an lcore's cpu (checked at start-up): each "
      "fdatasync then costs that lcore's tick-to-trade",
      MetricType::Gauge, h.disk_irq_on_lcore ? 1 : 0);
}

}  // namespace sf::telemetry
