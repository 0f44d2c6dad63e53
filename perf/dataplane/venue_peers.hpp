// perf-dataplane's venues for tick-to-trade runs whose orders leave over a SoupBinTCP session: they log
// the appliance in, keep the session alive and take the orders without answering them (no OUCH
// response), so every order transport carries the same trading work as the UDP run, where nothing
// answers either.
//   TcpSoupPeer:      the venue's end of our own TCP (`transport = "dpdk"`), frames in, frames out,
//                     answered in process on the net_ring port (DPDK-free: bytes only).
//   KernelSoupServer: a SoupBinTCP server on a loopback kernel socket (`transport = "kernel"`), its
//                     own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <span>
#include <thread>
#include <vector>

#include "sniperforge/net/tcp_segment.hpp"
#include "sniperforge/proto/soupbintcp.hpp"

namespace sf::perf {

// The server side of one SoupBinTCP session, bytes in, bytes out: a Login Request gets Login Accepted
// and at once a Server Heartbeat (the client's replay is over); a Server Heartbeat every second;
// Unsequenced Data counted; a Logout Request ends it.
class SoupServerStream {
 public:
  void on_bytes(std::span<const uint8_t> in, uint64_t now_ns, std::vector<uint8_t>& out);
  void poll(uint64_t now_ns, std::vector<uint8_t>& out);
  [[nodiscard]] bool logged_in() const noexcept { return logged_in_; }
  [[nodiscard]] bool logged_out() const noexcept { return logged_out_; }
  uint64_t orders = 0;

 private:
  void heartbeat(uint64_t now_ns, std::vector<uint8_t>& out);
  soupbintcp::StreamReassembler reasm_{soupbintcp::Direction::kClientToServer};
  bool logged_in_ = false;
  bool logged_out_ = false;
  uint64_t next_heartbeat_ns_ = 0;
};

// What a LAN peer's kernel does for a client that connects, sends and receives in order: SYN-ACK with
// an MSS, an ACK for every data segment (our SoupBinTCP bytes ride on it), a RST answers a FIN, a RST
// forgets the connection. The link is an in-process ring (no loss, no reordering): a segment that is
// not the next expected is only re-ACKed, and nothing of ours is ever retransmitted.
class TcpSoupPeer {
 public:
  using Frames = std::vector<std::vector<uint8_t>>;
  TcpSoupPeer(const net::Mac& mac, uint32_t ip, uint16_t port) : mac_(mac), ip_(ip), port_(port) {}
  // One frame the appliance sent (anything but TCP to our address and port is ignored).
  void on_frame(std::span<const uint8_t> frame, uint64_t now_ns, Frames& out);
  void poll(uint64_t now_ns, Frames& out);
  [[nodiscard]] uint64_t orders() const noexcept;

 private:
  struct Conn {
    net::Mac mac{};
    uint32_t ip = 0;
    uint16_t port = 0;
    uint32_t snd_nxt = 0, rcv_nxt = 0;
    SoupServerStream soup;
  };
  void send(Conn& c, uint8_t flags, std::span<const uint8_t> payload, uint16_t mss, Frames& out);
  net::Mac mac_;
  uint32_t ip_;
  uint16_t port_;
  std::map<uint16_t, Conn> conns_;  // by the client's port
  std::vector<uint8_t> soup_out_;
  uint64_t orders_closed_ = 0;  // orders of connections already forgotten
};

// A SoupBinTCP server on 127.0.0.1 (an ephemeral port), one thread polling its sockets every ms.
class KernelSoupServer {
 public:
  KernelSoupServer();
  ~KernelSoupServer();
  KernelSoupServer(const KernelSoupServer&) = delete;
  KernelSoupServer& operator=(const KernelSoupServer&) = delete;
  [[nodiscard]] uint16_t port() const noexcept { return port_; }
  [[nodiscard]] uint64_t orders() const noexcept { return orders_.load(std::memory_order_relaxed); }

 private:
  void run();
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> orders_{0};
  std::thread thread_;
};

}  // namespace sf::perf
