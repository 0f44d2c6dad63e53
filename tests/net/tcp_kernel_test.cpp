// Our TCP client against the Linux kernel's TCP (root; veth pairs in network namespaces): streams
// both ways compared byte for byte (clean, over a VLAN, and impaired: nftables loss and duplication
// plus the relay's 5 ms delay and reordering), the peer's FIN and RST and ours, a peer that stops
// acknowledging (back-off, then failure, then a reconnect), and ARP / ping from the kernel.
// SF_TCP_STREAM_BYTES overrides the stream length (docs/protocols.md: the long run).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <future>

#include "kernel_peer.hpp"

namespace sf::net {
namespace {

using namespace sf::net::testing;

constexpr uint64_t kSecond = 1'000'000'000;
const Mac kOurMac{0x02, 0x5f, 0x00, 0x00, 0x00, 0x01};

// The kernel side of a stream test: accepts one connection, sends `send_n` pattern bytes while
// checking the `expect_n` it receives, then shuts down its sending side and waits for our FIN.
struct KernelServer {
  int listener;
  std::size_t send_n, expect_n;
  std::size_t received = 0, mismatches = 0, sent = 0;
  bool saw_eof = false;
  std::thread thread;

  void serve() {
    pollfd lp{listener, POLLIN, 0};
    if (::poll(&lp, 1, 10'000) != 1) return;
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
    if (fd < 0) return;
    const std::vector<uint8_t> out = stream(send_n, 2);
    std::vector<uint8_t> in(65536);
    const uint64_t end = now_ns() + 120 * kSecond;
    bool shut = false;
    while (now_ns() < end && !saw_eof) {
      if (!shut && sent == send_n && received >= expect_n) {
        ::shutdown(fd, SHUT_WR);
        shut = true;
      }
      pollfd p{fd, static_cast<short>(POLLIN | (sent < send_n ? POLLOUT : 0)), 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      if (p.revents & POLLOUT) {
        const ssize_t n =
            ::send(fd, out.data() + sent, std::min<std::size_t>(send_n - sent, 65536), MSG_NOSIGNAL);
        if (n > 0) sent += static_cast<std::size_t>(n);
      }
      if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::recv(fd, in.data(), in.size(), 0);
        if (n == 0) saw_eof = true;
        if (n < 0 && errno != EAGAIN) break;
        for (ssize_t i = 0; i < n; ++i)
          if (in[static_cast<std::size_t>(i)] != stream_byte(received + static_cast<std::size_t>(i), 1))
            ++mismatches;
        if (n > 0) received += static_cast<std::size_t>(n);
      }
    }
    ::close(fd);
  }
  KernelServer(int l, std::size_t s, std::size_t e) : listener(l), send_n(s), expect_n(e) {
    thread = std::thread([this] { serve(); });
  }
  ~KernelServer() {
    thread.join();
    ::close(listener);
  }
};

struct KernelPeer : ::testing::Test {
  Topology topo;
  std::unique_ptr<OurStack> us;

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
  }
  TcpConfig tcp_config() {
    TcpConfig c;
    ::inet_pton(AF_INET, kOurIp, &c.local_ip);
    ::inet_pton(AF_INET, kPeerIp, &c.remote_ip);
    c.local_ip = ntohl(c.local_ip);
    c.remote_ip = ntohl(c.remote_ip);
    c.local_port = static_cast<uint16_t>(40000 + ::getpid() % 20000);
    c.remote_port = kServerPort;
    c.has_vlan = topo.vlan != 0;  // our segments are tagged, and so must the kernel's be (by the relay)
    c.vlan_id = topo.vlan;
    c.time_wait_ns = 100'000'000;
    return c;
  }
  void start(const TcpConfig& tcp) {
    NeighbourConfig nb;
    nb.local_mac = kOurMac;
    nb.local_ip = tcp.local_ip;
    nb.next_hop = tcp.remote_ip;
    nb.has_vlan = topo.vlan != 0;
    nb.vlan_id = topo.vlan;
    nb.arp_retry_ns = 200'000'000;
    const int fd = raw_socket(topo.ns_us, topo.if_us);
    ASSERT_GE(fd, 0);
    us = std::make_unique<OurStack>(fd, tcp, nb);
    us->neighbours().start(now_ns());
    ASSERT_TRUE(us->pump_until([&] { return us->neighbours().resolved(); }, 5 * kSecond)) << "ARP";
  }
  void connect() {
    us->conn().connect(now_ns(), random_isn());
    ASSERT_TRUE(us->pump_until([&] { return us->conn().state() != TcpState::kSynSent; }, 10 * kSecond));
    ASSERT_EQ(us->conn().state(), TcpState::kEstablished);
  }
  int listen() { return tcp_listener(topo.ns_peer, kPeerIp, kServerPort); }

  // Sends n bytes and receives n bytes at once, checks both streams, and closes.
  void stream_both_ways(std::size_t n, uint64_t timeout_ns) {
    const int l = listen();
    ASSERT_GE(l, 0);
    KernelServer server(l, n, n);
    ASSERT_NO_FATAL_FAILURE(connect());
    TcpConnection& c = us->conn();
    const std::vector<uint8_t> out = stream(n, 1);
    std::size_t sent = 0, received = 0, mismatches = 0;
    const uint64_t t0 = now_ns(), end = t0 + timeout_ns;
    while (c.state() != TcpState::kClosed && now_ns() < end) {
      if (sent < n) sent += c.send({out.data() + sent, n - sent}, now_ns());
      while (c.readable()) {
        const auto f = c.front();
        for (std::size_t i = 0; i < f.size(); ++i) mismatches += f[i] != stream_byte(received + i, 2);
        received += f.size();
        c.consume(f.size());
      }
      if (sent == n && received == n && c.queued() == 0 &&
          (c.state() == TcpState::kEstablished || c.state() == TcpState::kCloseWait))
        c.close(now_ns());
      us->pump();
    }
    const double secs = static_cast<double>(now_ns() - t0) / 1e9;
    std::printf(
        "%zu bytes each way in %.2f s; retransmitted %lu, fast %lu, timeouts %lu, dup acks %lu, ooo %lu, "
        "dup segments %lu, srtt %lu us\n",
        n, secs, c.stats().retransmitted_segments.load(), c.stats().fast_retransmits.load(),
        c.stats().timeouts.load(), c.stats().duplicate_acks.load(), c.stats().ooo_segments.load(),
        c.stats().duplicate_segments.load(), c.stats().srtt_ns.load() / 1000);
    EXPECT_EQ(received, n);
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(c.state(), TcpState::kClosed);
    EXPECT_EQ(c.close_reason(), TcpCloseReason::kNormal);
    EXPECT_EQ(c.stats().bytes_sent.load(), n);
    EXPECT_EQ(c.stats().bytes_received.load(), n);
    EXPECT_EQ(c.stats().dropped(TcpDrop::kBadChecksum), 0u);
    server.thread.join();
    server.thread = std::thread([] {});
    EXPECT_EQ(server.received, n);
    EXPECT_EQ(server.mismatches, 0u);
    EXPECT_EQ(server.sent, n);
    EXPECT_TRUE(server.saw_eof);
  }
};

std::size_t stream_bytes(std::size_t fallback) {
  const char* v = std::getenv("SF_TCP_STREAM_BYTES");
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

TEST_F(KernelPeer, StreamBothWaysClean) {
  ASSERT_TRUE(topo.up(false));
  ASSERT_NO_FATAL_FAILURE(start(tcp_config()));
  stream_both_ways(stream_bytes(4 << 20), 60 * kSecond);
}

TEST_F(KernelPeer, StreamBothWaysOverVlan) {
  // This kernel has no 8021q: the relay tags the kernel's frames with VLAN 100 towards us and
  // strips the tag from ours, so our side speaks tagged frames only (and must).
  topo.vlan = 100;
  ImpairmentRelay::Options ro;
  ro.delay_ns = 0;
  ro.reorder = 0;
  ro.vlan_towards_a = 100;
  ASSERT_TRUE(topo.up(true, ro));
  ASSERT_NO_FATAL_FAILURE(start(tcp_config()));
  stream_both_ways(1 << 20, 60 * kSecond);
  EXPECT_GT(topo.relay->forwarded(), 0u);
}

TEST_F(KernelPeer, StreamBothWaysWithLossDuplicationReorderingAndDelay) {
  ImpairmentRelay::Options ro;  // 5 ms each way, 3 % held back 2 ms more, 1 % duplicated
  ro.duplicate = 0.01;
  ro.seed = 11;
  ASSERT_TRUE(topo.up(true, ro));
  const std::string dev = topo.if_peer;
  ASSERT_TRUE(topo.nft(
      "table netdev imp { chain in { type filter hook ingress device \"" + dev +
      "\" priority 0; numgen random mod 100 < 1 drop; }; chain out { type filter hook egress device \"" +
      dev + "\" priority 0; numgen random mod 100 < 1 drop; numgen random mod 100 < 1 dup to \"" + dev +
      "\"; }; }"));
  ASSERT_NO_FATAL_FAILURE(start(tcp_config()));
  stream_both_ways(stream_bytes(1 << 20),
                   100 * kSecond + stream_bytes(1 << 20) * 2000);  // 2 µs/byte for long runs
  const TcpStats& s = us->conn().stats();
  EXPECT_GT(s.retransmitted_segments.load(), 0u);  // ~1 % of our segments were lost
  EXPECT_GT(s.ooo_segments.load(), 0u);            // the relay reordered the kernel's
  EXPECT_GT(s.duplicate_segments.load(), 0u);      // and duplicated some
  EXPECT_GT(topo.relay->reordered(), 0u);
}

TEST_F(KernelPeer, PeerFinIsDeliveredAfterItsDataAndWeCloseAfterOurs) {
  ASSERT_TRUE(topo.up(false));
  ASSERT_NO_FATAL_FAILURE(start(tcp_config()));
  const int l = listen();
  ASSERT_GE(l, 0);
  KernelServer server(l, 10000, 500);  // shuts down its side once it has our 500 bytes
  ASSERT_NO_FATAL_FAILURE(connect());
  TcpConnection& c = us->conn();
  const auto mine = stream(500, 1);
  EXPECT_EQ(c.send(mine, now_ns()), 500u);
  ASSERT_TRUE(us->pump_until([&] { return c.peer_closed(); }, 10 * kSecond));
  EXPECT_EQ(c.state(), TcpState::kCloseWait);
  EXPECT_EQ(c.readable(), 10000u);
  c.close(now_ns());
  ASSERT_TRUE(us->pump_until([&] { return c.state() == TcpState::kClosed; }, 10 * kSecond));
  EXPECT_EQ(c.close_reason(), TcpCloseReason::kNormal);
  server.thread.join();
  server.thread = std::thread([] {});
  EXPECT_EQ(server.received, 500u);
  EXPECT_TRUE(server.saw_eof);
}

TEST_F(KernelPeer, PeerResetClosesWithReasonReset) {
  ASSERT_TRUE(topo.up(false));
  ASSERT_NO_FATAL_FAILURE(start(tcp_config()));
  const int l = listen();
  ASSERT_GE(l, 0);
  std::thread rst([l] {
    pollfd p{l, POLLIN, 0};
    if (::poll(&p, 1, 10'000) != 1) return;
    const int fd = ::accept(l, nullptr, nullptr);
    linger lg{1, 0};  // close() sends RST
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::usleep(200'000);
    ::close(fd);
  });
  ASSERT_NO_FATAL_FAILURE(connect());
  TcpConnection& c = us->conn();
  ASSERT_TRUE(us->pump_until([&] { return c.state() == TcpState::kClosed; }, 10 * kSecond));
  rst.join();
  ::close(l);
  EXPECT_EQ(c.close_reason(), TcpCloseReason::kReset);
  EXPECT_TRUE(c.failed());
  EXPECT_EQ(c.stats().resets_received.load(), 1u);
}

TEST_F(KernelPeer, OurRstResetsTheKernelsConnection) {
  ASSERT_TRUE(topo.up(false));
  ASSERT_NO_FATAL_FAILURE(start(tcp_config()));
  const int l = listen();
  ASSERT_GE(l, 0);
  std::atomic<int> recv_errno{0};
  std::atomic<ssize_t> got{-2};
  std::thread server([&] {
    pollfd p{l, POLLIN, 0};
    if (::poll(&p, 1, 10'000) != 1) return;
    const int fd = ::accept(l, nullptr, nullptr);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char b[16];
    const ssize_t n = ::recv(fd, b, sizeof b, 0);  // blocks until our RST
    recv_errno = errno;
    got = n;
    ::close(fd);
  });
  ASSERT_NO_FATAL_FAILURE(connect());
  us->pump_until([] { return false; }, 100'000'000);  // let the kernel's accept() return
  us->conn().abort();
  server.join();
  ::close(l);
  EXPECT_EQ(got.load(), -1);
  EXPECT_EQ(recv_errno.load(), ECONNRESET);
  EXPECT_EQ(us->conn().close_reason(), TcpCloseReason::kAborted);
}

TEST_F(KernelPeer, SilentPeerBacksOffThenFailsThenWeReconnect) {
  ASSERT_TRUE(topo.up(false));
  TcpConfig cfg = tcp_config();
  cfg.rto.min_ns = 50'000'000;
  cfg.max_retransmits = 4;
  ASSERT_NO_FATAL_FAILURE(start(cfg));
  const int l = listen();
  ASSERT_GE(l, 0);
  ASSERT_NO_FATAL_FAILURE(connect());
  TcpConnection& c = us->conn();
  const uint64_t rto0 = c.rto_ns();
  ASSERT_TRUE(topo.nft("table netdev silent { chain in { type filter hook ingress device \"" + topo.if_peer +
                       "\" priority 0; ip protocol tcp drop; }; }"));
  const uint64_t t0 = now_ns();
  EXPECT_EQ(c.send(stream(100, 1), t0), 100u);
  ASSERT_TRUE(us->pump_until([&] { return c.state() == TcpState::kClosed; }, 30 * kSecond));
  const uint64_t elapsed = now_ns() - t0;
  EXPECT_EQ(c.close_reason(), TcpCloseReason::kTimeout);
  EXPECT_TRUE(c.failed());
  EXPECT_EQ(c.stats().retransmitted_segments.load(), 4u);
  EXPECT_EQ(c.stats().timeouts.load(), 5u);
  EXPECT_EQ(c.rto_ns(), rto0 << 4);
  EXPECT_GE(elapsed, rto0 * (1 + 2 + 4 + 8 + 16));  // 31 RTOs of waiting: back-off, not a fixed timer
  // The session layer reconnects: the same object, a new port, once the peer answers again.
  ASSERT_TRUE(sh("ip netns exec " + topo.ns_peer + " nft delete table netdev silent"));
  us->conn().connect(now_ns(), random_isn(), static_cast<uint16_t>(cfg.local_port + 1));
  ASSERT_TRUE(us->pump_until([&] { return c.state() != TcpState::kSynSent; }, 10 * kSecond));
  EXPECT_EQ(c.state(), TcpState::kEstablished);
  c.abort();
  ::close(l);
}

TEST_F(KernelPeer, KernelResolvesUsByArpAndPingsUs) {
  ASSERT_TRUE(topo.up(false));
  ASSERT_NO_FATAL_FAILURE(start(tcp_config()));
  EXPECT_EQ(us->neighbours().stats().gratuitous_arps_sent.load(), 1u);
  (void)sh("ip -n " + topo.ns_peer + " neigh flush dev " + topo.if_peer);
  auto ping = std::async(std::launch::async, [&] {
    return sf::testing::run("ip netns exec " + topo.ns_peer + " ping -c 3 -i 0.2 -W 2 " + kOurIp +
                            " >/dev/null 2>&1");
  });
  while (ping.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) us->pump();
  EXPECT_EQ(ping.get(), 0);
  EXPECT_EQ(us->neighbours().stats().icmp_echo_answered.load(), 3u);
  EXPECT_GE(us->neighbours().stats().arp_requests_answered.load(), 1u);
}

}  // namespace
}  // namespace sf::net
