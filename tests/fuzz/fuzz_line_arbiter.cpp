// libFuzzer target: A/B line arbitration (dataplane/line_arbiter.hpp) under arbitrary loss, duplication,
// reordering, overlapping packets, heartbeats and clock steps on two lines, against a reference model.
// Always: messages applied once each, in increasing order, every one sent by some line, gaps exactly the
// sequences never applied, the hold bounded, nothing held after flush(). With an endless window and no
// hold overflow: every message that reached either line is applied (the reference model's books).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include "sniperforge/dataplane/line_arbiter.hpp"

namespace {

constexpr std::size_t kHold = 8;

struct Model {
  std::vector<uint64_t> applied;
  uint64_t gap_messages = 0;
  std::vector<uint64_t> gapped;  // sequences declared missing
  std::set<uint64_t> sent;       // every sequence some line carried
  uint64_t count_of[1024]{};
  void deliver(int, const uint8_t* p, std::size_t len, uint64_t skip) {
    if (len != 8) __builtin_trap();
    uint64_t seq;
    std::memcpy(&seq, p, 8);
    const uint64_t n = count_of[seq % 1024];
    if (skip >= n) __builtin_trap();
    for (uint64_t s = seq + skip; s < seq + n; ++s) {
      if (!applied.empty() && s <= applied.back()) __builtin_trap();  // out of order or twice
      applied.push_back(s);
    }
  }
  void gap(uint64_t first, uint64_t missing) {
    if (missing == 0 || (!applied.empty() && first <= applied.back())) __builtin_trap();
    for (uint64_t s = first; s < first + missing; ++s) {
      applied.push_back(s);  // accounted as skipped, so `applied` stays one consecutive run
      gapped.push_back(s);
    }
    gap_messages += missing;
  }
  void duplicate(int, uint64_t, uint64_t) {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool endless = data[0] & 1;
  const uint64_t window = endless ? UINT64_MAX / 2 : data[0] >> 1;
  sf::dataplane::LineArbiter arb(window, kHold);
  Model m;
  uint64_t now = 0;
  // Each op (3 bytes): line + kind, first sequence (1..256), count/clock step.
  for (std::size_t i = 1; i + 3 <= size; i += 3) {
    const int line = data[i] & 1;
    const unsigned kind = (data[i] >> 1) & 3;
    const uint64_t seq = 1 + data[i + 1];
    const uint64_t count = 1 + (data[i + 2] & 3);
    now += data[i + 2] >> 2;
    if (kind == 3) {
      arb.on_next(line, seq, now, m);
    } else {
      // One packet per first sequence: its count is fixed by the first copy (a copy is the same packet).
      if (m.count_of[seq % 1024] == 0) m.count_of[seq % 1024] = count;
      const uint64_t c = m.count_of[seq % 1024];
      for (uint64_t s = seq; s < seq + c; ++s) m.sent.insert(s);
      uint8_t bytes[8];
      std::memcpy(bytes, &seq, 8);
      arb.on_data(line, bytes, 8, seq, c, now, m);
    }
    if (arb.held() > kHold) __builtin_trap();
    if (kind == 2) arb.poll(now, m);
  }
  arb.flush(m);
  if (arb.held() != 0 || arb.next() < arb.horizon()) __builtin_trap();
  // `applied` (with gaps filled in) must be one consecutive run.
  for (std::size_t k = 1; k < m.applied.size(); ++k)
    if (m.applied[k] != m.applied[k - 1] + 1) __builtin_trap();
  // An endless window declares gaps only at flush() or on overflow: without overflow, a sequence that
  // reached either line is never reported missing (the books equal those of a lossless feed).
  if (endless && arb.counts().hold_overflow == 0)
    for (uint64_t s : m.gapped)
      if (m.sent.count(s)) __builtin_trap();
  return 0;
}
