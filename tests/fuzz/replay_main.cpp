// Corpus replay driver for builds without libFuzzer (gcc): runs LLVMFuzzerTestOneInput over every
// file of the given corpus directories/files. Fails when no input was found.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size);
// Optional, per target: the input unit in bytes when a target reads whole fixed-size operations (a prefix
// that cuts one is the same run as the shorter whole prefix), so the replay skips the redundant ones.
extern "C" std::size_t sf_fuzz_prefix_step() __attribute__((weak));

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::size_t inputs = 0;
  auto run = [&](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A heap copy of exactly the input size, so out-of-bounds reads are visible to sanitizers.
    std::vector<uint8_t> exact(bytes);
    LLVMFuzzerTestOneInput(exact.data(), exact.size());
    // Every prefix too: truncation is the most common malformation.
    const std::size_t step = sf_fuzz_prefix_step ? sf_fuzz_prefix_step() : 1;
    for (std::size_t n = 0; n < exact.size(); n += step) {
      std::vector<uint8_t> cut(exact.begin(), exact.begin() + static_cast<std::ptrdiff_t>(n));
      LLVMFuzzerTestOneInput(cut.data(), cut.size());
    }
    ++inputs;
  };
  for (int i = 1; i < argc; ++i) {
    const fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file()) run(e.path());
    } else if (fs::exists(p)) {
      run(p);
    }
  }
  std::printf("replayed %zu inputs (and all their prefixes)\n", inputs);
  return inputs > 0 ? 0 : 1;
}
