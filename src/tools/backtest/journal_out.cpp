#include "journal_out.hpp"

#include "sniperforge/common/version.hpp"
#include "sniperforge/dataplane/ouch_order.hpp"
#include "sniperforge/journal/reconcile.hpp"
#include "sniperforge/journal/segment.hpp"
#include "sniperforge/journal/writer.hpp"
#include "sniperforge/trade/routing.hpp"

namespace sf::backtest {

bool write_journal(const std::string& dir, const std::vector<trade::OrderRequest>& orders, uint32_t shards,
                   std::string& error) {
  if (!journal::list_segments(dir).empty()) {
    error = dir + " already holds a journal";
    return false;
  }
  journal::JournalConfig cfg;
  cfg.enabled = true;
  cfg.path = dir;
  cfg.fsync = journal::FsyncPolicy::kNone;  // synced once at the end
  cfg.segment_mb = 64;
  journal::Writer w(cfg);
  journal::ScanReport rep;
  journal::Entry e;
  bool ok =
      w.open(rep) && journal::make_marker(e, journal::RecordType::kStart, 0, "sf-backtest") && w.write(e);
  for (std::size_t i = 0; ok && i < orders.size(); ++i) {
    const trade::OrderRequest& r = orders[i];
    uint8_t ouch[dataplane::kEnterOrderLength];
    dataplane::encode_enter_order(ouch, r);
    const auto shard = static_cast<uint16_t>(trade::shard_of(r.locate, shards));
    ok = journal::make_order_record(e, shard, 0, r, {ouch, sizeof ouch}) && w.write(e);
  }
  ok = ok && journal::make_marker(e, journal::RecordType::kStop, 0, "end of input") && w.write(e);
  w.stop();
  if (!ok || w.failed()) error = w.failed() ? w.failure() : "cannot build a journal record";
  return ok && !w.failed();
}

}  // namespace sf::backtest
