// sf-venue-sim: a venue for live tests, in one of two modes.
//
// SoupBinTCP 4.1 (--soupbintcp, kernel TCP): the real protocol. Logins are checked against a
// credentials file; each user has one sequenced-message stream in the current session (--session),
// optionally kept on disk (--store DIR) so a killed and restarted simulator resumes it; a login
// with requested sequence N gets everything from N (0 = only new messages). Server heartbeats after
// --heartbeat-ms without sending; a client silent for --timeout-ms is dropped. Each OUCH 5.0 Enter
// Order is answered as matching.hpp says (Accepted / Executed / Canceled / Rejected; --fill-rule
// full|seeded with --seed). Fault switches: --drop-after N (close the connection right after the
// N-th sequenced message, once), --stall-after N (send nothing after the N-th, still storing: kill and
// restart it from --store to resume), --no-heartbeat, --reject-logins, --delay-ms D. At exit it prints
// per-session totals (orders, fills, shares by symbol and side) as one JSON line (--totals FILE too).
//
// UDP (default): the home-made UDP order session, one or more SoupBinTCP-style packets per
// datagram with explicit u64 sequence numbers; per sender address: Login Accepted for a login,
// the same order answers as above for each Enter Order, heartbeats ignored.
//
// Both: --fault overfill|duplicate-exec (matching.hpp, faulty_executions) makes it a wrong venue, to
// test that the appliance checks what it is told (issue #19). Exits on SIGINT/SIGTERM or after
// --idle-exit seconds without traffic. Exit codes: 0 done, 1 runtime failure, 2 bad options.
//
//   sf-venue-sim --listen 0.0.0.0:40001 [--orders-hex FILE] [--idle-exit 3] [--no-fill]
//                [--fault overfill|duplicate-exec] [--fill-rule full|seeded] [--seed N]
//   sf-venue-sim --soupbintcp --listen 0.0.0.0:15000 --credentials FILE [--store DIR] [--session S]
//                [--drop-after N] [--stall-after N] [--no-heartbeat] [--reject-logins] [--delay-ms D]
//                [--totals FILE]
//   sf-venue-sim --version
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "matching.hpp"
#include "sniperforge/common/cli.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/proto/session.hpp"
#include "soup_server.hpp"

namespace {
using namespace sf;
using venue_sim::Rules;

std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

struct UdpOptions {
  std::string listen;
  std::string orders_hex;
  double idle_exit = 0;
  Rules rules;
};

void append_hex(std::ofstream& hex, const uint8_t* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string line;
  for (std::size_t i = 0; i < n; ++i) {
    line += d[p[i] >> 4];
    line += d[p[i] & 15];
  }
  hex << line << "\n" << std::flush;
}

int run_udp(const UdpOptions& opt) {
  const sf::cli::Ipv4Endpoint at = *sf::cli::parse_ipv4_endpoint(opt.listen);  // checked by the validator
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(at.address);
  addr.sin_port = htons(at.port);
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  socklen_t addr_len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) {
    std::perror("sf-venue-sim: bind");
    return sf::cli::kExitFailure;
  }
  std::ofstream hex;
  if (!opt.orders_hex.empty()) hex.open(opt.orders_hex, std::ios::app);
  // The bound port: the one asked for, or the kernel's choice for port 0.
  std::fprintf(stderr, "sf-venue-sim: listening on %s:%u\n",
               opt.listen.substr(0, opt.listen.rfind(':')).c_str(), ntohs(addr.sin_port));

