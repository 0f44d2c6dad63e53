#include "sniperforge/dataplane/feed_guard_config.hpp"

#include "sniperforge/dataplane/config.hpp"

namespace sf::dataplane {
namespace {

// A MoldUDP64 session is 10 printable ASCII characters, space padded on the right (NASDAQ: alphanumeric).
void parse_session(const toml::node& n, FeedGuardSettings& out, std::vector<std::string>& errors) {
  const auto v = n.value<std::string>();
  if (!v) return errors.push_back("[feed].session: expected a string (blank: learn it from the feed)");
  if (v->empty()) return;  // blank: learned from the first packet
  if (v->size() > mold::kSessionLength)
    return errors.push_back("[feed].session: at most 10 characters (a MoldUDP64 session), got \"" + *v +
                            "\"");
  std::array<uint8_t, mold::kSessionLength> s{};
  s.fill(' ');
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto c = static_cast<unsigned char>((*v)[i]);
    if (c < 0x20 || c > 0x7e)
      return errors.push_back("[feed].session: printable ASCII only (a MoldUDP64 session)");
    s[i] = c;
  }
  out.session = s;
}

void parse_sources(const toml::node& n, FeedGuardSettings& out, std::vector<std::string>& errors) {
  const auto* arr = n.as_array();
  if (arr == nullptr || arr->empty())
    return errors.push_back(
        "[feed].sources: expected a non-empty array of IPv4 addresses such as [\"10.0.0.1\"] (omit it to "
        "accept any source)");
  for (const toml::node& e : *arr) {
    const auto s = e.value<std::string>();
    const auto ip = s ? parse_ipv4(*s) : std::nullopt;
    if (!ip)
      return errors.push_back("[feed].sources: \"" + s.value_or("?") +
                              "\" is not an IPv4 address such as \"10.0.0.1\"");
    out.sources.push_back(uint32_t{(*ip)[0]} << 24 | uint32_t{(*ip)[1]} << 16 | uint32_t{(*ip)[2]} << 8 |
                          (*ip)[3]);
  }
}

}  // namespace

void parse_feed_guard(const toml::table& feed, FeedGuardSettings& out, std::vector<std::string>& errors) {
  if (const toml::node* n = feed.get("session")) parse_session(*n, out, errors);
  if (const toml::node* n = feed.get("sources")) parse_sources(*n, out, errors);
  if (const toml::node* n = feed.get("max_seq_jump")) {
    constexpr int64_t kMax = int64_t{1} << 62;
    const auto v = n->value<int64_t>();
    if (!v || *v < 1 || *v > kMax)
      errors.push_back("[feed].max_seq_jump: expected an integer in [1, " + std::to_string(kMax) + "]");
    else
      out.max_seq_jump = static_cast<uint64_t>(*v);
  }
}

}  // namespace sf::dataplane
