// NASDAQ TotalView-ITCH 5.0: zero-copy views over the wire bytes of all 23 message types.
//
// One X-macro list per message type is the single source of truth for the layout: it
// generates the typed accessors of each view, the length table, and the runtime field
// schema (used by generic printers such as `sf-pcap decode` and by the golden tests).
// Offsets count from the type byte; every integer is big-endian; alpha fields are
// left-justified and space padded. Views never own memory and never validate on access:
// construct them only over bytes that `validate()` accepted (length == spec length).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/field.hpp"

namespace sf::itch {

enum class FieldKind : uint8_t {
  kU16,     // unsigned 16-bit integer
  kU32,     // unsigned 32-bit integer
  kU64,     // unsigned 64-bit integer
  kChar,    // one ASCII character
  kAlpha,   // N ASCII characters, space padded
  kPrice4,  // u32, 4 implied decimals
  kPrice8,  // u64, 8 implied decimals (MWCB levels only)
};

struct FieldDesc {
  std::string_view name;  // snake_case name after the ITCH 5.0 spec
  uint8_t offset;
  uint8_t size;
  FieldKind kind;
};

using proto::Alpha;
using proto::trim_alpha;

namespace detail {
// Field kind -> its codec (proto/field.hpp): get() for the views, put() and `type` for the encoders.
inline constexpr proto::Storage kStorageOf[] = {
    proto::Storage::kU16,   proto::Storage::kU32, proto::Storage::kU64, proto::Storage::kChar,
    proto::Storage::kAlpha, proto::Storage::kU32, proto::Storage::kU64};  // FieldKind order
static_assert(std::size(kStorageOf) == static_cast<std::size_t>(FieldKind::kPrice8) + 1);
template <FieldKind K, std::size_t N>
using Field = proto::Codec<kStorageOf[static_cast<std::size_t>(K)], N>;
}  // namespace detail

// ---- Layouts: X(name, offset, kind, size), after the common 11-byte header. ----
// clang-format off
#define SF_ITCH_S(X) X(event_code, 11, kChar, 1)
#define SF_ITCH_R(X) \
  X(stock, 11, kAlpha, 8) \
  X(market_category, 19, kChar, 1) \
  X(financial_status_indicator, 20, kChar, 1) \
  X(round_lot_size, 21, kU32, 4) \
  X(round_lots_only, 25, kChar, 1) \
  X(issue_classification, 26, kChar, 1) \
  X(issue_sub_type, 27, kAlpha, 2) \
  X(authenticity, 29, kChar, 1) \
  X(short_sale_threshold_indicator, 30, kChar, 1) \
  X(ipo_flag, 31, kChar, 1) \
  X(luld_reference_price_tier, 32, kChar, 1) \
  X(etp_flag, 33, kChar, 1) \
  X(etp_leverage_factor, 34, kU32, 4) \
  X(inverse_indicator, 38, kChar, 1)
#define SF_ITCH_H(X) \
  X(stock, 11, kAlpha, 8) \
  X(trading_state, 19, kChar, 1) \
  X(reserved, 20, kChar, 1) \
  X(reason, 21, kAlpha, 4)
#define SF_ITCH_Y(X) \
  X(stock, 11, kAlpha, 8) \
  X(reg_sho_action, 19, kChar, 1)
#define SF_ITCH_L(X) \
  X(mpid, 11, kAlpha, 4) \
  X(stock, 15, kAlpha, 8) \
  X(primary_market_maker, 23, kChar, 1) \
  X(market_maker_mode, 24, kChar, 1) \
  X(market_participant_state, 25, kChar, 1)
#define SF_ITCH_V(X) \
  X(level_1, 11, kPrice8, 8) \
  X(level_2, 19, kPrice8, 8) \
  X(level_3, 27, kPrice8, 8)
#define SF_ITCH_W(X) X(breached_level, 11, kChar, 1)
#define SF_ITCH_K(X) \
  X(stock, 11, kAlpha, 8) \
  X(ipo_quotation_release_time, 19, kU32, 4) \
  X(ipo_quotation_release_qualifier, 23, kChar, 1) \
  X(ipo_price, 24, kPrice4, 4)
#define SF_ITCH_J(X) \
  X(stock, 11, kAlpha, 8) \
  X(auction_collar_reference_price, 19, kPrice4, 4) \
  X(upper_auction_collar_price, 23, kPrice4, 4) \
  X(lower_auction_collar_price, 27, kPrice4, 4) \
  X(auction_collar_extension, 31, kU32, 4)
#define SF_ITCH_h(X) \
  X(stock, 11, kAlpha, 8) \
  X(market_code, 19, kChar, 1) \
  X(operational_halt_action, 20, kChar, 1)
#define SF_ITCH_A(X) \
  X(order_reference_number, 11, kU64, 8) \
  X(buy_sell_indicator, 19, kChar, 1) \
  X(shares, 20, kU32, 4) \
  X(stock, 24, kAlpha, 8) \
  X(price, 32, kPrice4, 4)
#define SF_ITCH_F(X) \
  SF_ITCH_A(X) \
  X(attribution, 36, kAlpha, 4)
#define SF_ITCH_E(X) \
  X(order_reference_number, 11, kU64, 8) \
  X(executed_shares, 19, kU32, 4) \
  X(match_number, 23, kU64, 8)
#define SF_ITCH_C(X) \
  SF_ITCH_E(X) \
  X(printable, 31, kChar, 1) \
  X(execution_price, 32, kPrice4, 4)
#define SF_ITCH_X(X) \
  X(order_reference_number, 11, kU64, 8) \
  X(canceled_shares, 19, kU32, 4)
#define SF_ITCH_D(X) X(order_reference_number, 11, kU64, 8)
#define SF_ITCH_U(X) \
  X(original_order_reference_number, 11, kU64, 8) \
  X(new_order_reference_number, 19, kU64, 8) \
  X(shares, 27, kU32, 4) \
  X(price, 31, kPrice4, 4)
#define SF_ITCH_P(X) \
  X(order_reference_number, 11, kU64, 8) \
  X(buy_sell_indicator, 19, kChar, 1) \
  X(shares, 20, kU32, 4) \
  X(stock, 24, kAlpha, 8) \
  X(price, 32, kPrice4, 4) \
  X(match_number, 36, kU64, 8)
#define SF_ITCH_Q(X) \
  X(shares, 11, kU64, 8) \
  X(stock, 19, kAlpha, 8) \
  X(cross_price, 27, kPrice4, 4) \
  X(match_number, 31, kU64, 8) \
  X(cross_type, 39, kChar, 1)
#define SF_ITCH_B(X) X(match_number, 11, kU64, 8)
#define SF_ITCH_I(X) \
  X(paired_shares, 11, kU64, 8) \
  X(imbalance_shares, 19, kU64, 8) \
  X(imbalance_direction, 27, kChar, 1) \
  X(stock, 28, kAlpha, 8) \
  X(far_price, 36, kPrice4, 4) \
  X(near_price, 40, kPrice4, 4) \
  X(current_reference_price, 44, kPrice4, 4) \
  X(cross_type, 48, kChar, 1) \
  X(price_variation_indicator, 49, kChar, 1)
#define SF_ITCH_N(X) \
  X(stock, 11, kAlpha, 8) \
  X(interest_flag, 19, kChar, 1)
#define SF_ITCH_O(X) \
  X(stock, 11, kAlpha, 8) \
  X(open_eligibility_status, 19, kChar, 1) \
  X(minimum_allowable_price, 20, kPrice4, 4) \
  X(maximum_allowable_price, 24, kPrice4, 4) \
  X(near_execution_price, 28, kPrice4, 4) \
  X(near_execution_time, 32, kU64, 8) \
  X(lower_price_range_collar, 40, kPrice4, 4) \
  X(upper_price_range_collar, 44, kPrice4, 4)

// All 23 message types: X(type char, View name, length incl. type byte, layout macro).
#define SF_ITCH_MESSAGES(X) \
  X('S', SystemEvent, 12, SF_ITCH_S) \
  X('R', StockDirectory, 39, SF_ITCH_R) \
  X('H', StockTradingAction, 25, SF_ITCH_H) \
  X('Y', RegShoRestriction, 20, SF_ITCH_Y) \
  X('L', MarketParticipantPosition, 26, SF_ITCH_L) \
  X('V', MwcbDeclineLevel, 35, SF_ITCH_V) \
  X('W', MwcbStatus, 12, SF_ITCH_W) \
  X('K', IpoQuotingPeriodUpdate, 28, SF_ITCH_K) \
  X('J', LuldAuctionCollar, 35, SF_ITCH_J) \
  X('h', OperationalHalt, 21, SF_ITCH_h) \
  X('A', AddOrder, 36, SF_ITCH_A) \
  X('F', AddOrderMpid, 40, SF_ITCH_F) \
  X('E', OrderExecuted, 31, SF_ITCH_E) \
  X('C', OrderExecutedWithPrice, 36, SF_ITCH_C) \
  X('X', OrderCancel, 23, SF_ITCH_X) \
  X('D', OrderDelete, 19, SF_ITCH_D) \
  X('U', OrderReplace, 35, SF_ITCH_U) \
  X('P', Trade, 44, SF_ITCH_P) \
  X('Q', CrossTrade, 40, SF_ITCH_Q) \
  X('B', BrokenTrade, 19, SF_ITCH_B) \
  X('I', NetOrderImbalanceIndicator, 50, SF_ITCH_I) \
  X('N', RetailPriceImprovementIndicator, 20, SF_ITCH_N) \
  X('O', DirectListingPriceDiscovery, 48, SF_ITCH_O)
// clang-format on

inline constexpr std::size_t kHeaderLength = 11;
inline constexpr std::size_t kMaxMessageLength = 50;
inline constexpr std::size_t kMessageTypeCount = 23;

// Common header of every message: type @0, stock locate @1, tracking number @3, timestamp (u48 ns) @5.
class MessageView {
 public:
  constexpr MessageView() noexcept = default;
  explicit constexpr MessageView(const uint8_t* p) noexcept : p_(p) {}
  [[nodiscard]] char type() const noexcept { return static_cast<char>(p_[0]); }
  [[nodiscard]] uint16_t stock_locate() const noexcept { return proto::load_be16(p_ + 1); }
  [[nodiscard]] uint16_t tracking_number() const noexcept { return proto::load_be16(p_ + 3); }
  [[nodiscard]] uint64_t timestamp() const noexcept { return proto::load_be48(p_ + 5); }
  [[nodiscard]] const uint8_t* data() const noexcept { return p_; }

