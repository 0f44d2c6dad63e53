// NASDAQ OUCH 5.0: bounds-checked views and encoders for the inbound (client -> venue) messages
// O/U/X/M and the outbound (venue -> client) messages S/A/U/C/D/E/B/J/P/I/T/M/R, plus the optional
// appendage (TagValue list) some of them end with.
//
// As in itch.hpp, one X-macro layout per message generates the view accessors, a plain struct with
// encode(), and the runtime schema. Offsets count from the type byte; integers are big-endian;
// prices are u64 with 4 implied decimals. Messages with an appendage have a u16 appendage length in
// their last two fixed bytes, followed by that many bytes of TagValues:
// [length u8 = 1 + value bytes][tag u8][value]. Unknown tags are skipped by length.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <span>
#include <string_view>
#include <utility>

#include "sniperforge/proto/endian.hpp"
#include "sniperforge/proto/field.hpp"
#include "sniperforge/proto/itch.hpp"  // itch::Error: the reasons OUCH shares

namespace sf::ouch {

using proto::Alpha;
using proto::trim_alpha;

enum class FieldKind : uint8_t { kU16, kU32, kU64, kPrice, kChar, kAlpha };

struct FieldDesc {
  std::string_view name;
  uint8_t offset;
  uint8_t size;
  FieldKind kind;
};

namespace detail {
// Field kind -> its codec (proto/field.hpp); kPrice is a u64 with 4 implied decimals.
inline constexpr proto::Storage kStorageOf[] = {
    proto::Storage::kU16, proto::Storage::kU32,  proto::Storage::kU64,
    proto::Storage::kU64, proto::Storage::kChar, proto::Storage::kAlpha};  // FieldKind order
static_assert(std::size(kStorageOf) == static_cast<std::size_t>(FieldKind::kAlpha) + 1);
template <FieldKind K, std::size_t N>
using Field = proto::Codec<kStorageOf[static_cast<std::size_t>(K)], N>;
}  // namespace detail

// ---- Appendage: TagValues ----
namespace tag {
inline constexpr uint8_t kSecondaryOrdRefNum = 1;  // u64
inline constexpr uint8_t kFirm = 2;                // alpha 4
inline constexpr uint8_t kMinQty = 3;              // u32
inline constexpr uint8_t kCustomerType = 4;        // char
inline constexpr uint8_t kMaxFloor = 5;            // u32
inline constexpr uint8_t kPriceType = 6;           // char
inline constexpr uint8_t kPegOffset = 7;           // i64
inline constexpr uint8_t kDiscretionPrice = 9;     // u64
inline constexpr uint8_t kDiscretionPriceType = 10;
inline constexpr uint8_t kDiscretionPegOffset = 11;
inline constexpr uint8_t kPostOnly = 12;
inline constexpr uint8_t kRandomReserves = 13;
inline constexpr uint8_t kRoute = 14;
inline constexpr uint8_t kExpireTime = 15;
inline constexpr uint8_t kTradeNow = 16;
inline constexpr uint8_t kHandleInst = 17;
inline constexpr uint8_t kBboWeightIndicator = 18;  // char
inline constexpr uint8_t kGroupId = 22;
inline constexpr uint8_t kSharesLocated = 23;
}  // namespace tag

struct TagValue {
  uint8_t tag;
  std::span<const uint8_t> value;
};

// The appendage bytes of a validated message (may be empty).
class Appendage {
 public:
  constexpr Appendage() noexcept = default;
  Appendage(const uint8_t* p, std::size_t n) noexcept : p_(p), n_(n) {}

  // True when the bytes are a whole number of well-formed TagValues.
  [[nodiscard]] bool well_formed() const noexcept {
    std::size_t off = 0;
    while (off < n_) {
      const std::size_t len = p_[off];
      if (len == 0 || n_ - off - 1 < len) return false;
      off += 1 + len;
    }
    return true;
  }
  class Iterator {
   public:
    Iterator(const uint8_t* p, std::size_t left) noexcept : p_(p), left_(left) {}
    TagValue operator*() const noexcept { return {p_[1], {p_ + 2, std::size_t{p_[0]} - 1u}}; }
    Iterator& operator++() noexcept {
      const std::size_t step = 1 + std::size_t{p_[0]};
      p_ += step;
      left_ -= step;
      return *this;
    }
    bool operator==(const Iterator& o) const noexcept { return left_ == o.left_; }

