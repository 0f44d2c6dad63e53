// Which cpus take the journal disk's interrupts, and whether an lcore is among them (issue #13). Every
// fdatasync is disk I/O whose completion interrupts run on the cpus in the interrupts' affinity: on an
// lcore's cpu each one costs the next packet's tick-to-trade (docs/performance.md, "Journal writer").
// The appliance checks this at start-up and warns. DPDK-free; reads /proc and /sys under `root` ("" = the
// live system; tests pass a directory holding proc/ and sys/ with sample text).
//
// Path -> block device (stat's st_dev, /sys/dev/block/MAJ:MIN) -> the controller up its sysfs path (the
// first directory with msi_irqs/, or an irq file) -> its interrupts as /proc/interrupts names them,
// without the configuration/admin vectors (virtioN-config, nvmeNq0) -> /proc/irq/N/effective_affinity_list
// (else smp_affinity_list). A device with more than one hardware queue (/sys/block/DEV/mq/) completes I/O
// on the queue of the submitting cpu (the writer's), so only a single-queue device is judged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sf::journal {

struct DiskInterrupts {
  std::string device;  // "vda"; empty when the path is on no block device found (tmpfs, overlay)
  bool multi_queue = false;
  std::vector<int> irqs;  // the controller's queue interrupts
  std::vector<int> cpus;  // where they are delivered (sorted, unique)
  std::string note;       // why nothing could be judged, when so
};

// "0-2,5" -> {0, 1, 2, 5}; garbage parts are skipped.
[[nodiscard]] std::vector<int> parse_cpu_list(std::string_view text);
// /proc/interrupts' name of interrupt `irq` (the last column, e.g. "virtio1-req.0"); "" if not listed.
[[nodiscard]] std::string interrupt_name(std::string_view proc_interrupts, int irq);

[[nodiscard]] DiskInterrupts disk_interrupts_of_device(unsigned major, unsigned minor,
                                                       const std::string& root = "");
[[nodiscard]] DiskInterrupts disk_interrupts_of_path(const std::string& path, const std::string& root = "");

// The warning when a single-queue disk's interrupts reach one of `lcore_cpus`; "" when they do not or
// nothing could be judged.
[[nodiscard]] std::string lcore_disk_interrupt_conflict(const DiskInterrupts& d,
                                                        const std::vector<int>& lcore_cpus);

}  // namespace sf::journal
