// Ethernet ports from [[port]] devargs: any PMD (PCI NIC, net_pcap, net_af_packet, net_ring, ...).
// Internal to the data plane (DPDK types).
#pragma once

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include <array>
#include <string>
#include <vector>

#include "sniperforge/dataplane/config.hpp"

namespace sf::dataplane {

struct PortRuntime {
  std::string name;      // config name
  std::string dev_name;  // DPDK name ("net_pcap0", "0000:3b:00.0")
  std::string driver;
  uint16_t port_id = 0;
  bool found = false;
  int socket = -1;
  uint16_t rx_queues = 0;
  uint16_t tx_queues = 0;
  bool tx_ip_cksum_offload = false;
  bool tx_tcp_cksum_offload = false;
  std::array<uint8_t, 6> mac{};
  rte_mempool* pool = nullptr;
  bool started = false;
};

// Finds, configures and starts every port. `want_tx_queues[i]` is how many TX queues port i should
// get (the device may offer fewer: the caller shares queues then). Errors are appended.
std::vector<PortRuntime> setup_ports(const DataplaneConfig& cfg, const std::vector<uint16_t>& want_tx_queues,
                                     std::vector<std::string>& errors);

// Stops and closes the ports (net_pcap flushes its TX file here) and frees the pools.
void close_ports(std::vector<PortRuntime>& ports);

}  // namespace sf::dataplane
