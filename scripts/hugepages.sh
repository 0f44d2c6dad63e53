#!/usr/bin/env bash
# Best effort: as root, make sure some 2 MiB hugepages are reserved and hugetlbfs is mounted, so DPDK runs
# on hugepages. Without them the binary falls back to --no-huge by itself; this script never fails.
want=${SF_HUGEPAGES:-512}
[ "$(id -u)" -eq 0 ] || exit 0
have=$(awk '/HugePages_Total/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
if [ "${have:-0}" -lt "$want" ]; then
  echo "$want" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
fi
if ! grep -q hugetlbfs /proc/mounts 2>/dev/null; then
  mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
fi
echo "hugepages: $(awk '/HugePages_Total/ {print $2}' /proc/meminfo) x 2 MiB reserved," \
  "hugetlbfs $(grep -q hugetlbfs /proc/mounts && echo mounted || echo 'not mounted')"
