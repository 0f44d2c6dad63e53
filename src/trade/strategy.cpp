#include "sniperforge/trade/strategy.hpp"

#include <map>
#include <mutex>

namespace sf::trade {

namespace {
// Function-local static: registration runs during static initialization of other translation units.
std::map<std::string, StrategyFactory, std::less<>>& registry() {
  static std::map<std::string, StrategyFactory, std::less<>> r;
  return r;
}
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
}  // namespace

bool register_strategy(std::string_view name, StrategyFactory factory) {
  std::lock_guard lock(registry_mutex());
  return registry().emplace(std::string(name), factory).second;
}

std::unique_ptr<Strategy> make_strategy(const StrategyConfig& cfg) {
  std::lock_guard lock(registry_mutex());
  const auto it = registry().find(cfg.name);
  return it == registry().end() ? nullptr : it->second(cfg);
}

bool strategy_registered(std::string_view name) {
  std::lock_guard lock(registry_mutex());
  return registry().find(name) != registry().end();
}

std::vector<std::string> registered_strategies() {
  std::lock_guard lock(registry_mutex());
  std::vector<std::string> names;
  for (const auto& [n, f] : registry()) names.push_back(n);
  return names;
}

}  // namespace sf::trade