  struct UdpSession {
    uint64_t next_seq = 1;
    venue_sim::SessionOrders orders;
  };
  std::map<uint64_t, UdpSession> sessions;  // per sender address
  uint64_t datagrams = 0, bad = 0, orders = 0, accepted = 0, executed = 0;
  auto last = std::chrono::steady_clock::now();
  std::array<uint8_t, 65536> in{};
  std::array<uint8_t, 4096> out{};
  std::vector<venue_sim::Message> answers;
  while (!g_stop.load()) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) {
      if (opt.idle_exit > 0 &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - last).count() > opt.idle_exit)
        break;
      continue;
    }
    sockaddr_in from{};
    socklen_t flen = sizeof from;
    const ssize_t n = recvfrom(fd, in.data(), in.size(), 0, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n <= 0) continue;
    last = std::chrono::steady_clock::now();
    ++datagrams;
    if (hex.is_open()) append_hex(hex, in.data(), static_cast<std::size_t>(n));
    UdpSession& s = sessions[(uint64_t{from.sin_addr.s_addr} << 16) | from.sin_port];
    session::DatagramBuilder b(out.data(), out.size());
    const session::Error e = session::for_each_packet(
        in.data(), static_cast<std::size_t>(n), session::Direction::kClientToVenue,
        [&](const session::Packet& pk) {
          if (pk.type == session::type::kLoginRequest) {
            (void)b.login_accepted("SFVENUE001", s.next_seq);
            return;
          }
          if (pk.type != session::type::kUnsequencedData || pk.payload[0] != 'O') return;
          ++orders;
          answers.clear();
          venue_sim::answer_enter_order(ouch::inbound::views::EnterOrder(pk.payload, pk.payload_length),
                                        opt.rules, s.orders, venue_sim::ns_since_midnight(), answers);
          for (const auto& m : answers) {
            if (!b.sequenced(s.next_seq, m)) continue;
            ++s.next_seq;
            accepted += m[0] == 'A';
            executed += m[0] == 'E';
          }
        });
    if (e != session::Error::kOk) {
      ++bad;
      continue;
    }
    if (b.size() > 0)
      (void)sendto(fd, out.data(), b.size(), 0, reinterpret_cast<const sockaddr*>(&from), sizeof from);
  }
  std::printf("sf-venue-sim: %lu datagrams (%lu bad), %lu orders, %lu accepted, %lu executed\n",
              static_cast<unsigned long>(datagrams), static_cast<unsigned long>(bad),
              static_cast<unsigned long>(orders), static_cast<unsigned long>(accepted),
              static_cast<unsigned long>(executed));
  close(fd);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sf-venue-sim: a venue for live tests (SoupBinTCP 4.1 + OUCH 5.0, or the UDP order session)",
               "sf-venue-sim"};
  sf::cli::apply_conventions(app, "sf-venue-sim");
  UdpOptions udp;
  udp.listen = "0.0.0.0:40001";
  venue_sim::SoupServerOptions soup;
  bool soupbintcp = false;
  std::string credentials;
  app.add_flag("--soupbintcp", soupbintcp, "serve SoupBinTCP 4.1 over TCP (default: the UDP order session)");
  app.add_option("--listen", udp.listen, "IPv4:PORT to serve on (port 0: any free port)")
      ->check(sf::cli::ipv4_endpoint())
      ->capture_default_str();
  app.add_option("--idle-exit", udp.idle_exit, "exit after this many seconds without traffic (0: never)")
      ->check(sf::cli::number_range(0, 1e6));
  app.add_flag("--no-fill", udp.rules.no_fill, "accept orders but never execute them");
  app.add_option("--fault", udp.rules.fault, "answer wrongly: overfill or duplicate-exec (see matching.hpp)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, venue_sim::Fault>{
          {"overfill", venue_sim::Fault::kOverfill}, {"duplicate-exec", venue_sim::Fault::kDuplicateExec}}));
  app.add_option("--fill-rule", udp.rules.fill, "full (default) or seeded: IOC fill / partial fill / cancel")
      ->transform(CLI::CheckedTransformer(std::map<std::string, venue_sim::FillRule>{
          {"full", venue_sim::FillRule::kFull}, {"seeded", venue_sim::FillRule::kSeeded}}));
  app.add_option("--seed", udp.rules.seed, "seed of the seeded fill rule")
      ->check(sf::cli::unsigned_range(0, UINT64_MAX));
  app.add_option("--orders-hex", udp.orders_hex, "UDP: append every received datagram here as one hex line");
  app.add_option("--credentials", credentials, "SoupBinTCP: file of \"username password\" lines")
      ->check(CLI::ExistingFile);
  app.add_option("--session", soup.session_name, "SoupBinTCP: session name (at most 10 characters)")
      ->check([](const std::string& s) { return s.size() <= 10 ? std::string() : "at most 10 characters"; });
  app.add_option("--store", soup.store_dir,
                 "SoupBinTCP: keep each user's sequenced messages in DIR/USER.soup")
      ->check(CLI::ExistingDirectory);
  app.add_option("--heartbeat-ms", soup.heartbeat_ms, "SoupBinTCP: server heartbeat interval")
      ->check(sf::cli::unsigned_range(1, 600'000));
  app.add_option("--timeout-ms", soup.timeout_ms, "SoupBinTCP: drop a client silent this long")
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
  app.add_option("--totals", soup.totals_path, "SoupBinTCP: also write the exit totals JSON here");
  if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  if (!soupbintcp) return run_udp(udp);

  std::string error;
  if (credentials.empty()) {
    std::fprintf(stderr, "sf-venue-sim: --soupbintcp needs --credentials FILE\n");
    return sf::cli::kExitUsage;
  }
  if (!venue_sim::read_credentials(credentials, soup.passwords, error)) {
    std::fprintf(stderr, "sf-venue-sim: %s\n", error.c_str());
    return sf::cli::kExitUsage;
  }
  soup.listen = udp.listen;
  soup.rules = udp.rules;
  soup.idle_exit_s = udp.idle_exit;
  return venue_sim::run_soup_server(soup, g_stop);
}
