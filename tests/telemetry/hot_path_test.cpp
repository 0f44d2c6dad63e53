// Hot-path contract of the telemetry primitives, checked on the generated machine code:
// no lock-prefixed instruction (no atomic read-modify-write) and no call (no allocation, syscall,
// formatting or out-of-line helper) in any function the data-plane lcores use.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

namespace {

std::map<std::string, std::string> functions_of(const std::string& objdump_text) {
  std::map<std::string, std::string> out;
  std::istringstream in(objdump_text);
  std::string line, current;
  while (std::getline(in, line)) {
    const auto lt = line.find(" <");
    if (lt != std::string::npos && line.size() > 2 && line.back() == ':' && line[0] != ' ') {
      current = line.substr(lt + 2, line.size() - lt - 4);
      continue;
    }
    if (!current.empty() && !line.empty()) out[current] += line + "\n";
    if (line.empty()) current.clear();
  }
  return out;
}

TEST(HotPath, NoLockPrefixAndNoCallInTheDataPlaneEntryPoints) {
  const char* objdump = std::getenv("SF_OBJDUMP");
  const char* archive = std::getenv("SF_HOT_PATH_ARCHIVE");
  if (objdump == nullptr || *objdump == '\0') GTEST_SKIP() << "objdump not found by meson";
  ASSERT_NE(archive, nullptr);
  const std::string cmd = std::string(objdump) + " -d --no-show-raw-insn " + archive;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string text;
  char buf[4096];
  while (fgets(buf, sizeof buf, p)) text += buf;
  ASSERT_EQ(pclose(p), 0);
  const auto fns = functions_of(text);
  for (const char* name : {"sf_hot_counter_add", "sf_hot_counter_max", "sf_hot_histogram_record",
                           "sf_hot_rx_count_message", "sf_hot_rx_count_drop", "sf_hot_executor_count_order",
                           "sf_hot_log_push", "sf_hot_shared_set_i64", "sf_hot_shared_set_bool"}) {
    const auto it = fns.find(name);
    ASSERT_NE(it, fns.end()) << name << " not found in " << archive;
    const std::string& body = it->second;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) {
      const bool mem_xchg = line.find("xchg") != std::string::npos && line.find('(') != std::string::npos;
      EXPECT_EQ(line.find("lock"), std::string::npos) << name << ": " << line;
      EXPECT_EQ(line.find("call"), std::string::npos) << name << ": " << line;
      EXPECT_FALSE(mem_xchg) << name << " (xchg with memory is implicitly locked): " << line;
      EXPECT_EQ(line.find("mfence"), std::string::npos) << name << ": " << line;
    }
    EXPECT_NE(body.find("ret"), std::string::npos) << name << ":\n" << body;
  }
}

}  // namespace
