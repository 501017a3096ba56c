// Minimal leveled logging to stderr; the console summary goes to stdout.
#pragma once

#include <string_view>

namespace faultline::log {

enum class Level { kDebug, kInfo, kWarn, kError };

void SetLevel(Level level);
bool Enabled(Level level);
void Write(Level level, std::string_view message);

inline void Debug(std::string_view m) {
  Write(Level::kDebug, m);
}
inline void Info(std::string_view m) {
  Write(Level::kInfo, m);
}
inline void Warn(std::string_view m) {
  Write(Level::kWarn, m);
}
inline void Error(std::string_view m) {
  Write(Level::kError, m);
}

}  // namespace faultline::log
