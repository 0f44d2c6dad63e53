// Our TCP connection and neighbour layer on one end of a veth pair, the Linux kernel's TCP on the
// other, in network namespaces (root): the topology, the stack driven over an AF_PACKET socket,
// and a kernel TCP server thread that streams a pattern while checking the one it receives.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "impairment_relay.hpp"
#include "netns_fixture.hpp"
#include "sniperforge/net/neighbours.hpp"
#include "sniperforge/net/tcp_connection.hpp"

namespace sf::net::testing {

inline uint64_t now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// Byte i of a test stream: long period, differs between the two directions.
inline uint8_t stream_byte(std::size_t i, uint8_t salt) {
  return static_cast<uint8_t>(i * 131 + salt + (i >> 12) * 7);
}
inline std::vector<uint8_t> stream(std::size_t n, uint8_t salt) {
  std::vector<uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = stream_byte(i, salt);
  return v;
}

inline constexpr const char* kOurIp = "10.88.0.1";
inline constexpr const char* kPeerIp = "10.88.0.2";
inline constexpr uint16_t kServerPort = 15000;

// ns "u" (us: no IP address, so its kernel stays silent), ns "p" (the kernel peer), and with a
// relay, ns "r" bridging the two pairs through the ImpairmentRelay.
struct Topology {
  std::string tag = std::to_string(::getpid());
  std::string ns_us = "sftcpu" + tag, ns_peer = "sftcpp" + tag, ns_relay = "sftcpr" + tag;
  std::string if_us = "tu" + tag, if_peer = "tp" + tag, if_ra = "tra" + tag, if_rb = "trb" + tag;
  uint16_t vlan = 0;  // our side's VLAN (the relay tags and untags: the kernel peer is untagged)
  std::unique_ptr<ImpairmentRelay> relay;

  bool up(bool with_relay, const ImpairmentRelay::Options& ro = {}) {
    bool ok = sh("ip netns add " + ns_us) && sh("ip netns add " + ns_peer);
    if (with_relay) {
      ok = ok && sh("ip netns add " + ns_relay) &&
           sh("ip link add " + if_us + " netns " + ns_us + " type veth peer name " + if_ra + " netns " +
              ns_relay) &&
           sh("ip link add " + if_peer + " netns " + ns_peer + " type veth peer name " + if_rb + " netns " +
              ns_relay) &&
           sh("ip -n " + ns_relay + " link set " + if_ra + " up") &&
           sh("ip -n " + ns_relay + " link set " + if_rb + " up") &&
           sh("ip netns exec " + ns_relay + " sysctl -w net.ipv6.conf.all.disable_ipv6=1");
    } else {
      ok = ok && sh("ip link add " + if_us + " netns " + ns_us + " type veth peer name " + if_peer +
                    " netns " + ns_peer);
    }
    ok = ok && sh("ip netns exec " + ns_us + " sysctl -w net.ipv6.conf.all.disable_ipv6=1") &&
         sh("ip netns exec " + ns_peer + " sysctl -w net.ipv6.conf.all.disable_ipv6=1") &&
         sh("ip -n " + ns_us + " link set " + if_us + " up") &&
         sh("ip -n " + ns_peer + " link set " + if_peer + " up") &&
         sh("ip netns exec " + ns_peer + " ethtool -K " + if_peer + " tx off");
    ok = ok && sh("ip -n " + ns_peer + " addr add " + std::string(kPeerIp) + "/24 dev " + if_peer);
    if (ok && with_relay) {
      const int a = raw_socket(ns_relay, if_ra), b = raw_socket(ns_relay, if_rb);
      ok = a >= 0 && b >= 0;
      if (ok) relay = std::make_unique<ImpairmentRelay>(a, b, ro);
    }
    return ok;
  }
  // nftables in the peer's namespace on its veth end (netdev ingress = our segments to the kernel,
  // egress = the kernel's to us).
  bool nft(const std::string& rules) {
    return sh("printf '%s\\n' '" + rules + "' | ip netns exec " + ns_peer + " nft -f -");
  }
  ~Topology() {
    relay.reset();
    for (const auto& ns : {ns_us, ns_peer, ns_relay})
      (void)sf::testing::run("ip netns del " + ns + " 2>/dev/null");
  }
};

// Our side: Neighbours + TcpConnection over an AF_PACKET socket, polled by the test thread.
class OurStack : public SegmentSink, public FrameSink {
 public:
  OurStack(int fd, const TcpConfig& tcp, const NeighbourConfig& nb)
      : fd_(fd), nb_(nb, *this), conn_(tcp, *this) {
    l2_.src = nb.local_mac;
    l2_.has_vlan = nb.has_vlan;
    l2_.vlan_id = nb.vlan_id;
  }
  ~OurStack() { ::close(fd_); }

  void emit(const OutSegment& s) noexcept override {
    l2_.dst = nb_.next_hop_mac();
    const std::size_t n = build_tcp_frame(frame_, sizeof frame_, l2_, s, ip_id_++);
    if (n) (void)::send(fd_, frame_, n, MSG_DONTWAIT);
  }
  void emit_frame(std::span<const uint8_t> f) noexcept override {
    (void)::send(fd_, f.data(), f.size(), MSG_DONTWAIT);
  }
  // Waits at most max_wait_ns for frames, hands them over, then runs both layers' timers.
  void pump(uint64_t max_wait_ns = 1'000'000) {
    uint64_t now = now_ns();
    const uint64_t deadline = std::min(conn_.next_deadline(), now + max_wait_ns);
    pollfd p{fd_, POLLIN, 0};
    (void)::poll(&p, 1, deadline > now ? static_cast<int>((deadline - now + 999'999) / 1'000'000) : 0);
    uint8_t buf[2048];
    for (int i = 0; i < 256; ++i) {
      const std::size_t n = recv_frame(fd_, buf, sizeof buf);
      if (n == 0) break;
      now = now_ns();
      if (nb_.on_frame(buf, n, now) == Neighbours::Handled::kNotMine) conn_.on_frame(buf, n, now);
    }
    now = now_ns();
    nb_.poll(now);
    conn_.poll(now);
  }
  template <class Pred>
  bool pump_until(Pred done, uint64_t timeout_ns) {
    const uint64_t end = now_ns() + timeout_ns;
    while (!done()) {
      if (now_ns() > end) return false;
      pump();
    }
    return true;
  }
  Neighbours& neighbours() { return nb_; }
  TcpConnection& conn() { return conn_; }

 private:
  int fd_;
  Neighbours nb_;
  TcpConnection conn_;
  L2Spec l2_;
  uint8_t frame_[2048];
  uint16_t ip_id_ = 1;
};

}  // namespace sf::net::testing
