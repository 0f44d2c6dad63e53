// The shipped monitoring/ files: alert rules pass `promtool check rules` and their unit tests
// (`promtool test rules`), the Grafana dashboard is valid JSON, and every sniperforge_* metric
// the rules and the dashboard use is really exported by the collector (no silent typo).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "sniperforge/telemetry/collector.hpp"
#include "test_support.hpp"

namespace sf::telemetry {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string{} : std::string{v};
}

int run(const std::string& cmd, std::string& out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  return pclose(p);
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class Monitoring : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = env("SF_MONITORING_DIR");
    promtool_ = env("SF_PROMTOOL");
    ASSERT_FALSE(dir_.empty()) << "SF_MONITORING_DIR not set";
  }
  std::string dir_, promtool_;
};

TEST_F(Monitoring, PromtoolCheckRules) {
  if (promtool_.empty()) GTEST_SKIP() << "promtool not found by meson";
  std::string out;
  EXPECT_EQ(run(promtool_ + " check rules " + dir_ + "/sniperforge-alerts.yml", out), 0) << out;
  EXPECT_NE(out.find("SUCCESS"), std::string::npos) << out;
}

TEST_F(Monitoring, PromtoolTestRules) {
  if (promtool_.empty()) GTEST_SKIP() << "promtool not found by meson";
  std::string out;
  EXPECT_EQ(run(promtool_ + " test rules " + dir_ + "/tests/sniperforge-alerts-test.yml", out), 0) << out;
}

TEST_F(Monitoring, YamllintAcceptsTheRuleFiles) {
  const std::string yamllint = env("SF_YAMLLINT");
  if (yamllint.empty()) GTEST_SKIP() << "yamllint not found by meson";
  std::string out;
  // Same relaxed profile as the Ansible tests (long PromQL lines are fine).
  EXPECT_EQ(run(yamllint + " -s -d \"{extends: default, rules: {line-length: {max: 160}}}\" " + dir_ +
                    "/sniperforge-alerts.yml " + dir_ + "/tests/sniperforge-alerts-test.yml",
                out),
            0)
      << out;
}

TEST_F(Monitoring, DashboardIsValidJson) {
  const std::string py = env("SF_PYTHON3");
  if (py.empty()) GTEST_SKIP() << "python3 not found by meson";
  std::string out;
  EXPECT_EQ(run(py +
                    " -c \"import json,sys; d=json.load(open(sys.argv[1])); "
                    "assert d['uid'] and len(d['panels']) > 10; "
                    "assert all(t['expr'] for p in d['panels'] for t in p.get('targets', []))\" " +
                    dir_ + "/dashboards/sniperforge.json",
                out),
            0)
      << out;
}

TEST_F(Monitoring, EveryReferencedMetricIsExported) {
  testing::FakePlane p;
  p.beat();
  EngineStats e;
  e.rejects = {{"max_position", 1}};
  e.venue_check_failures = {{"overfill", 0}};
  e.instruments = {{"SF0000", 1, 1}};
  p.engines = {e};
  p.session = 1;
  auto src = p.sources();
  src.journal = [] { return JournalHealth{}; };  // an appliance with [journal]
  MetricsCollector c(src, TelemetryConfig{});
  auto s = std::make_shared<SystemSnapshot>();
  s->ports.push_back(PortStats{0, "0", 1, 2, 3, 4, 5, 6, 7, 8, {{"x", 1}}});
  s->mempools.push_back({"pool", 1, 2, 3});
  s->rings.push_back({"ring", 1, 2, 3});
  s->lcores.push_back({1, "rx", 0.5, 10});
  c.publish(s);
  const std::string text = serialize_text(c);
  std::set<std::string> exported;
  const std::regex type_line("# TYPE (sniperforge_[a-z0-9_]+) ");
  for (std::sregex_iterator it(text.begin(), text.end(), type_line), end; it != end; ++it)
    exported.insert((*it)[1]);
  ASSERT_GT(exported.size(), 40u);

  std::size_t checked = 0;
  for (const char* file : {"/sniperforge-alerts.yml", "/dashboards/sniperforge.json"}) {
    const std::string body = slurp(dir_ + file);
    ASSERT_FALSE(body.empty()) << file;
    const std::regex name("sniperforge_[a-z0-9_]+");
    for (std::sregex_iterator it(body.begin(), body.end(), name), end; it != end; ++it) {
      std::string n = it->str();
      if (n.starts_with("sniperforge_rules")) continue;
      for (const char* suffix : {"_bucket", "_count", "_sum"})
        if (n.ends_with(suffix) && !exported.contains(n))
          n.resize(n.size() - std::string_view(suffix).size());
      EXPECT_TRUE(exported.contains(n))
          << file << " uses " << it->str() << ", which the collector does not export";
      ++checked;
    }
  }
  EXPECT_GT(checked, 30u);
}

}  // namespace
}  // namespace sf::telemetry
