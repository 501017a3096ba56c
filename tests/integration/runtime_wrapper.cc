// A stand-in for an OCI runtime binary, for tests: runs the real runtime named by
// FL_REAL_RUNTIME as a child, optionally after a delay (FL_WRAPPER_DELAY_MS, to make a runtime
// slow), and appends "<verb> <container id> <start_ns> <end_ns>" to FL_WRAPPER_LOG, timed with
// CLOCK_BOOTTIME: an independent measurement of the same runtime calls faultline times.
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
  if (const char* delay = std::getenv("FL_WRAPPER_DELAY_MS")) {
    usleep(static_cast<useconds_t>(std::atoi(delay)) * 1000);
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
