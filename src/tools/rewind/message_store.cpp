#include "message_store.hpp"

#include <algorithm>

#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/moldudp64.hpp"

namespace sf::rewind {

void MessageStore::start_at(uint64_t first_seq) noexcept {
  if (!offsets_.empty()) return;  // too late: sequences are stored
  first_ = first_seq;
  first_fixed_ = true;
}

void MessageStore::set_session(std::string_view session) {
  session_.assign(mold::kSessionLength, ' ');
  session_.replace(0, std::min(session.size(), mold::kSessionLength),
                   session.substr(0, mold::kSessionLength));
}

MessageStore::Added MessageStore::add(uint64_t seq, const uint8_t* msg, std::size_t len) {
  if (len == 0 || len > 0xffff) return Added::kEmpty;
  if (offsets_.empty() && !first_fixed_) first_ = seq;
  if (seq < first_ && !first_fixed_) {  // an earlier sequence arrived later (reordering): grow downwards
    offsets_.insert(offsets_.begin(), first_ - seq, kMissing);
    first_ = seq;
  }
  if (seq < first_) {
    counts_.below_first++;
    return Added::kBelowFirst;
  }
  const uint64_t i = seq - first_;
  if (i < offsets_.size() && offsets_[i] != kMissing) {
    counts_.duplicates++;
    return Added::kDuplicate;
  }
  if (i >= offsets_.size()) offsets_.resize(i + 1, kMissing);
  offsets_[i] = bytes_.size();
  const std::size_t at = bytes_.size();
  bytes_.resize(at + 2 + len);
  proto::store_be<uint16_t>(bytes_.data() + at, static_cast<uint16_t>(len));
  std::copy(msg, msg + len, bytes_.data() + at + 2);
  counts_.stored++;
  return Added::kStored;
}

void MessageStore::add_packet(const uint8_t* mold, std::size_t len) {
  mold::PacketView v;
  if (mold::parse(mold, len, v) != mold::Error::kOk) {
    counts_.bad_packets++;
    return;
  }
  if (session_.empty()) set_session(v.session());
  if (v.session() != session_) {
    counts_.other_session++;
    return;
  }
  if (v.kind() != mold::Kind::kData) return;
  counts_.packets++;
  for (const mold::Block b : v) (void)add(b.sequence, b.data, b.length);
}

std::span<const uint8_t> MessageStore::at(uint64_t seq) const noexcept {
  if (seq < first_ || seq - first_ >= offsets_.size()) return {};
  const uint64_t off = offsets_[seq - first_];
  if (off == kMissing) return {};
  return {bytes_.data() + off + 2, proto::load_be16(bytes_.data() + off)};
}

}  // namespace sf::rewind
