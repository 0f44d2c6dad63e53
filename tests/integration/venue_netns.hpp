// The order-entry link of `transport = "dpdk"` tests: a veth pair whose near end stays in our
// namespace without an address (net_af_packet reads it; the kernel there neither answers ARP for the
// appliance's address nor forwards what arrives) and whose far end sits in a network namespace with
// the venue's address, its checksum offload off (a kernel peer's segments must arrive with complete
// checksums, ../shared/design/DPDK-NOTES.md). Names unique per pid and tag.
#pragma once

#include <unistd.h>

#include <string>

#include "sf_test_process.hpp"

namespace sf::testing {

struct VenueNetns {
  std::string tag;
  std::string ns, near_if, far_if;
  std::string near_mac, far_mac;
  std::string local_ip = "10.79.0.1", venue_ip = "10.79.0.2";
  bool created = false;

  explicit VenueNetns(const std::string& t) : tag(t) {
    const std::string id = std::to_string(::getpid() % 100000) + t;
    ns = "sfvn" + id;
    near_if = "sfvna" + id;
    far_if = "sfvnb" + id;
  }
  ~VenueNetns() { down(); }
  VenueNetns(const VenueNetns&) = delete;
  VenueNetns& operator=(const VenueNetns&) = delete;

  // False when this machine cannot (not root, no namespaces).
  bool up() {
    if (::geteuid() != 0 || run("ip netns add " + ns + " 2>/dev/null") != 0) return false;
    created = true;
    const std::string in_ns = "ip netns exec " + ns + " ";
    const bool ok = run("ip link add " + near_if + " type veth peer name " + far_if + " netns " + ns) == 0 &&
                    run("sysctl -qw net.ipv6.conf." + near_if + ".disable_ipv6=1") == 0 &&
                    run("sysctl -qw net.ipv4.conf." + near_if + ".forwarding=0") == 0 &&
                    run("ip link set " + near_if + " up") == 0 &&
                    run(in_ns + "sysctl -qw net.ipv6.conf.all.disable_ipv6=1") == 0 &&
                    run(in_ns + "ip addr add " + venue_ip + "/24 dev " + far_if) == 0 &&
                    run(in_ns + "ip link set " + far_if + " up") == 0 &&
                    run(in_ns + "ip link set lo up") == 0 &&
                    run(in_ns + "ethtool -K " + far_if + " tx off >/dev/null") == 0;
    near_mac = read_file("/sys/class/net/" + near_if + "/address");
    near_mac.erase(near_mac.find_last_not_of("\n ") + 1);
    const std::string tmp = "/tmp/" + ns + ".mac";
    run(in_ns + "cat /sys/class/net/" + far_if + "/address > " + tmp);
    far_mac = read_file(tmp);
    far_mac.erase(far_mac.find_last_not_of("\n ") + 1);
    ::unlink(tmp.c_str());
    return ok && !near_mac.empty() && !far_mac.empty();
  }
  void down() {
    if (!created) return;
    run("ip netns pids " + ns + " 2>/dev/null | xargs -r kill -9 2>/dev/null");
    run("ip link del " + near_if + " 2>/dev/null");
    run("ip netns del " + ns + " 2>/dev/null");
    created = false;
  }
};

}  // namespace sf::testing
