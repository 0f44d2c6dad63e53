// sf-venue-sim: a minimal venue for the UDP order session, on an ordinary UDP socket.
//
// Every client datagram is decoded with the order-session and OUCH codecs; each Enter Order is
// answered (to the sender's address, i.e. that shard's session port) with one datagram holding two
// Sequenced Data packets: Order Accepted, then Order Executed for the whole quantity at the order's
// price (an IOC fill). Login requests get Login Accepted, heartbeats are ignored. Sequence numbers run
// per session (sender address). Exits on SIGINT/SIGTERM or after --idle-exit seconds without traffic.
// --fault makes it a wrong venue, to test that the appliance checks what it is told (issue #19):
//   overfill        Executed for ceil(q/2) shares, then another Executed (new match number) for q shares:
//                   the second exceeds what is still open.
//   duplicate-exec  Executed for ceil(q/2) shares, then the very same Executed again (same match number).
// In both, the valid fills are ceil(q/2) shares per order.
//
//   sf-venue-sim --listen 0.0.0.0:40001 [--orders-hex FILE] [--idle-exit 3] [--no-fill]
//                [--fault overfill|duplicate-exec] [--version]
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

#include "sniperforge/common/cli.hpp"
#include "sniperforge/proto/ouch.hpp"
#include "sniperforge/proto/session.hpp"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop.store(true);
}

uint64_t ns_since_midnight() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()) %
         (86'400ull * 1'000'000'000ull);
}

enum class Fault { kNone, kOverfill, kDuplicateExec };

// The Executed messages a faulty venue sends for an order of `quantity` shares (see the header comment):
// a valid partial fill, then an invalid one. Returns how many messages it wrote to `out`.
std::size_t faulty_executions(Fault fault, sf::ouch::outbound::msg::OrderExecuted first, uint32_t quantity,
                              uint64_t& match, std::array<sf::ouch::outbound::msg::OrderExecuted, 2>& out) {
  first.quantity = quantity - quantity / 2;
  first.match_number = match++;
  out[0] = first;
  out[1] = first;  // duplicate-exec: the same message again
  if (fault == Fault::kOverfill) {
    out[1].quantity = quantity;
    out[1].match_number = match++;
  }
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace sf;
  CLI::App app{"sf-venue-sim: answers OUCH Enter Orders (UDP order session) with Accepted + Executed",
               "sf-venue-sim"};
  sf::cli::apply_conventions(app, "sf-venue-sim");
  std::string listen = "0.0.0.0:40001", orders_hex;
  double idle_exit = 0;
  bool no_fill = false;
  Fault fault = Fault::kNone;
  app.add_option("--listen", listen, "IPv4:PORT to receive orders on (port 0: any free port)")
      ->check(sf::cli::ipv4_endpoint())
      ->capture_default_str();
  app.add_option("--orders-hex", orders_hex, "append every received datagram here as one hex line");
  app.add_option("--idle-exit", idle_exit, "exit after this many seconds without a datagram (0: never)")
      ->check(sf::cli::number_range(0, 1e6));
  app.add_flag("--no-fill", no_fill, "accept orders but never execute them");
  app.add_option("--fault", fault, "answer wrongly: overfill or duplicate-exec (see the header comment)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Fault>{
          {"overfill", Fault::kOverfill}, {"duplicate-exec", Fault::kDuplicateExec}}));
  if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;

  const sf::cli::Ipv4Endpoint at = *sf::cli::parse_ipv4_endpoint(listen);  // checked by the validator
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
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::ofstream hex;
  if (!orders_hex.empty()) hex.open(orders_hex, std::ios::app);
  // The bound port: the one asked for, or the kernel's choice for port 0.
  std::fprintf(stderr, "sf-venue-sim: listening on %s:%u\n", listen.substr(0, listen.rfind(':')).c_str(),
               ntohs(addr.sin_port));

  std::map<uint64_t, uint64_t> next_seq;  // per session (sender address): next sequence number
  uint64_t datagrams = 0, bad = 0, orders = 0, accepted = 0, executed = 0, match = 1, order_ref = 1;
  auto last = std::chrono::steady_clock::now();
  std::array<uint8_t, 65536> in{};
  std::array<uint8_t, 4096> out{};
  while (!g_stop.load()) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) {
      if (idle_exit > 0 &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - last).count() > idle_exit)
        break;
      continue;
    }
    sockaddr_in from{};
    socklen_t flen = sizeof from;
    const ssize_t n = recvfrom(fd, in.data(), in.size(), 0, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n <= 0) continue;
    last = std::chrono::steady_clock::now();
    ++datagrams;
    if (hex.is_open()) {
      static const char* d = "0123456789abcdef";
      std::string line;
      for (ssize_t i = 0; i < n; ++i) {
        line += d[in[static_cast<std::size_t>(i)] >> 4];
        line += d[in[static_cast<std::size_t>(i)] & 15];
      }
      hex << line << "\n" << std::flush;
    }
    const uint64_t key = (uint64_t{from.sin_addr.s_addr} << 16) | from.sin_port;
    uint64_t& seq = next_seq.try_emplace(key, 1).first->second;
    session::DatagramBuilder b(out.data(), out.size());
    const session::Error e =
        session::for_each_packet(in.data(), static_cast<std::size_t>(n), session::Direction::kClientToVenue,
                                 [&](const session::Packet& pk) {
                                   if (pk.type == session::type::kLoginRequest) {
                                     (void)b.login_accepted("SFVENUE001", seq);
                                     return;
                                   }
                                   if (pk.type != session::type::kUnsequencedData || pk.payload[0] != 'O')
                                     return;
                                   const ouch::inbound::views::EnterOrder o(pk.payload, pk.payload_length);
                                   ++orders;
                                   ouch::outbound::msg::OrderAccepted a;
                                   a.timestamp = ns_since_midnight();
                                   a.user_ref_num = o.user_ref_num();
                                   a.side = o.side();
                                   a.quantity = o.quantity();
                                   a.symbol = o.symbol();
                                   a.price = o.price();
                                   a.time_in_force = o.time_in_force();
                                   a.display = o.display();
                                   a.order_reference_number = order_ref++;
                                   a.capacity = o.capacity();
                                   a.intermarket_sweep_eligibility = o.intermarket_sweep_eligibility();
                                   a.cross_type = o.cross_type();
                                   a.order_state = 'L';
                                   a.cl_ord_id = o.cl_ord_id();
                                   std::array<uint8_t, 128> m{};
                                   std::size_t len = a.encode(m.data());
                                   if (b.sequenced(seq, {m.data(), len})) {
                                     ++seq;
                                     ++accepted;
                                   }
                                   if (no_fill) return;
                                   ouch::outbound::msg::OrderExecuted x;
                                   x.timestamp = ns_since_midnight();
                                   x.user_ref_num = o.user_ref_num();
                                   x.quantity = o.quantity();
                                   x.price = o.price();
                                   x.liquidity_flag = 'R';
                                   std::array<ouch::outbound::msg::OrderExecuted, 2> xs{x};
                                   std::size_t count = 1;
                                   if (fault != Fault::kNone)
                                     count = faulty_executions(fault, x, o.quantity(), match, xs);
                                   else
                                     xs[0].match_number = match++;
                                   for (std::size_t i = 0; i < count; ++i) {
                                     len = xs[i].encode(m.data());
                                     if (b.sequenced(seq, {m.data(), len})) {
                                       ++seq;
                                       ++executed;
                                     }
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