   private:
    const uint8_t* p_;
    std::size_t left_;
  };
  // Iterate only when well_formed() (validate() checks it).
  [[nodiscard]] Iterator begin() const noexcept { return {p_, n_}; }
  [[nodiscard]] Iterator end() const noexcept { return {nullptr, 0}; }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] bool empty() const noexcept { return n_ == 0; }
  // First TagValue with this tag; false when absent.
  bool find(uint8_t t, TagValue& out) const noexcept {
    for (TagValue tv : *this)
      if (tv.tag == t) {
        out = tv;
        return true;
      }
    return false;
  }

 private:
  const uint8_t* p_ = nullptr;
  std::size_t n_ = 0;
};

// Builds an appendage; write() returns the bytes used (0 if it did not fit).
class AppendageBuilder {
 public:
  AppendageBuilder(uint8_t* buf, std::size_t cap) noexcept : buf_(buf), cap_(cap) {}
  bool add(uint8_t t, const void* value, std::size_t n) noexcept {
    if (n + 1 > 255 || cap_ - off_ < n + 2) return false;
    buf_[off_] = static_cast<uint8_t>(n + 1);
    buf_[off_ + 1] = t;
    std::memcpy(buf_ + off_ + 2, value, n);
    off_ += n + 2;
    return true;
  }
  bool add_alpha(uint8_t t, std::string_view s) noexcept { return add(t, s.data(), s.size()); }
  bool add_char(uint8_t t, char c) noexcept { return add(t, &c, 1); }
  bool add_u32(uint8_t t, uint32_t v) noexcept {
    uint8_t b[4];
    proto::store_be<uint32_t>(b, v);
    return add(t, b, 4);
  }
  bool add_u64(uint8_t t, uint64_t v) noexcept {
    uint8_t b[8];
    proto::store_be<uint64_t>(b, v);
    return add(t, b, 8);
  }
  [[nodiscard]] std::span<const uint8_t> bytes() const noexcept { return {buf_, off_}; }

 private:
  uint8_t* buf_;
  std::size_t cap_;
  std::size_t off_ = 0;
};

// ---- Layouts: X(name, offset, kind, size) ----
// clang-format off
// Inbound
#define SF_OUCH_IN_O(X) \
  X(user_ref_num, 1, kU32, 4) \
  X(side, 5, kChar, 1) \
  X(quantity, 6, kU32, 4) \
  X(symbol, 10, kAlpha, 8) \
  X(price, 18, kPrice, 8) \
  X(time_in_force, 26, kChar, 1) \
  X(display, 27, kChar, 1) \
  X(capacity, 28, kChar, 1) \
  X(intermarket_sweep_eligibility, 29, kChar, 1) \
  X(cross_type, 30, kChar, 1) \
  X(cl_ord_id, 31, kAlpha, 14)
#define SF_OUCH_IN_U(X) \
  X(orig_user_ref_num, 1, kU32, 4) \
  X(user_ref_num, 5, kU32, 4) \
  X(quantity, 9, kU32, 4) \
  X(price, 13, kPrice, 8) \
  X(time_in_force, 21, kChar, 1) \
  X(display, 22, kChar, 1) \
  X(intermarket_sweep_eligibility, 23, kChar, 1) \
  X(cl_ord_id, 24, kAlpha, 14)
#define SF_OUCH_IN_X(X) \
  X(user_ref_num, 1, kU32, 4) \
  X(quantity, 5, kU32, 4)
#define SF_OUCH_IN_M(X) \
  X(user_ref_num, 1, kU32, 4) \
  X(side, 5, kChar, 1) \
  X(quantity, 6, kU32, 4)

// X(type, View, fixed length incl. type byte (and appendage length field), has appendage, layout)
#define SF_OUCH_INBOUND(X) \
  X('O', EnterOrder, 47, true, SF_OUCH_IN_O) \
  X('U', ReplaceOrder, 40, true, SF_OUCH_IN_U) \
  X('X', CancelOrder, 9, false, SF_OUCH_IN_X) \
  X('M', ModifyOrder, 10, false, SF_OUCH_IN_M)

