#include "sniperforge/dataplane/topology.hpp"

#include <hwloc.h>
#include <unistd.h>

#include <fstream>

namespace sf::dataplane {

Machine discover_machine() {
  Machine m;
  hwloc_topology_t topo;
  if (hwloc_topology_init(&topo) != 0 || hwloc_topology_load(topo) != 0) {
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 0; i < n; ++i) m.cores.push_back(PhysicalCore{i, 0, {i}});
    m.description = "hwloc unavailable: " + std::to_string(n) + " cpus assumed on one node";
    return m;
  }
  const int packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
  const int nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
  const int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
  const int npus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  m.numa_nodes = nodes > 0 ? nodes : 1;
  for (int i = 0; i < ncores; ++i) {
    hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, static_cast<unsigned>(i));
    PhysicalCore c;
    c.index = i;
    c.numa_node = hwloc_bitmap_first(core->nodeset);
    unsigned pu = 0;
    hwloc_bitmap_foreach_begin(pu, core->cpuset) {
      c.pus.push_back(static_cast<int>(pu));
    }
    hwloc_bitmap_foreach_end();
    if (!c.pus.empty()) m.cores.push_back(c);
  }
  if (m.cores.empty()) {  // no core objects (some VMs): one per PU
    for (int i = 0; i < npus; ++i) {
      hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, static_cast<unsigned>(i));
      m.cores.push_back(PhysicalCore{i, hwloc_bitmap_first(pu->nodeset), {static_cast<int>(pu->os_index)}});
    }
  }
  m.description = std::to_string(packages) + " package(s), " + std::to_string(m.numa_nodes) +
                  " NUMA node(s), " + std::to_string(ncores) + " physical core(s), " + std::to_string(npus) +
                  " hardware thread(s)";
  hwloc_topology_destroy(topo);
  return m;
}

int port_numa_node(const std::string& devargs) {
  const std::string dev = devargs.substr(0, devargs.find(','));
  if (devargs_driver(devargs) != "pci") return -1;
  std::string bdf = dev;
  if (bdf.size() == 7) bdf = "0000:" + bdf;  // "3b:00.0"
  std::ifstream f("/sys/bus/pci/devices/" + bdf + "/numa_node");
  int n = -1;
  if (f >> n) return n;
  return -1;
}

}  // namespace sf::dataplane
