// The appliance's run, once EAL is up: the data plane built, the services around it started in order
// (GLIMPSE snapshot, telemetry, journal, order sessions, control socket), the lcores run until the
// replay ends or a signal stops them, then everything drained and the outputs written.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "app_config.hpp"
#include "runtime.hpp"
#include "sniperforge/dataplane/placement.hpp"

namespace sf::app {

// What the signal handler shares with the run: the last signal caught, and the runtime's stop flag it
// raises once the runtime exists (a signal during start-up stops the engine build early).
struct StopSignals {
  std::atomic<int>& signal;
  std::atomic<std::atomic<bool>*>& stop_flag;
};

// The exit code: 0, 1 (a service failed, an output could not be written, the input was damaged), or 2
// (the data plane or the order sessions could not be set up).
int run_appliance(const AppOptions& opt, const AppConfig& cfg, const dataplane::Placement& placement,
                  StopSignals signals);

// --test-stall-lcore LCORE:AFTER_MS:FOR_MS (tests of the stats side's stall detection).
std::optional<dataplane::Runtime::TestStallSpec> parse_test_stall(const std::string& text);

// Prints "sniperforge: WHAT:" and each error; the exit code 2.
int report_errors(const std::vector<std::string>& errors, const char* what);

}  // namespace sf::app
