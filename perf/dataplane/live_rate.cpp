// perf-dataplane --live-rate: the highest rate the pipeline (1 RX + 1 executor lcore) takes without
// losing a packet when nothing holds the sender back. A producer thread plays the wire and the NIC:
// it offers packets into the RX ring of a net_ring port at a fixed rate, and a packet that finds that
// ring full is lost (counted, as a NIC counts imissed). The Runtime runs with live semantics (the RX
// lcore drops what does not fit in an executor ring, counted). A rate passes when nothing was lost
// anywhere over the whole probe; the search bisects between the given bounds.
//
// The feed is an sf-feedgen feed looped: it ends with a delete of every order still live, so each
// pass starts from empty books, and the producer rewrites each packet's MoldUDP64 sequence number
// (pass * messages per pass), so the receiver sees one gap-free session. The packets are built once
// as mbufs and re-sent by reference (refcount), so the producer's cost per packet is a few stores.
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "sniperforge/book/book_set.hpp"
#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/feed.hpp"

namespace sf::perf {
namespace {

using namespace sf::dataplane;

struct LiveFeed {
  Feed feed;
  std::vector<std::size_t> seq_offset;  // where each frame's MoldUDP64 sequence number is
  std::vector<uint64_t> first_seq;      // and its value in pass 0
  uint64_t messages_per_pass = 0;
};

// sf-feedgen messages, then a delete of every order still live, packed into frames.
LiveFeed build_live_feed(uint64_t messages) {
  feedgen::Config c;
  c.messages = messages;
  c.udp_checksum = false;  // the producer rewrites sequence numbers
  c.end_of_session = false;
  LiveFeed lf;
  feedgen::Frames& f = lf.feed.frames;
  feedgen::Packetizer pk(c,
                         [&](uint64_t ts, const uint8_t* frame, std::size_t len, const feedgen::FrameMeta&) {
                           f.data.insert(f.data.end(), frame, frame + len);
                           f.offsets.push_back(f.data.size());
                           f.ts_ns.push_back(ts);
                         });
  struct Live {
    uint16_t locate;
    uint32_t shares;
  };
  std::map<uint64_t, Live> live;
  auto reduce = [&](uint64_t ref, uint32_t by) {
    auto it = live.find(ref);
    if (it != live.end() && (it->second.shares -= std::min(by, it->second.shares)) == 0) live.erase(it);
  };
  feedgen::MessageGenerator gen(c);
  uint8_t buf[64];
  while (const std::size_t n = gen.next(buf)) {
    itch::visit(buf, [&](auto v) {
      using V = decltype(v);
      if constexpr (std::is_same_v<V, itch::AddOrder> || std::is_same_v<V, itch::AddOrderMpid>)
        live[v.order_reference_number()] = Live{v.stock_locate(), v.shares()};
      else if constexpr (std::is_same_v<V, itch::OrderExecuted> ||
                         std::is_same_v<V, itch::OrderExecutedWithPrice>)
        reduce(v.order_reference_number(), v.executed_shares());
      else if constexpr (std::is_same_v<V, itch::OrderCancel>)
        reduce(v.order_reference_number(), v.canceled_shares());
      else if constexpr (std::is_same_v<V, itch::OrderDelete>)
        live.erase(v.order_reference_number());
      else if constexpr (std::is_same_v<V, itch::OrderReplace>) {
        const auto it = live.find(v.original_order_reference_number());
        const uint16_t locate = it != live.end() ? it->second.locate : v.stock_locate();
        if (it != live.end()) live.erase(it);
        live[v.new_order_reference_number()] = Live{locate, v.shares()};
      }
    });
    pk.add(buf, n);
  }
  for (const auto& [ref, o] : live) {
    itch::msg::OrderDelete d;
    d.stock_locate = o.locate;
    d.order_reference_number = ref;
    pk.add(buf, d.encode(buf));
  }
  pk.finish();
  lf.messages_per_pass = pk.stats().messages;
  lf.feed.messages = lf.messages_per_pass;
  for (std::size_t i = 0; i < f.size(); ++i) {
    feed::PacketInfo info;
    if (feed::decode_frame(f.frame(i), f.frame_length(i), c.port, info,
                           [](uint64_t, const uint8_t*, std::size_t) {}) != feed::Error::kOk)
      rte_exit(1, "live feed: frame %zu does not decode\n", i);
    lf.seq_offset.push_back(static_cast<std::size_t>(info.mold.data() - f.frame(i)) + 10);
    lf.first_seq.push_back(info.sequence());
  }
  return lf;
}

// Two passes of the feed through a book with no drop: the loop is a consistent feed.
bool feed_loops_cleanly(const LiveFeed& lf, const trade::TradingConfig& trading) {
  auto books = std::make_unique<book::BookSet>(trading.book);
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < lf.feed.frames.size(); ++i) {
      feed::PacketInfo info;
      (void)feed::decode_frame(
          lf.feed.frames.frame(i), lf.feed.frames.frame_length(i), feed::kDefaultPort, info,
          [&](uint64_t, const uint8_t* m, std::size_t) { books->apply(itch::MessageView{m}); });
    }
  return books->total_drops() == 0 && books->live_orders() == 0;
}

struct Probe {
  bool clean = false;
  uint64_t offered = 0, missed = 0;  // packets
  RunOut run;
};

// Offers packets at `pps` for `seconds`, then stops the runtime and reads its counters.
Probe probe(const LiveFeed& lf, const std::vector<rte_mbuf*>& bufs, const LiveRateOptions& o, double pps,
            const trade::TradingConfig& trading, const Placement& pl) {
  RingPort rp = make_ring_port(o.nic_ring, 1 << 16);
  Probe p;
  {
    Runtime rt(ring_port_config(rp, LcoreMode::kPipeline, false), trading, pl);
    std::vector<std::string> errors, notes;
    if (!rt.build(errors, notes)) rte_exit(1, "build: %s\n", errors.empty() ? "?" : errors.front().c_str());
    rt.launch();
    const FeederCpu feeder = place_feeder(LcoreMode::kPipeline);
    const double hz = static_cast<double>(rte_get_tsc_hz());
    const uint64_t t0 = rte_rdtsc(), end = t0 + static_cast<uint64_t>(o.seconds * hz);
    std::size_t idx = 0;
    uint64_t pass = 0;
    for (uint64_t now = t0; now < end; now = rte_rdtsc()) {
      const auto due = static_cast<uint64_t>(static_cast<double>(now - t0) / hz * pps);
      while (p.offered < due) {
        rte_mbuf* b[32];
        const unsigned n = static_cast<unsigned>(std::min<uint64_t>(32, due - p.offered));
        for (unsigned k = 0; k < n; ++k) {
          rte_mbuf* m = bufs[idx];
          proto::store_be<uint64_t>(rte_pktmbuf_mtod(m, uint8_t*) + lf.seq_offset[idx],
                                    lf.first_seq[idx] + pass * lf.messages_per_pass);
          rte_mbuf_refcnt_update(m, 1);  // the RX lcore's free gives it back to us, not to the pool
          b[k] = m;
          if (++idx == bufs.size()) {
            idx = 0;
            ++pass;
          }
        }
        const unsigned sent = rte_ring_enqueue_burst(rp.rx, reinterpret_cast<void**>(b), n, nullptr);
        for (unsigned k = sent; k < n; ++k) rte_mbuf_refcnt_update(b[k], -1);
        p.missed += n - sent;
        p.offered += n;
      }
      drain_and_free(rp.tx);
      std::this_thread::sleep_for(std::chrono::microseconds(20));  // the cpu is the RX lcore's
    }
    feeder.restore();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the rings drain
    rt.request_stop();
    finish_run(rt, rp, p.run);
  }
  drain_and_free(rp.rx);
  const auto& c = p.run.c;
  p.clean = p.missed == 0 && c.at("ring_dropped_full") == 0 && c.at("drops") == 0 && c.at("gaps") == 0 &&
            c.at("packets") == p.offered;
  return p;
}

}  // namespace

