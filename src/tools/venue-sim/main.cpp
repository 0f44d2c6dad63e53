// sf-venue-sim: a venue for live tests, SoupBinTCP 4.1 over kernel TCP carrying OUCH 5.0.
//
// Logins are checked against a credentials file; each user has one sequenced-message stream in the
// current session (--session), optionally kept on disk (--store DIR) so a killed and restarted simulator
// resumes it; a login with requested sequence N gets everything from N (0 = only new messages). Server
// heartbeats after --heartbeat-ms without sending; a client silent for --timeout-ms is dropped. Each OUCH
// 5.0 Enter Order is answered as matching.hpp says (Accepted / Executed / Canceled / Rejected; --fill-rule
// full|seeded with --seed; --no-fill). Fault switches: --drop-after N (close the connection right after
// the N-th sequenced message, once), --stall-after N (send nothing after the N-th, still storing: kill
// and restart it from --store to resume), --no-heartbeat, --reject-logins, --delay-ms D, and --fault
// overfill|duplicate-exec (matching.hpp, faulty_executions: a wrong venue, to test that the appliance
// checks what it is told, issue #19). At exit it prints per-session totals (orders, fills, shares by
// symbol and side) as one JSON line (--totals FILE too). Exits on SIGINT/SIGTERM or after --idle-exit
// seconds without a connection. Exit codes: 0 done, 1 runtime failure, 2 bad options.
// (The home-made UDP order session it also served is retired, issue #11; --soupbintcp is still accepted.)
//
//   sf-venue-sim --listen 0.0.0.0:15000 --credentials FILE [--store DIR] [--session S] [--idle-exit 3]
//                [--no-fill] [--fault overfill|duplicate-exec] [--fill-rule full|seeded] [--seed N]
//                [--drop-after N] [--stall-after N] [--no-heartbeat] [--reject-logins] [--delay-ms D]
//                [--totals FILE]
//   sf-venue-sim --version
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <string>

#include "matching.hpp"
#include "sniperforge/common/cli.hpp"
#include "soup_server.hpp"

namespace {
using namespace sf;
using venue_sim::Rules;

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sf-venue-sim: a venue for live tests (SoupBinTCP 4.1 + OUCH 5.0 over kernel TCP)",
               "sf-venue-sim"};
  sf::cli::apply_conventions(app, "sf-venue-sim");
  venue_sim::SoupServerOptions soup;
  soup.listen = "0.0.0.0:15000";
  bool soupbintcp = true;
  std::string credentials;
  app.add_flag("--soupbintcp", soupbintcp,
               "SoupBinTCP 4.1 over TCP (the only mode; accepted for old scripts)");
  app.add_option("--listen", soup.listen, "IPv4:PORT to serve on (port 0: any free port)")
      ->check(sf::cli::ipv4_endpoint())
      ->capture_default_str();
  app.add_option("--idle-exit", soup.idle_exit_s,
                 "exit after this many seconds without a connection (0: never)")
      ->check(sf::cli::number_range(0, 1e6));
  app.add_flag("--no-fill", soup.rules.no_fill, "accept orders but never execute them");
  app.add_option("--fault", soup.rules.fault, "answer wrongly: overfill or duplicate-exec (see matching.hpp)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, venue_sim::Fault>{
          {"overfill", venue_sim::Fault::kOverfill}, {"duplicate-exec", venue_sim::Fault::kDuplicateExec}}));
  app.add_option("--fill-rule", soup.rules.fill, "full (default) or seeded: IOC fill / partial fill / cancel")
      ->transform(CLI::CheckedTransformer(std::map<std::string, venue_sim::FillRule>{
          {"full", venue_sim::FillRule::kFull}, {"seeded", venue_sim::FillRule::kSeeded}}));
  app.add_option("--seed", soup.rules.seed, "seed of the seeded fill rule")
      ->check(sf::cli::unsigned_range(0, UINT64_MAX));
  app.add_option("--credentials", credentials, "file of \"username password\" lines")
      ->check(CLI::ExistingFile);
  app.add_option("--session", soup.session_name, "session name (at most 10 characters)")
      ->check([](const std::string& s) { return s.size() <= 10 ? std::string() : "at most 10 characters"; });
  app.add_option("--store", soup.store_dir, "keep each user's sequenced messages in DIR/USER.soup")
      ->check(CLI::ExistingDirectory);
  app.add_option("--heartbeat-ms", soup.heartbeat_ms, "server heartbeat interval")
      ->check(sf::cli::unsigned_range(1, 600'000));
  app.add_option("--timeout-ms", soup.timeout_ms, "drop a client silent this long")
      ->check(sf::cli::unsigned_range(1, 600'000));
  app.add_option("--drop-after", soup.drop_after,
                 "fault: close the connection after N sequenced messages (once; 0: never)")
      ->check(sf::cli::unsigned_range(0, UINT64_MAX));
  app.add_option("--stall-after", soup.stall_after,
                 "fault: after N sequenced messages send no more, storing them (heartbeats go on; 0: never)")
      ->check(sf::cli::unsigned_range(0, UINT64_MAX));
  app.add_flag("--no-heartbeat", soup.no_heartbeat, "fault: never send server heartbeats");
  app.add_flag("--reject-logins", soup.reject_logins, "fault: reject every login (reason A)");
  app.add_option("--delay-ms", soup.delay_ms, "fault: answer orders this much later")
      ->check(sf::cli::unsigned_range(0, 600'000));
  app.add_option("--totals", soup.totals_path, "also write the exit totals JSON here");
  if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::string error;
  if (credentials.empty()) {
    std::fprintf(stderr, "sf-venue-sim: --credentials FILE is required\n");
    return sf::cli::kExitUsage;
  }
  if (!venue_sim::read_credentials(credentials, soup.passwords, error)) {
    std::fprintf(stderr, "sf-venue-sim: %s\n", error.c_str());
    return sf::cli::kExitUsage;
  }
  return venue_sim::run_soup_server(soup, g_stop);
}
