#include "harness/core/clock.h"

#include <cstdio>

namespace faultline {

std::string Rfc3339Now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  gmtime_r(&ts.tv_sec, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                ts.tv_nsec / 1'000'000);
  return buf;
}

std::int64_t BootNsOfRealtime(std::int64_t realtime_ns) {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  const std::int64_t real = static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
  return BootNowNs() - (real - realtime_ns);
}

}  // namespace faultline
