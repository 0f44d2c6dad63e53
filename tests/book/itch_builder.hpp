// Test helper: encodes ITCH 5.0 messages (via the proto layer's typed structs) into one flat buffer that can
// be replayed message by message.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sniperforge/proto/itch.hpp"

namespace sf::test {

class ItchBuilder {
 public:
  uint64_t ts = 1'000;  // ITCH timestamp used for the next message (ns since midnight)

  template <class M>
  ItchBuilder& put(M m) {
    m.timestamp = ts;
    const std::size_t off = buf_.size();
    buf_.resize(off + M::kLength);
    m.encode(buf_.data() + off);
    offsets_.push_back(off);
    return *this;
  }
  ItchBuilder& add(uint16_t locate, uint64_t ref, char side, uint32_t shares, uint32_t price,
                   std::string_view stock = "SF0000") {
    itch::msg::AddOrder m;
    m.stock_locate = locate;
    m.order_reference_number = ref;
    m.buy_sell_indicator = side;
    m.shares = shares;
    m.price = price;
    m.stock = stock;
    return put(m);
  }
  ItchBuilder& exec(uint16_t locate, uint64_t ref, uint32_t shares, uint64_t match = 1) {
    itch::msg::OrderExecuted m;
    m.stock_locate = locate;
    m.order_reference_number = ref;
    m.executed_shares = shares;
    m.match_number = match;
    return put(m);
  }
  ItchBuilder& exec_px(uint16_t locate, uint64_t ref, uint32_t shares, uint32_t px, char printable = 'Y') {
    itch::msg::OrderExecutedWithPrice m;
    m.stock_locate = locate;
    m.order_reference_number = ref;
    m.executed_shares = shares;
    m.printable = printable;
    m.execution_price = px;
    return put(m);
  }
  ItchBuilder& cancel(uint16_t locate, uint64_t ref, uint32_t shares) {
    itch::msg::OrderCancel m;
    m.stock_locate = locate;
    m.order_reference_number = ref;
    m.canceled_shares = shares;
    return put(m);
  }
  ItchBuilder& del(uint16_t locate, uint64_t ref) {
    itch::msg::OrderDelete m;
    m.stock_locate = locate;
    m.order_reference_number = ref;
    return put(m);
  }
  ItchBuilder& replace(uint16_t locate, uint64_t ref, uint64_t new_ref, uint32_t shares, uint32_t price) {
    itch::msg::OrderReplace m;
    m.stock_locate = locate;
    m.original_order_reference_number = ref;
    m.new_order_reference_number = new_ref;
    m.shares = shares;
    m.price = price;
    return put(m);
  }
  ItchBuilder& directory(uint16_t locate, std::string_view stock, uint32_t round_lot = 100) {
    itch::msg::StockDirectory m;
    m.stock_locate = locate;
    m.stock = stock;
    m.round_lot_size = round_lot;
    return put(m);
  }
  ItchBuilder& trading_action(uint16_t locate, std::string_view stock, char state) {
    itch::msg::StockTradingAction m;
    m.stock_locate = locate;
    m.stock = stock;
    m.trading_state = state;
    return put(m);
  }
  ItchBuilder& system_event(char code) {
    itch::msg::SystemEvent m;
    m.event_code = code;
    return put(m);
  }

  [[nodiscard]] std::size_t size() const noexcept { return offsets_.size(); }
  [[nodiscard]] itch::MessageView operator[](std::size_t i) const noexcept {
    return itch::MessageView{buf_.data() + offsets_[i]};
  }
  [[nodiscard]] const uint8_t* data(std::size_t i) const noexcept { return buf_.data() + offsets_[i]; }
  void clear() {
    buf_.clear();
    offsets_.clear();
  }
  void reserve(std::size_t messages) {
    buf_.reserve(messages * 36);
    offsets_.reserve(messages);
  }

 private:
  std::vector<uint8_t> buf_;
  std::vector<std::size_t> offsets_;
};

}  // namespace sf::test
