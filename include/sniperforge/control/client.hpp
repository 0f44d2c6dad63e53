// sf-ctl's side of the control socket (protocol in server.hpp): one command per connection.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sniperforge/control/controller.hpp"

namespace sf::control {

// Sends `args` and returns the server's exit status and body; std::nullopt with `error` when the socket
// cannot be reached or the answer is malformed.
[[nodiscard]] std::optional<Response> request(const std::string& socket_path,
                                              const std::vector<std::string>& args, bool json,
                                              std::string& error, int timeout_ms = 10'000);

}  // namespace sf::control
