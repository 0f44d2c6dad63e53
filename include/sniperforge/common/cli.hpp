// Command-line conventions shared by sniperforge and every sf-* tool (docs/operations.md, "Command-line
// conventions"): --version and -h/--help on every binary, the same names for the same things
// (--config FILE, -o/--output FILE, -q/--quiet, --json), exit status 0 success / 1 runtime failure /
// 2 bad usage or configuration, and every numeric option validated (finite, in range) with a message
// that names the option.
//
//   CLI::App app{"what it does", "sf-tool"};
//   sf::cli::apply_conventions(app, "sf-tool");
//   app.add_option("--rate", rate, "...")->check(sf::cli::positive_number(1e9));
//   if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace sf::cli {

inline constexpr int kExitOk = 0;       // success
inline constexpr int kExitFailure = 1;  // the work failed at run time (I/O, bad data, a peer)
inline constexpr int kExitUsage = 2;    // bad usage or configuration: nothing was done

// Adds --version (sf::version_text; the DPDK line when the binary links DPDK), the exit-status footer,
// and error messages of the form "<program>: <what>" followed by a --help hint.
void apply_conventions(CLI::App& app, const std::string& program, bool links_dpdk = false);

// Parses the command line. std::nullopt: go on. Otherwise the exit status to return now: 0 after
// --help or --version (printed to stdout), kExitUsage after a usage error (printed to stderr).
[[nodiscard]] std::optional<int> parse(CLI::App& app, int argc, const char* const* argv);

// -q,--quiet: no progress line and no informational notes on stderr (warnings and errors still print).
CLI::Option* add_quiet_flag(CLI::App& app, bool& quiet);

// ---- Validators (they see the text before conversion, so NaN, overflow and signs are caught) ----

// A finite number in [lo, hi].
[[nodiscard]] CLI::Validator number_range(double lo, double hi);
// A finite number in (0, hi].
[[nodiscard]] CLI::Validator positive_number(double hi = std::numeric_limits<double>::max());
// A decimal integer in [lo, hi] (no sign for a non-negative range, no overflow).
[[nodiscard]] CLI::Validator integer_range(int64_t lo, int64_t hi);
[[nodiscard]] CLI::Validator unsigned_range(uint64_t lo, uint64_t hi);
// A dotted-quad IPv4 address.
[[nodiscard]] CLI::Validator ipv4_address();
// IPv4:PORT, PORT 0..65535 (0: the kernel picks a free port).
[[nodiscard]] CLI::Validator ipv4_endpoint();

// ---- Parsers the validators use (also for values read elsewhere, e.g. a config file) ----

struct Ipv4Endpoint {
  uint32_t address = 0;  // host byte order
  uint16_t port = 0;
};
// Host byte order; std::nullopt unless exactly a.b.c.d with each part 0..255.
[[nodiscard]] std::optional<uint32_t> parse_ipv4(std::string_view text) noexcept;
// "a.b.c.d:PORT"; on failure `why` (if given) says what is wrong.
[[nodiscard]] std::optional<Ipv4Endpoint> parse_ipv4_endpoint(std::string_view text,
                                                              std::string* why = nullptr);

}  // namespace sf::cli
