#include "mold_answer.hpp"

#include <algorithm>

#include "sniperforge/proto/moldudp64.hpp"

namespace sf::rewind {

std::string_view to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::kAnswered:
      return "answered";
    case Outcome::kIgnored:
      return "ignored";
    case Outcome::kBadRequest:
      return "bad_request";
    case Outcome::kOtherSession:
      return "other_session";
    case Outcome::kNotAvailable:
      return "not_available";
  }
  return "invalid";
}

Responder::Responder(const MessageStore& store, const AnswerPolicy& policy) noexcept
    : store_(store), policy_(policy), rng_(policy.seed) {}

// splitmix64: a deterministic draw per valid request, so a seeded run ignores the same requests.
bool Responder::draw_ignore() noexcept {
  uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53 < policy_.ignore_share;
}

Outcome Responder::answer(const uint8_t* request, std::size_t request_len, std::span<uint8_t> out,
                          std::size_t& len) {
  len = 0;
  const auto judged = [&](Outcome o) {
    counts_.by_outcome[static_cast<std::size_t>(o)]++;
    return o;
  };
  mold::Request r{};
  if (mold::parse_request(request, request_len, r) != mold::Error::kOk || r.count == 0 ||
      r.count == mold::kEndOfSessionCount)
    return judged(Outcome::kBadRequest);
  if (r.session_view() != store_.session()) return judged(Outcome::kOtherSession);
  if (draw_ignore()) return judged(Outcome::kIgnored);
  if (store_.at(r.sequence).empty()) return judged(Outcome::kNotAvailable);
  mold::PacketBuilder b(out.data(), std::min(out.size(), policy_.max_payload), store_.session(), r.sequence);
  for (uint64_t seq = r.sequence; seq < r.sequence + r.count; ++seq) {
    const std::span<const uint8_t> m = store_.at(seq);
    if (m.empty() || !b.add(m.data(), m.size())) break;
  }
  if (b.count() == 0) return judged(Outcome::kNotAvailable);  // max_payload below one message
  len = b.finish();
  counts_.messages += b.count();
  return judged(Outcome::kAnswered);
}

}  // namespace sf::rewind