// Outbound (timestamp: u64 ns since midnight @1)
#define SF_OUCH_OUT_S(X) \
  X(timestamp, 1, kU64, 8) \
  X(event_code, 9, kChar, 1)
#define SF_OUCH_OUT_A(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4) \
  X(side, 13, kChar, 1) \
  X(quantity, 14, kU32, 4) \
  X(symbol, 18, kAlpha, 8) \
  X(price, 26, kPrice, 8) \
  X(time_in_force, 34, kChar, 1) \
  X(display, 35, kChar, 1) \
  X(order_reference_number, 36, kU64, 8) \
  X(capacity, 44, kChar, 1) \
  X(intermarket_sweep_eligibility, 45, kChar, 1) \
  X(cross_type, 46, kChar, 1) \
  X(order_state, 47, kChar, 1) \
  X(cl_ord_id, 48, kAlpha, 14)
#define SF_OUCH_OUT_U(X) \
  X(timestamp, 1, kU64, 8) \
  X(orig_user_ref_num, 9, kU32, 4) \
  X(user_ref_num, 13, kU32, 4) \
  X(side, 17, kChar, 1) \
  X(quantity, 18, kU32, 4) \
  X(symbol, 22, kAlpha, 8) \
  X(price, 30, kPrice, 8) \
  X(time_in_force, 38, kChar, 1) \
  X(display, 39, kChar, 1) \
  X(order_reference_number, 40, kU64, 8) \
  X(capacity, 48, kChar, 1) \
  X(intermarket_sweep_eligibility, 49, kChar, 1) \
  X(cross_type, 50, kChar, 1) \
  X(order_state, 51, kChar, 1) \
  X(cl_ord_id, 52, kAlpha, 14)
#define SF_OUCH_OUT_C(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4) \
  X(quantity, 13, kU32, 4) \
  X(reason, 17, kChar, 1)
#define SF_OUCH_OUT_D(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4) \
  X(decrement_shares, 13, kU32, 4) \
  X(reason, 17, kChar, 1) \
  X(quantity_prevented_from_trading, 18, kU32, 4) \
  X(execution_price, 22, kPrice, 8) \
  X(liquidity_flag, 30, kChar, 1) \
  X(aiq_strategy, 31, kChar, 1)
#define SF_OUCH_OUT_E(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4) \
  X(quantity, 13, kU32, 4) \
  X(price, 17, kPrice, 8) \
  X(liquidity_flag, 25, kChar, 1) \
  X(match_number, 26, kU64, 8)
#define SF_OUCH_OUT_B(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4) \
  X(match_number, 13, kU64, 8) \
  X(reason, 21, kChar, 1) \
  X(cl_ord_id, 22, kAlpha, 14)
#define SF_OUCH_OUT_J(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4) \
  X(reason, 13, kU16, 2) \
  X(cl_ord_id, 15, kAlpha, 14)
#define SF_OUCH_OUT_P(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4)
#define SF_OUCH_OUT_I(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4)
#define SF_OUCH_OUT_T(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4) \
  X(price, 13, kPrice, 8) \
  X(display, 21, kChar, 1) \
  X(order_reference_number, 22, kU64, 8)
#define SF_OUCH_OUT_M(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4) \
  X(side, 13, kChar, 1) \
  X(quantity, 14, kU32, 4)
#define SF_OUCH_OUT_R(X) \
  X(timestamp, 1, kU64, 8) \
  X(user_ref_num, 9, kU32, 4) \
  X(reason, 13, kChar, 1)

#define SF_OUCH_OUTBOUND(X) \
  X('S', SystemEvent, 10, false, SF_OUCH_OUT_S) \
  X('A', OrderAccepted, 64, true, SF_OUCH_OUT_A) \
  X('U', OrderReplaced, 68, true, SF_OUCH_OUT_U) \
  X('C', OrderCanceled, 18, false, SF_OUCH_OUT_C) \
  X('D', AiqCanceled, 32, false, SF_OUCH_OUT_D) \
  X('E', OrderExecuted, 36, true, SF_OUCH_OUT_E) \
  X('B', BrokenTrade, 36, false, SF_OUCH_OUT_B) \
  X('J', Rejected, 29, false, SF_OUCH_OUT_J) \
  X('P', CancelPending, 13, false, SF_OUCH_OUT_P) \
  X('I', CancelReject, 13, false, SF_OUCH_OUT_I) \
  X('T', OrderPriorityUpdate, 30, false, SF_OUCH_OUT_T) \
  X('M', OrderModified, 18, false, SF_OUCH_OUT_M) \
  X('R', OrderRestated, 16, true, SF_OUCH_OUT_R)
