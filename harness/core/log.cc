#include "harness/core/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

namespace faultline::log {
namespace {
std::atomic<Level> g_level{Level::kWarn};
std::mutex g_mu;
}  // namespace

void SetLevel(Level level) {
  g_level = level;
}
bool Enabled(Level level) {
  return level >= g_level.load();
}

void Write(Level level, std::string_view message) {
  if (!Enabled(level)) return;
  static constexpr const char* kNames[] = {"debug", "info", "warning", "error"};
  std::lock_guard lock(g_mu);
  std::fprintf(stderr, "faultline: %s: %.*s\n", kNames[static_cast<int>(level)],
               static_cast<int>(message.size()), message.data());
}

}  // namespace faultline::log
