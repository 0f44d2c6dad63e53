// Process hygiene around EAL (DPDK-free, unit-tested): the per-process DPDK runtime directory
// (<base>/<file_prefix>_<pid>, with --no-huge's fbarray files) is removed at exit and stale ones of dead
// processes at start; an exclusive lock per port refuses a second instance on the same port.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sf::dataplane {

// Where EAL puts runtime directories: /var/run/dpdk for root, else $XDG_RUNTIME_DIR/dpdk or /tmp/dpdk.
std::string dpdk_runtime_base();

// Removes <base>/<prefix>_<pid> directories whose process no longer exists; the names removed.
std::vector<std::string> remove_stale_runtime_dirs(const std::string& base, const std::string& prefix);

// Removes <base>/<full_prefix> (this process's directory after rte_eal_cleanup); false if it stays.
bool remove_runtime_dir(const std::string& base, const std::string& full_prefix);

// An exclusive lock per port, held until the process exits (an abstract unix socket named after the
// port's devargs: released by the kernel even on SIGKILL, leaves no file behind).
class PortLock {
 public:
  PortLock() = default;
  PortLock(const PortLock&) = delete;
  PortLock& operator=(const PortLock&) = delete;
  ~PortLock();
  // False when another process holds it; `holder` is then its pid (0 when unknown).
  bool acquire(const std::string& devargs, pid_t& holder);

 private:
  int fd_ = -1;
};

}  // namespace sf::dataplane
