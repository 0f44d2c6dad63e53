#include "sniperforge/journal/disk_interrupts.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sf::journal {
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool parse_int(std::string_view s, int& v) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// Vectors that carry no I/O completions: virtio's configuration change, NVMe's admin queue.
bool configuration_vector(std::string_view name) {
  if (name.size() >= 7 && name.substr(name.size() - 7) == "-config") return true;
  if (name.substr(0, 4) != "nvme") return false;
  const auto q = name.rfind('q');
  return q != std::string_view::npos && name.substr(q) == "q0";
}

// The controller's interrupts: the first ancestor of the disk's sysfs directory with msi_irqs/ (MSI/MSI-X
// vectors), else with a legacy irq file.
std::vector<int> controller_irqs(const fs::path& disk_dir, const fs::path& devices_root) {
  std::vector<int> irqs;
  std::error_code ec;
  // Up to /sys/devices (exclusive); a path that is not below it ends at "/", whose parent is itself.
  for (fs::path p = disk_dir.parent_path();
       p.string().size() > devices_root.string().size() && p != p.parent_path(); p = p.parent_path()) {
    if (fs::is_directory(p / "msi_irqs", ec)) {
      for (const auto& e : fs::directory_iterator(p / "msi_irqs", ec))
        if (int n = 0; parse_int(e.path().filename().string(), n)) irqs.push_back(n);
      break;
    }
    if (int n = 0; fs::exists(p / "irq", ec) && parse_int(trim(read_text(p / "irq")), n) && n > 0) {
      irqs.push_back(n);
      break;
    }
  }
  std::sort(irqs.begin(), irqs.end());
  return irqs;
}

void append_listed(std::string& list, int n) {
  if (!list.empty()) list += ',';
  list += std::to_string(n);
}

}  // namespace

std::vector<int> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  text = trim(text);
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view part = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto dash = part.find('-');
    int lo = 0, hi = 0;
    if (dash == std::string_view::npos) {
      if (!parse_int(part, lo)) continue;
      hi = lo;
    } else if (!parse_int(part.substr(0, dash), lo) || !parse_int(part.substr(dash + 1), hi) || hi < lo ||
               hi - lo > 65535) {
      continue;
    }
    for (int c = lo; c <= hi; ++c) cpus.push_back(c);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string interrupt_name(std::string_view proc_interrupts, int irq) {
  const std::string key = std::to_string(irq) + ":";
  std::string_view rest = proc_interrupts;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const std::string_view line = trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (line.substr(0, key.size()) != key) continue;
    const auto sp = line.find_last_of(" \t");
    return sp == std::string_view::npos ? std::string{} : std::string(line.substr(sp + 1));
  }
  return {};
}

DiskInterrupts disk_interrupts_of_device(unsigned major, unsigned minor, const std::string& root) {
  DiskInterrupts d;
  std::error_code ec;
  const fs::path link =
      fs::path(root + "/sys/dev/block") / (std::to_string(major) + ":" + std::to_string(minor));
  fs::path dev = fs::canonical(link, ec);
  if (ec) {
    d.note = "no block device " + std::to_string(major) + ":" + std::to_string(minor) + " in /sys/dev/block";
    return d;
  }
  if (fs::exists(dev / "partition", ec)) dev = dev.parent_path();  // vda1 -> vda
  d.device = dev.filename().string();
  std::size_t queues = 0;
  for (const auto& e : fs::directory_iterator(dev / "mq", ec))
    if (e.is_directory()) ++queues;
  d.multi_queue = queues > 1;
  const std::string interrupts = read_text(root + "/proc/interrupts");
  for (int irq : controller_irqs(dev, fs::canonical(root + "/sys/devices", ec))) {
    const std::string name = interrupt_name(interrupts, irq);
    if (name.empty() || configuration_vector(name)) continue;
    d.irqs.push_back(irq);
    const std::string dir = root + "/proc/irq/" + std::to_string(irq);
    std::vector<int> cpus = parse_cpu_list(read_text(dir + "/effective_affinity_list"));
    if (cpus.empty()) cpus = parse_cpu_list(read_text(dir + "/smp_affinity_list"));
    d.cpus.insert(d.cpus.end(), cpus.begin(), cpus.end());
  }
  std::sort(d.cpus.begin(), d.cpus.end());
  d.cpus.erase(std::unique(d.cpus.begin(), d.cpus.end()), d.cpus.end());
  if (d.irqs.empty()) d.note = "no interrupts of " + d.device + "'s controller found";
  return d;
}

DiskInterrupts disk_interrupts_of_path(const std::string& path, const std::string& root) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    DiskInterrupts d;
    d.note = "cannot stat " + path;
    return d;
  }
  return disk_interrupts_of_device(major(st.st_dev), minor(st.st_dev), root);
}

std::string lcore_disk_interrupt_conflict(const DiskInterrupts& d, const std::vector<int>& lcore_cpus) {
  if (d.multi_queue || d.cpus.empty()) return {};
  std::vector<int> lcores = lcore_cpus;
  std::sort(lcores.begin(), lcores.end());
  lcores.erase(std::unique(lcores.begin(), lcores.end()), lcores.end());
  std::string shared, irqs;
  for (int c : lcores)
    if (std::binary_search(d.cpus.begin(), d.cpus.end(), c)) append_listed(shared, c);
  if (shared.empty()) return {};
  for (int i : d.irqs) append_listed(irqs, i);
  return "the journal disk " + d.device + "'s interrupts (irq " + irqs + ") are delivered to lcore cpu " +
         shared + ": every fdatasync costs that lcore's tick-to-trade; move them to the housekeeping cpu " +
         "(/proc/irq/N/smp_affinity_list) or the lcores off them ([lcores] cpus, housekeeping)";
}

}  // namespace sf::journal
