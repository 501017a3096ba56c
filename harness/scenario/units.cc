#include "harness/scenario/units.h"

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>
#include <utility>

namespace faultline::scenario {
namespace {

// A non-negative decimal "123" or "1.25", split so the value can be scaled exactly.
struct Decimal {
  unsigned __int128 integer = 0;
  unsigned __int128 fraction = 0;  // fraction digits as an integer
  unsigned __int128 scale = 1;     // 10^(number of fraction digits kept)
  std::string_view rest;           // the text after the number (the unit)
};

// Returns nullopt when `text` does not start with digits, or has a '.' without digits after it.
std::optional<Decimal> SplitDecimal(std::string_view text) {
  constexpr unsigned __int128 kCap = static_cast<unsigned __int128>(1) << 100;  // "too large" guard
  Decimal d;
  std::size_t i = 0;
  if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (d.integer < kCap) d.integer = d.integer * 10 + static_cast<unsigned>(text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
    int kept = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      // 18 fraction digits are far below a nanosecond or a byte at every unit we scale by.
      if (kept < 18) {
        d.fraction = d.fraction * 10 + static_cast<unsigned>(text[i] - '0');
        d.scale *= 10;
        ++kept;
      }
    }
  }
  d.rest = text.substr(i);
  return d;
}

// integer * unit + round(fraction * unit / scale), or nullopt above `limit`.
std::optional<unsigned __int128> Scale(const Decimal& d, unsigned __int128 unit,
                                       unsigned __int128 limit) {
  if (d.integer > limit) return std::nullopt;
  const unsigned __int128 whole = d.integer * unit;
  const unsigned __int128 part = (d.fraction * unit + d.scale / 2) / d.scale;
  const unsigned __int128 total = whole + part;
  if (total > limit) return std::nullopt;
  return total;
}

std::string Quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

}  // namespace

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::int64_t>, 6> kUnits = {{
      {"ns", 1},
      {"us", 1'000},
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"m", 60'000'000'000},
      {"h", 3'600'000'000'000},
  }};
  constexpr std::string_view kHint = "expected a number and a unit, e.g. 250ms or 1.5s";
  if (text.empty()) return InvalidArgument("empty duration (" + std::string(kHint) + ")");
  const std::optional<Decimal> number = SplitDecimal(text);
  if (!number) {
    return InvalidArgument("invalid duration " + Quoted(text) + " (" + std::string(kHint) + ")");
  }
  if (number->rest.empty()) {
    return InvalidArgument("duration " + Quoted(text) +
                           " has no unit (expected one of ns, us, ms, s, m, h)");
  }
  for (const auto& [name, factor] : kUnits) {
    if (number->rest != name) continue;
    const auto ns = Scale(*number, static_cast<unsigned __int128>(factor),
                          static_cast<unsigned __int128>(std::numeric_limits<std::int64_t>::max()));
    if (!ns) return InvalidArgument("duration " + Quoted(text) + " is too large");
    return std::chrono::nanoseconds(static_cast<std::int64_t>(*ns));
  }
  return InvalidArgument("duration " + Quoted(text) + " has unknown unit " + Quoted(number->rest) +
                         " (expected one of ns, us, ms, s, m, h)");
}

