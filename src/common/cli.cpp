#include "sniperforge/common/cli.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "sniperforge/common/version.hpp"

namespace sf::cli {
namespace {

constexpr const char* kExitFooter =
    "Exit status: 0 success, 1 runtime failure, 2 bad usage or configuration.";

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

template <class T>
bool parse_whole(std::string_view s, T& out) noexcept {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size();
}

}  // namespace

void apply_conventions(CLI::App& app, const std::string& program, bool links_dpdk) {
  app.set_version_flag(
      "--version", [program, links_dpdk] { return version_text(program, links_dpdk); },
      "print the version, compiler, build type and exit");
  app.footer(app.get_footer().empty() ? kExitFooter : app.get_footer() + "\n\n" + kExitFooter);
  app.failure_message([program](const CLI::App*, const CLI::Error& e) {
    return program + ": " + e.what() + "\nRun with --help for more information.\n";
  });
}

std::optional<int> parse(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help / version / the error
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return std::nullopt;
}

CLI::Option* add_quiet_flag(CLI::App& app, bool& quiet) {
  return app.add_flag("-q,--quiet", quiet,
                      "no progress line and no informational notes on stderr (warnings and errors still "
                      "print)");
}

CLI::Validator number_range(double lo, double hi) {
  const std::string range = "[" + format_number(lo) + ", " + format_number(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& s) -> std::string {
        double v = 0;
        if (!parse_whole(s, v) || !std::isfinite(v) || v < lo || v > hi)
          return "'" + s + "' is not a number in " + range;
        return {};
      },
      range);
}

CLI::Validator positive_number(double hi) {
  const std::string range = "(0, " + format_number(hi) + "]";
  return CLI::Validator(
      [hi, range](std::string& s) -> std::string {
        double v = 0;
        if (!parse_whole(s, v) || !std::isfinite(v) || !(v > 0) || v > hi)
          return "'" + s + "' is not a number in " + range;
        return {};
      },
      range);
}

CLI::Validator integer_range(int64_t lo, int64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& s) -> std::string {
        int64_t v = 0;
        if (!parse_whole(s, v) || v < lo || v > hi) return "'" + s + "' is not an integer in " + range;
        return {};
      },
      range);
}

CLI::Validator unsigned_range(uint64_t lo, uint64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& s) -> std::string {
        uint64_t v = 0;
        if (!parse_whole(s, v) || v < lo || v > hi) return "'" + s + "' is not an integer in " + range;
        return {};
      },
      range);
}

CLI::Validator ipv4_address() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        return parse_ipv4(s) ? std::string{} : "'" + s + "' is not an IPv4 address (a.b.c.d)";
      },
      "IPV4");
}

CLI::Validator ipv4_endpoint() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        std::string why;
        return parse_ipv4_endpoint(s, &why) ? std::string{} : why;
      },
      "IPV4:PORT");
}

std::optional<uint32_t> parse_ipv4(std::string_view text) noexcept {
  uint32_t out = 0;
  for (int part = 0; part < 4; ++part) {
    const std::size_t dot = part < 3 ? text.find('.') : text.size();
    if (dot == std::string_view::npos || dot == 0 || dot > 3) return std::nullopt;
    unsigned v = 0;
    if (!parse_whole(text.substr(0, dot), v) || v > 255) return std::nullopt;
    out = (out << 8) | v;
    text.remove_prefix(part < 3 ? dot + 1 : dot);
  }
  return out;
}

std::optional<Ipv4Endpoint> parse_ipv4_endpoint(std::string_view text, std::string* why) {
  auto fail = [&](const std::string& reason) -> std::optional<Ipv4Endpoint> {
    if (why) *why = "'" + std::string(text) + "': " + reason;
    return std::nullopt;
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return fail("expected IPv4:PORT");
  const auto address = parse_ipv4(text.substr(0, colon));
  if (!address) return fail("'" + std::string(text.substr(0, colon)) + "' is not an IPv4 address (a.b.c.d)");
  unsigned port = 0;
  if (!parse_whole(text.substr(colon + 1), port) || port > 65535)
    return fail("the port must be an integer from 0 to 65535");
  return Ipv4Endpoint{*address, static_cast<uint16_t>(port)};
}

}  // namespace sf::cli
