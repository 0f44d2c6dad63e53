// What this build is: the version `git describe` gave at build time (meson vcs_tag, see
// scripts/git-version.sh), the compiler, the build type and the DPDK release the project was built
// against. The one source for every binary's --version and the sniperforge_build_info metric.
#pragma once

#include <string>
#include <string_view>

namespace sf {

struct BuildInfo {
  std::string version;    // e.g. "0.1.0-g4e4cda2a1b2c" or "v0.2.0-3-g1234abcd5678-dirty"
  std::string compiler;   // e.g. "gcc-12.2.0"
  std::string buildtype;  // meson buildtype: release, debugoptimized, ...
  std::string dpdk;       // DPDK release built against, e.g. "22.11.11"
};

[[nodiscard]] const BuildInfo& build_info() noexcept;

// What `--version` prints. The first line is "<program> <version>" (help2man reads it); the DPDK line
// appears only for binaries that link DPDK.
[[nodiscard]] std::string version_text(std::string_view program, bool links_dpdk = false);

}  // namespace sf