Result<std::uint64_t> ParseSize(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 10> kUnits = {{
      {"B", 1},
      {"k", 1'000},
      {"K", 1'000},
      {"M", 1'000'000},
      {"G", 1'000'000'000},
      {"T", 1'000'000'000'000},
      {"Ki", std::uint64_t{1} << 10},
      {"Mi", std::uint64_t{1} << 20},
      {"Gi", std::uint64_t{1} << 30},
      {"Ti", std::uint64_t{1} << 40},
  }};
  constexpr std::string_view kHint = "expected a number and an optional unit, e.g. 512Mi or 2G";
  if (text.empty()) return InvalidArgument("empty size (" + std::string(kHint) + ")");
  const std::optional<Decimal> number = SplitDecimal(text);
  if (!number) {
    return InvalidArgument("invalid size " + Quoted(text) + " (" + std::string(kHint) + ")");
  }
  std::uint64_t factor = 0;
  if (number->rest.empty()) {
    factor = 1;
  } else {
    for (const auto& [name, f] : kUnits) {
      if (number->rest == name) factor = f;
    }
  }
  if (factor == 0) {
    return InvalidArgument("size " + Quoted(text) + " has unknown unit " + Quoted(number->rest) +
                           " (expected B, k, M, G, T, Ki, Mi, Gi or Ti)");
  }
  const auto bytes = Scale(*number, factor, std::numeric_limits<std::uint64_t>::max());
  if (!bytes) return InvalidArgument("size " + Quoted(text) + " is too large");
  return static_cast<std::uint64_t>(*bytes);
}

Result<double> ParseRate(std::string_view text) {
  constexpr std::string_view kHint = "expected a number, '/' and s, m or h, e.g. 50/s";
  if (text.empty()) return InvalidArgument("empty rate (" + std::string(kHint) + ")");
  const std::optional<Decimal> number = SplitDecimal(text);
  if (!number || number->rest.empty() || number->rest.front() != '/') {
    return InvalidArgument("invalid rate " + Quoted(text) + " (" + std::string(kHint) + ")");
  }
  const std::string_view unit = number->rest.substr(1);
  double per = 0;
  if (unit == "s") {
    per = 1;
  } else if (unit == "m") {
    per = 60;
  } else if (unit == "h") {
    per = 3600;
  } else {
    return InvalidArgument("rate " + Quoted(text) + " has unknown unit " + Quoted(unit) +
                           " (expected s, m or h)");
  }
  const double value = static_cast<double>(number->integer) +
                       static_cast<double>(number->fraction) / static_cast<double>(number->scale);
  if (value <= 0) return InvalidArgument("rate " + Quoted(text) + " must be greater than zero");
  if (!std::isfinite(value)) return InvalidArgument("rate " + Quoted(text) + " is too large");
  return value / per;
}

Result<std::uint64_t> ParseBitRate(std::string_view text) {
  const std::optional<Decimal> number = SplitDecimal(text);
  std::uint64_t factor = 0;
  if (number) {
    if (number->rest == "bit") factor = 1;
    if (number->rest == "kbit") factor = 1000;
    if (number->rest == "mbit") factor = 1000 * 1000;
    if (number->rest == "gbit") factor = 1000 * 1000 * 1000;
  }
  if (factor == 0) {
    return InvalidArgument("invalid bit rate " + Quoted(text) +
                           " (expected a number and bit, kbit, mbit or gbit, e.g. 10mbit)");
  }
  const auto bits = Scale(*number, factor, std::numeric_limits<std::uint64_t>::max());
  if (!bits) return InvalidArgument("bit rate " + Quoted(text) + " is too large");
  if (*bits == 0) return InvalidArgument("bit rate " + Quoted(text) + " must be greater than zero");
  return static_cast<std::uint64_t>(*bits);
}

std::string FormatDuration(std::chrono::nanoseconds duration) {
  const std::int64_t count = duration.count();
  if (count == 0) return "0s";
  const std::string sign = count < 0 ? "-" : "";
  std::uint64_t ns =
      count < 0 ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
  constexpr std::uint64_t kSecond = 1'000'000'000;
  constexpr std::uint64_t kMinute = 60 * kSecond;
  constexpr std::uint64_t kHour = 60 * kMinute;
  // Whole minutes and hours read better as "2m" and "1h"; anything else in seconds ("90s").
  auto pick = [&](std::uint64_t v) -> std::pair<std::uint64_t, const char*> {
    if (v >= kHour && v % kHour == 0) return {kHour, "h"};
    if (v >= kMinute && v % kMinute == 0) return {kMinute, "m"};
    if (v >= kSecond) return {kSecond, "s"};
    if (v >= 1'000'000) return {1'000'000, "ms"};
    if (v >= 1'000) return {1'000, "us"};
    return {1, "ns"};
  };
  // Three decimals at most: round first, then pick the unit again ("999.9996ms" is "1s").
  auto round = [](std::uint64_t v, std::uint64_t unit) {
    const std::uint64_t step = unit >= 1000 ? unit / 1000 : 1;
    const std::uint64_t down = v / step * step;
    return v - down >= (step + 1) / 2 && down <= UINT64_MAX - step ? down + step : down;
  };
  auto [unit, name] = pick(ns);
  ns = round(ns, unit);
  std::tie(unit, name) = pick(ns);
  ns = round(ns, unit);
  std::string out = sign + std::to_string(ns / unit);
  const std::uint64_t thousandths = (ns % unit) / (unit >= 1000 ? unit / 1000 : 1);
  if (thousandths != 0) {
    std::string frac = std::to_string(1000 + thousandths).substr(1);  // zero-padded to 3
    while (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out + name;
}

}  // namespace faultline::scenario
