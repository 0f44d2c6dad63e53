#!/usr/bin/env bash
# Installs (Debian 12, root) every package SniperForge builds, tests and runs with.
# Idempotent and fast when everything is present: apt is only called for what is missing.
set -euo pipefail

PACKAGES=(
  # build
  meson ninja-build pkg-config g++ clang libclang-rt-14-dev clang-format
  help2man                      # man pages from each binary's --help (man/meson.build)
  # design card (dpdk-dev: dpdk-testpmd and dpdk-telemetry.py for benchmarks and tests)
  libdpdk-dev dpdk dpdk-dev libtbb-dev libhwloc-dev hwloc libspdlog-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # well-kept helpers instead of hand-written ones
  libcli11-dev libtomlplusplus-dev libpcap-dev
  # tests: real peers and validators
  tshark prometheus prometheus-node-exporter iproute2 tcpreplay valgrind python3 jq curl
  ansible ansible-lint yamllint
  # backtests: report plots (matplotlib SVG), the page checked in headless Chromium, sweeps on a real Slurm
  python3-matplotlib chromium slurmctld slurmd slurm-client munge
  # tests: nftables loss/duplication and veth checksum offload off (TCP against the kernel)
  nftables ethtool iputils-ping
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
