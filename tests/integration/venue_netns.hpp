// The order-entry link of `transport = "dpdk"` tests: a veth pair whose near end stays in our
// namespace without an address (net_af_packet reads it; the kernel there neither answers ARP for the
// appliance's address nor forwards what arrives) and whose far end sits in a network namespace with
// the venue's address, its checksum offload off (a kernel peer's segments must arrive with complete
// checksums, ../shared/design/DPDK-NOTES.md). Names unique per pid and tag.
// `transport = "kernel"` tests that need the venue behind a link of its own (nftables loss, ss -K) set
// address_near_end: the near end then carries local_ip (use_unique_subnet()) for the kernel's socket.
//
// With `vlan` set the appliance's side is on that 802.1Q VLAN: this kernel has no 8021q, so the veth pair
// is cut in two by a relay namespace whose ImpairmentRelay (no delay, no impairment) tags every frame
// towards the appliance and takes the tag off every frame from it; the venue's kernel stays untagged.
#pragma once

#include <unistd.h>

#include <memory>
#include <string>

#include "../net/impairment_relay.hpp"
#include "sf_test_process.hpp"

namespace sf::testing {

struct VenueNetns {
  std::string tag;
  std::string ns, near_if, far_if;
  std::string near_mac, far_mac;
  std::string local_ip = "10.79.0.1", venue_ip = "10.79.0.2";
  int prefix = 24;                // of local_ip and venue_ip
  uint16_t vlan = 0;              // set before up()
  bool address_near_end = false;  // set before up(): local_ip on near_if (a kernel socket's source)
  std::string relay_ns, relay_a;  // vlan: the relay's end of the appliance's veth pair
  std::unique_ptr<sf::net::testing::ImpairmentRelay> relay;
  bool created = false;

  explicit VenueNetns(const std::string& t) : tag(t) {
    const std::string id = std::to_string(::getpid() % 100000) + t;
    ns = "sfvn" + id;
    near_if = "sfvna" + id;
    far_if = "sfvnb" + id;
    relay_ns = "sfvr" + id;
    relay_a = "sfvra" + id;
    relay_b_ = "sfvrb" + id;
  }
  ~VenueNetns() { down(); }

  // For address_near_end: a /30 of 10.64.0.0/10 unique to this pid and tag (a number), since local_ip is
  // then routed in our own namespace, which concurrent tests share.
  void use_unique_subnet(unsigned tag_number) {
    const uint32_t base = (10u << 24) | (64u << 16) | ((static_cast<uint32_t>(::getpid()) % 262144u) << 4) |
                          ((tag_number % 4u) << 2);
    const auto text = [](uint32_t a) {
      return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
             std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
    };
    local_ip = text(base + 1);
    venue_ip = text(base + 2);
    prefix = 30;
  }
  VenueNetns(const VenueNetns&) = delete;
  VenueNetns& operator=(const VenueNetns&) = delete;

  // False when this machine cannot (not root, no namespaces).
  bool up() {
    if (::geteuid() != 0 || run("ip netns add " + ns + " 2>/dev/null") != 0) return false;
    created = true;
    const std::string in_ns = "ip netns exec " + ns + " ";
    const bool ok =
        (vlan ? relay_links()
              : run("ip link add " + near_if + " type veth peer name " + far_if + " netns " + ns) == 0) &&
        run("sysctl -qw net.ipv6.conf." + near_if + ".disable_ipv6=1") == 0 &&
        run("sysctl -qw net.ipv4.conf." + near_if + ".forwarding=0") == 0 &&
        run("ip link set " + near_if + " up") == 0 &&
        (!address_near_end ||
         run("ip addr add " + local_ip + "/" + std::to_string(prefix) + " dev " + near_if) == 0) &&
        run(in_ns + "sysctl -qw net.ipv6.conf.all.disable_ipv6=1") == 0 &&
        run(in_ns + "ip addr add " + venue_ip + "/" + std::to_string(prefix) + " dev " + far_if) == 0 &&
        run(in_ns + "ip link set " + far_if + " up") == 0 && run(in_ns + "ip link set lo up") == 0 &&
        run(in_ns + "ethtool -K " + far_if + " tx off >/dev/null") == 0;
    near_mac = read_file("/sys/class/net/" + near_if + "/address");
    near_mac.erase(near_mac.find_last_not_of("\n ") + 1);
    const std::string tmp = "/tmp/" + ns + ".mac";
    run(in_ns + "cat /sys/class/net/" + far_if + "/address > " + tmp);
    far_mac = read_file(tmp);
    far_mac.erase(far_mac.find_last_not_of("\n ") + 1);
    ::unlink(tmp.c_str());
    if (ok && vlan) {
      const int a = sf::net::testing::raw_socket(relay_ns, relay_a);
      const int b = sf::net::testing::raw_socket(relay_ns, relay_b_);
      if (a < 0 || b < 0) return false;
      sf::net::testing::ImpairmentRelay::Options o;
      o.delay_ns = 0;
      o.reorder = 0;
      o.vlan_towards_a = vlan;
      relay = std::make_unique<sf::net::testing::ImpairmentRelay>(a, b, o);
    }
    return ok && !near_mac.empty() && !far_mac.empty();
  }
  void down() {
    if (!created) return;
    relay.reset();
    run("ip netns pids " + ns + " 2>/dev/null | xargs -r kill -9 2>/dev/null");
    run("ip link del " + near_if + " 2>/dev/null");
    run("ip netns del " + ns + " 2>/dev/null");
    if (vlan) run("ip netns del " + relay_ns + " 2>/dev/null");
    created = false;
  }

 private:
  // near_if <-> relay_a | relay | relay_b_ <-> far_if (in ns).
  bool relay_links() {
    const std::string in_relay = "ip netns exec " + relay_ns + " ";
    return run("ip netns add " + relay_ns) == 0 &&
           run("ip link add " + near_if + " type veth peer name " + relay_a + " netns " + relay_ns) == 0 &&
           run("ip link add " + far_if + " netns " + ns + " type veth peer name " + relay_b_ + " netns " +
               relay_ns) == 0 &&
           run(in_relay + "sysctl -qw net.ipv6.conf.all.disable_ipv6=1") == 0 &&
           run(in_relay + "ip link set " + relay_a + " up") == 0 &&
           run(in_relay + "ip link set " + relay_b_ + " up") == 0;
  }
  std::string relay_b_;
};

}  // namespace sf::testing
