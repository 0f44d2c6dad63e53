// The appliance's journal ([journal], issue #13): opened after the data plane is built and before the
// lcores start — the scan cuts a torn tail, every shard's engine is reconciled from the records
// (journal/reconcile.hpp), each executor gets its ring to the writer thread — and closed after the lcores
// stopped (stop marker, final sync).
#pragma once

#include <memory>
#include <string>

#include "runtime.hpp"
#include "sniperforge/journal/config.hpp"
#include "sniperforge/journal/writer.hpp"

namespace sf::app {

class ApplianceJournal {
 public:
  // False with `error` when the journal cannot be opened: the appliance must not trade without it.
  bool open(const journal::JournalConfig& cfg, dataplane::Runtime& rt, bool quiet, std::string& error);
  // Stop marker and final sync; reports a writer failure on stderr. False if the journal failed.
  bool close();

 private:
  std::unique_ptr<journal::Writer> writer_;
};

}  // namespace sf::app
