#include "journal_setup.hpp"

#include <cinttypes>
#include <cstdio>
#include <vector>

#include "sniperforge/journal/disk_interrupts.hpp"
#include "sniperforge/journal/reconcile.hpp"

namespace sf::app {

namespace {
constexpr std::size_t kRingSlots = 1 << 14;     // per executor: 4 MiB of 256-byte slots
constexpr std::size_t kControlRingSlots = 256;  // operator commands: one at a time
}  // namespace

bool ApplianceJournal::open(const journal::JournalConfig& cfg, dataplane::Runtime& rt, bool quiet,
                            std::string& error) {
  writer_ = std::make_unique<journal::Writer>(cfg);
  std::vector<trade::Engine*> engines;
  for (const auto& e : rt.engines()) engines.push_back(e.get());
  journal::Reconciler rec(engines);
  journal::ScanReport rep;
  if (!writer_->open(rep, [&](const journal::RecordView& r) { rec.apply(r); })) {
    error = writer_->failure();
    return false;
  }
  if (rep.torn)
    std::fprintf(stderr,
                 "sniperforge: journal %s: torn tail cut at %s (%s): %" PRIu64
                 " bytes dropped after sequence %" PRIu64 "\n",
                 cfg.path.c_str(), rep.torn_at.c_str(), rep.torn_why.c_str(), rep.dropped_bytes,
                 rep.last_sequence);
  if (!quiet) {
    std::fprintf(stderr, "sniperforge: journal %s: %" PRIu64 " records recovered (fsync %s)\n",
                 cfg.path.c_str(), rep.records, std::string(journal::to_string(cfg.fsync)).c_str());
    for (std::size_t s = 0; s < engines.size(); ++s) {
      const journal::ShardRecovery& r = rec.shard(s);
      if (r.orders + r.venue_messages == 0) continue;
      std::fprintf(stderr,
                   "sniperforge: journal shard %zu: %" PRIu64 " orders, %" PRIu64
                   " venue messages, UserRefNum high-water %u, last venue sequence %" PRIu64 "\n",
                   s, r.orders, r.venue_messages, r.user_ref_num_high_water, r.last_venue_sequence);
    }
  }
  // Each shard's order session resumes after the last venue message the journal holds: the venue replays
  // what came after (fills while we were down) at the login.
  for (std::size_t s = 0; s < engines.size(); ++s)
    if (const uint64_t last = rec.shard(s).last_venue_sequence; last > 0)
      rt.resume_venue_sequence(static_cast<uint32_t>(s), last + 1);
  if (rec.foreign_records() > 0)
    std::fprintf(stderr, "sniperforge: journal: %" PRIu64 " records of shards this config does not have\n",
                 rec.foreign_records());
  shards_ = static_cast<uint32_t>(engines.size());
  rt.attach_journal(*writer_, kRingSlots);
  control_ring_ = &writer_->add_producer(kControlRingSlots);
  journal::Entry e;
  if (!journal::make_marker(e, journal::RecordType::kStart, 0, "sniperforge") || !writer_->write(e)) {
    error = writer_->failure();
    return false;
  }
  writer_->start();
  opened_.store(true, std::memory_order_release);
  return true;
}

bool ApplianceJournal::record_control(const journal::ControlPayload& c) noexcept {
  if (!opened_.load(std::memory_order_acquire) || closed_.load(std::memory_order_acquire) ||
      writer_->failed())
    return false;
  if (!journal::make_control(control_entry_, 0, journal::wall_clock_ns(), c)) {
    // Longer than a record holds (a command line of ~200 characters): keep what fits.
    journal::ControlPayload cut = c;
    cut.what = cut.what.substr(0, 120);
    cut.old_value = cut.old_value.substr(0, 40);
    cut.new_value = cut.new_value.substr(0, 40);
    if (!journal::make_control(control_entry_, 0, journal::wall_clock_ns(), cut)) return false;
  }
  return control_ring_->push(control_entry_);
}

std::string ApplianceJournal::check_disk_interrupts(const journal::JournalConfig& cfg,
                                                    const std::vector<int>& lcore_cpus) {
  const journal::DiskInterrupts d = journal::disk_interrupts_of_path(cfg.path);
  std::string warning = journal::lcore_disk_interrupt_conflict(d, lcore_cpus);
  disk_irq_on_lcore_.store(!warning.empty(), std::memory_order_release);
  if (!warning.empty()) std::fprintf(stderr, "sniperforge: journal warning: %s\n", warning.c_str());
  return warning;
}

telemetry::JournalHealth ApplianceJournal::health() const {
  telemetry::JournalHealth h;
  h.disk_irq_on_lcore = disk_irq_on_lcore_.load(std::memory_order_acquire);
  if (!opened_.load(std::memory_order_acquire)) {
    h.phase = telemetry::JournalHealth::Phase::kReconciling;
    h.reason = "reading the journal";
    return h;
  }
  const journal::WriterStats& s = writer_->stats();
  h.records = s.records.load();
  h.bytes = s.bytes.load();
  h.syncs = s.syncs.load();
  if (writer_->failed()) {
    h.phase = telemetry::JournalHealth::Phase::kFailed;
    h.reason = writer_->failure();
  } else if (!reconciled_.load(std::memory_order_acquire)) {
    h.phase = telemetry::JournalHealth::Phase::kReconciling;
    h.reason = "waiting for the order sessions' replay";
  }
  return h;
}

bool ApplianceJournal::close(const dataplane::Runtime& rt) {
  if (!writer_) return true;
  closed_.store(true, std::memory_order_release);  // no more control records (nobody drains them)
  writer_->stop();
  journal::Entry e;
  // The order sessions log out next (Runtime::shutdown): say where each stood.
  for (uint32_t s = 0; s < shards_; ++s)
    if (const uint64_t next = rt.venue_next_sequence(s);
        next > 0 && journal::make_session(e, static_cast<uint16_t>(s), 0,
                                          {journal::SessionEvent::kLogout, next, "stopping"}))
      (void)writer_->write(e);
  if (journal::make_marker(e, journal::RecordType::kStop, 0, "stopped")) (void)writer_->write(e);
  writer_->stop();  // syncs the marker
  if (writer_->failed()) {
    std::fprintf(stderr, "sniperforge: %s (trading was stopped)\n", writer_->failure().c_str());
    return false;
  }
  return true;
}

}  // namespace sf::app
