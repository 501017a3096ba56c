// Human-friendly rendering of measured values for consoles and messages.
#pragma once

#include <string>

namespace faultline::reports {

// Seconds with three significant digits in the largest fitting unit: "812us", "27.4ms", "1.20s".
std::string FormatSeconds(double seconds);
// Bytes in binary units: "512B", "3.1MiB", "1.2GiB".
std::string FormatBytes(double bytes);
// By unit: "s" -> FormatSeconds, "bytes" -> FormatBytes, otherwise a plain number.
std::string FormatValue(double value, const std::string& unit);

}  // namespace faultline::reports
