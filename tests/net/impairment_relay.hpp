// A userspace impairment relay (test infrastructure; this kernel has no netem): forwards Ethernet
// frames between two AF_PACKET sockets, each on a veth end, delaying every frame and holding a
// seeded share of them back longer so later frames overtake them (reordering), optionally
// duplicating some, and optionally adding/removing an 802.1Q tag on side A. Runs in its own thread until
// destroyed.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "netns_fixture.hpp"

namespace sf::net::testing {

class ImpairmentRelay {
 public:
  struct Options {
    uint64_t delay_ns = 5'000'000;  // every frame, each way
    double reorder = 0.03;          // share of frames held back by reorder_extra_ns
    uint64_t reorder_extra_ns = 2'000'000;
    double duplicate = 0.0;  // share of frames sent twice
    uint64_t seed = 1;
    uint16_t vlan_towards_a = 0;  // non-zero: 802.1Q-tag frames sent to side A, untag frames from it
  };

  ImpairmentRelay(int fd_a, int fd_b, const Options& o) : fds_{fd_a, fd_b}, o_(o), rng_(o.seed) {
    thread_ = std::thread([this] { run(); });
  }
  ~ImpairmentRelay() {
    stop_.store(true);
    thread_.join();
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  uint64_t forwarded() const { return forwarded_.load(); }
  uint64_t reordered() const { return reordered_.load(); }
  uint64_t duplicated() const { return duplicated_.load(); }

 private:
  static uint64_t now_ns() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }
  void receive(int side, uint64_t now) {
    uint8_t buf[2048];
    for (int i = 0; i < 64; ++i) {
      const std::size_t n = recv_frame(fds_[side], buf, sizeof buf);
      if (n == 0) return;
      std::vector<uint8_t> f(buf, buf + n);
      if (o_.vlan_towards_a) retag(f, side);
      uint64_t at = now + o_.delay_ns;
      if (coin_(rng_) < o_.reorder) {
        at += o_.reorder_extra_ns;
        reordered_.fetch_add(1);
      }
      if (coin_(rng_) < o_.duplicate) {
        queue_.emplace(at + 1000, Item{1 - side, f});
        duplicated_.fetch_add(1);
      }
      queue_.emplace(at, Item{1 - side, std::move(f)});
    }
  }
  void retag(std::vector<uint8_t>& f, int from) const {
    if (f.size() < 14) return;
    if (from == 0) {
      if (f[12] == 0x81 && f[13] == 0x00 && f.size() >= 18) f.erase(f.begin() + 12, f.begin() + 16);
    } else {
      const uint8_t tag[4] = {0x81, 0x00, static_cast<uint8_t>(o_.vlan_towards_a >> 8),
                              static_cast<uint8_t>(o_.vlan_towards_a)};
      f.insert(f.begin() + 12, tag, tag + 4);
    }
  }
  void run() {
    while (!stop_.load()) {
      pollfd p[2] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}};
      const uint64_t now = now_ns();
      int wait_ms = 1;
      if (!queue_.empty() && queue_.begin()->first <= now) wait_ms = 0;
      ::poll(p, 2, wait_ms);
      const uint64_t t = now_ns();
      if (p[0].revents & POLLIN) receive(0, t);
      if (p[1].revents & POLLIN) receive(1, t);
      while (!queue_.empty() && queue_.begin()->first <= t) {
        const Item& it = queue_.begin()->second;
        (void)::send(fds_[it.to], it.frame.data(), it.frame.size(), MSG_DONTWAIT);
        forwarded_.fetch_add(1);
        queue_.erase(queue_.begin());
      }
    }
  }

  struct Item {
    int to;
    std::vector<uint8_t> frame;
  };
  int fds_[2];
  Options o_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> coin_{0.0, 1.0};
  std::multimap<uint64_t, Item> queue_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> forwarded_{0}, reordered_{0}, duplicated_{0};
  std::thread thread_;
};

}  // namespace sf::net::testing
