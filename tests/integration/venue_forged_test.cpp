// Forged segments against `transport = "dpdk"`: with the appliance logged in to sf-venue-sim over our
// own TCP, frames written from the venue's namespace (an AF_PACKET socket on its veth) that claim to
// carry an OUCH Executed for the session change nothing: another source address or port (with a
// sequence number inside the receive window), the right 4-tuple outside the window, a bad checksum and
// an unexpected SYN are each dropped and counted under their reason in /metrics, no venue message is
// applied, positions still equal the simulator's totals and the session stays logged in.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "../net/netns_fixture.hpp"
#include "address_text.hpp"
#include "sniperforge/net/tcp_segment.hpp"
#include "venue_e2e_fixture.hpp"

using namespace sf::testing::venue_e2e;

namespace {

using sf::testing::ip_of;
using sf::testing::mac_of;

class VenueForged : public VenueE2E {
 protected:
  // The appliance's latest segment to the venue (its ACK: the sequence number the window starts at).
  bool sniff(int fd, sf::net::TcpSegment& seg, std::array<uint8_t, 2048>& buf) {
    return wait_for(
        [&] {
          for (std::size_t n; (n = sf::net::testing::recv_frame(fd, buf.data(), buf.size())) > 0;) {
            if (sf::net::parse_tcp_frame(buf.data(), n, seg) == sf::net::TcpParseError::kOk &&
                seg.src_ip == ip_of(link_->local_ip) && seg.dst_port == port_ &&
                seg.has(sf::net::tcp_flag::kAck))
              return true;
          }
          return false;
        },
        5);
  }
};

}  // namespace

TEST_P(VenueForged, ForgedSegmentsChangeNothingAndAreCountedByReason) {
  start_sim({});
  run_appliance();
  ASSERT_EQ(metric_sum(metrics_, "sniperforge_sessions_logged_in"), 1.0) << metrics_;
  const int fd = sf::net::testing::raw_socket(link_->ns, link_->far_if);
  ASSERT_GE(fd, 0);
  sf::net::TcpSegment ours;
  std::array<uint8_t, 2048> buf{};
  ASSERT_TRUE(sniff(fd, ours, buf)) << "no segment of the appliance seen";

  // A Sequenced Data packet carrying an OUCH Executed: applied, it would count as a venue message.
  std::array<uint8_t, 2 + 41> payload{};
  payload[1] = 41;
  payload[2] = 'S';
  payload[3] = 'E';
  sf::net::L2Spec l2{mac_of(link_->near_mac), mac_of(link_->far_mac), false, 0};
  auto forge = [&](uint32_t src_ip, uint16_t src_port, uint32_t seq, uint8_t flags, bool bad_checksum) {
    sf::net::OutSegment s;
    s.src_ip = src_ip;
    s.dst_ip = ours.src_ip;
    s.src_port = src_port;
    s.dst_port = ours.src_port;
    s.seq = seq;
    s.ack = ours.seq;
    s.flags = flags;
    s.window = 65535;
    s.payload = payload.data();
    s.payload_length = flags & sf::net::tcp_flag::kSyn ? 0 : payload.size();
    std::array<uint8_t, 1600> f{};
    const std::size_t n = sf::net::build_tcp_frame(f.data(), f.size(), l2, s);
    if (bad_checksum) f[n - 1] ^= 0x5a;
    EXPECT_EQ(::send(fd, f.data(), n, 0), static_cast<ssize_t>(n));
  };
  const uint32_t venue = ip_of(link_->venue_ip), in_window = ours.ack;
  const uint8_t data = sf::net::tcp_flag::kAck | sf::net::tcp_flag::kPsh;
  forge(ip_of("10.79.0.9"), port_, in_window, data, false);                // other source address
  forge(venue, static_cast<uint16_t>(port_ + 1), in_window, data, false);  // other source port
  forge(venue, port_, in_window + 300000, data, false);                    // out of the receive window
  forge(venue, port_, in_window, data, true);                              // bad checksum
  // SYN on the established connection, ahead of RCV.NXT: a heartbeat the venue sent since the sniffed ACK
  // would make a SYN at the sniffed number an old duplicate (re-ACKed, not an unexpected SYN).
  forge(venue, port_, in_window + 1000, sf::net::tcp_flag::kSyn, false);
  ::close(fd);

  auto dropped = [&](const std::string& reason) {
    return metric_sum(curl("/metrics"), "sniperforge_session_tcp_drops_total", "reason=\"" + reason + "\"");
  };
  for (const char* reason : {"other_source", "wrong_port", "out_of_window", "bad_checksum", "unexpected_syn"})
    EXPECT_TRUE(wait_for([&] { return dropped(reason) >= 1.0; }, 5)) << reason << "\n" << curl("/metrics");
  const std::string after = curl("/metrics");
  EXPECT_EQ(metric_sum(after, "sniperforge_venue_messages_total"),
            metric_sum(metrics_, "sniperforge_venue_messages_total"));
  EXPECT_EQ(metric_sum(after, "sniperforge_sessions_logged_in"), 1.0);
  const auto stats = stop_appliance();
  const std::string totals = stop_sim();
  EXPECT_GT(expect_same_as_venue(totals, stats), 0u) << totals;  // positions still the venue's
  EXPECT_EQ(stats.at("session_reconnects"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Dpdk, VenueForged, ::testing::Values("dpdk"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });
