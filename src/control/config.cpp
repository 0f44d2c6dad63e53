#include "sniperforge/control/config.hpp"

#include <grp.h>

#include <limits>
#include <set>

namespace sf::control {

ControlConfig parse_control_config(const toml::table& root, std::vector<std::string>& errors) {
  ControlConfig c;
  const toml::node* n = root.get("control");
  if (n == nullptr) return c;
  const toml::table* t = n->as_table();
  if (t == nullptr) {
    errors.push_back("control: must be a table");
    return c;
  }
  c.enabled = true;
  for (auto&& [k, v] : *t) {
    const std::string key(k.str());
    if (key == "socket") {
      const auto s = v.value<std::string>();
      if (!v.is_string() || !s || s->empty() || s->front() != '/')
        errors.push_back("control.socket: must be an absolute path");
      else if (s->size() >= 108)  // sockaddr_un::sun_path
        errors.push_back("control.socket: longer than 107 bytes");
      else
        c.socket = *s;
    } else if (key == "allow_uids") {
      const toml::array* a = v.as_array();
      if (a == nullptr) {
        errors.push_back("control.allow_uids: must be an array of uids");
        continue;
      }
      for (const toml::node& e : *a) {
        const auto u = e.value<int64_t>();
        if (!e.is_integer() || !u || *u < 0 || *u > std::numeric_limits<uint32_t>::max() - 1)
          errors.push_back("control.allow_uids: must be an array of uids (0..4294967294)");
        else
          c.allow_uids.push_back(static_cast<uid_t>(*u));
      }
    } else if (key == "allow_groups") {
      const toml::array* a = v.as_array();
      if (a == nullptr) {
        errors.push_back("control.allow_groups: must be an array of group names");
        continue;
      }
      for (const toml::node& e : *a) {
        const auto g = e.value<std::string>();
        if (!e.is_string() || !g) {
          errors.push_back("control.allow_groups: must be an array of group names");
          continue;
        }
        const group* gr = getgrnam(g->c_str());
        if (gr == nullptr) {
          errors.push_back("control.allow_groups: no group \"" + *g + "\" on this machine");
          continue;
        }
        c.allow_groups.push_back(*g);
        c.allow_gids.push_back(gr->gr_gid);
      }
    } else {
      errors.push_back("control: unknown key \"" + key + "\"");
    }
  }
  return c;
}

}  // namespace sf::control
