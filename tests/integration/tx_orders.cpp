// sf-tx-orders PCAP...: the orders an appliance sent, read back from its TX pcap(s) with the
// protocol decoders, as the orders CSV of the cross-team contract:
//   seq,symbol,side,shares,price,user_ref_num   (sorted by seq, then user_ref_num)
// seq is the triggering MoldUDP64 sequence number carried in the ClOrdID. The frames are read by
// dataplane/tx_capture.hpp (SoupBinTCP over TCP); what is not an OUCH Enter
// Order is counted on stderr, never fatal.
#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "sniperforge/dataplane/ouch_order.hpp"
#include "sniperforge/dataplane/tx_capture.hpp"
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
  dataplane::TxCaptureDecoder decoder;  // SoupBinTCP over TCP
  uint64_t not_orders = 0;
  for (int i = 1; i < argc; ++i) {
    io::PcapReader r;
    if (!r.open(argv[i])) {
      std::fprintf(stderr, "sf-tx-orders: %s: %s\n", argv[i], r.error().c_str());
      return 1;
    }
    io::PcapPacket p;
    while (r.next(p)) {
      decoder.frame(p.data, p.caplen, [&](std::span<const uint8_t> m) {
        if (m.empty() || m[0] != 'O' || ouch::inbound::validate(m.data(), m.size()) != ouch::Error::kOk) {
          ++not_orders;
          return;
        }
        const ouch::inbound::views::EnterOrder o(m.data(), m.size());
        Row row{};
        if (!dataplane::trigger_seq_from_cl_ord_id(o.cl_ord_id(), row.seq)) {
          ++not_orders;
          return;
        }
        row.symbol = std::string(itch::trim_alpha(o.symbol()));
        row.side = o.side();
        row.shares = o.quantity();
        row.price = o.price();
        row.urn = o.user_ref_num();
        rows.push_back(row);
      });
    }
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return std::tie(a.seq, a.urn) < std::tie(b.seq, b.urn); });
  std::printf("seq,symbol,side,shares,price,user_ref_num\n");
  for (const Row& r : rows)
    std::printf("%llu,%s,%c,%u,%llu,%u\n", static_cast<unsigned long long>(r.seq), r.symbol.c_str(), r.side,
                r.shares, static_cast<unsigned long long>(r.price), r.urn);
  std::fprintf(stderr, "sf-tx-orders: %llu frames, %zu orders, %llu other messages, %llu frames skipped\n",
               static_cast<unsigned long long>(decoder.counts().frames), rows.size(),
               static_cast<unsigned long long>(not_orders),
               static_cast<unsigned long long>(decoder.counts().skipped));
  return 0;
}
