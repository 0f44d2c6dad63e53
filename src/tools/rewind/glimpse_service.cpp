#include "glimpse_service.hpp"

#include <cstdio>

#include "sniperforge/common/cli.hpp"
#include "sniperforge/session/config.hpp"

namespace sf::rewind {

// The store seen as sequences 1 .. end() - 1; a sequence not stored is an empty message (the GLIMPSE
// server then refuses snapshots at or beyond it rather than send wrong books).
class GlimpseService::StoreSource final : public snapshot::MessageSource {
 public:
  explicit StoreSource(const MessageStore& s) : store_(s) {}
  [[nodiscard]] uint64_t next_sequence() const override { return store_.empty() ? 1 : store_.end(); }
  [[nodiscard]] std::span<const uint8_t> message(uint64_t seq) const override { return store_.at(seq); }

 private:
  const MessageStore& store_;
};

GlimpseService::GlimpseService() = default;
GlimpseService::~GlimpseService() = default;

void add_glimpse_options(CLI::App& app, GlimpseCli& c) {
  app.add_option("--glimpse-listen", c.listen, "also serve GLIMPSE 5.0 snapshots (SoupBinTCP) on IPv4:PORT")
      ->check(sf::cli::ipv4_endpoint());
  app.add_option("--glimpse-username", c.username, "GLIMPSE login username (1-6 characters)");
  app.add_option("--glimpse-password-file", c.password_file,
                 "GLIMPSE login password: a file of mode 0600 or 0400 holding 1-10 printable characters");
  app.add_option("--glimpse-session", c.session, "GLIMPSE SoupBinTCP session name")->capture_default_str();
  app.add_option(
         "--snapshot-at", c.snapshot_at,
         "GLIMPSE snapshots at this ITCH sequence (the live feed continues there; 0: the store's end)")
      ->check(sf::cli::unsigned_range(0, UINT64_MAX - 1));
  app.add_option("--glimpse-max-orders", c.max_orders, "live orders the GLIMPSE server's books can hold")
      ->check(sf::cli::unsigned_range(16, uint64_t{1} << 28))
      ->capture_default_str();
}

bool GlimpseService::configure(const GlimpseCli& cli, const MessageStore& store, std::string& error) {
  if (cli.username.empty() || cli.username.size() > 6 || cli.password_file.empty()) {
    error = "--glimpse-listen needs --glimpse-username (1-6 characters) and --glimpse-password-file";
    return false;
  }
  if (cli.session.size() > 10) {
    error = "--glimpse-session: at most 10 characters";
    return false;
  }
  std::string password, why;
  if (!order_session::read_password_file(cli.password_file, password, why)) {
    error = "--glimpse-password-file: " + why;
    return false;
  }
  snapshot::GlimpseServerOptions o;
  o.listen = cli.listen;
  o.passwords[cli.username] = password;
  o.session_name = cli.session;
  o.snapshot_at = cli.snapshot_at;
  o.books.max_orders = cli.max_orders;
  source_ = std::make_unique<StoreSource>(store);
  server_ = std::make_unique<snapshot::GlimpseServer>(o, *source_);
  listen_ = cli.listen;
  session_ = cli.session;
  return true;
}

bool GlimpseService::start(std::string& error) {
  if (!server_->start(error)) return false;
  std::fprintf(stderr, "sf-rewind: GLIMPSE session %s listening on %s:%u\n", session_.c_str(),
               listen_.substr(0, listen_.rfind(':')).c_str(), server_->port());
  return true;
}

void GlimpseService::step() {
  if (server_) server_->poll_once(0);
}

std::string GlimpseService::summary() const {
  if (!server_) return {};
  const snapshot::GlimpseServerCounts& c = server_->counts();
  return "GLIMPSE: " + std::to_string(c.logins) + " logins, " + std::to_string(c.rejected) + " rejected, " +
         std::to_string(c.snapshots) + " snapshots, " + std::to_string(c.messages_sent) + " messages sent, " +
         std::to_string(c.missing_stored) + " sequences missing from the store";
}

}  // namespace sf::rewind
