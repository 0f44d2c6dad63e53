#include "kernel_venue.hpp"

#include <chrono>
#include <thread>

#include "shard_login.hpp"

namespace sf::dataplane {

bool KernelVenue::start(const order_session::VenueSessionConfig& cfg, uint32_t shards,
                        std::vector<std::string>& errors) {
  if (cfg.logins.size() != shards) {
    errors.push_back(
        "[order_session]: transport \"kernel\" needs exactly one [[order_session.login]] per shard (" +
        std::to_string(shards) + " shard(s), " + std::to_string(cfg.logins.size()) + " login(s))");
    return false;
  }
  for (uint32_t s = 0; s < shards; ++s) {
    const order_session::LoginConfig& login = cfg.logins[s];
    order_session::KernelSessionConfig k;
    k.venue_ip = cfg.venue_ip;
    k.venue_port = cfg.venue_port;
    k.local_ip = cfg.local_ip;
    if (!shard_login(cfg, s, k.credentials, k.timing, errors)) return false;
    auto shard = std::make_unique<KernelVenueShard>();
    k.written = &shard->written;
    shard->next_venue_seq = login.first_sequence;
    shard->reconciled_shards = &reconciled_;
    shard->shard_count = shards;
    shard->session = std::make_unique<order_session::KernelSession>(k, shard->orders, shard->venue);
    shards_.push_back(std::move(shard));
  }
  for (auto& s : shards_) s->session->start();
  return true;
}

bool KernelVenue::all_logged_in() const noexcept {
  for (const auto& s : shards_)
    if (!s->session->logged_in()) return false;
  return true;
}

bool KernelVenue::wait_logged_in(uint32_t timeout_ms) const {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto caught_up = [this] {
    for (const auto& s : shards_)
      if (!s->session->caught_up()) return false;
    return true;
  };
  while (!caught_up()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void KernelVenue::stop() {
  for (auto& s : shards_)
    if (s->session) s->session->stop();
}

}  // namespace sf::dataplane
