// Parsing of the unit-carrying strings scenarios use: durations, sizes, rates.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/core/result.h"

namespace faultline::scenario {

// "250ms", "1.5s", "10m": a non-negative decimal number and one of ns, us, ms, s, m, h.
// Fractions are rounded to the nearest nanosecond.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// "512Mi", "2G", "4096": k, K, M, G, T are powers of 1000; Ki, Mi, Gi, Ti powers of 1024;
// B or no unit means bytes. Fractions are rounded to the nearest byte.
Result<std::uint64_t> ParseSize(std::string_view text);

// "50/s", "30/m", "3600/h": events per second, minute or hour; returned per second. Must be > 0.
Result<double> ParseRate(std::string_view text);

// "10mbit", "512kbit", "1.5gbit", "800bit": bits per second (powers of 1000). Must be > 0.
Result<std::uint64_t> ParseBitRate(std::string_view text);

// The shortest readable form for messages: "250ms", "1.5s", "2m", "1.234ms", "0s".
std::string FormatDuration(std::chrono::nanoseconds duration);

}  // namespace faultline::scenario
