#include "sniperforge/common/version.hpp"

#ifndef SF_BUILDTYPE
#define SF_BUILDTYPE "unknown"
#endif
#ifndef SF_DPDK_VERSION
#define SF_DPDK_VERSION "unknown"
#endif

namespace sf {
namespace detail {
extern const char kVcsVersion[];  // version_tag.cpp, generated at build time
}

const BuildInfo& build_info() noexcept {
#if defined(__clang__)
  static const BuildInfo info{detail::kVcsVersion, "clang-" __clang_version__, SF_BUILDTYPE, SF_DPDK_VERSION};
#elif defined(__GNUC__)
  static const BuildInfo info{detail::kVcsVersion, "gcc-" __VERSION__, SF_BUILDTYPE, SF_DPDK_VERSION};
#else
  static const BuildInfo info{detail::kVcsVersion, "unknown", SF_BUILDTYPE, SF_DPDK_VERSION};
#endif
  return info;
}

std::string version_text(std::string_view program, bool links_dpdk) {
  const BuildInfo& b = build_info();
  std::string s(program);
  s += ' ' + b.version + "\ncompiler: " + b.compiler + "\nbuild type: " + b.buildtype;
  if (links_dpdk) s += "\nDPDK: " + b.dpdk;
  return s;
}

}  // namespace sf
