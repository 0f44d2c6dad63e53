// Addresses as text and back, for tests that read them from `ip` and netns fixtures ("10.0.0.1",
// "02:00:00:00:00:01"): the IPv4 address in host order, the MAC as six bytes, a MAC in lower-case hex.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "sniperforge/proto/net.hpp"

namespace sf::testing {

inline std::string mac_text(const uint8_t* p) {
  char s[18];
  std::snprintf(s, sizeof s, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4], p[5]);
  return s;
}

inline sf::net::Mac mac_of(const std::string& s) {
  sf::net::Mac m{};
  unsigned v[6];
  std::sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
  for (int i = 0; i < 6; ++i) m[static_cast<std::size_t>(i)] = static_cast<uint8_t>(v[i]);
  return m;
}

inline uint32_t ip_of(const std::string& s) {
  in_addr a{};
  inet_pton(AF_INET, s.c_str(), &a);
  return ntohl(a.s_addr);
}

}  // namespace sf::testing
