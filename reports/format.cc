#include "reports/format.h"

#include <cmath>
#include <cstdio>

namespace faultline::reports {
namespace {

// Three significant digits for magnitudes in [1, 1000): 1.20, 27.4, 812.
std::string ThreeDigits(double v, const char* suffix) {
  char buf[64];
  const double a = std::fabs(v);
  const char* format = a >= 99.95 ? "%.0f%s" : a >= 9.995 ? "%.1f%s" : "%.2f%s";
  std::snprintf(buf, sizeof(buf), format, v, suffix);
  return buf;
}

}  // namespace

std::string FormatSeconds(double seconds) {
  if (!std::isfinite(seconds)) return "-";
  const double a = std::fabs(seconds);
  if (a == 0) return "0s";
  if (a < 999.5e-9) return ThreeDigits(seconds * 1e9, "ns");
  // Thresholds sit where rounding to three digits would print "1000": 999.95us is 1.00ms.
  if (a < 999.5e-6) return ThreeDigits(seconds * 1e6, "us");
  if (a < 999.5e-3) return ThreeDigits(seconds * 1e3, "ms");
  return ThreeDigits(seconds, "s");
}

std::string FormatBytes(double bytes) {
  if (!std::isfinite(bytes)) return "-";
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = bytes;
  int unit = 0;
  while (std::fabs(v) >= 1023.95 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  char buf[64];
  if (unit == 0) {
    std::snprintf(buf, sizeof(buf), "%.0fB", v);
  } else {
    std::snprintf(buf, sizeof(buf), std::fabs(v) >= 99.95 ? "%.0f%s" : "%.1f%s", v, kUnits[unit]);
  }
  return buf;
}

std::string FormatValue(double value, const std::string& unit) {
  if (unit == "s") return FormatSeconds(value);
  if (unit == "bytes") return FormatBytes(value);
  if (!std::isfinite(value)) return "-";
  char buf[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", value);
  } else {
    std::snprintf(buf, sizeof(buf), "%.3g", value);
  }
  std::string out = buf;
  if (!unit.empty() && unit != "count") out += " " + unit;
  return out;
}

}  // namespace faultline::reports
