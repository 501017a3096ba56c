// A stand-in for an OCI runtime binary, for tests: runs the real runtime named by
// FL_REAL_RUNTIME as a child, optionally after a delay (FL_WRAPPER_DELAY_MS, to make a runtime
// slow; else the milliseconds in a file `delay_ms` beside the path it was called by, so two
// targets of one run can differ; fractions allowed), and appends "<verb> <container id> <start_ns>
// <end_ns>" to FL_WRAPPER_LOG, timed with CLOCK_BOOTTIME: an independent measurement of the same
// runtime calls faultline times.
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
  const char* real = std::getenv("FL_REAL_RUNTIME");
  if (!real) {
    std::fprintf(stderr, "runtime_wrapper: FL_REAL_RUNTIME is not set\n");
    return 127;
  }
  double delay_ms = 0;
  if (const char* delay = std::getenv("FL_WRAPPER_DELAY_MS")) {
    delay_ms = std::strtod(delay, nullptr);
  } else {
    const std::string self = argv[0];
    const auto slash = self.rfind('/');
    if (FILE* file = std::fopen(
            ((slash == std::string::npos ? "." : self.substr(0, slash)) + "/delay_ms").c_str(),
            "r")) {
      if (std::fscanf(file, "%lf", &delay_ms) != 1) delay_ms = 0;
      std::fclose(file);
    }
  }
  if (delay_ms > 0) {
    const long long ns = static_cast<long long>(delay_ms * 1e6);
    timespec pause{static_cast<time_t>(ns / 1000000000LL), static_cast<long>(ns % 1000000000LL)};
    nanosleep(&pause, nullptr);
  }
  pid_t child = fork();
  if (child == 0) {
    argv[0] = const_cast<char*>(real);
    execv(real, argv);
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