 protected:
  const uint8_t* p_ = nullptr;
};

#define SF_ITCH_ACCESSOR(name, off, kind, size)                   \
  [[nodiscard]] auto name() const noexcept {                      \
    return detail::Field<FieldKind::kind, size>::get(p_ + (off)); \
  }
#define SF_ITCH_VIEW(ch, View, len, LAYOUT)     \
  class View : public MessageView {             \
   public:                                      \
    static constexpr char kType = ch;           \
    static constexpr std::size_t kLength = len; \
    using MessageView::MessageView;             \
    LAYOUT(SF_ITCH_ACCESSOR)                    \
  };
SF_ITCH_MESSAGES(SF_ITCH_VIEW)
#undef SF_ITCH_VIEW
#undef SF_ITCH_ACCESSOR

// ---- Typed messages and encoders (generated from the same layouts) ----
namespace msg {
// One plain struct per type, e.g. msg::AddOrder; encode() writes exactly kLength bytes.
#define SF_ITCH_MEMBER(name, off, kind, size) typename detail::Field<FieldKind::kind, size>::type name{};
#define SF_ITCH_PUT(name, off, kind, size) detail::Field<FieldKind::kind, size>::put(out + (off), name);
#define SF_ITCH_GET(name, off, kind, size) m.name = v.name();
#define SF_ITCH_STRUCT(ch, View, len, LAYOUT)                            \
  struct View {                                                          \
    using ViewType = ::sf::itch::View;                                   \
    static constexpr char kType = ch;                                    \
    static constexpr std::size_t kLength = len;                          \
    uint16_t stock_locate{};                                             \
    uint16_t tracking_number{};                                          \
    uint64_t timestamp{};                                                \
    LAYOUT(SF_ITCH_MEMBER)                                               \
    std::size_t encode(uint8_t* out) const noexcept {                    \
      out[0] = static_cast<uint8_t>(ch);                                 \
      proto::store_be<uint16_t>(out + 1, stock_locate);                  \
      proto::store_be<uint16_t>(out + 3, tracking_number);               \
      proto::store_be48(out + 5, timestamp);                             \
      LAYOUT(SF_ITCH_PUT)                                                \
      return len;                                                        \
    }                                                                    \
    [[nodiscard]] static View from(ViewType v) noexcept {                \
      View m;                                                            \
      m.stock_locate = v.stock_locate();                                 \
      m.tracking_number = v.tracking_number();                           \
      m.timestamp = v.timestamp();                                       \
      LAYOUT(SF_ITCH_GET)                                                \
      return m;                                                          \
    }                                                                    \
    friend bool operator==(const View&, const View&) noexcept = default; \
  };
SF_ITCH_MESSAGES(SF_ITCH_STRUCT)
#undef SF_ITCH_STRUCT
#undef SF_ITCH_GET
#undef SF_ITCH_PUT
#undef SF_ITCH_MEMBER
}  // namespace msg

// Typed message of a view: MessageOf<AddOrder>::type is msg::AddOrder.
template <class V>
struct MessageOf;
#define SF_ITCH_MAP(ch, View, len, LAYOUT) \
  template <>                              \
  struct MessageOf<View> {                 \
    using type = msg::View;                \
  };
SF_ITCH_MESSAGES(SF_ITCH_MAP)
#undef SF_ITCH_MAP

template <class V>
[[nodiscard]] typename MessageOf<V>::type to_message(V v) noexcept {
  return MessageOf<V>::type::from(v);
}

// ---- Runtime schema ----
struct MessageSchema {
  char type;
  std::string_view name;
  uint8_t length;
  std::span<const FieldDesc> fields;  // after the common header
};

namespace detail {
#define SF_ITCH_DESC(name, off, kind, size) FieldDesc{#name, off, size, FieldKind::kind},
#define SF_ITCH_FIELDS(ch, View, len, LAYOUT) \
  inline constexpr FieldDesc k##View##Fields[] = {LAYOUT(SF_ITCH_DESC)};
SF_ITCH_MESSAGES(SF_ITCH_FIELDS)
#undef SF_ITCH_FIELDS
#undef SF_ITCH_DESC
}  // namespace detail

#define SF_ITCH_SCHEMA(ch, View, len, LAYOUT) MessageSchema{ch, #View, len, detail::k##View##Fields},
inline constexpr std::array<MessageSchema, kMessageTypeCount> kSchemas{{SF_ITCH_MESSAGES(SF_ITCH_SCHEMA)}};
#undef SF_ITCH_SCHEMA

// Length (including the type byte) by type byte; 0 for a type ITCH 5.0 does not define.
inline constexpr std::array<uint8_t, 256> kLengthByType = [] {
  std::array<uint8_t, 256> t{};
  for (const auto& s : kSchemas) t[static_cast<uint8_t>(s.type)] = s.length;
  return t;
}();

[[nodiscard]] constexpr const MessageSchema* schema_for(char type) noexcept {
  for (const auto& s : kSchemas)
    if (s.type == type) return &s;
  return nullptr;
}

// ---- Validation: the only gate between untrusted bytes and a view ----
enum class Error : uint8_t { kOk = 0, kEmpty, kUnknownType, kTruncated, kBadLength };

[[nodiscard]] constexpr std::string_view to_string(Error e) noexcept {
  switch (e) {
    case Error::kOk:
      return "ok";
    case Error::kEmpty:
      return "empty";
    case Error::kUnknownType:
      return "unknown_type";
    case Error::kTruncated:
      return "truncated";
    case Error::kBadLength:
      return "bad_length";
  }
  return "invalid";
}

// `len` is the message length given by the framing (MoldUDP64 block or BinaryFILE prefix).
// Accepts exactly the spec length for the type.
[[nodiscard]] inline Error validate(const uint8_t* data, std::size_t len) noexcept {
  if (len == 0) [[unlikely]]
    return Error::kEmpty;
  const std::size_t want = kLengthByType[data[0]];
  if (want == 0) [[unlikely]]
    return Error::kUnknownType;
  if (len < want) [[unlikely]]
    return Error::kTruncated;
  if (len != want) [[unlikely]]
    return Error::kBadLength;
  return Error::kOk;
}

// Calls f(View) with the typed view of a validated message. Returns f's result.
#define SF_ITCH_CASE(ch, View, len, LAYOUT) \
  case ch:                                  \
    return std::forward<F>(f)(View{p});
template <class F>
decltype(auto) visit(const uint8_t* p, F&& f) {
  switch (static_cast<char>(p[0])) {
    SF_ITCH_MESSAGES(SF_ITCH_CASE)
    default:
      return std::forward<F>(f)(MessageView{p});  // unreachable after validate()
  }
}
#undef SF_ITCH_CASE

}  // namespace sf::itch
