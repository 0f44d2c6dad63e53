// The appliance's journal ([journal], issue #13): opened after the data plane is built and before the
// lcores start — the scan cuts a torn tail, every shard's engine is reconciled from the records
// (journal/reconcile.hpp), each executor gets its ring to the writer thread — and closed after the lcores
// stopped (stop marker, final sync).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "runtime.hpp"
#include "sniperforge/journal/config.hpp"
#include "sniperforge/journal/writer.hpp"
#include "sniperforge/telemetry/journal_health.hpp"

namespace sf::app {

class ApplianceJournal {
 public:
  // False with `error` when the journal cannot be opened: the appliance must not trade without it.
  bool open(const journal::JournalConfig& cfg, dataplane::Runtime& rt, bool quiet, std::string& error);
  // After the lcores stopped: a "logout" session record per kernel session (where it stood), the stop
  // marker and the final sync; reports a writer failure on stderr. False if the journal failed.
  bool close(const dataplane::Runtime& rt);
  // For /ready and /metrics (any thread): reconciling from the start of open() until the shards have
  // reconciled (set_reconciled), then running, or failed with the writer's reason.
  [[nodiscard]] telemetry::JournalHealth health() const;
  void set_reconciled() noexcept { reconciled_.store(true, std::memory_order_release); }
  // An operator's command (sf-ctl) as a "control" record; from the control thread only (its own ring).
  // False if the journal is not open, failed, or the ring is full (the log line is then the only trail).
  bool record_control(const journal::ControlPayload& c) noexcept;
  // After open(): warns (stderr, and sniperforge_journal_disk_irq_on_lcore in /metrics) when the journal
  // disk's interrupts are delivered to one of these lcore cpus (journal/disk_interrupts.hpp). Returns the
  // warning ("" when there is none).
  std::string check_disk_interrupts(const journal::JournalConfig& cfg, const std::vector<int>& lcore_cpus);

 private:
  std::unique_ptr<journal::Writer> writer_;
  uint32_t shards_ = 0;
  journal::EntryRing* control_ring_ = nullptr;  // the control thread's ring to the writer
  journal::Entry control_entry_{};
  std::atomic<bool> opened_{false};  // writer_ exists and is started
  std::atomic<bool> closed_{false};
  std::atomic<bool> reconciled_{false};
  std::atomic<bool> disk_irq_on_lcore_{false};
};

}  // namespace sf::app