// clang-format on

inline constexpr std::size_t kMaxFixedLength = 68;

enum class Error : uint8_t { kOk = 0, kEmpty, kUnknownType, kTruncated, kBadLength, kBadAppendage };

// The reasons before kBadAppendage are itch::Error's (same order, same names).
static_assert(static_cast<int>(Error::kEmpty) == static_cast<int>(itch::Error::kEmpty) &&
              static_cast<int>(Error::kUnknownType) == static_cast<int>(itch::Error::kUnknownType) &&
              static_cast<int>(Error::kTruncated) == static_cast<int>(itch::Error::kTruncated) &&
              static_cast<int>(Error::kBadLength) == static_cast<int>(itch::Error::kBadLength));

[[nodiscard]] constexpr std::string_view to_string(Error e) noexcept {
  if (e == Error::kBadAppendage) return "bad_appendage";
  return itch::to_string(static_cast<itch::Error>(e));
}

class MessageView {
 public:
  constexpr MessageView() noexcept = default;
  MessageView(const uint8_t* p, std::size_t len) noexcept : p_(p), len_(len) {}
  [[nodiscard]] char type() const noexcept { return static_cast<char>(p_[0]); }
  [[nodiscard]] const uint8_t* data() const noexcept { return p_; }
  [[nodiscard]] std::size_t size() const noexcept { return len_; }

 protected:
  const uint8_t* p_ = nullptr;
  std::size_t len_ = 0;
};

struct MessageSchema {
  char type;
  std::string_view name;
  uint8_t fixed_length;  // including the appendage length field when has_appendage
  bool has_appendage;
  std::span<const FieldDesc> fields;
};

#define SF_OUCH_ACCESSOR(name, off, kind, size)                   \
  [[nodiscard]] auto name() const noexcept {                      \
    return detail::Field<FieldKind::kind, size>::get(p_ + (off)); \
  }
#define SF_OUCH_MEMBER(name, off, kind, size) typename detail::Field<FieldKind::kind, size>::type name{};
#define SF_OUCH_PUT(name, off, kind, size) detail::Field<FieldKind::kind, size>::put(out + (off), name);
#define SF_OUCH_GET(name, off, kind, size) m.name = v.name();
#define SF_OUCH_DESC(name, off, kind, size) FieldDesc{#name, off, size, FieldKind::kind},

#define SF_OUCH_VIEW(ch, View, len, app, LAYOUT)         \
  class View : public MessageView {                      \
   public:                                               \
    static constexpr char kType = ch;                    \
    static constexpr std::size_t kFixedLength = len;     \
    static constexpr bool kHasAppendage = app;           \
    using MessageView::MessageView;                      \
    LAYOUT(SF_OUCH_ACCESSOR)                             \
    [[nodiscard]] Appendage appendage() const noexcept { \
      if constexpr (app) return {p_ + len, len_ - len};  \
      return {};                                         \
    }                                                    \
  };
#define SF_OUCH_STRUCT(ch, View, len, app, LAYOUT)                                             \
  struct View {                                                                                \
    static constexpr char kType = ch;                                                          \
    static constexpr std::size_t kFixedLength = len;                                           \
    LAYOUT(SF_OUCH_MEMBER)                                                                     \
    /* Writes the message (+ appendage bytes when the type has one); returns its length. */    \
    std::size_t encode(uint8_t* out, std::span<const uint8_t> appendage = {}) const noexcept { \
      std::memset(out, 0, len);                                                                \
      out[0] = static_cast<uint8_t>(ch);                                                       \
      LAYOUT(SF_OUCH_PUT)                                                                      \
      if constexpr (app) {                                                                     \
        proto::store_be<uint16_t>(out + len - 2, static_cast<uint16_t>(appendage.size()));     \
        if (!appendage.empty()) std::memcpy(out + len, appendage.data(), appendage.size());    \
        return len + appendage.size();                                                         \
      }                                                                                        \
      return len;                                                                              \
    }                                                                                          \
    [[nodiscard]] static View from(const views::View& v) noexcept {                            \
      View m;                                                                                  \
      LAYOUT(SF_OUCH_GET)                                                                      \
      return m;                                                                                \
    }                                                                                          \
    friend bool operator==(const View&, const View&) noexcept = default;                       \
  };
