// The three lcore loops: RX (pipeline), executor (pipeline) and run to completion (RX and every
// executor on one lcore). Each polls until the input is drained or a stop is requested.
#include <rte_launch.h>
#include <rte_lcore.h>

#include "rx_lcore.hpp"

namespace sf::dataplane {

int rx_main(void* arg) {
  auto& rx = *static_cast<Runtime::Rx*>(arg);
  RunState& st = *rx.state;
  uint32_t idle = 0;
  rx.log->push(rte_rdtsc(), telemetry::LogCode::kLcoreStarted, 0, rx.index);
  rx.proc->start(rte_rdtsc());  // [feed.rewind]: gratuitous ARP, resolve the re-request server
  while (!st.stop.load(std::memory_order_relaxed)) {
    if (rx.poll()) {
      idle = 0;
    } else if (rx.replay && ++idle >= rx.idle_limit) {
      break;  // the pcap is exhausted
    }
    rx.stall.maybe(rx.last_tsc);
  }
  rx.proc->finish();  // replay's end: a hole still open is a gap, held packets are applied
  rx.proc->flush();
  rx.log->push(rte_rdtsc(), telemetry::LogCode::kLcoreStopping, 0, rx.index);
  st.rx_active.fetch_sub(1, std::memory_order_release);
  st.lcores_active.fetch_sub(1, std::memory_order_release);
  return 0;
}

int executor_main(void* arg) {
  auto& x = *static_cast<Runtime::Executor*>(arg);
  RunState& st = *x.state;
  x.log->push(rte_rdtsc(), telemetry::LogCode::kLcoreStarted, 1, x.index);
  x.control->running.store(true, std::memory_order_release);
  x.open_replay_streams();
  while (true) {
    const bool rx_done = st.rx_active.load(std::memory_order_acquire) == 0;
    if (!x.poll() && rx_done) break;  // drained: RX finished before this empty pass began
    x.stall.maybe(x.last_now);
  }
  x.log->push(rte_rdtsc(), telemetry::LogCode::kLcoreStopping, 1, x.index);
  x.port.release_spare();
  x.control->running.store(false, std::memory_order_release);
  st.lcores_active.fetch_sub(1, std::memory_order_release);
  return 0;
}

int rtc_main(void* arg) {
  auto& rx = *static_cast<Runtime::Rx*>(arg);
  RunState& st = *rx.state;
  uint32_t idle = 0;
  rx.log->push(rte_rdtsc(), telemetry::LogCode::kLcoreStarted, 2, rx.index);
  rx.proc->start(rte_rdtsc());
  for (auto* x : rx.rtc_execs) {
    x->control->running.store(true, std::memory_order_release);
    x->open_replay_streams();
  }
  while (!st.stop.load(std::memory_order_relaxed)) {
    // Every packet's events already ran through the executors inside rx.poll(); an idle pass polls
    // them once more for their housekeeping (operator commands and book reads, keep-warm).
    const bool got = rx.poll();
    if (!got)
      for (auto* x : rx.rtc_execs) x->poll();
    rx.stall.maybe(rx.last_tsc);
    if (got) {
      idle = 0;
    } else if (rx.replay && ++idle >= rx.idle_limit) {
      break;
    }
  }
  rx.proc->finish();  // replay's end: a hole still open is a gap, held packets are applied
  rx.proc->flush();
  st.rx_active.fetch_sub(1, std::memory_order_release);
  bool any = true;
  while (any) {
    any = false;
    for (auto* x : rx.rtc_execs) any |= x->poll();
  }
  for (auto* x : rx.rtc_execs) {
    x->port.release_spare();
    x->control->running.store(false, std::memory_order_release);
  }
  st.lcores_active.fetch_sub(1, std::memory_order_release);
  return 0;
}

}  // namespace sf::dataplane
