#include <unistd.h>

#include <climits>
#include <cstdio>

#include "harness/cli/commands.h"

namespace faultline::cli {

int PrintHelp(const char* text) {
  std::fputs(text, stdout);
  return 0;
}

int UsageError(const std::string& verb, const std::string& message, const char* usage) {
  std::fprintf(stderr, "faultline %s: %s\n\n%s", verb.c_str(), message.c_str(), usage);
  return 2;
}

std::string SelfExe() {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "faultline";
  return std::string(path, static_cast<size_t>(n));
}

}  // namespace faultline::cli
