// The machine as hwloc sees it (packages, NUMA nodes, physical cores and their hardware threads),
// and the NUMA node of a port. DPDK-free.
#pragma once

#include <string>

#include "sniperforge/dataplane/placement.hpp"

namespace sf::dataplane {

// Reads the topology with hwloc. On failure returns one core per online cpu on node 0.
Machine discover_machine();

// NUMA node of a port from its devargs: a PCI device's sysfs numa_node, -1 for virtual devices.
int port_numa_node(const std::string& devargs);

}  // namespace sf::dataplane
