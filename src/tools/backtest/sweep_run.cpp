// Sweep drivers: local (oneTBB), Slurm job array + dependent merge job, and the two in-job entry points.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "sweep.hpp"

#include "sniperforge/common/progress.hpp"

namespace sf::backtest {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l + '\n');
  return out;
}

bool write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    if (!f) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;  // readers never see half a file
}

// The heat-map page's drawer (sweep_html.py, Debian's python3 with matplotlib), started before the sweep so
// that its interpreter and matplotlib load (most of its time) while the sweep loads and replays; it draws
// once told to on its stdin, and quits without drawing if the pipe closes unsaid.
class PageDrawer {
 public:
  explicit PageDrawer(const std::string& dir) {
    const char* env = std::getenv("SF_SWEEP_SCRIPT");
    script_ = env && *env ? env : SF_SWEEP_SCRIPT;
    std::signal(SIGPIPE, SIG_IGN);  // a drawer that quit must not kill the sweep: its write just fails
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[0], STDIN_FILENO);
      close(fds[0]);
      close(fds[1]);
      execl("/usr/bin/python3", "python3", script_.c_str(), "--on-stdin", dir.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[0]);
    if (pid_ < 0) {
      close(fds[1]);
      return;
    }
    go_ = fds[1];
  }
  ~PageDrawer() { finish(false); }
  PageDrawer(const PageDrawer&) = delete;
  PageDrawer& operator=(const PageDrawer&) = delete;
  // true once the page is drawn (`draw`), or the drawer stopped without drawing.
  bool finish(bool draw) {
    if (pid_ <= 0) return false;
    if (draw && write(go_, "draw\n", 5) != 5) draw = false;
    close(go_);
    int status = 0;
    const bool ok = waitpid(pid_, &status, 0) == pid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    pid_ = -1;
    if (draw && !ok) std::cerr << "sf-backtest: heat map: /usr/bin/python3 " << script_ << " failed\n";
    return ok;
  }

 private:
  std::string script_;
  pid_t pid_ = -1;
  int go_ = -1;
};

// sweep.csv, then the page.
int finish(const SweepSpec& spec, const std::string& csv, PageDrawer& page) {
  const std::string path = spec.output + "/sweep.csv";
  if (!write_file(path, csv)) {
    std::cerr << "sf-backtest: cannot write " << path << '\n';
    return 1;
  }
  if (!page.finish(true)) return 1;
  std::fprintf(stderr,
               "sf-backtest: sweep of %zu parameter set(s) x %zu day(s): %s/sweep.csv, %s/sweep.html\n",
               spec.sets(), spec.days.size(), spec.output.c_str(), spec.output.c_str());
  return 0;
}

std::size_t blocks(const SweepSpec& spec, std::size_t block) {
  return (spec.sets() + block - 1) / block;
}

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a command, returns its stdout (first line) and exit status.
int run_capture(const std::string& cmd, std::string& first_line) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[256];
  first_line.clear();
  if (std::fgets(buf, sizeof buf, p)) first_line = buf;
  while (std::fgets(buf, sizeof buf, p)) {
  }
  while (!first_line.empty() && (first_line.back() == '\n' || first_line.back() == '\r'))
    first_line.pop_back();
  const int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

int run_sweep_local(const SweepSpec& spec, const SweepOptions& options) {
  std::error_code ec;
  fs::create_directories(spec.output, ec);
  PageDrawer page(spec.output);
  // Progress on a terminal: (set, day) runs finished out of sets x days.
  std::atomic<uint64_t> sets_done{0};
  SweepOptions opt = options;
  opt.sets_done = &sets_done;
  ProgressOptions progress_options;
  progress_options.label = "sf-backtest sweep";
  progress_options.noun = "runs";
  const uint64_t total = uint64_t{spec.sets()} * spec.days.size();
  ProgressLine progress(
      progress_options,
      [&sets_done, total] {
        return ProgressSample{sets_done.load(), total};
      },
      progress_wanted(opt.quiet));
  std::vector<std::vector<std::string>> by_day;
  for (std::size_t d = 0; d < spec.days.size(); ++d) {
    std::string rows, error;
    try {
      if (!sweep_rows(spec, d, 0, spec.sets(), opt, rows, error)) {
        std::cerr << "sf-backtest: " << error << '\n';
        return 1;
      }
    } catch (const std::exception& e) {
      std::cerr << "sf-backtest: " << e.what() << '\n';
      return 2;
    }
    by_day.push_back(lines_of(rows));
  }
  progress.finish();
  std::string csv = sweep_header(spec);
  for (std::size_t s = 0; s < spec.sets(); ++s)
    for (const auto& day : by_day) csv += day[s];
  return finish(spec, csv, page);
}

int run_sweep_task(const SweepSpec& spec, const SweepOptions& opt, std::size_t block, std::size_t task) {
  const std::size_t day = task % spec.days.size(), b = task / spec.days.size();
  if (b >= blocks(spec, block)) {
    std::cerr << "sf-backtest: sweep task " << task << " out of range\n";
    return 2;
  }
  const std::size_t first = b * block, last = std::min(spec.sets(), first + block);
  std::string rows, error;
  if (!sweep_rows(spec, day, first, last, opt, rows, error)) {
    std::cerr << "sf-backtest: " << error << '\n';
    return 1;
  }
  const std::string path = spec.output + "/parts/part-" + std::to_string(task) + ".csv";
  if (!write_file(path, rows)) {
    std::cerr << "sf-backtest: cannot write " << path << '\n';
    return 1;
  }
  return 0;
}

