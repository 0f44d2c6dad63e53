// libFuzzer target: the RX sequence path of one feed — the feed guard (dataplane/feed_guard.hpp) in front of
// A/B line arbitration (dataplane/line_arbiter.hpp), wired as RxProcessor::admit() and sf-backtest wire them
// (a restart verdict restarts the arbiter) — under arbitrary loss, duplication, reordering, overlapping
// packets, heartbeats, clock steps, sequence jumps (2^62 ahead), session changes and forged packets (another
// source address, another session) on two lines, against a reference model. Always, within each stream
// (between two restarts): messages applied once each, in order, each carried by a packet the guard accepted;
// gaps exactly the sequences never applied; gaps bounded by what the guard let through (a forged jump never
// counts 2^62 missing messages); the hold bounded, nothing held after flush(); no allocation inside the guard
// or the arbiter (sanitizer malloc hook). With an endless window and no hold overflow: no accepted sequence
// is ever declared missing. When the config covers the forgeries ([feed] sources, or [feed] session and a
// forged session), a second pipeline fed the genuine packets only applies exactly the same.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include "hot_path_allocs.hpp"
#include "sniperforge/dataplane/feed_guard.hpp"
#include "sniperforge/dataplane/line_arbiter.hpp"

namespace {

using sf::dataplane::FeedGuard;
using sf::dataplane::FeedGuardSettings;
using sf::dataplane::FeedVerdict;
using sf::dataplane::LineArbiter;
using sf::fuzz::HotPathAllocs;
using sf::fuzz::HotPathWindow;

constexpr std::size_t kHold = 8;
constexpr uint32_t kFeedSource = 0x0A000001, kForgedSource = 0x0A060606;
constexpr uint64_t kFar = uint64_t{1} << 62;
constexpr char kSessions[3][11] = {"SFEED00001", "SFEED00002", "EVIL000001"};  // feed, its next, forged

struct Op {
  int line;
  unsigned kind;  // 3: heartbeat; else data; 2: poll afterwards
  bool forged;
  uint32_t src;
  const char* session;
  uint64_t seq, count;
};

struct Event {
  uint8_t type;  // 1 applied, 2 gap, 3 duplicate
  uint64_t a, b;
  bool operator==(const Event&) const = default;
};

// One pipeline's arbiter sink, with the reference model of the stream it follows.
struct Sink {
  const uint64_t* count_of = nullptr;  // messages of the packet whose first sequence is s, at s % 1024
  bool endless = false;
  bool have = false;
  uint64_t expect = 0;           // the sequence the stream applies or declares missing next
  uint64_t gap_messages = 0;     // in this stream
  uint64_t accepted = 0;         // packets the guard accepted in this stream
  uint64_t gapped_accepted = 0;  // sequences of accepted packets declared missing
  std::set<uint64_t> accepted_seqs;
  std::vector<Event> log;  // reserved ahead: appending allocates nothing

  void deliver(int, const uint8_t* p, std::size_t len, uint64_t skip) {
    if (len != 8) __builtin_trap();
    uint64_t seq;
    std::memcpy(&seq, p, 8);
    const uint64_t n = count_of[seq % 1024];
    if (skip >= n || (have && seq + skip != expect)) __builtin_trap();  // twice, out of order or a hole
    for (uint64_t s = seq + skip; s < seq + n; ++s)
      if (!accepted_seqs.count(s)) __builtin_trap();  // applied what no accepted packet carried
    have = true;
    expect = seq + n;
    log.push_back({1, seq + skip, n - skip});
  }
  void gap(uint64_t first, uint64_t missing) {
    if (missing == 0 || (have && first != expect)) __builtin_trap();
    const auto it = accepted_seqs.lower_bound(first);
    if (it != accepted_seqs.end() && *it - first < missing) ++gapped_accepted;
    have = true;
    expect = first + missing;
    gap_messages += missing;
    log.push_back({2, first, missing});
  }
  void duplicate(int, uint64_t seq, uint64_t count) { log.push_back({3, seq, count}); }
  void restart() {
    have = false;
    gap_messages = accepted = 0;
    accepted_seqs.clear();
  }
};

// The guard and the arbiter, wired as the RX lcore wires them.
struct Pipeline {
  FeedGuard guard;
  LineArbiter arb;
  Sink sink;
  Pipeline(const FeedGuardSettings& s, uint64_t window, const uint64_t* count_of, std::size_t ops)
      : guard(s), arb(window, kHold) {
    sink.count_of = count_of;
    sink.log.reserve(6 * ops + 64);  // deliveries, gaps and duplicates: a few per op at most
  }

