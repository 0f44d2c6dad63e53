// Issue #16, as a careless user or an attacker would try it against the real sniperforge binary:
// configurations that pass a naive check but cannot run are refused by --check-config with a clear
// error (exit 2); outputs that cannot be written fail the run (exit 1); signals other than
// SIGINT/SIGTERM do not kill it silently; a second instance on the same port is refused; every run
// removes its DPDK runtime directory (and stale ones of dead processes).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "sf_test_process.hpp"

namespace {

using namespace sf::testing::process;

struct Output {
  int rc = -1;
  std::string out, err;
};

// A unique (per test and process) file prefix: the runtime directory is /var/run/dpdk/<prefix>_<pid>.
std::string unique_prefix(const std::string& tag) {
  return "sfh_" + tag + "_" + std::to_string(::getpid());
}

class Hardening : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("sf-hardening-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    feed_ = dir_ / "feed.pcap";
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --messages 3000 -o " + feed_.string()), 0);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // dpdk-config/replay.toml with `key = value` lines replaced inside [table] (or added to it) and
  // `extra` appended; lines of [table] whose key maps to "" are removed.
  static std::string config(const std::vector<std::tuple<std::string, std::string, std::string>>& edits,
                            const std::string& extra = "", const std::string& prefix = "") {
    std::istringstream in(read_file(env("SF_REPLAY_CONFIG")));
    std::string out, line, table;
    auto apply = [&](std::string& l, bool& drop) {
      for (const auto& [t, k, v] : edits)
        if (table == t && l.rfind(k + " ", 0) == 0) {
          if (v.empty()) drop = true;
          l = k + " = " + v;
        }
    };
    while (std::getline(in, line)) {
      if (!line.empty() && line[0] == '[') table = line.substr(0, line.rfind(']') + 1);
      bool drop = false;
      apply(line, drop);
      if (table == "[eal]" && line.rfind("file_prefix ", 0) == 0 && !prefix.empty())
        line = "file_prefix = \"" + prefix + "\"";
      if (!drop) out += line + "\n";
    }
    return out + extra;
  }
  static fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  static Output call(const std::string& args, int timeout_s = 30) {
    Output o;
    const fs::path out = dir_ / "out", err = dir_ / "err";
    o.rc = run("timeout " + std::to_string(timeout_s) + " " + env("SNIPERFORGE") + " " + args + " > " +
               out.string() + " 2> " + err.string());
    o.out = read_file(out);
    o.err = read_file(err);
    return o;
  }
  static Output check(const fs::path& cfg, const std::string& more = "") {
    return call("--check-config --config " + cfg.string() + " --rx-pcap " + feed_.string() + " " + more);
  }
  // A replay of the small feed with outputs under dir_.
  static Output replay(const fs::path& cfg, const std::string& more = "") {
    return call("--config " + cfg.string() + " --rx-pcap " + feed_.string() + " --tx-pcap " +
                (dir_ / "tx.pcap").string() + " " + more);
  }
  static fs::path dir_;
  static fs::path feed_;
};
fs::path Hardening::dir_;
fs::path Hardening::feed_;

#define EXPECT_REFUSED(o, text)                                                 \
  do {                                                                          \
    EXPECT_EQ((o).rc, 2) << (o).out << (o).err;                                 \
    EXPECT_NE((o).err.find(text), std::string::npos) << "stderr:\n" << (o).err; \
  } while (0)

TEST_F(Hardening, CheckConfigPrintsTheMemoryEstimate) {
  const Output o = check(write("ok.toml", config({})));
  ASSERT_EQ(o.rc, 0) << o.err;
  EXPECT_NE(o.out.find("memory estimate:"), std::string::npos) << o.out;
}

TEST_F(Hardening, CheckConfigRefusesWhatTheMachineCannotHold) {
  // 256 shards of 2^28 orders: terabytes of books (the start was OOM-killed).
  EXPECT_REFUSED(check(write("huge.toml", config({{"[trading]", "shards", "256"},
                                                  {"[book]", "max_orders", "268435456"}}))),
                 "memory estimate");
  // 2^24 mbufs: 40 GB of mempool in a 512 MB --no-huge EAL or the free hugepages.
  EXPECT_REFUSED(check(write("mbufs.toml", config({{"[[port]]", "mbufs", "16777215"}}))), "memory estimate");
}

TEST_F(Hardening, CheckConfigRefusesOrderPortsOutOfRange) {
  // shard s sends from src_port + s: 65535 + 3 wrapped to port 2.
  EXPECT_REFUSED(check(write("wrap.toml", config({{"[order_session]", "src_port", "65535"},
                                                  {"[trading]", "shards", "4"}}))),
                 "[order_session].src_port");
}

// The shipped replay config without its [order_session] table (the retired UDP order session needed
// none): refused before EAL, saying what to add; a replay of it exits 2 without writing a TX pcap.
TEST_F(Hardening, ConfigWithoutOrderSessionIsRefused) {
  std::string text = config({});
  const std::size_t at = text.find("\n[order_session]\n");
  ASSERT_NE(at, std::string::npos);
  const std::size_t next = text.find("\n[", at + 1);
  ASSERT_NE(next, std::string::npos);
  text.erase(at, next - at);
  ASSERT_EQ(text.find("\n[order_session"), std::string::npos) << text;
  ASSERT_EQ(text.find("\ntransport = "), std::string::npos) << text;
  const fs::path cfg = write("no_order_session.toml", text);
  EXPECT_REFUSED(check(cfg), "[order_session] missing: orders need a venue session");
  std::error_code ec;
  fs::remove(dir_ / "tx.pcap", ec);
  const Output o = replay(cfg);
  EXPECT_EQ(o.rc, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("or transport = \"none\" for a replay"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(dir_ / "tx.pcap"));
}

TEST_F(Hardening, CheckConfigRefusesAPmdThatDoesNotExist) {
  EXPECT_REFUSED(
      call(
          "--check-config --config " +
          write("pmd.toml", config({{"[[port]]", "devargs", "\"net_nosuchpmd0,rx_pcap=x.pcap\""}})).string()),
      "net_nosuchpmd");
  // A PCI device absent here may exist where the config is deployed: a warning, not a refusal.
  const Output pci = call("--check-config --config " +
                          write("pci.toml", config({{"[[port]]", "devargs", "\"0000:ff:1f.7\""}})).string());
  EXPECT_EQ(pci.rc, 0) << pci.err;
  EXPECT_NE(pci.err.find("warning: [[port]] \"feed\": no PCI device 0000:ff:1f.7"), std::string::npos)
      << pci.err;
}

TEST_F(Hardening, ADirectoryAsConfigIsNamedAsSuch) {
  const Output o = call("--check-config --config " + dir_.string());
  EXPECT_REFUSED(o, "is a directory");
  EXPECT_EQ(o.err.find("[[port]]"), std::string::npos) << o.err;
}

TEST_F(Hardening, CheckConfigRefusesAnIpv6MetricsAddress) {
  EXPECT_REFUSED(check(write("m6.toml", config({})), "--metrics-addr [::1]:9470"), "--metrics-addr");
}

TEST_F(Hardening, CheckConfigRefusesAFilePrefixTooLongForARuntimeDirectory) {
  EXPECT_REFUSED(
      check(write("prefix.toml", config({{"[eal]", "file_prefix", "\"" + std::string(300, 'p') + "\""}}))),
      "file_prefix");
}

TEST_F(Hardening, DuplicateStrategiesAreRefused) {
  const std::string dup =
      "\n[[strategy]]\nname = \"sniper\"\nsymbol = \"SF0001\"\nside = \"buy\"\nlimit_price = 1\n";
  EXPECT_REFUSED(check(write("dup.toml", config({}, dup))), "duplicate");
}

TEST_F(Hardening, AMissingRiskSectionIsRefusedUnlessDefaultsAreExplicit) {
  std::vector<std::tuple<std::string, std::string, std::string>> no_risk;
  for (const char* k : {"max_order_shares", "max_order_notional", "collar_bps", "max_position",
                        "max_gross_notional", "max_open_orders", "max_orders_per_second", "throttle_burst"})
    no_risk.emplace_back("[risk]", k, "");
  std::string text = config(no_risk);
  const std::string without = text.replace(text.find("[risk]\n"), 7, "");
  EXPECT_REFUSED(check(write("norisk.toml", without)), "[risk]");
  const Output ok = check(write("defaultrisk.toml", without + "\n[risk]\ndefaults = true\n"));
  EXPECT_EQ(ok.rc, 0) << ok.err;
}

TEST_F(Hardening, RxPcapIsAPathNotDevargs) {
  // Even when a file of that name exists, its comma must not reach the devargs.
  const fs::path odd = dir_ / "feed.pcap,infinite_rx=1";
  fs::copy_file(feed_, odd, fs::copy_options::overwrite_existing);
  EXPECT_REFUSED(call("--check-config --config " + write("rx.toml", config({})).string() + " --rx-pcap '" +
                      odd.string() + "'"),
                 "--rx-pcap");
}

TEST_F(Hardening, UnwritableOutputsFailTheRun) {
  const fs::path cfg = write("out.toml", config({}, "", unique_prefix("out")));
  for (const char* opt : {"--stats-file", "--dump-books"}) {
    const Output o = replay(cfg, std::string(opt) + " /nonexistent-dir-sf/x");
    EXPECT_NE(o.rc, 0) << opt;
    EXPECT_NE(o.err.find("/nonexistent-dir-sf/x"), std::string::npos) << opt << ": " << o.err;
  }
}

TEST_F(Hardening, AStrategyOnASymbolThatNeverAppearsIsWarnedAtTheEnd) {
  const std::string ghost =
      "\n[[strategy]]\nname = \"sniper\"\nsymbol = \"GHOST\"\nside = \"buy\"\nlimit_price = 1\n";
  const Output o = replay(write("ghost.toml", config({}, ghost, unique_prefix("ghost"))));
  EXPECT_EQ(o.rc, 0) << o.err;
  EXPECT_NE(o.err.find("GHOST"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("on SF0000:"), std::string::npos) << o.err;
}

// The DPDK runtime directory of a process, as EAL names it (root: /var/run/dpdk).
fs::path runtime_dir(const std::string& prefix, pid_t pid) {
  const std::string base = ::geteuid() == 0                  ? "/var/run/dpdk"
                           : !env("XDG_RUNTIME_DIR").empty() ? env("XDG_RUNTIME_DIR") + "/dpdk"
                                                             : "/tmp/dpdk";
  return fs::path(base) / (prefix + "_" + std::to_string(pid));
}

TEST_F(Hardening, RuntimeDirectoriesAreRemovedAtExitAndStaleOnesAtStart) {
  const std::string prefix = unique_prefix("rt");
  // A stale directory of a dead process with our prefix (a pid that does not exist).
  pid_t dead = 4000000;
  while (::kill(dead, 0) == 0 || errno != ESRCH) --dead;
  const fs::path stale = runtime_dir(prefix, dead);
  fs::create_directories(stale);
  std::ofstream(stale / "fbarray_memseg-2048k-0-0") << "x";
  // With hugepages and without: `hugepages = "off"` left ~1 MB of fbarray files in the directory.
  for (const char* hugepages : {"\"auto\"", "\"off\""}) {
    SCOPED_TRACE(hugepages);
    const fs::path log = dir_ / "rt.log";
    const std::string cfg = config({{"[eal]", "hugepages", hugepages}}, "", prefix);
    const pid_t pid = start_logged(env("SNIPERFORGE"),
                                   {"--config", write("rt.toml", cfg).string(), "--rx-pcap", feed_.string(),
                                    "--tx-pcap", (dir_ / "rt.tx.pcap").string()},
                                   log);
    ASSERT_GT(pid, 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(log);
    EXPECT_FALSE(fs::exists(runtime_dir(prefix, pid))) << runtime_dir(prefix, pid);
    EXPECT_FALSE(fs::exists(stale)) << stale;
  }
}

// Starts a --hold replay in the background and waits until it runs (its summary is printed at exit).
pid_t start_holding(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> a = args;
  a.push_back("--hold");
  const pid_t pid = start_logged(env("SNIPERFORGE"), a, log);
  if (pid <= 0) return pid;
  // The port notes are printed once the data plane is built.
  wait_for([&] { return read_file(log).find("order port") != std::string::npos; }, 30);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  return pid;
}

TEST_F(Hardening, SighupStopsCleanlyAndSigusr1AndSigpipeAreIgnored) {
  const fs::path cfg = write("sig.toml", config({}, "", unique_prefix("sig")));
  const fs::path log = dir_ / "sig.log", books = dir_ / "sig.books.csv";
  const pid_t pid = start_holding({"--config", cfg.string(), "--rx-pcap", feed_.string(), "--tx-pcap",
                                   (dir_ / "sig.tx.pcap").string(), "--dump-books", books.string()},
                                  log);
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGUSR1);
  ::kill(pid, SIGPIPE);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "SIGUSR1/SIGPIPE killed it:\n" << read_file(log);
  ::kill(pid, SIGHUP);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(log);
  EXPECT_NE(read_file(log).find("== sniperforge summary"), std::string::npos) << read_file(log);
  EXPECT_EQ(read_file(books).rfind("symbol,bid_px,", 0), 0u) << "the book dump is written at a SIGHUP stop";
}

TEST_F(Hardening, ASecondInstanceOnTheSamePortIsRefused) {
  const fs::path cfg = write("lock.toml", config({}, "", unique_prefix("lock")));
  const fs::path tx = dir_ / "lock.tx.pcap";
  const pid_t first = start_holding(
      {"--config", cfg.string(), "--rx-pcap", feed_.string(), "--tx-pcap", tx.string()}, dir_ / "lock1.log");
  ASSERT_GT(first, 0);
  const Output second =
      call("--config " + cfg.string() + " --rx-pcap " + feed_.string() + " --tx-pcap " + tx.string());
  ::kill(first, SIGTERM);
  int status = 0;
  ::waitpid(first, &status, 0);
  EXPECT_EQ(second.rc, 1) << second.err;
  EXPECT_NE(second.err.find("already in use by sniperforge pid " + std::to_string(first)), std::string::npos)
      << second.err;
}

}  // namespace

namespace {

// #16: more live orders than [book].max_orders was silent ("dropped: none", nothing stale, other orders).
TEST_F(Hardening, BookCapacityOverflowIsCountedExportedAndStale) {
  const fs::path stats = dir_ / "cap.stats";
  const Output o =
      replay(write("cap.toml", config({{"[book]", "max_orders", "64"}}, "", unique_prefix("cap"))),
             "--stats-file " + stats.string());
  EXPECT_EQ(o.rc, 0) << o.err;
  const auto s = sf::testing::read_stats(stats);
  EXPECT_GT(s.at("book_drop_order_capacity"), 0u);
  EXPECT_GE(s.at("book_drops"), s.at("book_drop_order_capacity"));
  EXPECT_GT(s.at("books_capacity_stale"), 0u);
  EXPECT_NE(o.out.find("book drops:    "), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("book drops:    none"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("book(s) stale (capacity)"), std::string::npos) << o.out;
}

}  // namespace

namespace {

// #16: a SIGTERM during start-up waited for the whole build (64 shards: ~19 s and 6 GB here). Now the
// engines still to build are skipped and the process exits 0 at once.
TEST_F(Hardening, SigtermDuringStartUpDoesNotWaitForTheWholeBuild) {
  const fs::path log = dir_ / "early.log";
  const pid_t pid = start_logged(
      env("SNIPERFORGE"),
      {"--config",
       write("early.toml", config({{"[trading]", "shards", "64"}}, "", unique_prefix("early"))).string(),
       "--rx-pcap", feed_.string(), "--tx-pcap", (dir_ / "early.tx.pcap").string()},
      log);
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for([&] { return read_file(log).find("memory estimate") != std::string::npos; }, 30));
  const auto t0 = std::chrono::steady_clock::now();
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_TRUE(wait_for([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, 30)) << read_file(log);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ info ] exit %.2f s after a SIGTERM during start-up\n", seconds);
  EXPECT_LT(seconds, 8.0) << read_file(log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(log);
  EXPECT_NE(read_file(log).find("during start-up"), std::string::npos) << read_file(log);
}

}  // namespace
