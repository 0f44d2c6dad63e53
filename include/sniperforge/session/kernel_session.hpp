// The SoupBinTCP client session over an ordinary non-blocking kernel TCP socket
// (`[order_session] transport = "kernel"`), in its own thread off the data-plane cores.
//
// Orders (OUCH inbound messages) reach the thread through an SPSC ring; venue messages (OUCH
// outbound, with their sequence numbers) go back through another. The producer of orders should
// ask logged_in() first (the risk gate's `session_down`); an order that still meets a down session
// is refused and counted by the session. The thread reads the socket only while the venue ring
// has room for everything the read could hold, so a venue message is never dropped for want of
// space: back-pressure goes to the venue through TCP instead.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "sniperforge/common/spsc_ring.hpp"
#include "sniperforge/session/client_session.hpp"

namespace sf::order_session {

// One OUCH inbound message.
struct OrderSlot {
  uint16_t length = 0;
  std::array<uint8_t, 126> bytes{};
  uint64_t stamp = 0;  // the producer's TSC stamp of an order (its trigger's RX burst); 0: not measured
};
// One OUCH outbound message from Sequenced Data.
struct VenueSlot {
  uint64_t sequence = 0;
  uint16_t length = 0;
  std::array<uint8_t, 246> bytes{};
};

// Told, on the session thread, when an order's bytes have been handed to the socket (send() returned):
// the end of the kernel transport's tick-to-trade. Called only for slots with a stamp.
class OrderWrittenObserver {
 public:
  virtual void order_written(uint64_t stamp) noexcept = 0;

 protected:
  ~OrderWrittenObserver() = default;
};

struct KernelSessionConfig {
  std::array<uint8_t, 4> venue_ip{};
  uint16_t venue_port = 0;
  std::array<uint8_t, 4> local_ip{};  // 0.0.0.0: the kernel picks
  Credentials credentials;
  Timing timing;
  uint32_t idle_sleep_us = 50;              // how long the thread sleeps in poll() when nothing is pending
  OrderWrittenObserver* written = nullptr;  // optional (the appliance's latency histogram)
};

struct KernelCounters {
  Counter connect_failures;
  Counter venue_too_large;   // outbound message longer than a VenueSlot: counted, not delivered
  Counter orders_too_large;  // OrderSlot length beyond its bytes
  // The socket's own TCP figures (getsockopt TCP_INFO on the session thread, every kTcpInfoIntervalNs and
  // at each close), as the dpdk transport exports its TCP's: segments retransmitted over every connection
  // (tcpi_total_retrans), and the latest connection's smoothed RTT (tcpi_rtt; a gauge, 0 before a sample).
  Counter tcp_retransmits;
  Counter tcp_srtt_ns;
};

class KernelSession {
 public:
  // How often the session thread reads TCP_INFO: a syscall per poll-loop timer tick, not per order.
  static constexpr uint64_t kTcpInfoIntervalNs = 100'000'000;

  KernelSession(KernelSessionConfig cfg, SpscRing<OrderSlot>& orders, SpscRing<VenueSlot>& venue);
  ~KernelSession();
  KernelSession(const KernelSession&) = delete;
  KernelSession& operator=(const KernelSession&) = delete;

  void start();
  // Logs out (waits up to the session timeout for the server to close), then joins the thread.
  void stop();

  [[nodiscard]] bool logged_in() const noexcept {
    return static_cast<State>(session_.counters().state.get()) == State::kLoggedIn;
  }
  // Logged in and the venue's replay since that login is over (ClientSession::caught_up()).
  [[nodiscard]] bool caught_up() const noexcept {
    return logged_in() && session_.counters().caught_up.get() != 0;
  }
  [[nodiscard]] State state() const noexcept { return static_cast<State>(session_.counters().state.get()); }
  [[nodiscard]] const SessionCounters& counters() const noexcept { return session_.counters(); }
  [[nodiscard]] const KernelCounters& kernel_counters() const noexcept { return kcounters_; }

 private:
  class SocketTransport;
  class RingListener;
  void run();

  KernelSessionConfig cfg_;
  SpscRing<OrderSlot>& orders_;
  SpscRing<VenueSlot>& venue_;
  KernelCounters kcounters_;
  std::unique_ptr<SocketTransport> transport_;
  std::unique_ptr<RingListener> listener_;
  ClientSession session_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sf::order_session
