// Journal format, writer and start-up scan: CRC32C vectors, round trips of every record type, segment
// roll-over, appending after a restart, torn writes at random byte offsets, and the writer thread fed by
// SPSC rings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sniperforge/journal/crc32c.hpp"
#include "sniperforge/journal/entry.hpp"
#include "sniperforge/journal/scan.hpp"
#include "sniperforge/journal/segment.hpp"
#include "sniperforge/journal/writer.hpp"

namespace fs = std::filesystem;
using namespace sf::journal;

namespace {

struct TempDir {
  std::string path;
  explicit TempDir(const std::string& tag) {
    path = (fs::temp_directory_path() / ("sf-journal-" + tag + "-" + std::to_string(::getpid()))).string();
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

JournalConfig config_for(const std::string& dir, FsyncPolicy p = FsyncPolicy::kNone, uint32_t mb = 1) {
  JournalConfig c;
  c.enabled = true;
  c.path = dir;
  c.fsync = p;
  c.segment_mb = mb;
  return c;
}

Entry order_entry(uint16_t shard, uint32_t urn) {
  Entry e;
  const uint8_t ouch[47] = {'O', 1, 2, 3};
  EXPECT_TRUE(make_order(e, shard, 1000 + urn, {urn, 7, 0, urn * 10ull, 99, {ouch, sizeof ouch}}));
  return e;
}

// A record copied out of the scan (the scan's views point into segments it unmaps afterwards).
struct Owned : RecordView {
  std::shared_ptr<std::vector<uint8_t>> storage;
};

std::vector<Owned> scan_all(const std::string& dir, ScanReport& rep, bool repair = false) {
  std::vector<Owned> out;
  std::string err;
  const auto keep = [&](const RecordView& r) {
    Owned o;
    static_cast<RecordView&>(o) = r;
    o.storage = std::make_shared<std::vector<uint8_t>>(r.bytes, r.bytes + r.size);
    o.bytes = o.storage->data();
    o.payload = o.bytes + kHeaderSize;
    out.push_back(std::move(o));
  };
  EXPECT_TRUE(scan_journal(dir, keep, repair, rep, err)) << err;
  return out;
}

}  // namespace

TEST(Crc32c, Rfc3720VectorsBothImplementations) {
  const std::vector<uint8_t> zeros(32, 0), ones(32, 0xFF);
  std::vector<uint8_t> inc(32);
  for (int i = 0; i < 32; ++i) inc[static_cast<std::size_t>(i)] = static_cast<uint8_t>(i);
  for (auto f : {crc32c, crc32c_table}) {
    EXPECT_EQ(f(zeros.data(), 32, 0), 0x8A9136AAu);
    EXPECT_EQ(f(ones.data(), 32, 0), 0x62A8AB43u);
    EXPECT_EQ(f(inc.data(), 32, 0), 0x46DD794Eu);
    EXPECT_EQ(f("123456789", 9, 0), 0xE3069283u);
  }
  // Continuation equals one pass, at every split.
  for (std::size_t k = 0; k <= 32; ++k)
    EXPECT_EQ(crc32c(inc.data() + k, 32 - k, crc32c(inc.data(), k)), 0x46DD794Eu);
}

TEST(Journal, EveryRecordTypeRoundTrips) {
  TempDir d("types");
  Writer w(config_for(d.path, FsyncPolicy::kEvery));
  ScanReport rep;
  ASSERT_TRUE(w.open(rep)) << w.failure();
  Entry e;
  ASSERT_TRUE(make_marker(e, RecordType::kStart, 5, "sniperforge test"));
  ASSERT_TRUE(w.write(e));
  e = order_entry(3, 42);
  ASSERT_TRUE(w.write(e));
  const uint8_t msg[] = {'A', 9, 9};
  ASSERT_TRUE(make_venue(e, 3, 7, {77, 88, {msg, sizeof msg}}));
  ASSERT_TRUE(w.write(e));
  ASSERT_TRUE(make_session(e, 1, 8, {SessionEvent::kReconnect, 1234, "lost"}));
  ASSERT_TRUE(w.write(e));
  ASSERT_TRUE(make_control(e, 0, 9, {"root", "kill", "not killed", "killed", "ok", 1000}));
  ASSERT_TRUE(w.write(e));
  const uint8_t cancel[] = {'X', 0, 0, 0, 42, 0, 0, 0, 0};
  ASSERT_TRUE(make_cancel(e, 3, 9, {42, 0, 55, {cancel, sizeof cancel}}));
  ASSERT_TRUE(w.write(e));
  ASSERT_TRUE(make_marker(e, RecordType::kStop, 10, "shutdown"));
  ASSERT_TRUE(w.write(e));
  EXPECT_FALSE(make_cancel(e, 0, 1, {1, 1, 1, {msg, kMaxPayload}}));
  EXPECT_FALSE(make_control(e, 0, 9, {std::string(300, 'x'), "a", "b", "c", "d"}));
  EXPECT_FALSE(make_venue(e, 0, 1, {1, 1, {msg, kMaxPayload}}));
  w.stop();

  const auto recs = scan_all(d.path, rep);
  ASSERT_EQ(recs.size(), 7u);
  EXPECT_FALSE(rep.torn);
  EXPECT_EQ(rep.first_sequence, 1u);
  EXPECT_EQ(rep.last_sequence, 7u);
  EXPECT_EQ(rep.first_timestamp, 5u);
  EXPECT_EQ(rep.last_timestamp, 10u);
  EXPECT_EQ(read_text(recs[0]), "sniperforge test");
  OrderPayload o;
  ASSERT_TRUE(read_order(recs[1], o));
  EXPECT_EQ(recs[1].shard, 3);
  EXPECT_EQ(o.user_ref_num, 42u);
  EXPECT_EQ(o.locate, 7);
  EXPECT_EQ(o.trigger_seq, 420u);
  EXPECT_EQ(o.tsc, 99u);
  EXPECT_EQ(o.ouch.size(), 47u);
  EXPECT_EQ(o.ouch[0], 'O');
  VenuePayload v;
  ASSERT_TRUE(read_venue(recs[2], v));
  EXPECT_EQ(v.venue_seq, 77u);
  EXPECT_EQ(v.message.size(), 3u);
  SessionPayload s;
  ASSERT_TRUE(read_session(recs[3], s));
  EXPECT_EQ(s.event, SessionEvent::kReconnect);
  EXPECT_EQ(s.next_seq, 1234u);
  EXPECT_EQ(s.text, "lost");
  ControlPayload c;
  ASSERT_TRUE(read_control(recs[4], c));
  EXPECT_EQ(c.uid, 1000u);
  EXPECT_EQ(c.who, "root");
  EXPECT_EQ(c.what, "kill");
  EXPECT_EQ(c.old_value, "not killed");
  EXPECT_EQ(c.new_value, "killed");
  EXPECT_EQ(c.result, "ok");
  CancelPayload x;
  ASSERT_TRUE(read_cancel(recs[5], x));
  EXPECT_EQ(recs[5].type, RecordType::kCancel);
  EXPECT_EQ(to_string(recs[5].type), "cancel");
  EXPECT_EQ(recs[5].shard, 3);
  EXPECT_EQ(x.user_ref_num, 42u);
  EXPECT_EQ(x.quantity, 0u);
  EXPECT_EQ(x.tsc, 55u);
  ASSERT_EQ(x.ouch.size(), sizeof cancel);
  EXPECT_EQ(x.ouch[0], 'X');
  EXPECT_FALSE(read_cancel(recs[4], x));  // wrong type
  EXPECT_FALSE(read_order(recs[2], o));   // wrong type
  EXPECT_EQ(rep.by_type[static_cast<std::size_t>(RecordType::kOrder)], 1u);
}

TEST(Journal, SegmentsRollAndARestartAppendsAfterTheLastRecord) {
  TempDir d("roll");
  constexpr uint32_t kFirst = 12000;  // ~100 bytes each: more than one 1 MiB segment
  {
    Writer w(config_for(d.path, FsyncPolicy::kGroup));
    ScanReport rep;
    ASSERT_TRUE(w.open(rep));
    for (uint32_t i = 1; i <= kFirst; ++i) {
      Entry e = order_entry(0, i);
      ASSERT_TRUE(w.write(e));
    }
    w.stop();
  }
  EXPECT_GE(list_segments(d.path).size(), 2u);
  Writer w(config_for(d.path, FsyncPolicy::kGroup));
  ScanReport rep;
  uint64_t seen = 0;
  ASSERT_TRUE(w.open(rep, [&](const RecordView&) { ++seen; }));
  EXPECT_EQ(seen, kFirst);
  EXPECT_EQ(w.next_sequence(), kFirst + 1);
  for (uint32_t i = 1; i <= 10; ++i) {
    Entry e = order_entry(1, kFirst + i);
    ASSERT_TRUE(w.write(e));
  }
  w.stop();
  const auto recs = scan_all(d.path, rep);
  ASSERT_EQ(recs.size(), kFirst + 10);
  EXPECT_FALSE(rep.torn);
  for (std::size_t i = 0; i < recs.size(); ++i) ASSERT_EQ(recs[i].sequence, i + 1);
}

// A write torn or damaged at any byte: the scan keeps every record wholly before that byte, says how many
// written bytes it dropped, repairs, and the journal then verifies clean and takes appends again.
TEST(Journal, TornWritesAtRandomOffsetsRecoverToTheLastGoodRecord) {
  TempDir base("torn-base");
  std::vector<uint64_t> ends;  // byte offset in segment 1 where each record ends
  {
    Writer w(config_for(base.path));
    ScanReport rep;
    ASSERT_TRUE(w.open(rep));
    uint64_t off = kSegmentHeaderSize;
    for (uint32_t i = 1; i <= 300; ++i) {
      Entry e = order_entry(static_cast<uint16_t>(i % 3), i);
      off += e.size();
      ends.push_back(off);
      ASSERT_TRUE(w.write(e));
    }
    w.stop();
  }
  const uint64_t written = ends.back();
  std::mt19937_64 rng(13);
  for (int run = 0; run < 60; ++run) {
    TempDir d("torn-" + std::to_string(run));
    fs::copy(base.path, d.path);
    const std::string seg = d.path + "/" + segment_name(1);
    const uint64_t at = kSegmentHeaderSize + rng() % (written - kSegmentHeaderSize);
    const bool truncate = run % 2 == 0;
    if (truncate) {
      fs::resize_file(seg, at);  // a crash before the rest reached the disk
    } else {
      std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(at));
      const char b = static_cast<char>(f.get());
      f.seekp(static_cast<std::streamoff>(at));
      f.put(static_cast<char>(b ^ 0x5A));  // a flipped byte
    }
    // Records wholly before the damaged byte survive.
    std::size_t good = 0;
    while (good < ends.size() && ends[good] <= at) ++good;
    const uint64_t good_end = good == 0 ? kSegmentHeaderSize : ends[good - 1];
    // "Dropped" counts the written bytes from the bad record on: up to the last non-zero byte.
    std::ifstream in(seg, std::ios::binary);
    const std::vector<char> damaged((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    uint64_t damaged_end = damaged.size();
    while (damaged_end > 0 && damaged[damaged_end - 1] == 0) --damaged_end;
    ScanReport rep;
    auto recs = scan_all(d.path, rep, /*repair=*/true);
    ASSERT_EQ(recs.size(), good) << "run " << run << " at " << at;
    if (truncate && good_end == at) {
      EXPECT_FALSE(rep.torn);  // cut exactly between two records: nothing torn
      continue;
    }
    ASSERT_TRUE(rep.torn) << "run " << run;
    EXPECT_EQ(rep.torn_at, segment_name(1) + " offset " + std::to_string(good_end));
    EXPECT_EQ(rep.dropped_bytes, damaged_end - good_end);
    EXPECT_GT(rep.dropped_bytes, 0u);
    ScanReport again;
    recs = scan_all(d.path, again);
    EXPECT_FALSE(again.torn) << again.torn_why;
    EXPECT_EQ(recs.size(), good);
    Writer w(config_for(d.path));
    ASSERT_TRUE(w.open(again));
    Entry e = order_entry(0, 1000);
    ASSERT_TRUE(w.write(e));
    w.stop();
    recs = scan_all(d.path, again);
    EXPECT_FALSE(again.torn);
    ASSERT_EQ(recs.size(), good + 1);
    EXPECT_EQ(recs.back().sequence, good + 1);
  }
}

TEST(Journal, DamagedMiddleSegmentDropsEveryLaterSegment) {
  TempDir d("middle");
  {
    Writer w(config_for(d.path));
    ScanReport rep;
    ASSERT_TRUE(w.open(rep));
    for (uint32_t i = 1; i <= 25000; ++i) {
      Entry e = order_entry(0, i);
      ASSERT_TRUE(w.write(e));
    }
    w.stop();
  }
  const auto segs = list_segments(d.path);
  ASSERT_GE(segs.size(), 3u);
  {
    std::fstream f(d.path + "/" + segment_name(1), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x7f');
  }
  ScanReport rep;
  const auto recs = scan_all(d.path, rep, true);
  EXPECT_TRUE(rep.torn);
  EXPECT_EQ(recs.size(), 1u);  // the first record ends at 16 + 99 = 115, the second holds byte 200
  EXPECT_GT(rep.dropped_bytes, uint64_t{2} << 20);
  EXPECT_EQ(list_segments(d.path).size(), 1u);
}

// "group" while the writer runs: the syncer thread's fdatasync makes the records durable within about
// group_us, with no stop() (synced_sequence() is what the appliance may rely on).
TEST(Journal, GroupSyncerMakesRecordsDurableWhileTheWriterRuns) {
  TempDir d("syncer");
  JournalConfig cfg = config_for(d.path, FsyncPolicy::kGroup, 4);
  cfg.group_us = 200;
  Writer w(cfg);
  ScanReport rep;
  ASSERT_TRUE(w.open(rep));
  EntryRing& ring = w.add_producer(1024);
  w.start();
  for (uint32_t round = 1; round <= 3; ++round) {
    for (uint32_t i = 1; i <= 500;) {
      if (ring.push(order_entry(0, (round - 1) * 500 + i))) ++i;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (w.synced_sequence() < round * 500 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_EQ(w.synced_sequence(), round * 500);
    EXPECT_EQ(w.stats().records.load(), round * 500);
  }
  EXPECT_GT(w.stats().syncs.load(), 0u);  // by the syncer: stop() has not run
  EXPECT_FALSE(w.failed());
  w.stop();
  EXPECT_EQ(scan_all(d.path, rep).size(), 1500u);
  EXPECT_FALSE(rep.torn);
}

TEST(Journal, WriterThreadDrainsEveryProducerRingInOrder) {
  TempDir d("rings");
  JournalConfig cfg = config_for(d.path, FsyncPolicy::kGroup, 4);
  cfg.group_us = 200;
  Writer w(cfg);
  ScanReport rep;
  ASSERT_TRUE(w.open(rep));
  EntryRing& a = w.add_producer(1024);
  EntryRing& b = w.add_producer(1024);
  w.start();
  constexpr uint32_t kEach = 50000;
  auto produce = [](EntryRing& r, uint16_t shard) {
    for (uint32_t i = 1; i <= kEach;) {
      if (r.push(order_entry(shard, i))) ++i;
    }
  };
  std::thread ta(produce, std::ref(a), 0), tb(produce, std::ref(b), 1);
  ta.join();
  tb.join();
  w.stop();
  EXPECT_FALSE(w.failed());
  EXPECT_GT(w.stats().syncs.load(), 0u);
  EXPECT_EQ(w.synced_sequence(), 2 * kEach);
  const auto recs = scan_all(d.path, rep);
  ASSERT_EQ(recs.size(), 2 * kEach);
  uint32_t next[2] = {1, 1};
  for (const Owned& r : recs) {
    OrderPayload o;
    ASSERT_TRUE(read_order(r, o));
    ASSERT_EQ(o.user_ref_num, next[r.shard]++);  // each producer's records in its own order
  }
}

TEST(JournalConfig, KeysAndErrors) {
  std::vector<std::string> errors;
  auto t = toml::parse(
      "[journal]\npath = \"/x\"\nfsync = \"every\"\ngroup_us = 50\nsegment_mb = 8\non_full = "
      "\"stop_orders\"\n");
  JournalConfig c = parse_journal_config(t, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.path, "/x");
  EXPECT_EQ(c.fsync, FsyncPolicy::kEvery);
  EXPECT_EQ(c.group_us, 50u);
  EXPECT_EQ(c.segment_bytes(), 8ull << 20);
  t = toml::parse(
      "[journal]\nfsync = \"sometimes\"\ngroup_us = -1\nsegment_mb = 0\non_full = \"drop\"\nx = 1\n");
  c = parse_journal_config(t, errors);
  EXPECT_EQ(errors.size(), 6u);  // path missing, fsync, group_us, segment_mb, on_full, unknown key
  errors.clear();
  t = toml::parse("[other]\n");
  EXPECT_FALSE(parse_journal_config(t, errors).enabled);
  EXPECT_TRUE(errors.empty());
}
