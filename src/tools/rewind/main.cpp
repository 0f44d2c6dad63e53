// sf-rewind: a MoldUDP64 re-request server for labs and tests (#12), run the way sf-venue-sim is.
//
// It loads a feed into a message store by sequence number — a pcap (MoldUDP64 to --port, A/B lines
// merged), a NASDAQ BinaryFILE (sequences from --first-seq), and/or a live MoldUDP64 feed recorded from
// a UDP socket (--record GROUP:PORT) while it serves — and answers each 20-byte MoldUDP64 re-request on
// --listen with one ordinary MoldUDP64 packet unicast back to the requester. Fault switches:
// --ignore-share X (seeded by --seed) leaves that share of requests unanswered, --delay-ms D answers
// late. At exit (SIGINT/SIGTERM, or --idle-exit seconds without a request) it prints its totals as one
// JSON line (requests by outcome, messages sent, what the store holds). Exit codes: 0, 1 runtime, 2 usage.
//
//   sf-rewind --pcap feed.pcap [--port 26477 --port 26478] [--listen 0.0.0.0:26400]
//   sf-rewind --binaryfile day.itch --session NASDAQ0001 [--ignore-share 0.2 --seed 7] [--delay-ms 50]
//   sf-rewind --record 233.54.12.111:26477 [--record-interface 10.0.0.2] [--listen 10.0.0.2:26400]
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "glimpse_service.hpp"
#include "loader.hpp"
#include "server.hpp"
#include "sniperforge/common/cli.hpp"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

struct Inputs {
  std::string pcap, binaryfile, session;
  std::vector<uint16_t> ports{26477};
  uint64_t first_seq = 1;
};

// Loads the files into the store; the exit status on failure.
int load(const Inputs& in, sf::rewind::MessageStore& store) {
  if (!in.session.empty()) store.set_session(in.session);
  for (const auto& [path, is_pcap] : {std::pair{in.pcap, true}, std::pair{in.binaryfile, false}}) {
    if (path.empty()) continue;
    const sf::rewind::LoadResult r = is_pcap ? sf::rewind::load_pcap(path, in.ports, store)
                                             : sf::rewind::load_binaryfile(path, in.first_seq, store);
    if (!r.ok) {
      std::fprintf(stderr, "sf-rewind: %s: %s\n", path.c_str(), r.error.c_str());
      return sf::cli::kExitFailure;
    }
  }
  return sf::cli::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sf-rewind: MoldUDP64 re-request server (answers from a pcap, a BinaryFILE or a recorded feed)",
      "sf-rewind"};
  sf::cli::apply_conventions(app, "sf-rewind");
  Inputs in;
  sf::rewind::ServerOptions opt;
  bool quiet = false;
  app.add_option("--pcap", in.pcap, "load the MoldUDP64 packets of this pcap")->check(CLI::ExistingFile);
  app.add_option("--port", in.ports, "UDP destination port(s) of the feed in --pcap (A and B lines)")
      ->check(sf::cli::unsigned_range(1, 65535))
      ->capture_default_str();
  app.add_option("--binaryfile", in.binaryfile, "load this NASDAQ BinaryFILE (needs --session)")
      ->check(CLI::ExistingFile);
  app.add_option("--first-seq", in.first_seq, "sequence number of the BinaryFILE's first message")
      ->check(sf::cli::unsigned_range(1, UINT64_MAX - (uint64_t{1} << 40)))
      ->capture_default_str();
  app.add_option("--session", in.session, "MoldUDP64 session (default: the first packet's)")
      ->check([](const std::string& s) { return s.size() <= 10 ? std::string() : "at most 10 characters"; });
  app.add_option("--record", opt.record,
                 "record the live MoldUDP64 feed sent to this IPv4:PORT (group joined)")
      ->check(sf::cli::ipv4_endpoint());
  app.add_option("--record-interface", opt.record_interface,
                 "IPv4 address of the interface joining the group")
      ->check(sf::cli::ipv4_address());
  app.add_option("--listen", opt.listen, "IPv4:PORT answering re-requests (port 0: any free port)")
      ->check(sf::cli::ipv4_endpoint())
      ->capture_default_str();
  app.add_option("--max-payload", opt.policy.max_payload, "largest answer (UDP payload bytes)")
      ->check(sf::cli::unsigned_range(64, 65507))
      ->capture_default_str();
  app.add_option("--ignore-share", opt.policy.ignore_share, "fault: leave this share of requests unanswered")
      ->check(sf::cli::number_range(0, 1));
  app.add_option("--seed", opt.policy.seed, "seed of --ignore-share's draws")
      ->check(sf::cli::unsigned_range(0, UINT64_MAX));
  app.add_option("--delay-ms", opt.delay_ms, "fault: answer this many milliseconds late")
      ->check(sf::cli::unsigned_range(0, 600'000));
  app.add_option("--idle-exit", opt.idle_exit_s, "exit after this many seconds without a request (0: never)")
      ->check(sf::cli::number_range(0, 1e6));
  app.add_option("--totals", opt.totals_path, "also write the exit totals JSON here");
  sf::rewind::GlimpseCli glimpse;
  sf::rewind::add_glimpse_options(app, glimpse);
  sf::cli::add_quiet_flag(app, quiet);
  if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;
  if (in.pcap.empty() && in.binaryfile.empty() && opt.record.empty()) {
    std::fprintf(stderr, "sf-rewind: nothing to serve: give --pcap, --binaryfile and/or --record\n");
    return sf::cli::kExitUsage;
  }
  if (!in.binaryfile.empty() && in.session.empty()) {
    std::fprintf(stderr, "sf-rewind: --binaryfile needs --session (a BinaryFILE names no session)\n");
    return sf::cli::kExitUsage;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  sf::rewind::MessageStore store;
  if (const int rc = load(in, store)) return rc;
  sf::rewind::GlimpseService service;  // --glimpse-listen: GLIMPSE snapshots from the same store
  if (std::string error; !glimpse.listen.empty()) {
    if (!service.configure(glimpse, store, error)) {
      std::fprintf(stderr, "sf-rewind: %s\n", error.c_str());
      return sf::cli::kExitUsage;
    }
    if (!service.start(error)) {
      std::fprintf(stderr, "sf-rewind: %s\n", error.c_str());
      return sf::cli::kExitFailure;
    }
    opt.on_step = [&service] { service.step(); };
    opt.max_wait_ms = 5;
  }
  const int rc = sf::rewind::run_server(opt, store, g_stop);
  if (!glimpse.listen.empty()) std::fprintf(stderr, "sf-rewind: %s\n", service.summary().c_str());
  return rc;
}