void live_rate_search(const LiveRateOptions& o, const trade::TradingConfig& trading, const Placement& pl) {
  const LiveFeed lf = build_live_feed(o.feed_messages);
  const std::size_t packets = lf.feed.frames.size();
  const double msgs_per_packet = static_cast<double>(lf.messages_per_pass) / static_cast<double>(packets);
  if (!feed_loops_cleanly(lf, trading)) rte_exit(1, "live feed: looping it leaves the books inconsistent\n");
  rte_mempool* pool = rte_pktmbuf_pool_create("perf_live", static_cast<unsigned>(packets + 64), 0, 0,
                                              RTE_PKTMBUF_HEADROOM + 1600, static_cast<int>(rte_socket_id()));
  if (!pool) rte_exit(1, "live pool: %s\n", rte_strerror(rte_errno));
  rte_mempool* saved_pool = g_feed_pool;
  g_feed_pool = pool;
  std::vector<rte_mbuf*> bufs;
  for (std::size_t i = 0; i < packets; ++i) bufs.push_back(frame_mbuf(lf.feed, i));
  g_feed_pool = saved_pool;
  std::printf(
      "\n== live rate: producer at a fixed rate, no back-pressure (NIC ring %u packets), pipeline 1+1, "
      "%.1f s per probe ==\n"
      "  feed: %lu messages in %zu packets (%.2f per packet), looped; "
      "lost = NIC ring full + event ring full + RX drops + gaps\n",
      o.nic_ring, o.seconds, static_cast<unsigned long>(lf.messages_per_pass), packets, msgs_per_packet);
  double lo = o.min_mps, hi = o.max_mps, best = 0;
  auto run = [&](double mps) {
    const Probe p = probe(lf, bufs, o, mps / msgs_per_packet, trading, pl);
    const auto& c = p.run.c;
    std::printf(
        "  offered %6.2f M msgs/s: %s  (packets offered %lu, NIC ring full %lu, event ring full %lu, drops "
        "%lu, "
        "gaps %lu, orders %lu)\n",
        mps / 1e6, p.clean ? "no loss" : "LOSS   ", static_cast<unsigned long>(p.offered),
        static_cast<unsigned long>(p.missed), static_cast<unsigned long>(c.at("ring_dropped_full")),
        static_cast<unsigned long>(c.at("drops")), static_cast<unsigned long>(c.at("gaps")),
        static_cast<unsigned long>(c.at("tx_packets")));
    std::fflush(stdout);
    if (p.clean) best = std::max(best, mps);
    return p.clean;
  };
  if (!run(lo)) {
    std::printf("RESULT live_rate_pipeline msgs_per_s<%.0f (lost packets at the lower bound)\n", lo);
  } else if (run(hi)) {
    std::printf("RESULT live_rate_pipeline msgs_per_s>=%.0f (no loss at the upper bound)\n", hi);
  } else {
    for (unsigned s = 0; s < o.steps; ++s) {
      const double mid = (lo + hi) / 2;
      (run(mid) ? lo : hi) = mid;
    }
    std::printf(
        "RESULT live_rate_pipeline msgs_per_s=%.0f (highest rate with no loss over %.1f s; lost at %.0f)\n",
        best, o.seconds, hi);
  }
  for (rte_mbuf* m : bufs) rte_pktmbuf_free(m);
  rte_mempool_free(pool);
}

}  // namespace sf::perf
