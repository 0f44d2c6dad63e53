// What the trading core asks the order gateway to send (one OUCH Enter Order each), and the caller-provided,
// preallocated sink the engine writes them into.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sf::trade {

inline constexpr char kTifDay = '0';
inline constexpr char kTifIoc = '3';

struct OrderRequest {
  uint64_t trigger_seq = 0;  // MoldUDP64 sequence number of the ITCH message that triggered the order
  uint64_t rx_tsc = 0;       // receive TSC of that message (latency accounting only)
  uint64_t feed_ts = 0;      // its ITCH timestamp (ns since midnight)
  uint64_t price = 0;        // OUCH Price: u64, 4 implied decimals (same scale as ITCH Price(4))
  uint32_t shares = 0;
  uint32_t user_ref_num = 0;  // strictly increasing per engine (order session)
  uint16_t locate = 0;
  char side = 'B';               // 'B' or 'S'
  char tif = kTifIoc;            // OUCH time in force
  std::array<char, 8> symbol{};  // space padded, as OUCH wants it
  uint16_t strategy = 0;         // index of the strategy in the config (0xFFFF: submitted directly)
};

// Fixed-capacity output buffer; the caller owns the storage and drains it after each call.
class OrderSink {
 public:
  explicit OrderSink(std::span<OrderRequest> storage) noexcept : buf_(storage) {}
  [[nodiscard]] bool full() const noexcept { return size_ == buf_.size(); }
  bool push(const OrderRequest& r) noexcept {
    if (full()) [[unlikely]]
      return false;
    buf_[size_++] = r;
    return true;
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  void clear() noexcept { size_ = 0; }
  [[nodiscard]] const OrderRequest& operator[](std::size_t i) const noexcept { return buf_[i]; }
  [[nodiscard]] const OrderRequest* begin() const noexcept { return buf_.data(); }
  [[nodiscard]] const OrderRequest* end() const noexcept { return buf_.data() + size_; }

 private:
  std::span<OrderRequest> buf_;
  std::size_t size_ = 0;
};

}  // namespace sf::trade
