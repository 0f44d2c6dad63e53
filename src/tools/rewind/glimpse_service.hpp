// sf-rewind's GLIMPSE 5.0 side (#12): with --glimpse-listen, a snapshot::GlimpseServer answers SoupBinTCP
// logins from the same message store the re-requests are answered from, polled in the re-request loop
// (one thread: a feed recorded with --record is never read while it is written).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "message_store.hpp"
#include "sniperforge/snapshot/server.hpp"

namespace sf::rewind {

struct GlimpseCli {
  std::string listen;  // "" = no GLIMPSE service
  std::string username;
  std::string password_file;
  std::string session = "GLIMPSE001";
  uint64_t snapshot_at = 0;  // 0: the end of the store at each login
  uint64_t max_orders = 1 << 20;
};

void add_glimpse_options(CLI::App& app, GlimpseCli& cli);

class GlimpseService {
 public:
  GlimpseService();
  ~GlimpseService();
  // Checks the options (username, session, password file: mode 0600 or 0400); false with `error` (usage).
  bool configure(const GlimpseCli& cli, const MessageStore& store, std::string& error);
  // Binds and listens (says where on stderr); false with `error`.
  bool start(std::string& error);
  // One non-blocking round of the server (accept, read, answer, write).
  void step();
  // "GLIMPSE: N logins, N rejected, N snapshots, N messages sent" (stderr at exit).
  [[nodiscard]] std::string summary() const;

 private:
  class StoreSource;
  std::unique_ptr<StoreSource> source_;
  std::unique_ptr<snapshot::GlimpseServer> server_;
  std::string listen_, session_;
};

}  // namespace sf::rewind
