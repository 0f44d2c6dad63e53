// The [table] reader of the appliance's config files (private to src/dataplane): consumed keys, type and
// range errors in the same words everywhere, unknown keys reported when the reader goes out of scope.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace sf::dataplane::config_detail {

// Reads keys of one table, recording which were consumed; reports type errors and unknown keys.
class TableReader {
 public:
  TableReader(const toml::table& t, std::string where, std::vector<std::string>& errors)
      : t_(t), where_(std::move(where)), errors_(errors) {}
  ~TableReader() {
    for (const auto& [k, v] : t_) {
      if (!seen_.count(std::string(k.str())))
        errors_.push_back(where_ + ": unknown key \"" + std::string(k.str()) + "\"");
    }
  }
  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;

  const toml::node* get(std::string_view key) {
    seen_.insert(std::string(key));
    return t_.get(key);
  }
  void error(std::string_view key, std::string_view msg) {
    errors_.push_back(where_ + "." + std::string(key) + ": " + std::string(msg));
  }

  void str(std::string_view key, std::string& out) {
    if (const auto* n = get(key)) {
      if (auto v = n->value<std::string>())
        out = *v;
      else
        error(key, "expected a string");
    }
  }
  template <class Int>
  void integer(std::string_view key, Int& out, int64_t lo, int64_t hi) {
    if (const auto* n = get(key)) {
      auto v = n->as_integer();
      if (!v) return error(key, "expected an integer");
      const int64_t x = v->get();
      if (x < lo || x > hi)
        return error(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                              std::to_string(x));
      out = static_cast<Int>(x);
    }
  }
  void boolean(std::string_view key, bool& out) {
    if (const auto* n = get(key)) {
      if (auto v = n->value<bool>())
        out = *v;
      else
        error(key, "expected true or false");
    }
  }
  void string_list(std::string_view key, std::vector<std::string>& out) {
    if (const auto* n = get(key)) {
      const auto* arr = n->as_array();
      if (!arr) return error(key, "expected an array of strings");
      out.clear();
      for (const auto& e : *arr) {
        if (auto v = e.value<std::string>())
          out.push_back(*v);
        else
          return error(key, "expected an array of strings");
      }
    }
  }
  void int_list(std::string_view key, std::vector<int>& out) {
    if (const auto* n = get(key)) {
      const auto* arr = n->as_array();
      if (!arr) return error(key, "expected an array of integers");
      out.clear();
      for (const auto& e : *arr) {
        auto v = e.value<int64_t>();
        if (!v || *v < 0 || *v > 4095) return error(key, "expected an array of cpu numbers (0..4095)");
        out.push_back(static_cast<int>(*v));
      }
    }
  }
  template <class E>
  void choice(std::string_view key, E& out, std::initializer_list<std::pair<std::string_view, E>> opts) {
    if (const auto* n = get(key)) {
      auto v = n->value<std::string>();
      std::string allowed;
      for (const auto& [name, val] : opts) {
        if (v && *v == name) {
          out = val;
          return;
        }
        allowed += (allowed.empty() ? "\"" : ", \"") + std::string(name) + "\"";
      }
      error(key, "expected one of " + allowed);
    }
  }
  template <std::size_t N, class Parse>
  void address(std::string_view key, std::array<uint8_t, N>& out, Parse parse, std::string_view what) {
    std::string s;
    if (const auto* n = get(key)) {
      auto v = n->value<std::string>();
      auto parsed = v ? parse(*v) : std::nullopt;
      if (!parsed) return error(key, "expected " + std::string(what));
      out = *parsed;
    }
  }

 private:
  const toml::table& t_;
  std::string where_;
  std::vector<std::string>& errors_;
  std::set<std::string> seen_;
};

}  // namespace sf::dataplane::config_detail
