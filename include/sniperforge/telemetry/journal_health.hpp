// The journal's state as telemetry shows it (issue #13): /ready fails while the appliance reconciles at
// start-up and once the journal writer failed (disk full, I/O error: trading stops), saying which;
// /metrics carries sniperforge_journal_failed, sniperforge_journal_reconciling and the writer's counters
// (the alert SniperForgeJournalFailed fires on the first). The app fills it from its journal; DPDK-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace sf::telemetry {

struct JournalHealth {
  enum class Phase : uint8_t { kReconciling, kRunning, kFailed };
  Phase phase = Phase::kRunning;
  std::string reason;  // kFailed: the writer's failure; kReconciling: what is still awaited
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t syncs = 0;
  bool disk_irq_on_lcore = false;  // the journal disk's interrupts reach an lcore's cpu (a start-up check)
};

// The /ready problem ("" when the journal does not stand in the way).
[[nodiscard]] std::string journal_ready_problem(const JournalHealth& h);

// Appends the sniperforge_journal_* families.
void append_journal_families(const JournalHealth& h, std::vector<prometheus::MetricFamily>& out);

}  // namespace sf::telemetry
