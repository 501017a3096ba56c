// A stand-in for an OCI runtime binary, for tests: runs the real runtime named by
// FL_REAL_RUNTIME (else by the file `real_runtime` beside the path it was called by: a platform
// may not pass the environment down to its runtime) as a child, optionally after a delay
// (FL_WRAPPER_DELAY_MS, to make a runtime slow; else the milliseconds in a file `delay_ms` beside
// it, so two targets of one run can differ; fractions allowed), and appends "<verb> <container
// id> <start_ns> <end_ns>" to FL_WRAPPER_LOG, timed with CLOCK_BOOTTIME: an independent
// measurement of the same runtime calls faultline times. When a file `argv.log` exists beside
// it, every call's arguments are appended there, one call per line.
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

long long BootNs() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  const long long start = BootNs();
  const std::string self = argv[0];
  const auto slash = self.rfind('/');
  const std::string beside = (slash == std::string::npos ? "." : self.substr(0, slash)) + "/";
  std::string real = std::getenv("FL_REAL_RUNTIME") ? std::getenv("FL_REAL_RUNTIME") : "";
  if (real.empty()) {
    if (FILE* file = std::fopen((beside + "real_runtime").c_str(), "r")) {
      char path[4096] = {};
      if (std::fscanf(file, "%4095s", path) == 1) real = path;
      std::fclose(file);
    }
  }
  if (real.empty()) {
    std::fprintf(stderr, "runtime_wrapper: FL_REAL_RUNTIME is not set, nor %sreal_runtime\n",
                 beside.c_str());
    return 127;
  }
  if (access((beside + "argv.log").c_str(), F_OK) == 0) {
    std::string line;
    for (int i = 1; i < argc; ++i) line += std::string(i > 1 ? " " : "") + argv[i];
    line += "\n";
    int fd = open((beside + "argv.log").c_str(), O_WRONLY | O_APPEND);
    if (fd >= 0) {
      (void)!write(fd, line.data(), line.size());
      close(fd);
    }
  }
  double delay_ms = 0;
  if (const char* delay = std::getenv("FL_WRAPPER_DELAY_MS")) {
    delay_ms = std::strtod(delay, nullptr);
  } else if (FILE* file = std::fopen((beside + "delay_ms").c_str(), "r")) {
    if (std::fscanf(file, "%lf", &delay_ms) != 1) delay_ms = 0;
    std::fclose(file);
  }
  if (delay_ms > 0) {
    const long long ns = static_cast<long long>(delay_ms * 1e6);
    timespec pause{static_cast<time_t>(ns / 1000000000LL), static_cast<long>(ns % 1000000000LL)};
    nanosleep(&pause, nullptr);
  }
  pid_t child = fork();
  if (child == 0) {
    argv[0] = const_cast<char*>(real.c_str());
    execv(real.c_str(), argv);
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  const long long end = BootNs();

  std::string verb = "?";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--root") {
      ++i;
      continue;
    }
    if (arg[0] != '-') {
      verb = arg;
      break;
    }
  }
  if (const char* log = std::getenv("FL_WRAPPER_LOG")) {
    std::string line = verb + " " + argv[argc - 1] + " " + std::to_string(start) + " " +
                       std::to_string(end) + "\n";
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      (void)!write(fd, line.data(), line.size());
      close(fd);
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
