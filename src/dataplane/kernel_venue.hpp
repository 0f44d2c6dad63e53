// `[order_session] transport = "kernel"` in the appliance: one KernelSession (SoupBinTCP over a kernel
// TCP socket, its own thread) per shard, started by Runtime::build on the main lcore's cpus, so the
// session threads stay off the data-plane lcores. The executor owning a shard talks to its session
// only through the two SPSC rings of its KernelVenueShard: OUCH orders out, venue messages back
// (dataplane/executor_kernel_venue.hpp).
// DPDK-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sniperforge/dataplane/kernel_venue_shard.hpp"
#include "sniperforge/session/config.hpp"

namespace sf::dataplane {

class KernelVenue {
 public:
  KernelVenue() = default;
  ~KernelVenue() { stop(); }
  KernelVenue(const KernelVenue&) = delete;
  KernelVenue& operator=(const KernelVenue&) = delete;

  // Reads each login's password file, creates and starts one session per shard (logins in shard
  // order, exactly one per shard). False, with the reason in `errors`, if anything is missing.
  bool start(const order_session::VenueSessionConfig& cfg, uint32_t shards, std::vector<std::string>& errors);
  // Waits until every session is logged in and the venue's replay is over (caught up), at most
  // `timeout_ms`; true if they all are.
  bool wait_logged_in(uint32_t timeout_ms) const;
  // Logs every session out and joins its thread (idempotent).
  void stop();

  [[nodiscard]] bool all_logged_in() const noexcept;
  // Every shard's executor has applied its venue's replay once (KernelVenueShard::reconciled).
  [[nodiscard]] bool all_reconciled() const noexcept {
    return reconciled_.load(std::memory_order_acquire) == shards_.size();
  }
  [[nodiscard]] std::size_t size() const noexcept { return shards_.size(); }
  [[nodiscard]] KernelVenueShard& shard(std::size_t s) noexcept { return *shards_[s]; }
  [[nodiscard]] const KernelVenueShard& shard(std::size_t s) const noexcept { return *shards_[s]; }

 private:
  std::vector<std::unique_ptr<KernelVenueShard>> shards_;
  std::atomic<uint32_t> reconciled_{0};
};

}  // namespace sf::dataplane
