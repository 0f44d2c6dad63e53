// Command-line conventions of every binary (docs/operations.md, "Command-line conventions"): --version
// prints the version the build embedded (the same sf::build_info() the sniperforge_build_info metric
// exports), --help documents the exit status, bad usage exits 2 with a message naming the option
// (numeric options included: NaN, negative, zero, overflow), runtime failures exit 1.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sf_test_process.hpp"
#include "sniperforge/common/version.hpp"

namespace fs = std::filesystem;

namespace {

using sf::testing::env;
using sf::testing::read_file;
using sf::testing::run;

struct Output {
  int rc = -1;
  std::string out, err;
};

class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("sf-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    feed_ = dir_ / "feed.pcap";
    ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --messages 2000 -o " + feed_.string()), 0);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // `binary args`, stdout and stderr captured; never runs longer than 10 s.
  static Output call(const std::string& binary, const std::string& args) {
    Output o;
    const fs::path out = dir_ / "out", err = dir_ / "err";
    o.rc = run("timeout 10 " + binary + " " + args + " > " + out.string() + " 2> " + err.string());
    o.out = read_file(out);
    o.err = read_file(err);
    return o;
  }
  static std::vector<std::pair<std::string, std::string>> binaries() {
    return {{"sniperforge", env("SNIPERFORGE")},   {"sf-feedgen", env("SF_FEEDGEN")},
            {"sf-pcap", env("SF_PCAP")},           {"sf-backtest", env("SF_BACKTEST")},
            {"sf-venue-sim", env("SF_VENUE_SIM")}, {"sf-rewind", env("SF_REWIND")}};
  }
  static fs::path dir_;
  static fs::path feed_;
};
fs::path Cli::dir_;
fs::path Cli::feed_;

TEST_F(Cli, EveryBinaryPrintsTheEmbeddedVersion) {
  const sf::BuildInfo& b = sf::build_info();
  ASSERT_FALSE(b.version.empty());
  for (const auto& [name, path] : binaries()) {
    ASSERT_FALSE(path.empty()) << name;
    const Output o = call(path, "--version");
    EXPECT_EQ(o.rc, 0) << name << ": " << o.err;
    EXPECT_EQ(o.out.substr(0, o.out.find('\n')), name + " " + b.version) << o.out;
    EXPECT_NE(o.out.find("compiler: " + b.compiler + "\n"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("build type: " + b.buildtype + "\n"), std::string::npos) << o.out;
    // The DPDK release only where DPDK is linked.
    EXPECT_EQ(o.out.find("DPDK: " + b.dpdk) != std::string::npos, name == "sniperforge") << o.out;
  }
}

TEST_F(Cli, SniperforgeVersionNeedsNoConfig) {
  const Output o = call(env("SNIPERFORGE"), "--version");
  EXPECT_EQ(o.rc, 0) << o.err;
  EXPECT_EQ(o.err.find("--config"), std::string::npos) << o.err;
}

TEST_F(Cli, HelpDocumentsTheExitStatus) {
  for (const auto& [name, path] : binaries()) {
    const Output o = call(path, "--help");
    EXPECT_EQ(o.rc, 0) << name;
    EXPECT_NE(o.out.find("--version"), std::string::npos) << name;
    EXPECT_NE(o.out.find("Exit status: 0 success, 1 runtime failure, 2 bad usage or configuration"),
              std::string::npos)
        << name << ":\n"
        << o.out;
  }
}

TEST_F(Cli, BadUsageExitsTwoNamingTheOption) {
  const std::string pcap = feed_.string();
  struct Case {
    std::string binary, args, names;
  };
  const std::vector<Case> cases = {
      // Unknown option / missing required option.
      {env("SF_FEEDGEN"), "--no-such-option", "--no-such-option"},
      {env("SNIPERFORGE"), "", "--config"},
      {env("SF_BACKTEST"), "", "INPUT"},
      // sf-venue-sim --listen: not HOST:PORT (uncaught exception before), port out of range (it bound
      // port 99999 mod 65536 before), empty host; --idle-exit not a finite non-negative number.
      {env("SF_VENUE_SIM"), "--listen abc --idle-exit 0.1", "--listen"},
      {env("SF_VENUE_SIM"), "--listen 127.0.0.1:99999 --idle-exit 0.1", "--listen"},
      {env("SF_VENUE_SIM"), "--listen :40001 --idle-exit 0.1", "--listen"},
      {env("SF_VENUE_SIM"), "--listen 127.0.0.1:0 --idle-exit nan", "--idle-exit"},
      {env("SF_VENUE_SIM"), "--listen 127.0.0.1:0 --idle-exit -1", "--idle-exit"},
      {env("SF_VENUE_SIM"), "--listen 127.0.0.1:0 --idle-exit 0.1 --drop-after -1", "--drop-after"},
      {env("SF_VENUE_SIM"), "--listen 127.0.0.1:0 --idle-exit 0.1 --heartbeat-ms 0", "--heartbeat-ms"},
      // sf-rewind: every numeric option validated; nothing to serve is a usage error.
      {env("SF_REWIND"), "--pcap " + pcap + " --listen 127.0.0.1:70000", "--listen"},
      {env("SF_REWIND"), "--pcap " + pcap + " --port 0", "--port"},
      {env("SF_REWIND"), "--pcap " + pcap + " --ignore-share 1.5", "--ignore-share"},
      {env("SF_REWIND"), "--pcap " + pcap + " --ignore-share nan", "--ignore-share"},
      {env("SF_REWIND"), "--pcap " + pcap + " --seed -1", "--seed"},
      {env("SF_REWIND"), "--pcap " + pcap + " --delay-ms -1", "--delay-ms"},
      {env("SF_REWIND"), "--pcap " + pcap + " --max-payload 10", "--max-payload"},
      {env("SF_REWIND"), "--pcap " + pcap + " --idle-exit inf", "--idle-exit"},
      {env("SF_REWIND"), "--binaryfile " + pcap + " --first-seq 0", "--first-seq"},
      {env("SF_REWIND"), "--record 233.54.12.111", "--record"},
      {env("SF_REWIND"), "--idle-exit 1", "--record"},
      {env("SF_REWIND"), "--binaryfile " + pcap, "--session"},
      // sf-feedgen: --packet-rate 0, negative, NaN, infinite were accepted.
      {env("SF_FEEDGEN"), "--packet-rate 0", "--packet-rate"},
      {env("SF_FEEDGEN"), "--packet-rate -5", "--packet-rate"},
      {env("SF_FEEDGEN"), "--packet-rate nan", "--packet-rate"},
      {env("SF_FEEDGEN"), "--packet-rate inf", "--packet-rate"},
      {env("SF_FEEDGEN"), "--far-fraction nan", "--far-fraction"},
      {env("SF_FEEDGEN"), "--gap-rate nan", "--gap-rate"},
      {env("SF_FEEDGEN"), "--port 99999", "--port"},
      {env("SF_FEEDGEN"), "--src-port 0", "--src-port"},
      {env("SF_FEEDGEN"), "--messages 0", "--messages"},
      {env("SF_FEEDGEN"), "--messages -1", "--messages"},
      {env("SF_FEEDGEN"), "--instruments 70000", "--instruments"},
      {env("SF_FEEDGEN"), "--start-ns 86400000000000", "--start-ns"},
      {env("SF_FEEDGEN"), "--session TOOLONGNAME1", "--session"},
      {env("SF_FEEDGEN"), "--group 233.54.12", "--group"},
      {env("SF_FEEDGEN"), "--seed 18446744073709551616", "--seed"},
      // Valid one by one, but the generated day would run past midnight.
      {env("SF_FEEDGEN"), "--packet-rate 0.001 --messages 100000", "--packet-rate"},
      {env("SF_PCAP"), "decode --port 0 " + pcap, "--port"},
      {env("SF_PCAP"), "decode --port 65536 " + pcap, "--port"},
      {env("SF_BACKTEST"), "--feed-port 70000 " + pcap, "--feed-port"},
      {env("SF_BACKTEST"), "--threads 0 " + pcap, "--threads"},
      {env("SF_BACKTEST"), "--prefetch 3 " + pcap, "--prefetch"},
      {env("SF_BACKTEST"), "--sweep-block 0 " + pcap, "--sweep-block"},
  };
  const fs::path unused = dir_ / "unused.pcap";
  for (const Case& c : cases) {
    SCOPED_TRACE(c.binary + " " + c.args);
    // sf-feedgen writes nothing when its options are refused (before: feed.pcap in the working directory).
    const Output r =
        call(c.binary, c.args + (c.binary == env("SF_FEEDGEN") ? " -q -o " + unused.string() : ""));
    EXPECT_EQ(r.rc, 2) << r.err;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(unused));
}

TEST_F(Cli, RuntimeFailuresExitOne) {
  // An output that cannot be written; a capture cut short; an address that is not ours.
  EXPECT_EQ(call(env("SF_FEEDGEN"), "--messages 1000 -o " + (dir_ / "no/such/dir.pcap").string()).rc, 1);
  const fs::path cut = dir_ / "cut.pcap";
  const std::string whole = read_file(feed_);
  {
    std::FILE* f = std::fopen(cut.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(whole.data(), 1, whole.size() - 7, f);
    std::fclose(f);
  }
  EXPECT_EQ(call(env("SF_PCAP"), "decode " + cut.string()).rc, 1);
  std::ofstream(dir_ / "creds") << "SNIPE0 pw123\n";
  EXPECT_EQ(call(env("SF_VENUE_SIM"),
                 "--credentials " + (dir_ / "creds").string() + " --listen 192.0.2.1:15000 --idle-exit 0.1")
                .rc,
            1);
  EXPECT_EQ(call(env("SF_REWIND"), "--pcap " + cut.string() + " --listen 127.0.0.1:0 --idle-exit 0.1").rc, 1);
  EXPECT_EQ(
      call(env("SF_REWIND"), "--pcap " + feed_.string() + " --listen 192.0.2.1:26400 --idle-exit 0.1").rc, 1);
}

TEST_F(Cli, VenueSimPortZeroPrintsTheBoundPort) {
  std::ofstream(dir_ / "creds") << "SNIPE0 pw123\n";
  const Output o = call(env("SF_VENUE_SIM"), "--credentials " + (dir_ / "creds").string() +
                                                 " --listen 127.0.0.1:0 --idle-exit 0.2");
  EXPECT_EQ(o.rc, 0) << o.err;
  EXPECT_NE(o.err.find("listening on 127.0.0.1:"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("listening on 127.0.0.1:0\n"), std::string::npos) << o.err;
}

TEST_F(Cli, PcapDecodeWritesTheOutputOption) {
  const fs::path json = dir_ / "feed.json";
  const Output to_file = call(env("SF_PCAP"), "decode -o " + json.string() + " " + feed_.string());
  const Output to_stdout = call(env("SF_PCAP"), "decode " + feed_.string());
  EXPECT_EQ(to_file.rc, 0) << to_file.err;
  EXPECT_TRUE(to_file.out.empty());
  EXPECT_FALSE(to_stdout.out.empty());
  EXPECT_EQ(read_file(json), to_stdout.out);
}

// `command` run by script(1) on a pseudo-terminal (so its stderr is a terminal); what the terminal got.
std::string on_terminal(const fs::path& dir, const std::string& command, int& rc) {
  const fs::path typescript = dir / "typescript";
  rc = run("script -qec \"" + command + "\" " + typescript.string() + " > /dev/null");
  return read_file(typescript);
}

TEST_F(Cli, ReplayShowsProgressOnATerminalOnly) {
  const std::string base = env("SNIPERFORGE") + " --config " + env("SF_REPLAY_CONFIG") + " --rx-pcap " +
                           feed_.string() + " --tx-pcap " + (dir_ / "tx.pcap").string();
  const fs::path summary = dir_ / "summary.txt";
  int rc = -1;
  // Terminal: the line is rewritten in place and reaches 100 % (the whole pcap, in bytes); the summary
  // is unchanged on stdout.
  std::string tty = on_terminal(dir_, base + " > " + summary.string(), rc);
  EXPECT_EQ(rc, 0) << tty;
  EXPECT_NE(tty.find("\rreplay: "), std::string::npos) << tty;
  EXPECT_NE(tty.find("(100.0 %), 2.00k msgs"), std::string::npos) << tty;
  EXPECT_NE(read_file(summary).find("== sniperforge summary"), std::string::npos);
  // stderr to a file: no progress at all.
  const fs::path err = dir_ / "replay.err";
  EXPECT_EQ(run(base + " > " + summary.string() + " 2> " + err.string()), 0);
  const std::string log = read_file(err);
  EXPECT_EQ(log.find(" %)"), std::string::npos) << log;
  EXPECT_EQ(log.find('\r'), std::string::npos) << log;
  EXPECT_NE(read_file(summary).find("== sniperforge summary"), std::string::npos);
  // --quiet on a terminal: no progress, no notes; the summary stays.
  tty = on_terminal(dir_, base + " --quiet > " + summary.string(), rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(tty.find("\rreplay: "), std::string::npos) << tty;
  EXPECT_EQ(tty.find("sniperforge: lcore mode"), std::string::npos) << tty;
  EXPECT_NE(read_file(summary).find("== sniperforge summary"), std::string::npos);
}

TEST_F(Cli, ToolsShowProgressOnATerminalOnly) {
  const std::string out = (dir_ / "gen.pcap").string();
  const std::string gen = env("SF_FEEDGEN") + " --messages 300000 -o " + out;
  int rc = -1;
  std::string tty = on_terminal(dir_, gen, rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(tty.find("\rsf-feedgen: 300k/300k msgs (100.0 %)"), std::string::npos) << tty;
  EXPECT_EQ(on_terminal(dir_, gen + " -q", rc).find("msgs ("), std::string::npos);
  const fs::path err = dir_ / "gen.err";
  EXPECT_EQ(run(gen + " 2> " + err.string()), 0);
  EXPECT_EQ(read_file(err).find('\r'), std::string::npos);
  EXPECT_NE(read_file(err).find("messages 300000"), std::string::npos);  // the summary stays

  // BinaryFILE conversion: bytes of the input.
  const std::string bin = (dir_ / "gen.bin").string();
  ASSERT_EQ(run(env("SF_FEEDGEN") + " -q --messages 300000 --format binaryfile -o " + bin), 0);
  const auto size = fs::file_size(bin);
  tty = on_terminal(dir_, env("SF_FEEDGEN") + " --from-binaryfile " + bin + " -o " + out, rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(tty.find("(100.0 %)"), std::string::npos) << tty << " (" << size << " bytes)";
  EXPECT_NE(tty.find(" MB/"), std::string::npos) << tty;

  const std::string decode = env("SF_PCAP") + " decode -o " + (dir_ / "gen.json").string() + " " + out;
  tty = on_terminal(dir_, decode, rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(tty.find("\rsf-pcap decode: "), std::string::npos) << tty;
  EXPECT_NE(tty.find("(100.0 %), 300k msgs"), std::string::npos) << tty;  // every byte of the capture
  EXPECT_EQ(run(decode + " -q 2> " + err.string()), 0);
  EXPECT_EQ(read_file(err), "");  // -q: no progress, no counts

  tty = on_terminal(dir_, env("SF_BACKTEST") + " " + out, rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(tty.find("\rsf-backtest load: 300k msgs"), std::string::npos) << tty;  // no total before the end
  EXPECT_NE(tty.find("\rsf-backtest replay: 300k/300k msgs (100.0 %)"), std::string::npos) << tty;
  EXPECT_EQ(run(env("SF_BACKTEST") + " " + out + " 2> " + err.string()), 0);
  EXPECT_EQ(read_file(err).find('\r'), std::string::npos);

  // A parameter sweep: (set, day) runs.
  const fs::path sweep = dir_ / "sweep.toml";
  std::ofstream(sweep) << "config = \"" << env("SF_REPLAY_CONFIG") << "\"\ndays = [\"" << out
                       << "\"]\nstrategies = [0]\n[grid]\nshares = [50, 100]\n";
  tty = on_terminal(
      dir_, env("SF_BACKTEST") + " --sweep " + sweep.string() + " --report " + (dir_ / "sweep").string(), rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(tty.find("\rsf-backtest sweep: 2/2 runs (100.0 %)"), std::string::npos) << tty;
}

}  // namespace
