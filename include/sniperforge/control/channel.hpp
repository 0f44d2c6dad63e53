// One request ring and one response ring per executor lcore (the DPDK ip_pipeline pattern), carrying
// trade::ControlCommand / trade::ControlReply. The control thread is the only producer of requests and the
// only consumer of replies; the executor the only consumer of requests and producer of replies.
// serve_control() is the executor's side: between two polls it applies every waiting command to each engine
// it hosts (Engine::apply) and answers once per engine. DPDK-free: the executor passes how to send Cancels.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "sniperforge/book/dump.hpp"
#include "sniperforge/common/spsc_ring.hpp"
#include "sniperforge/trade/control.hpp"
#include "sniperforge/trade/engine.hpp"

namespace sf::control {

inline constexpr std::size_t kRequestRing = 16;
inline constexpr std::size_t kReplyRing = 64;  // >= kRequestRing x engines of one executor is not needed:
                                               // the controller has one command in flight at a time
inline constexpr std::size_t kCancelsPerCommand = 256;

struct ExecutorChannel {
  explicit ExecutorChannel(uint32_t hosted_engines) : engines(hosted_engines) {}
  uint32_t engines;  // replies per command
  SpscRing<trade::ControlCommand> requests{kRequestRing};
  SpscRing<trade::ControlReply> replies{kReplyRing};
  std::atomic<bool> running{false};  // the executor's loop runs (else the controller answers "not running")
  // Counted by the executor: replies that found the reply ring full (the controller timed out on them).
  std::atomic<uint64_t> reply_drops{0};
  // Book rows, written by the executor for ControlOp::kBooks before its reply (the ring's release/acquire
  // makes them visible); reserved up front so serving allocates nothing.
  std::vector<book::BookRow> rows;
};

// Executor side. `send_cancels(shard, span)` puts the Cancels on the wire. Returns commands served.
template <class SendCancels>
unsigned serve_control(ExecutorChannel& ch, std::span<trade::Engine* const> engines,
                       std::span<trade::CancelRequest> scratch, SendCancels&& send_cancels) noexcept {
  unsigned served = 0;
  trade::ControlCommand c;
  while (ch.requests.pop(c)) {
    ++served;
    if (c.op == trade::ControlOp::kBooks) {
      ch.rows.clear();
      for (const trade::Engine* e : engines) e->dump_rows(ch.rows);
    }
    for (trade::Engine* e : engines) {
      const trade::ControlReply r = e->apply(c, scratch);
      if (r.cancels != 0) send_cancels(e->shard_index(), scratch.first(r.cancels));
      if (!ch.replies.push(r)) ch.reply_drops.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return served;
}

}  // namespace sf::control
