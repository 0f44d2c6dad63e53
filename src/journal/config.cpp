#include "sniperforge/journal/config.hpp"

namespace sf::journal {
namespace {

void read_uint(const toml::table& t, std::string_view key, uint32_t& out, int64_t min, int64_t max,
               std::vector<std::string>& errors) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return;
  const auto v = n->value<int64_t>();
  if (!n->is_integer() || !v || *v < min || *v > max) {
    errors.push_back("[journal] " + std::string(key) + ": must be an integer in " + std::to_string(min) +
                     ".." + std::to_string(max));
    return;
  }
  out = static_cast<uint32_t>(*v);
}

}  // namespace

JournalConfig parse_journal_config(const toml::table& root, std::vector<std::string>& errors) {
  JournalConfig c;
  const toml::node* node = root.get("journal");
  if (node == nullptr) return c;
  const toml::table* t = node->as_table();
  if (t == nullptr) {
    errors.emplace_back("[journal]: must be a table");
    return c;
  }
  c.enabled = true;
  for (const auto& [key, value] : *t) {
    const std::string_view k = key.str();
    if (k != "path" && k != "fsync" && k != "group_us" && k != "segment_mb" && k != "on_full")
      errors.push_back("[journal] " + std::string(k) + ": unknown key");
  }
  if (const auto p = t->get_as<std::string>("path"); p != nullptr && !p->get().empty()) {
    c.path = p->get();
  } else {
    errors.emplace_back("[journal] path: required (a directory)");
  }
  if (const toml::node* f = t->get("fsync"); f != nullptr) {
    const auto s = f->value<std::string>();
    if (s == "group")
      c.fsync = FsyncPolicy::kGroup;
    else if (s == "every")
      c.fsync = FsyncPolicy::kEvery;
    else if (s == "none")
      c.fsync = FsyncPolicy::kNone;
    else
      errors.emplace_back("[journal] fsync: must be \"group\", \"every\" or \"none\"");
  }
  read_uint(*t, "group_us", c.group_us, 1, 1'000'000, errors);
  read_uint(*t, "segment_mb", c.segment_mb, 1, 65'536, errors);
  if (const toml::node* f = t->get("on_full"); f != nullptr && f->value<std::string>() != "stop_orders")
    errors.emplace_back("[journal] on_full: must be \"stop_orders\"");
  return c;
}

}  // namespace sf::journal