int run_sweep_merge(const SweepSpec& spec, std::size_t block) {
  PageDrawer page(spec.output);
  const std::size_t tasks = spec.days.size() * blocks(spec, block);
  std::map<std::pair<std::size_t, std::size_t>, std::string> rows;  // (set, day) -> row
  for (std::size_t t = 0; t < tasks; ++t) {
    const std::string path = spec.output + "/parts/part-" + std::to_string(t) + ".csv";
    std::ifstream f(path, std::ios::binary);
    if (!f) {
      std::cerr << "sf-backtest: sweep merge: missing " << path << '\n';
      return 1;
    }
    for (std::string l; std::getline(f, l);) {
      std::size_t set = 0, day = 0;
      if (std::sscanf(l.c_str(), "%zu,%zu,", &set, &day) != 2) {
        std::cerr << "sf-backtest: sweep merge: bad row in " << path << '\n';
        return 1;
      }
      rows[{set, day}] = l + '\n';
    }
  }
  if (rows.size() != spec.sets() * spec.days.size()) {
    std::cerr << "sf-backtest: sweep merge: " << rows.size() << " rows, want "
              << spec.sets() * spec.days.size() << '\n';
    return 1;
  }
  std::string csv = sweep_header(spec);
  for (const auto& [key, row] : rows) csv += row;  // map order = (set, day), as the local sweep writes
  return finish(spec, csv, page);
}

int run_sweep_slurm(const SweepSpec& spec, const SweepOptions& opt, std::size_t block, bool wait,
                    const std::string& self_exe) {
  const std::string parts = spec.output + "/parts";
  std::error_code ec;
  fs::remove_all(parts, ec);
  fs::create_directories(parts, ec);
  if (ec) {
    std::cerr << "sf-backtest: cannot create " << parts << ": " << ec.message() << '\n';
    return 1;
  }
  const std::size_t tasks = spec.days.size() * blocks(spec, block);
  std::ostringstream common;
  common << quoted(self_exe) << " --sweep " << quoted(spec.file) << " --report " << quoted(spec.output)
         << " --threads " << opt.threads << " --sweep-block " << block;
  if (opt.feed_port != 0) common << " --feed-port " << opt.feed_port;
  const std::string array_cmd =
      "sbatch --parsable --job-name=sf-sweep --array=0-" + std::to_string(tasks - 1) +
      " --cpus-per-task=" + std::to_string(opt.threads) + " --output=" + quoted(parts + "/task-%a.log") +
      " --wrap " + quoted(common.str() + " --sweep-task \"$SLURM_ARRAY_TASK_ID\"");
  std::string job;
  if (run_capture(array_cmd, job) != 0 || job.empty()) {
    std::cerr << "sf-backtest: sbatch (array) failed: " << array_cmd << '\n';
    return 1;
  }
  const std::string array_id = job.substr(0, job.find(';'));
  const std::string merge_cmd =
      "sbatch --parsable --job-name=sf-sweep-merge --dependency=afterok:" + array_id +
      (wait ? " --wait" : "") + " --output=" + quoted(parts + "/merge.log") + " --wrap " +
      quoted(common.str() + " --sweep-merge");
  std::fprintf(
      stderr,
      "sf-backtest: submitted sweep array job %s (%zu tasks: %zu day(s) x %zu block(s) of %zu set(s))\n",
      array_id.c_str(), tasks, spec.days.size(), blocks(spec, block), block);
  std::string merge_job;
  const int rc = run_capture(merge_cmd, merge_job);
  if (rc != 0) {
    std::cerr << "sf-backtest: merge job " << merge_job << " failed (sbatch exit " << rc << "); logs in "
              << parts << '\n';
    return 1;
  }
  std::fprintf(stderr, "sf-backtest: merge job %s%s: %s/sweep.csv\n", merge_job.c_str(),
               wait ? " finished" : " submitted (afterok)", spec.output.c_str());
  return 0;
}

int sweep_main(const std::string& path, const std::string& report_dir, const SweepOptions& opt,
               const SweepCli& cli) {
  SweepSpec spec;
  std::string error;
  if (!load_sweep(path, spec, error)) {
    std::cerr << "sf-backtest: " << error << '\n';
    return 2;
  }
  if (!report_dir.empty()) spec.output = fs::absolute(report_dir).lexically_normal().string();
  if (cli.merge) return run_sweep_merge(spec, cli.block);
  if (cli.task >= 0) return run_sweep_task(spec, opt, cli.block, static_cast<std::size_t>(cli.task));
  if (cli.slurm)
    return run_sweep_slurm(spec, opt, cli.block, cli.wait, fs::read_symlink("/proc/self/exe").string());
  return run_sweep_local(spec, opt);
}

}  // namespace sf::backtest
