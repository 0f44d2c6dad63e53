// Test infrastructure for driving our TCP over real Linux TCP: network namespaces and veth pairs
// (names unique per process), sockets opened inside a namespace, and an AF_PACKET raw socket.
#pragma once

#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#include "sf_test_process.hpp"

namespace sf::net::testing {

// Runs `make` with the calling thread inside network namespace `ns`, then returns to the original
// one. Sockets keep the namespace they were created in.
inline int in_netns(const std::string& ns, const std::function<int()>& make) {
  const int self = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const int target = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  int fd = -1;
  if (self >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0) {
    fd = make();
    if (::setns(self, CLONE_NEWNET) != 0) std::abort();  // never continue in the wrong namespace
  }
  if (self >= 0) ::close(self);
  if (target >= 0) ::close(target);
  return fd;
}

// A non-blocking AF_PACKET socket bound to `ifname` in `ns`, not seeing its own transmissions.
inline int raw_socket(const std::string& ns, const std::string& ifname) {
  return in_netns(ns, [&] {
    const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd < 0) return -1;
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = static_cast<int>(::if_nametoindex(ifname.c_str()));
    const int one = 1;
    if (sll.sll_ifindex == 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0 ||
        ::setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0 ||
        ::setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  });
}

// One frame from a raw_socket(), as it was on the wire: the kernel takes a VLAN tag out of the
// frame before AF_PACKET sees it (into the auxiliary data), so it is put back here. 0: nothing.
inline std::size_t recv_frame(int fd, uint8_t* buf, std::size_t cap) {
  if (cap < 18) return 0;
  iovec iov{buf + 4, cap - 4};  // room to re-insert a tag in front of the EtherType
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(tpacket_auxdata))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  const ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
  if (n <= 0) return 0;
  if (n < 14) {
    std::memmove(buf, buf + 4, static_cast<std::size_t>(n));
    return static_cast<std::size_t>(n);
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
    tpacket_auxdata aux;
    std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
    if (!(aux.tp_status & TP_STATUS_VLAN_VALID)) break;
    std::memmove(buf, buf + 4, 12);  // MACs forward, then the tag
    const uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : 0x8100;
    buf[12] = static_cast<uint8_t>(tpid >> 8);
    buf[13] = static_cast<uint8_t>(tpid);
    buf[14] = static_cast<uint8_t>(aux.tp_vlan_tci >> 8);
    buf[15] = static_cast<uint8_t>(aux.tp_vlan_tci);
    return static_cast<std::size_t>(n) + 4;
  }
  std::memmove(buf, buf + 4, static_cast<std::size_t>(n));
  return static_cast<std::size_t>(n);
}

// A kernel TCP listener on ip:port in `ns`.
inline int tcp_listener(const std::string& ns, const std::string& ip, uint16_t port) {
  return in_netns(ns, [&] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  });
}

// Shell command that must succeed; prints it when it does not.
inline bool sh(const std::string& cmd) {
  const int rc = sf::testing::run(cmd + " >/dev/null 2>&1");
  if (rc != 0) std::fprintf(stderr, "command failed (%d): %s\n", rc, cmd.c_str());
  return rc == 0;
}

}  // namespace sf::net::testing
