// The start-up check "an lcore takes the journal disk's interrupts" (journal/disk_interrupts.hpp), fed a
// sample /proc and /sys tree in a temporary directory: this VM's single-queue virtio disk whose request
// interrupt is pinned to cpu 1, a partition of it, a multi-queue NVMe disk, a legacy interrupt, and
// missing pieces.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sniperforge/journal/disk_interrupts.hpp"

namespace fs = std::filesystem;
using namespace sf::journal;

namespace {

// This VM's /proc/interrupts (abridged): virtio1 is the disk vda.
constexpr const char* kInterrupts =
    "           CPU0       CPU1       \n"
    " 24:          1          0  IO-APIC   5-edge      ACPI:Ged\n"
    " 35:          0          1 PCI-MSIX-0000:00:02.0   0-edge      virtio1-config\n"
    " 36:          0    1667416 PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0\n"
    " 41:      48037          0 PCI-MSIX-0000:00:04.0   1-edge      virtio3-rx\n"
    " 50:          0          0 PCI-MSIX-0000:00:06.0   0-edge      nvme0q0\n"
    " 51:        900          0 PCI-MSIX-0000:00:06.0   1-edge      nvme0q1\n"
    " 52:          0        800 PCI-MSIX-0000:00:06.0   2-edge      nvme0q2\n"
    " 60:         10          0  IO-APIC  11-fasteoi   ata_piix\n"
    "NMI:          0          0   Non-maskable interrupts\n";

struct FakeSystem {
  std::string root;
  FakeSystem() {
    root = (fs::temp_directory_path() / ("sf-disk-irqs-" + std::to_string(::getpid()))).string();
    fs::remove_all(root);
    write("proc/interrupts", kInterrupts);
    // virtio disk vda (254:0) with partition vda1 (254:1), one hardware queue, MSI-X 35 + 36 on cpu 1.
    const std::string virtio = "sys/devices/pci0000:00/0000:00:02.0";
    write(virtio + "/msi_irqs/35", "msix\n");
    write(virtio + "/msi_irqs/36", "msix\n");
    write(virtio + "/virtio1/block/vda/mq/0/cpu_list", "0, 1\n");
    write(virtio + "/virtio1/block/vda/vda1/partition", "1\n");
    link("254:0", "../../devices/pci0000:00/0000:00:02.0/virtio1/block/vda");
    link("254:1", "../../devices/pci0000:00/0000:00:02.0/virtio1/block/vda/vda1");
    write("proc/irq/35/effective_affinity_list", "1\n");
    write("proc/irq/36/effective_affinity_list", "1\n");
    // NVMe nvme0n1 (259:0): an admin queue and one I/O queue per cpu.
    const std::string nvme = "sys/devices/pci0000:00/0000:00:06.0";
    for (int irq : {50, 51, 52}) write(nvme + "/msi_irqs/" + std::to_string(irq), "msix\n");
    write(nvme + "/nvme/nvme0/nvme0n1/mq/0/cpu_list", "0\n");
    write(nvme + "/nvme/nvme0/nvme0n1/mq/1/cpu_list", "1\n");
    link("259:0", "../../devices/pci0000:00/0000:00:06.0/nvme/nvme0/nvme0n1");
    write("proc/irq/51/effective_affinity_list", "0\n");
    write("proc/irq/52/effective_affinity_list", "1\n");
    // An IDE disk sda (8:0) on a legacy interrupt, affinity only in smp_affinity_list.
    const std::string ide = "sys/devices/pci0000:00/0000:00:01.1";
    write(ide + "/irq", "60\n");
    write(ide + "/ata1/host0/target0:0:0/0:0:0:0/block/sda/mq/0/cpu_list", "0-1\n");
    link("8:0", "../../devices/pci0000:00/0000:00:01.1/ata1/host0/target0:0:0/0:0:0:0/block/sda");
    write("proc/irq/60/smp_affinity_list", "0-1\n");
  }
  ~FakeSystem() { fs::remove_all(root); }
  void write(const std::string& rel, const std::string& text) const {
    const fs::path p = fs::path(root) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  void link(const std::string& majmin, const std::string& target) const {
    fs::create_directories(fs::path(root) / "sys/dev/block");
    fs::create_symlink(target, fs::path(root) / "sys/dev/block" / majmin);
  }
};

}  // namespace

TEST(DiskInterrupts, ParsesCpuLists) {
  EXPECT_EQ(parse_cpu_list("0-2,5\n"), (std::vector<int>{0, 1, 2, 5}));
  EXPECT_EQ(parse_cpu_list("1"), (std::vector<int>{1}));
  EXPECT_EQ(parse_cpu_list("3,1,1-2"), (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(parse_cpu_list("").empty());
  EXPECT_TRUE(parse_cpu_list("garbage").empty());
  EXPECT_TRUE(parse_cpu_list("3-1").empty());
  EXPECT_EQ(parse_cpu_list("x,4,-,7-"), (std::vector<int>{4}));
}

TEST(DiskInterrupts, NamesInterruptsFromProcInterrupts) {
  EXPECT_EQ(interrupt_name(kInterrupts, 36), "virtio1-req.0");
  EXPECT_EQ(interrupt_name(kInterrupts, 24), "ACPI:Ged");
  EXPECT_EQ(interrupt_name(kInterrupts, 3), "");
  EXPECT_EQ(interrupt_name(kInterrupts, 6), "");  // not " 36:"'s suffix
}

TEST(DiskInterrupts, SingleQueueVirtioDiskOnTheLcoreCpuIsAConflict) {
  FakeSystem sys;
  const DiskInterrupts d = disk_interrupts_of_device(254, 0, sys.root);
  EXPECT_EQ(d.device, "vda");
  EXPECT_FALSE(d.multi_queue);
  EXPECT_EQ(d.irqs, (std::vector<int>{36}));  // not 35, the configuration vector
  EXPECT_EQ(d.cpus, (std::vector<int>{1}));
  EXPECT_TRUE(d.note.empty());
  const std::string w = lcore_disk_interrupt_conflict(d, {1, 1});
  EXPECT_NE(w.find("vda"), std::string::npos) << w;
  EXPECT_NE(w.find("irq 36"), std::string::npos) << w;
  EXPECT_NE(w.find("lcore cpu 1:"), std::string::npos) << w;
  // The lcore on cpu 0, housekeeping (the writer) on cpu 1: no conflict.
  EXPECT_EQ(lcore_disk_interrupt_conflict(d, {0}), "");
}

TEST(DiskInterrupts, PartitionResolvesToItsDisk) {
  FakeSystem sys;
  const DiskInterrupts d = disk_interrupts_of_device(254, 1, sys.root);
  EXPECT_EQ(d.device, "vda");
  EXPECT_EQ(d.cpus, (std::vector<int>{1}));
}

TEST(DiskInterrupts, MultiQueueNvmeIsNotJudged) {
  FakeSystem sys;
  const DiskInterrupts d = disk_interrupts_of_device(259, 0, sys.root);
  EXPECT_EQ(d.device, "nvme0n1");
  EXPECT_TRUE(d.multi_queue);
  EXPECT_EQ(d.irqs, (std::vector<int>{51, 52}));  // not the admin queue nvme0q0
  EXPECT_EQ(d.cpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(lcore_disk_interrupt_conflict(d, {1}), "");  // completions on the submitting cpu's queue
}

TEST(DiskInterrupts, LegacyInterruptWithSmpAffinityOnly) {
  FakeSystem sys;
  const DiskInterrupts d = disk_interrupts_of_device(8, 0, sys.root);
  EXPECT_EQ(d.device, "sda");
  EXPECT_EQ(d.irqs, (std::vector<int>{60}));
  EXPECT_EQ(d.cpus, (std::vector<int>{0, 1}));
  EXPECT_NE(lcore_disk_interrupt_conflict(d, {0}), "");
}

TEST(DiskInterrupts, UnknownDeviceOrPathIsNotJudged) {
  FakeSystem sys;
  const DiskInterrupts d = disk_interrupts_of_device(7, 3, sys.root);
  EXPECT_TRUE(d.device.empty());
  EXPECT_FALSE(d.note.empty());
  EXPECT_EQ(lcore_disk_interrupt_conflict(d, {0, 1}), "");
  fs::remove(fs::path(sys.root) / "proc/interrupts");  // the disk's interrupts unnamed: none counted
  const DiskInterrupts e = disk_interrupts_of_device(254, 0, sys.root);
  EXPECT_TRUE(e.irqs.empty());
  EXPECT_FALSE(e.note.empty());
  EXPECT_EQ(lcore_disk_interrupt_conflict(e, {1}), "");
  // A device outside sys/devices (and sys/devices itself gone): the walk up ends, nothing found.
  fs::remove_all(fs::path(sys.root) / "sys/devices/pci0000:00/0000:00:01.1");
  fs::create_directories(fs::path(sys.root) / "elsewhere/block/sdz");
  fs::create_symlink("../../../elsewhere/block/sdz", fs::path(sys.root) / "sys/dev/block/8:16");
  fs::rename(fs::path(sys.root) / "sys/devices", fs::path(sys.root) / "sys/devices.gone");
  const DiskInterrupts g = disk_interrupts_of_device(8, 16, sys.root);
  EXPECT_EQ(g.device, "sdz");
  EXPECT_TRUE(g.irqs.empty());
  const DiskInterrupts f = disk_interrupts_of_path(sys.root + "/no/such/dir", sys.root);
  EXPECT_NE(f.note.find("cannot stat"), std::string::npos);
}

// The live system: whatever this machine has, the look-up answers without failing.
TEST(DiskInterrupts, LiveSystemAnswers) {
  const DiskInterrupts d = disk_interrupts_of_path(fs::temp_directory_path().string());
  EXPECT_TRUE(!d.device.empty() || !d.note.empty());
  for (int c : d.cpus) EXPECT_GE(c, 0);
}
