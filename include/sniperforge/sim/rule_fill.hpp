// The rule-based fill model: one deterministic rule for what a venue fills of an order, shared by
// sf-venue-sim (the SoupBinTCP venue the live appliance trades with in tests) and sf-backtest's simulated
// venue (`[backtest] fill_model`), so an appliance replay against the simulator and a backtest of the same
// feed, config and seed can be compared fill for fill (docs/backtest.md, "Rule-based fills").
//   full    every order fills completely at its limit price;
//   seeded  SplitMix64 of (seed, UserRefNum) picks: 60 % full fill, 20 % partial fill (1..q-1 shares,
//           drawn from the same hash), 20 % none; the fill is at the order's limit price.
// The unfilled rest of an IOC order is canceled (reason 'I'); a DAY order's rest stays open and never
// fills. The book plays no part (that is the "book" model of sf-backtest): a fill depends only on the
// seed, the UserRefNum and the quantity, which the appliance derives from the feed, not from timing.
// Standard library only; no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sf::sim {

enum class FillModel : uint8_t {
  kBook,    // sf-backtest's matching against the L3 book (queues, latency); not a rule
  kFull,    // rule: everything fills
  kSeeded,  // rule: seeded full / partial / none
};

[[nodiscard]] constexpr std::string_view to_string(FillModel m) noexcept {
  switch (m) {
    case FillModel::kBook:
      return "book";
    case FillModel::kFull:
      return "full";
    case FillModel::kSeeded:
      return "seeded";
  }
  return "?";
}
[[nodiscard]] constexpr std::optional<FillModel> fill_model_from(std::string_view s) noexcept {
  if (s == "book") return FillModel::kBook;
  if (s == "full") return FillModel::kFull;
  if (s == "seeded") return FillModel::kSeeded;
  return std::nullopt;
}

[[nodiscard]] constexpr uint64_t splitmix64(uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Shares a rule model fills of an order of `quantity` shares with UserRefNum `urn` (kBook: 0, not a rule).
[[nodiscard]] constexpr uint32_t rule_fill_shares(FillModel m, uint64_t seed, uint32_t urn,
                                                  uint32_t quantity) noexcept {
  if (m == FillModel::kFull) return quantity;
  if (m != FillModel::kSeeded) return 0;
  const uint64_t h = splitmix64(seed ^ (uint64_t{urn} << 20));
  const uint64_t pick = h % 100;
  if (pick < 60 || quantity == 0) return quantity;
  if (pick < 80) return quantity <= 1 ? quantity : static_cast<uint32_t>(1 + (h >> 32) % (quantity - 1));
  return 0;
}

}  // namespace sf::sim
