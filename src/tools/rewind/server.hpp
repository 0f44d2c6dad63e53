// sf-rewind's kernel-socket server: answers MoldUDP64 re-requests on one UDP socket from a MessageStore
// (unicast back to the requester's address and port), optionally while recording a live MoldUDP64 feed
// into that store from a second socket (a multicast group is joined). Slow answers (`delay_ms`) wait in
// a queue, so requests keep being read meanwhile. Runs until `stop` or `idle_exit_s` without requests.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "message_store.hpp"
#include "mold_answer.hpp"

namespace sf::rewind {

struct ServerOptions {
  std::string listen = "0.0.0.0:26400";  // IPv4:PORT for re-requests (port 0: any free port)
  std::string record;                    // IPv4:PORT of a live feed to record ("" = none)
  std::string record_interface;          // IPv4 of the interface that joins a multicast group
  AnswerPolicy policy;
  uint32_t delay_ms = 0;    // answer this much later
  double idle_exit_s = 0;   // exit after this long without a request (0: never)
  std::string totals_path;  // also write the exit totals JSON here
  // Also run on this thread (the GLIMPSE server, glimpse_service.hpp): called after every poll round,
  // which then waits at most `max_wait_ms`.
  std::function<void()> on_step;
  int max_wait_ms = 100;
};

// Returns the exit status (0 done, 1 a socket could not be set up or the totals file not written).
int run_server(const ServerOptions& options, MessageStore& store, const std::atomic<bool>& stop);

}  // namespace sf::rewind