  void packet(const Op& op, uint64_t now) {
    const sf::dataplane::FeedPacket p{op.src, reinterpret_cast<const uint8_t*>(op.session), op.seq,
                                      op.kind == 3 ? op.seq : op.seq + op.count, op.kind != 3};
    FeedVerdict v;
    {
      const HotPathWindow hot;
      v = guard.judge(p, {arb.started(), arb.next(), arb.horizon()});
    }
    if (!sf::dataplane::is_drop(v)) {
      if (sf::dataplane::is_restart(v)) {
        arb.restart();
        sink.restart();
      }
      ++sink.accepted;
      if (op.kind != 3)
        for (uint64_t s = op.seq; s < op.seq + op.count; ++s) sink.accepted_seqs.insert(s);
      uint8_t bytes[8];
      std::memcpy(bytes, &op.seq, 8);
      const HotPathWindow hot;
      if (op.kind == 3)
        arb.on_next(op.line, op.seq, now, sink);
      else
        arb.on_data(op.line, bytes, 8, op.seq, op.count, now, sink);
    }
    tick(op, now);
  }
  // Time passes (a dropped packet still lets the RX lcore poll).
  void tick(const Op& op, uint64_t now) {
    if (op.kind == 2) {
      const HotPathWindow hot;
      arb.poll(now, sink);
    }
    if (HotPathAllocs::count()) __builtin_trap();
    if (arb.held() > kHold) __builtin_trap();
    // Each accepted packet moves the horizon at most max_seq_jump (+ its count) ahead.
    if (sink.gap_messages > sink.accepted * (guard.settings().max_seq_jump + 4)) __builtin_trap();
  }
  void finish() {
    arb.flush(sink);
    if (arb.held() != 0 || arb.next() < arb.horizon()) __builtin_trap();
    if (sink.endless && arb.counts().hold_overflow == 0 && sink.gapped_accepted) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Byte 0: window (bit 0: endless). Byte 1: bit 0 [feed] sources, bit 1 [feed] session, bits 2-4
  // max_seq_jump 16..2048.
  const bool endless = data[0] & 1;
  const uint64_t window = endless ? UINT64_MAX / 2 : data[0] >> 1;
  FeedGuardSettings settings;
  if (data[1] & 1) settings.sources = {kFeedSource};
  if (data[1] & 2) {
    settings.session.emplace();
    std::memcpy(settings.session->data(), kSessions[0], 10);
  }
  settings.max_seq_jump = uint64_t{16} << ((data[1] >> 2) & 7);
  const std::size_t ops = (size - 2) / 3;
  static uint64_t count_of[1024];
  std::memset(count_of, 0, sizeof count_of);
  Pipeline all(settings, window, count_of, ops), genuine(settings, window, count_of, ops);
  all.sink.endless = genuine.sink.endless = endless;
  bool forgeries_covered = true;
  uint64_t now = 0;
  // Each op (3 bytes): line, kind, forged, far, other session; first sequence (1..256); count, clock step.
  for (std::size_t i = 2; i + 3 <= size; i += 3) {
    Op op;
    op.line = data[i] & 1;
    op.kind = (data[i] >> 1) & 3;
    op.forged = data[i] & 8;
    const bool far = data[i] & 16, other = data[i] & 32;
    op.src = op.forged ? kForgedSource : kFeedSource;
    op.session = kSessions[other ? (op.forged ? 2 : 1) : 0];
    op.seq = 1 + data[i + 1] + (far ? kFar : 0);
    // One packet per first sequence: its count is fixed by the first copy (a copy is the same packet).
    if (count_of[op.seq % 1024] == 0) count_of[op.seq % 1024] = 1 + (data[i + 2] & 3);
    op.count = count_of[op.seq % 1024];
    now += data[i + 2] >> 2;
    if (op.forged && settings.sources.empty() && !(settings.session && other)) forgeries_covered = false;
    all.packet(op, now);
    if (op.forged)
      genuine.tick(op, now);
    else
      genuine.packet(op, now);
  }
  all.finish();
  genuine.finish();
  if (forgeries_covered && !(all.sink.log == genuine.sink.log)) __builtin_trap();
  return 0;
}
