#include "sniperforge/dataplane/session_preflight.hpp"

namespace sf::dataplane {
namespace {
std::string ipv4_text(const std::array<uint8_t, 4>& a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
         std::to_string(a[3]);
}
}  // namespace

void check_order_session_logins(const DataplaneConfig& dp, uint32_t shards,
                                std::vector<std::string>& errors) {
  const order_session::VenueSessionConfig& s = dp.order_session.soupbintcp;
  const std::size_t n = s.logins.size();
  if (n == shards || (s.transport == order_session::TransportKind::kNone && n == 0)) return;
  errors.push_back(
      "[order_session]: transport \"" + std::string(order_session::to_string(s.transport)) +
      "\" needs exactly one [[order_session.login]] per shard, in shard order: [trading].shards = " +
      std::to_string(shards) + " but " + std::to_string(n) + " login(s) are configured");
}

std::string describe_order_session(const DataplaneConfig& dp, uint32_t shards) {
  const order_session::VenueSessionConfig& s = dp.order_session.soupbintcp;
  std::string line = "order session: ";
  switch (s.transport) {
    case order_session::TransportKind::kNone:
      line += "none (no venue: SoupBinTCP in a synthetic TCP stream to the TX pcap)";
      break;
    case order_session::TransportKind::kKernel:
      line += "SoupBinTCP over kernel TCP to " + ipv4_text(s.venue_ip) + ":" + std::to_string(s.venue_port);
      break;
    case order_session::TransportKind::kDpdk:
      line += "SoupBinTCP over the DPDK TCP client to " + ipv4_text(s.venue_ip) + ":" +
              std::to_string(s.venue_port);
      break;
  }
  line += ", " + std::to_string(s.logins.size()) + " login(s) for " + std::to_string(shards) + " shard(s)";
  for (std::size_t i = 0; i < s.logins.size(); ++i)
    line += (i ? ", " : ": ") + s.logins[i].username + " (shard " + std::to_string(i) + ")";
  return line;
}

}  // namespace sf::dataplane
