// sf-journal: read a SniperForge journal directory without changing it (issue #13).
//   verify DIR      every CRC, record counts by type, first/last sequence and time; exit 1 if damaged
//   dump DIR        one JSON object per record ("type": order, venue, session, control, start, stop)
//   positions DIR   per shard and symbol: position, realized P&L, open orders
#include <CLI/CLI.hpp>

#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <string>

#include "json_record.hpp"
#include "sniperforge/common/cli.hpp"
#include "sniperforge/journal/crc32c.hpp"
#include "sniperforge/journal/positions.hpp"
#include "sniperforge/journal/scan.hpp"

namespace sj = sf::journal;

namespace {

bool scan(const std::string& dir, const sj::RecordVisitor& visit, sj::ScanReport& rep) {
  std::string error;
  if (sj::scan_journal(dir, visit, /*repair=*/false, rep, error)) return true;
  std::cerr << "sf-journal: " << error << "\n";
  return false;
}

// The damage, on stderr; true if there was any.
bool report_damage(const sj::ScanReport& rep) {
  if (!rep.torn) return false;
  std::cerr << "sf-journal: damaged at " << rep.torn_at << " (" << rep.torn_why << "): " << rep.dropped_bytes
            << " written bytes after the last good record (sequence " << rep.last_sequence
            << ") would be dropped at start-up\n";
  return true;
}

int verify(const std::string& dir, bool json) {
  sj::ScanReport rep;
  if (!scan(dir, {}, rep)) return sf::cli::kExitFailure;
  const auto count = [&](sj::RecordType t) { return rep.by_type[static_cast<std::size_t>(t)]; };
  constexpr sj::RecordType kTypes[] = {
      sj::RecordType::kOrder,   sj::RecordType::kCancel, sj::RecordType::kVenue, sj::RecordType::kSession,
      sj::RecordType::kControl, sj::RecordType::kStart,  sj::RecordType::kStop};
  if (json) {
    std::printf("{\"ok\":%s,\"records\":%" PRIu64 ",\"segments\":%" PRIu64 ",\"bytes\":%" PRIu64,
                rep.torn ? "false" : "true", rep.records, rep.segments, rep.bytes);
    for (sj::RecordType t : kTypes)
      std::printf(",\"%s\":%" PRIu64, std::string(sj::to_string(t)).c_str(), count(t));
    std::printf(",\"first_seq\":%" PRIu64 ",\"last_seq\":%" PRIu64 ",\"first_ts\":%" PRIu64
                ",\"last_ts\":%" PRIu64 ",\"dropped_bytes\":%" PRIu64 "}\n",
                rep.first_sequence, rep.last_sequence, rep.first_timestamp, rep.last_timestamp,
                rep.dropped_bytes);
  } else {
    std::printf("%s: %" PRIu64 " records in %" PRIu64 " segments, every CRC32C checked (%s)\n", dir.c_str(),
                rep.records, rep.segments, sj::crc32c_hardware() ? "SSE4.2" : "table");
    for (sj::RecordType t : kTypes)
      std::printf("  %-8s %" PRIu64 "\n", std::string(sj::to_string(t)).c_str(), count(t));
    if (rep.records > 0) {
      std::printf("  first    seq %" PRIu64 "  %s\n", rep.first_sequence,
                  sj::utc_time(rep.first_timestamp).c_str());
      std::printf("  last     seq %" PRIu64 "  %s\n", rep.last_sequence,
                  sj::utc_time(rep.last_timestamp).c_str());
    }
    std::printf("%s\n", rep.torn ? "DAMAGED" : "OK");
  }
  return report_damage(rep) ? sf::cli::kExitFailure : sf::cli::kExitOk;
}

int dump(const std::string& dir) {
  sj::ScanReport rep;
  const bool ok = scan(
      dir,
      [](const sj::RecordView& r) {
        const std::string line = sj::record_json(r);
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fputc('\n', stdout);
      },
      rep);
  if (!ok) return sf::cli::kExitFailure;
  return report_damage(rep) ? sf::cli::kExitFailure : sf::cli::kExitOk;
}

int positions(const std::string& dir, bool json) {
  sj::PositionRebuild rebuild;
  sj::ScanReport rep;
  if (!scan(
          dir, [&](const sj::RecordView& r) { rebuild.apply(r); }, rep))
    return sf::cli::kExitFailure;
  if (!json)
    std::printf("%-5s %-8s %12s %16s %12s %12s %6s\n", "shard", "symbol", "position", "realized_usd",
                "bought", "sold", "open");
  for (const sj::PositionRow& p : rebuild.rows()) {
    if (json) {
      std::printf(
          "{\"shard\":%u,\"symbol\":\"%s\",\"locate\":%u,\"position\":%" PRId64 ",\"realized\":%" PRId64
          ",\"bought\":%" PRIu64 ",\"sold\":%" PRIu64 ",\"open_orders\":%u}\n",
          p.shard, p.symbol.c_str(), p.locate, p.position, p.realized, p.bought, p.sold, p.open_orders);
    } else {
      std::printf("%-5u %-8s %12" PRId64 " %16.4f %12" PRIu64 " %12" PRIu64 " %6u\n", p.shard,
                  p.symbol.c_str(), p.position, static_cast<double>(p.realized) / 10'000.0, p.bought, p.sold,
                  p.open_orders);
    }
  }
  if (rebuild.venue_refused() > 0)
    std::cerr << "sf-journal: " << rebuild.venue_refused()
              << " venue messages did not apply (failed a check or unparseable)\n";
  if (rebuild.evicted() > 0)
    std::cerr << "sf-journal: " << rebuild.evicted() << " orders evicted while open: open counts are low\n";
  return report_damage(rep) ? sf::cli::kExitFailure : sf::cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sf-journal: check and read a SniperForge journal directory (read only)", "sf-journal"};
  sf::cli::apply_conventions(app, "sf-journal");
  app.require_subcommand(1);
  std::string dir;
  bool json = false;
  auto* ver =
      app.add_subcommand("verify",
                         "Check every record's CRC32C, length, type and sequence; print record counts by "
                         "type and the first/last sequence and time. Exit 1 if the journal is damaged.");
  ver->add_option("DIR", dir, "journal directory")->required()->check(CLI::ExistingDirectory);
  ver->add_flag("--json", json, "one JSON object instead of text");
  auto* dmp = app.add_subcommand("dump",
                                 "One JSON object per record, in sequence order, with a \"type\" key: order, "
                                 "venue, session, control, start, stop.");
  dmp->add_option("DIR", dir, "journal directory")->required()->check(CLI::ExistingDirectory);
  auto* pos =
      app.add_subcommand("positions",
                         "Per shard and symbol: position (shares), realized P&L, shares bought and sold, "
                         "open orders, rebuilt from the order and venue records.");
  pos->add_option("DIR", dir, "journal directory")->required()->check(CLI::ExistingDirectory);
  pos->add_flag("--json", json, "one JSON object per row (realized in raw 1/10000 $ units)");
  if (const auto rc = sf::cli::parse(app, argc, argv)) return *rc;
  if (ver->parsed()) return verify(dir, json);
  if (dmp->parsed()) return dump(dir);
  if (pos->parsed()) return positions(dir, json);
  return sf::cli::kExitUsage;
}
