// sf-rewind: the answer to one MoldUDP64 re-request (pure: bytes in, bytes out; no socket, no clock).
//
// A request (session, first sequence, count; exactly 20 bytes) is answered with one ordinary MoldUDP64
// downstream packet of the same session starting at the first sequence asked for, carrying as many of
// the `count` messages as are stored contiguously from there and fit in `max_payload` bytes (the
// client asks again for the rest, as from a NASDAQ server). Fault switch for tests: `ignore_share` of
// the valid requests, drawn from a seeded generator, get no answer at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "message_store.hpp"

namespace sf::rewind {

enum class Outcome : uint8_t {
  kAnswered,
  kIgnored,       // the ignore switch drew this request
  kBadRequest,    // not exactly 20 bytes, or a count of 0
  kOtherSession,  // a session this store does not hold
  kNotAvailable,  // the first sequence asked for is not stored
};
inline constexpr std::size_t kOutcomes = 5;
[[nodiscard]] std::string_view to_string(Outcome o) noexcept;

struct AnswerPolicy {
  double ignore_share = 0;  // 0..1
  uint64_t seed = 1;
  std::size_t max_payload = 1472;  // UDP payload of a 1500-byte MTU
};

class Responder {
 public:
  struct Counts {
    uint64_t by_outcome[kOutcomes] = {};
    uint64_t messages = 0;  // messages sent in answers
  };

  Responder(const MessageStore& store, const AnswerPolicy& policy) noexcept;

  // Judges one request; when it is answered, the packet is written to `out` and its length to `len`.
  Outcome answer(const uint8_t* request, std::size_t request_len, std::span<uint8_t> out, std::size_t& len);
  [[nodiscard]] const Counts& counts() const noexcept { return counts_; }

 private:
  bool draw_ignore() noexcept;
  const MessageStore& store_;
  AnswerPolicy policy_;
  uint64_t rng_;
  Counts counts_;
};

}  // namespace sf::rewind
