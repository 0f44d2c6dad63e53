// sf-ctl: the operator's command line for a running sniperforge (issue #14). Talks to the appliance's
// control socket ([control] socket), prints the answer (human text, or one JSON object with --json) and
// exits with the appliance's verdict: 0 the command took effect on every shard, 1 it was refused or did not
// take effect everywhere (or the socket cannot be reached), 2 bad usage or a bad value (nothing changed).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "sniperforge/common/cli.hpp"
#include "sniperforge/control/client.hpp"
#include "sniperforge/control/config.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Control a running sniperforge through its control socket.\n"
      "Commands:\n"
      "  status                               per shard: trading state, session, stale, open orders, "
      "positions,\n"
      "                                       P&L, limit usage\n"
      "  kill | unkill                        refuse every new order and cancel every open one (kill waits "
      "for\n"
      "                                       the venue's acks, then lists what is still open) | resume\n"
      "  state active|reducing|halted [--symbol S]\n"
      "  limits show | limits set KEY=VALUE [--symbol S]   risk limits, validated as in the config file\n"
      "                                       (--symbol: that instrument's own, the stricter applies)\n"
      "  strategy list | enable ID | disable ID | set ID KEY=VALUE   (ID: index or name/symbol/side)\n"
      "  reload                               re-read the config's [risk] and [[strategy]]: all or nothing\n"
      "  books SYMBOL [--levels N]            top of book (and N levels a side, N <= 64) from the owning\n"
      "                                       executor\n"
      "  clear-venue-inconsistent             resume a shard stopped by a venue response that failed a check",
      "sf-ctl"};
  sf::cli::apply_conventions(app, "sf-ctl");
  std::string socket = sf::control::kDefaultSocket;
  bool json = false;
  int timeout_ms = 10'000;
  std::vector<std::string> command;
  app.add_option("--socket", socket, "the appliance's control socket")->capture_default_str();
  app.add_flag("--json", json, "print one JSON object instead of text");
  app.add_option("--timeout-ms", timeout_ms, "wait this long for the answer")
      ->check(sf::cli::integer_range(1, 600'000))
      ->capture_default_str();
  app.add_option("command", command, "the command and its arguments (see above)")->required();
  // sf-ctl's own options come first; from the first word that is not one of them, everything (including
  // --symbol or --levels) belongs to the command, in order.
  int split = 1;
  while (split < argc && argv[split][0] == '-') {
    const std::string a = argv[split];
    split += (a == "--socket" || a == "--timeout-ms") ? 2 : 1;
  }
  split = std::min(split, argc);
  std::vector<const char*> own(argv, argv + split);
  if (split < argc) own.push_back(argv[split]);  // the command word satisfies the positional
  if (const auto rc = sf::cli::parse(app, static_cast<int>(own.size()), own.data())) return *rc;
  command.assign(argv + split, argv + argc);

  std::string error;
  const auto r = sf::control::request(socket, command, json, error, timeout_ms);
  if (!r) {
    std::fprintf(stderr, "sf-ctl: %s\n", error.c_str());
    return sf::cli::kExitFailure;
  }
  // The appliance's errors go to stderr, the rest to stdout.
  const bool is_error = r->exit != 0 && r->body.rfind("error: ", 0) == 0;
  std::fputs(r->body.c_str(), is_error ? stderr : stdout);
  return r->exit;
}
