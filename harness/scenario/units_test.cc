#include "harness/scenario/units.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace faultline::scenario {
namespace {

using std::chrono::nanoseconds;

TEST(ParseDuration, Good) {
  struct Case {
    const char* text;
    std::int64_t ns;
  };
  const Case cases[] = {
      {"0s", 0},
      {"1ns", 1},
      {"250ms", 250'000'000},
      {"1.5s", 1'500'000'000},
      {"10us", 10'000},
      {"2m", 120'000'000'000},
      {"1h", 3'600'000'000'000},
      {"0.5h", 1'800'000'000'000},
      {"1.5ns", 2},  // rounded to the nearest nanosecond
      {"0.0000000001s", 0},
      {"007ms", 7'000'000},
      {"9223372036854775807ns", 9'223'372'036'854'775'807},
  };
  for (const Case& c : cases) {
    auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.error().message;
    EXPECT_EQ(d->count(), c.ns) << c.text;
  }
}

TEST(ParseDuration, Bad) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "empty duration (expected a number and a unit, e.g. 250ms or 1.5s)"},
      {"10", "duration '10' has no unit (expected one of ns, us, ms, s, m, h)"},
      {"10sec", "duration '10sec' has unknown unit 'sec' (expected one of ns, us, ms, s, m, h)"},
      {"1S", "duration '1S' has unknown unit 'S' (expected one of ns, us, ms, s, m, h)"},
      {"-5s", "invalid duration '-5s' (expected a number and a unit, e.g. 250ms or 1.5s)"},
      {"1.s", "invalid duration '1.s' (expected a number and a unit, e.g. 250ms or 1.5s)"},
      {".5s", "invalid duration '.5s' (expected a number and a unit, e.g. 250ms or 1.5s)"},
      {" 5s", "invalid duration ' 5s' (expected a number and a unit, e.g. 250ms or 1.5s)"},
      {"5 s", "duration '5 s' has unknown unit ' s' (expected one of ns, us, ms, s, m, h)"},
      {"1e3s", "duration '1e3s' has unknown unit 'e3s' (expected one of ns, us, ms, s, m, h)"},
      {"9223372036854775808ns", "duration '9223372036854775808ns' is too large"},
      {"100000000000h", "duration '100000000000h' is too large"},
  };
  for (const Case& c : cases) {
    auto d = ParseDuration(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(d.error().message, c.message);
  }
}

TEST(ParseSize, Good) {
  struct Case {
    const char* text;
    std::uint64_t bytes;
  };
  const Case cases[] = {
      {"0", 0},
      {"4096", 4096},
      {"10B", 10},
      {"1k", 1000},
      {"1K", 1000},
      {"1Ki", 1024},
      {"512Mi", 512ull << 20},
      {"2G", 2'000'000'000},
      {"1.5Gi", 3ull << 29},
      {"1T", 1'000'000'000'000},
      {"2Ti", 2ull << 40},
      {"0.3Ki", 307},  // 307.2, rounded
      {"18446744073709551615", 18'446'744'073'709'551'615ull},
  };
  for (const Case& c : cases) {
    auto s = ParseSize(c.text);
    ASSERT_TRUE(s.ok()) << c.text << ": " << s.error().message;
    EXPECT_EQ(*s, c.bytes) << c.text;
  }
}

TEST(ParseSize, Bad) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "empty size (expected a number and an optional unit, e.g. 512Mi or 2G)"},
      {"Mi", "invalid size 'Mi' (expected a number and an optional unit, e.g. 512Mi or 2G)"},
      {"512MB", "size '512MB' has unknown unit 'MB' (expected B, k, M, G, T, Ki, Mi, Gi or Ti)"},
      {"1g", "size '1g' has unknown unit 'g' (expected B, k, M, G, T, Ki, Mi, Gi or Ti)"},
      {"-1", "invalid size '-1' (expected a number and an optional unit, e.g. 512Mi or 2G)"},
      {"18446744073709551616", "size '18446744073709551616' is too large"},
      {"20000000Ti", "size '20000000Ti' is too large"},
  };
  for (const Case& c : cases) {
    auto s = ParseSize(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(s.error().message, c.message);
  }
}

TEST(ParseRate, Good) {
  struct Case {
    const char* text;
    double per_second;
  };
  const Case cases[] = {
      {"50/s", 50}, {"0.5/s", 0.5}, {"30/m", 0.5}, {"3600/h", 1}, {"1.5/s", 1.5},
  };
  for (const Case& c : cases) {
    auto r = ParseRate(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.error().message;
    EXPECT_DOUBLE_EQ(*r, c.per_second) << c.text;
  }
}

TEST(ParseRate, Bad) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "empty rate (expected a number, '/' and s, m or h, e.g. 50/s)"},
      {"50", "invalid rate '50' (expected a number, '/' and s, m or h, e.g. 50/s)"},
      {"50/sec", "rate '50/sec' has unknown unit 'sec' (expected s, m or h)"},
      {"50/", "rate '50/' has unknown unit '' (expected s, m or h)"},
      {"/s", "invalid rate '/s' (expected a number, '/' and s, m or h, e.g. 50/s)"},
      {"0/s", "rate '0/s' must be greater than zero"},
      {"50 /s", "invalid rate '50 /s' (expected a number, '/' and s, m or h, e.g. 50/s)"},
  };
  for (const Case& c : cases) {
    auto r = ParseRate(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST(FormatDuration, Readable) {
  using namespace std::chrono_literals;
  EXPECT_EQ(FormatDuration(0ns), "0s");
  EXPECT_EQ(FormatDuration(250ms), "250ms");
  EXPECT_EQ(FormatDuration(1500ms), "1.5s");
  EXPECT_EQ(FormatDuration(90s), "90s");
  EXPECT_EQ(FormatDuration(2min), "2m");
  EXPECT_EQ(FormatDuration(3h), "3h");
  EXPECT_EQ(FormatDuration(90min), "90m");
  EXPECT_EQ(FormatDuration(1234567ns), "1.235ms");
  EXPECT_EQ(FormatDuration(999999ns), "999.999us");
  EXPECT_EQ(FormatDuration(999999999ns), "1s");  // rounding carries into the next unit
  EXPECT_EQ(FormatDuration(59999999999ns), "1m");
  EXPECT_EQ(FormatDuration(10us), "10us");
  EXPECT_EQ(FormatDuration(7ns), "7ns");
  EXPECT_EQ(FormatDuration(-250ms), "-250ms");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (const char* text : {"250ms", "1.5s", "2m", "1h", "10us", "7ns", "1.25ms", "45s"}) {
    auto d = ParseDuration(text);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(FormatDuration(*d), text);
  }
}

TEST(ParseBitRate, UnitsArePowersOfAThousand) {
  EXPECT_EQ(*ParseBitRate("10mbit"), 10'000'000u);
  EXPECT_EQ(*ParseBitRate("512kbit"), 512'000u);
  EXPECT_EQ(*ParseBitRate("1.5gbit"), 1'500'000'000u);
  EXPECT_EQ(*ParseBitRate("800bit"), 800u);
  EXPECT_FALSE(ParseBitRate("10mbps").ok());
  EXPECT_FALSE(ParseBitRate("0mbit").ok());
  EXPECT_FALSE(ParseBitRate("").ok());
}

}  // namespace
}  // namespace faultline::scenario
