// sf-tx-orders PCAP...: the orders an appliance sent, read back from its TX pcap(s) with the
// protocol decoders, as the orders CSV of the cross-team contract:
//   seq,symbol,side,shares,price,user_ref_num   (sorted by seq, then user_ref_num)
// seq is the triggering MoldUDP64 sequence number carried in the ClOrdID. Frames that are not
// order-session datagrams with valid OUCH Enter Orders are counted on stderr, never fatal.
#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "sniperforge/dataplane/order_frame.hpp"
#include "sniperforge/io/pcap_file.hpp"

namespace {
struct Row {
  uint64_t seq;
  std::string symbol;
  char side;
  uint32_t shares;
  uint64_t price;
  uint32_t urn;
};
}  // namespace

int main(int argc, char** argv) {
  using namespace sf;
  if (argc < 2) {
    std::fprintf(stderr, "usage: sf-tx-orders PCAP...\n");
    return 2;
  }
  std::vector<Row> rows;
  uint64_t frames = 0, skipped = 0;
  for (int i = 1; i < argc; ++i) {
    io::PcapReader r;
    if (!r.open(argv[i])) {
      std::fprintf(stderr, "sf-tx-orders: %s: %s\n", argv[i], r.error().c_str());
      return 1;
    }
    io::PcapPacket p;
    while (r.next(p)) {
      ++frames;
      net::UdpDatagram udp;
      if (net::parse_udp(p.data, p.caplen, udp) != net::Error::kOk) {
        ++skipped;
        continue;
      }
      const auto err = session::for_each_packet(
          udp.payload, udp.payload_length, session::Direction::kClientToVenue,
          [&](const session::Packet& sp) {
            if (sp.type != session::type::kUnsequencedData || sp.payload_length == 0 ||
                sp.payload[0] != 'O' ||
                ouch::inbound::validate(sp.payload, sp.payload_length) != ouch::Error::kOk) {
              ++skipped;
              return;
            }
            const ouch::inbound::views::EnterOrder o(sp.payload, sp.payload_length);
            Row row{};
            if (!dataplane::trigger_seq_from_cl_ord_id(o.cl_ord_id(), row.seq)) {
              ++skipped;
              return;
            }
            row.symbol = std::string(itch::trim_alpha(o.symbol()));
            row.side = o.side();
            row.shares = o.quantity();
            row.price = o.price();
            row.urn = o.user_ref_num();
            rows.push_back(row);
          });
      if (err != session::Error::kOk) ++skipped;
    }
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return std::tie(a.seq, a.urn) < std::tie(b.seq, b.urn); });
  std::printf("seq,symbol,side,shares,price,user_ref_num\n");
  for (const Row& r : rows)
    std::printf("%llu,%s,%c,%u,%llu,%u\n", static_cast<unsigned long long>(r.seq), r.symbol.c_str(), r.side,
                r.shares, static_cast<unsigned long long>(r.price), r.urn);
  std::fprintf(stderr, "sf-tx-orders: %llu frames, %zu orders, %llu skipped\n",
               static_cast<unsigned long long>(frames), rows.size(),
               static_cast<unsigned long long>(skipped));
  return 0;
}
