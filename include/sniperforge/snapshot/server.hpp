// A GLIMPSE 5.0 server over kernel TCP (for sf-rewind and tests): SoupBinTCP logins, and for each accepted
// login the snapshot of the books at a sequence number — the current end of the message store, or a fixed
// `snapshot_at` — computed from book state (snapshot/builder.hpp), then End of Session and close.
//
// The server keeps one BookSet of the whole feed, advanced from the store only as far as the next snapshot
// needs (each message is applied once, whatever the number of logins); a snapshot walks the live orders,
// it does not resend history. Books that lost an order to capacity ([book] sizes too small for the feed)
// give no snapshot, nor does a store missing a sequence below the snapshot's: such a login is rejected ('S',
// session not available) and counted.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "sniperforge/book/book_set.hpp"

namespace sf::snapshot {

// Where the server reads the feed: ITCH messages by MoldUDP64 sequence number, 1 .. next_sequence() - 1.
class MessageSource {
 public:
  virtual ~MessageSource() = default;
  [[nodiscard]] virtual uint64_t next_sequence() const = 0;  // one past the newest stored message
  // The message with sequence `seq` (1 <= seq < next_sequence()); may be invalid ITCH (then skipped).
  [[nodiscard]] virtual std::span<const uint8_t> message(uint64_t seq) const = 0;
};

struct GlimpseServerOptions {
  std::string listen = "127.0.0.1:0";            // IPv4:PORT (port 0: the kernel picks; see port())
  std::map<std::string, std::string> passwords;  // username -> password
  std::string session_name = "GLIMPSE001";       // alpha 10
  uint64_t snapshot_at = 0;                      // 0: the end of the store at each login
  uint32_t heartbeat_ms = 1000;
  uint32_t timeout_ms = 15000;  // a client silent this long (before its snapshot is sent) is closed
  book::BookConfig books;       // the server's own books (all instruments, one shard)
};

struct GlimpseServerCounts {
  uint64_t connections = 0;
  uint64_t logins = 0;
  uint64_t rejected = 0;        // bad credentials, unknown session, or books not complete
  uint64_t snapshots = 0;       // sent whole (End of Session written)
  uint64_t messages_sent = 0;   // Sequenced Data, all snapshots
  uint64_t bad_packets = 0;     // client packets dropped by the SoupBinTCP reassembler
  uint64_t invalid_stored = 0;  // stored messages that are not valid ITCH (skipped)
  uint64_t missing_stored = 0;  // sequences below a snapshot not in the store: no snapshot is served
};

class GlimpseServer {
 public:
  GlimpseServer(GlimpseServerOptions opt, const MessageSource& store);
  ~GlimpseServer();
  GlimpseServer(const GlimpseServer&) = delete;
  GlimpseServer& operator=(const GlimpseServer&) = delete;

  // Binds and listens; false with `error`.
  bool start(std::string& error);
  [[nodiscard]] uint16_t port() const noexcept { return port_; }
  // One round: accept, read, answer, write (waits up to `wait_ms` for the sockets).
  void poll_once(int wait_ms);
  [[nodiscard]] const GlimpseServerCounts& counts() const noexcept { return counts_; }
  // The sequence number the next snapshot would name (advances the books to it).
  uint64_t prepare_snapshot();

 private:
  struct Conn;
  void accept_clients(uint64_t now);
  void read_from(Conn& c, uint64_t now);
  void on_login(Conn& c, std::span<const uint8_t> payload, uint64_t now);
  void pump(Conn& c, uint64_t now);

  GlimpseServerOptions opt_;
  const MessageSource& store_;
  book::BookSet books_;
  uint64_t applied_next_ = 1;    // the books hold every stored message below this sequence
  uint64_t last_timestamp_ = 0;  // ITCH timestamp of the last message applied (the snapshot's time)
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::map<int, std::unique_ptr<Conn>> conns_;
  GlimpseServerCounts counts_;
};

}  // namespace sf::snapshot