#define SF_OUCH_FIELDS(ch, View, len, app, LAYOUT) \
  inline constexpr FieldDesc k##View##Fields[] = {LAYOUT(SF_OUCH_DESC)};
#define SF_OUCH_SCHEMA(ch, View, len, app, LAYOUT) \
  MessageSchema{ch, #View, len, app, fields::k##View##Fields},
#define SF_OUCH_CASE(ch, View, len, app, LAYOUT) \
  case ch:                                       \
    return std::forward<F>(f)(views::View{p, len_total});

// Generates, per direction: views::X, msg::X, kSchemas, validate(), visit().
#define SF_OUCH_DIRECTION(LIST)                                                                   \
  namespace views {                                                                               \
  LIST(SF_OUCH_VIEW)                                                                              \
  }                                                                                               \
  namespace msg {                                                                                 \
  LIST(SF_OUCH_STRUCT)                                                                            \
  }                                                                                               \
  namespace fields {                                                                              \
  LIST(SF_OUCH_FIELDS)                                                                            \
  }                                                                                               \
  inline constexpr MessageSchema kSchemas[] = {LIST(SF_OUCH_SCHEMA)};                             \
  [[nodiscard]] constexpr const MessageSchema* schema_for(char type) noexcept {                   \
    for (const auto& s : kSchemas)                                                                \
      if (s.type == type) return &s;                                                              \
    return nullptr;                                                                               \
  }                                                                                               \
  /* `len` is the message length given by the framing. Checks the type, the exact length (fixed + \
     appendage length) and that the appendage is well-formed TagValues. */                        \
  [[nodiscard]] inline Error validate(const uint8_t* p, std::size_t len) noexcept {               \
    if (len == 0) [[unlikely]]                                                                    \
      return Error::kEmpty;                                                                       \
    const MessageSchema* s = schema_for(static_cast<char>(p[0]));                                 \
    if (s == nullptr) [[unlikely]]                                                                \
      return Error::kUnknownType;                                                                 \
    if (len < s->fixed_length) [[unlikely]]                                                       \
      return Error::kTruncated;                                                                   \
    if (!s->has_appendage) return len == s->fixed_length ? Error::kOk : Error::kBadLength;        \
    const std::size_t app = proto::load_be16(p + s->fixed_length - 2);                            \
    if (len != s->fixed_length + app) [[unlikely]]                                                \
      return len < s->fixed_length + app ? Error::kTruncated : Error::kBadLength;                 \
    if (!Appendage{p + s->fixed_length, app}.well_formed()) [[unlikely]]                          \
      return Error::kBadAppendage;                                                                \
    return Error::kOk;                                                                            \
  }                                                                                               \
  /* Calls f(View) for a validated message; f(MessageView) for an unknown type. */                \
  template <class F>                                                                              \
  decltype(auto) visit(const uint8_t* p, std::size_t len_total, F&& f) {                          \
    switch (static_cast<char>(p[0])) {                                                            \
      LIST(SF_OUCH_CASE)                                                                          \
      default:                                                                                    \
        return std::forward<F>(f)(MessageView{p, len_total});                                     \
    }                                                                                             \
  }

// Client -> venue.
namespace inbound {
SF_OUCH_DIRECTION(SF_OUCH_INBOUND)
}  // namespace inbound

// Venue -> client.
namespace outbound {
SF_OUCH_DIRECTION(SF_OUCH_OUTBOUND)
}  // namespace outbound

#undef SF_OUCH_DIRECTION
#undef SF_OUCH_CASE
#undef SF_OUCH_SCHEMA
#undef SF_OUCH_FIELDS
#undef SF_OUCH_STRUCT
#undef SF_OUCH_VIEW
#undef SF_OUCH_DESC
#undef SF_OUCH_GET
#undef SF_OUCH_PUT
#undef SF_OUCH_MEMBER
#undef SF_OUCH_ACCESSOR

}  // namespace sf::ouch
